"""When ExecuTorch loads what: notes for the Module, Program, Method and LLM runner calls.

Facts from ``extension/module/module.{h,cpp}``, ``runtime/executor/{program,method}.h`` and
``extension/llm/runner``: the Module is lazy, ``load()`` only parses the program, and
operators and delegates (which take the thread pool) are set up when a method is loaded.
"""

from __future__ import annotations

from .api_notes import ApiNote

MODULE_H = "extension/module/module.h"
PROGRAM_H = "runtime/executor/program.h"
METHOD_H = "runtime/executor/method.h"
RUNNER_H = "extension/llm/runner/text_llm_runner.h"
RUNNER_HELPER_H = "extension/llm/runner/llm_runner_helper.h"

_METHOD_LOAD = (
    "Loading a method resolves every operator against the linked kernels "
    "(`OperatorMissing` 0x14 when one is missing) and calls `init()` on each delegate "
    "(`NotFound` 0x20 when its backend is not registered). XNNPACK creates its runtime there "
    "with the current thread pool, so set the thread count before."
)
_CHECK_RESULT = (
    "Check `.ok()` (or `.error()`) before using the value: `get()`, `*` and `->` abort the "
    "program on an error."
)

MODULE_CONSTRUCTOR = ApiNote(
    title="`Module` constructor: nothing is loaded yet",
    body=(
        "Constructing a `Module` (directly, with `new`, `std::make_unique` or "
        "`std::make_shared`) only stores the path, the load mode and the allocators; the "
        "`.pte` is not opened.",
        "- `load()`, `method_meta()`, `method_names()`, `num_methods()` open and parse the "
        "program.\n"
        "- `load_method()`, `load_forward()` and the first `forward()`/`execute()` load the "
        "method: operators are resolved and delegates such as XNNPACK are initialised (and "
        "take the thread pool).",
        "So file errors (`AccessFailed` 0x22, `InvalidProgram` 0x23) come from those calls, "
        "and a thread count set after the constructor but before the first load is in time. "
        "A `Module` is not thread-safe: do not run one instance from several threads.",
    ),
    source=MODULE_H,
)

MODULE_LOAD = ApiNote(
    title="`Module::load()` parses the program; no method is loaded",
    body=(
        "Opens the file with the constructor's load mode and runs `Program::load` (header and "
        "flatbuffer checks). No operator is resolved and no delegate is initialised: that "
        "happens in `load_method()` or the first `forward()`/`execute()`. Does nothing when "
        "the program is already loaded.",
        "Returns `Error` and is `[[nodiscard]]`: compare it with `Error::Ok`.",
    ),
    source=MODULE_H,
)

MODULE_LOAD_METHOD = ApiNote(
    title="`Module::{name}()` loads a method and initialises its delegates",
    body=(
        "Parses the program first if needed (`load()`), then calls `Program::load_method`. "
        f"{_METHOD_LOAD} Does nothing when the method is already loaded; `load_forward()` is "
        '`load_method("forward")`.',
        "Returns `Error` and is `[[nodiscard]]`: compare it with `Error::Ok`.",
    ),
    source=MODULE_H,
)

MODULE_RUN = ApiNote(
    title="`Module::{name}()` runs a method, loading it on first use",
    body=(
        "The first call loads the method (`load_method`), so it is slower and can fail with "
        f"load errors. {_METHOD_LOAD} Later calls set the inputs and run `Method::execute()`.",
        "Returns `Result<std::vector<EValue>>` and is `[[nodiscard]]`. " + _CHECK_RESULT,
    ),
    source=MODULE_H,
)

MODULE_METHOD_ACCESS = ApiNote(
    title="`Module::{name}()` loads the method on first use",
    body=(
        "Calls `load_method()` first when the method is not loaded yet, so it can fail with "
        f"load errors. {_METHOD_LOAD}",
        "`[[nodiscard]]`: returns `Error` (`set_*`) or a `Result` (`get*`, `method`). "
        + _CHECK_RESULT,
    ),
    source=MODULE_H,
)

MODULE_METADATA = ApiNote(
    title="`Module::{name}()` parses the program, not the methods",
    body=(
        "Calls `load()` (opens and parses the program) and reads the program's metadata; no "
        "method is loaded and no delegate is initialised.",
        "Returns a `Result` and is **not** `[[nodiscard]]`, so an error can go unnoticed. "
        + _CHECK_RESULT,
    ),
    source=MODULE_H,
)

PROGRAM_LOAD = ApiNote(
    title="`Program::{name}()` parses and verifies the program",
    body=(
        "Reads the header and the flatbuffer through the `DataLoader` and verifies them "
        "(`Verification::Minimal` by default). No method is loaded and no delegate is "
        "initialised: `program->load_method()` does that. Fails with `InvalidProgram` 0x23 "
        "(not a `.pte`, truncated) or the loader's error.",
        "Returns `Result<Program>` and is `[[nodiscard]]` (`Program::Load` is the deprecated "
        "spelling). " + _CHECK_RESULT,
    ),
    source=PROGRAM_H,
)

PROGRAM_LOAD_METHOD = ApiNote(
    title="`Program::load_method()` loads a method and initialises its delegates",
    body=(
        f"Allocates the planned memory from the `MemoryManager`. {_METHOD_LOAD} Pass an "
        "event tracer (`ETDumpGen*`) here to profile the method.",
        "Returns `Result<Method>` and is **not** `[[nodiscard]]`. " + _CHECK_RESULT,
    ),
    source=PROGRAM_H,
)

METHOD_EXECUTE = ApiNote(
    title="`Method::execute()` runs a loaded method",
    body=(
        "Runs the method's kernels and delegate calls; nothing is loaded here (delegates were "
        "initialised by `load_method`). Fails with `InvalidState` after a partial `step()`.",
        "Returns `Error` and is `[[nodiscard]]`: compare it with `Error::Ok`.",
    ),
    source=METHOD_H,
)

RUNNER_LOAD = ApiNote(
    title="LLM runner `load()` loads the model's methods",
    body=(
        "Loads the prefill and decode methods through the runner's `Module`: operators are "
        "resolved and delegates initialised (XNNPACK takes the thread pool here, so size it "
        "before). Does nothing when already loaded.",
        "Returns `Error`; **not** `[[nodiscard]]` (experimental API): compare it with `Error::Ok`.",
    ),
    source=RUNNER_H,
)

RUNNER_RUN = ApiNote(
    title="LLM runner `{name}()` loads the model first when needed",
    body=(
        "Calls `load()` when `is_loaded()` is false, so the first call includes the load "
        "(methods, operators, delegate `init()` with the current thread pool), then runs "
        "prefill and decode.",
        "Returns `Error` (`prefill`: `Result<uint64_t>`); **not** `[[nodiscard]]` "
        "(experimental API).",
    ),
    source=RUNNER_H,
)

RUNNER_FACTORY = ApiNote(
    title="`{name}()` builds an LLM runner and reads the model's metadata",
    body=(
        "Creates a `Module` for the model, then reads the LLM metadata: `method_names()` "
        "parses the program and the small metadata methods (`get_max_seq_len`, ...) are run. "
        "The prefill and decode methods and their delegates are loaded later, by "
        "`runner->load()` or the first `generate()`: set the thread count before either.",
        "Returns a `std::unique_ptr` that is `nullptr` on failure (experimental API).",
    ),
    source=RUNNER_HELPER_H,
)
