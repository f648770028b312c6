"""ExecuTorch runtime error codes: one table for hovers, ``explain`` and rules.

The values mirror ``enum class Error`` in ``runtime/core/error.h``. Log messages are the
runtime's format strings as a user sees them, with ``%s``/``%zu``/... shown as ``<name>``.
"""

from __future__ import annotations

from dataclasses import dataclass

REPO_URL = "https://github.com/pytorch/executorch/blob/main/"
FAQ_URL = REPO_URL + "docs/source/using-executorch-faqs.md"


def _gh(path: str, title: str | None = None) -> tuple[str, str]:
    """A (title, url) source pointing at a file of the ExecuTorch repository."""
    return (title or path, REPO_URL + path)


ERROR_H = _gh("runtime/core/error.h")
RESULT_H = _gh("runtime/core/result.h")
METHOD_CPP = _gh("runtime/executor/method.cpp")
PROGRAM_CPP = _gh("runtime/executor/program.cpp")
REGISTRY_CPP = _gh("runtime/kernel/operator_registry.cpp")
TENSOR_IMPL_CPP = _gh("runtime/core/portable_type/tensor_impl.cpp")
TENSOR_PARSER_CPP = _gh("runtime/executor/tensor_parser_exec_aten.cpp")
MEMORY_ALLOCATOR_H = _gh("runtime/core/memory_allocator.h")
HIERARCHICAL_ALLOCATOR_H = _gh("runtime/core/hierarchical_allocator.h")
FILE_DATA_LOADER_CPP = _gh("extension/data_loader/file_data_loader.cpp")
MMAP_DATA_LOADER_CPP = _gh("extension/data_loader/mmap_data_loader.cpp")
BUFFER_DATA_SINK_CPP = _gh("devtools/etdump/data_sinks/buffer_data_sink.cpp")
CACHE_ET_H = _gh("extension/llm/cache/cache_et.h")
XNN_COMPILER_CPP = _gh("backends/xnnpack/runtime/XNNCompiler.cpp")
COREML_DELEGATE_MM = _gh("backends/apple/coreml/runtime/delegate/coreml_backend_delegate.mm")
FAQ = ("ExecuTorch FAQ", FAQ_URL)


@dataclass(frozen=True)
class LogMessage:
    """A line the runtime logs next to an error, as printed (``%s``... shown as ``<name>``),
    and the ExecuTorch file that logs it."""

    text: str
    source: tuple[str, str]


@dataclass(frozen=True)
class ErrorCode:
    """One value of ``executorch::runtime::Error`` with what users need to act on it."""

    name: str
    value: int
    category: str
    meaning: str
    causes: tuple[str, ...]
    fixes: tuple[str, ...]
    log_messages: tuple[LogMessage, ...]
    faq: str | None
    sources: tuple[tuple[str, str], ...]

    @property
    def hex(self) -> str:
        """``0x20`` style: two lowercase hex digits."""
        return f"0x{self.value:02x}"

    @property
    def qualified(self) -> str:
        """``Error::NotFound``."""
        return f"Error::{self.name}"

    @property
    def title(self) -> str:
        """``Error::NotFound (0x20 = 32)``: the name with both spellings of the value."""
        return f"{self.qualified} ({self.hex} = {self.value})"


# --- System errors ------------------------------------------------------------------------

_OK = ErrorCode(
    name="Ok",
    value=0x00,
    category="System",
    meaning="Success: the call did what was asked.",
    causes=(),
    fixes=(),
    log_messages=(),
    faq=None,
    sources=(ERROR_H,),
)

_INTERNAL = ErrorCode(
    name="Internal",
    value=0x01,
    category="System",
    meaning="Something failed inside the runtime, a kernel or a backend that has no more "
    "specific code.",
    causes=(
        "An internal consistency check failed (runtime, kernel or delegate); often a bug or a "
        "`.pte` the runtime does not handle.",
        "Your own code built a failing `Result<T>` from `Error::Ok`: the runtime turns that "
        "into `Internal`.",
    ),
    fixes=(
        "Read the `E ...` log line printed just before the failure; Release builds log nothing "
        "unless configured with `-DEXECUTORCH_ENABLE_LOGGING=ON`.",
        "Make sure the `.pte` was exported with the same ExecuTorch release as the runtime.",
        "If it reproduces, open an issue with the log and the model.",
    ),
    log_messages=(
        LogMessage(
            "Attempted to create Result from Error::Ok, this has been converted to "
            "Error::Internal.",
            RESULT_H,
        ),
    ),
    faq=None,
    sources=(ERROR_H, RESULT_H),
)

_INVALID_STATE = ErrorCode(
    name="InvalidState",
    value=0x02,
    category="System",
    meaning="The object is not in a state that allows this call (not loaded yet, or in the "
    "middle of an execution).",
    causes=(
        "Setting inputs while an execution is in progress (between `step()` calls) or on a "
        "`Method` that is not initialized.",
        "`set_output_data_ptr` / `Module::set_output` on an output that is memory-planned or "
        "a constant.",
        "The weights live in an external `.ptd` file but no data file was passed.",
    ),
    fixes=(
        "Set inputs before `execute()` or after a finished run; after partial `step()`s call "
        "`reset_execution()` first.",
        "Only override outputs whose `method_meta.output_tensor_meta(i)->is_memory_planned()` "
        "is false; otherwise read the output the runtime filled in.",
        'Pass the data file: `Module("model.pte", "model.ptd")`, or '
        '`Runtime.get().load_program("model.pte", data_path="model.ptd")` in Python.',
    ),
    log_messages=(
        LogMessage("Input can not be set until method has been initialized.", METHOD_CPP),
        LogMessage("Inputs can not be set mid execution.", METHOD_CPP),
        LogMessage(
            "Output <index> is memory planned, or is a constant. Cannot override the existing data "
            "pointer.",
            METHOD_CPP,
        ),
        LogMessage("external_data_map is null", METHOD_CPP),
    ),
    faq=None,
    sources=(ERROR_H, METHOD_CPP),
)

_END_OF_METHOD = ErrorCode(
    name="EndOfMethod",
    value=0x03,
    category="System",
    meaning="`Method::step()` has no instruction left to run: a completion signal, not a failure.",
    causes=("Calling `step()` again after the last instruction of the method ran.",),
    fixes=(
        "When driving a method with `step()`, stop on `EndOfMethod`; call `reset_execution()` "
        "before running it again.",
    ),
    log_messages=(),
    faq=None,
    sources=(ERROR_H, _gh("runtime/executor/method.h")),
)

_ALREADY_LOADED = ErrorCode(
    name="AlreadyLoaded",
    value=0x04,
    category="System",
    meaning="A resource was already loaded. Reserved: the ExecuTorch runtime itself never "
    "returns it (the iOS error enum has no counterpart).",
    causes=(),
    fixes=(
        "If you see it, it came from a custom backend, kernel or application code; look there.",
    ),
    log_messages=(),
    faq=None,
    sources=(ERROR_H,),
)

# --- Logical errors -----------------------------------------------------------------------

_NOT_SUPPORTED = ErrorCode(
    name="NotSupported",
    value=0x10,
    category="Logical",
    meaning="The request cannot be honoured in this context; most often an input whose shape "
    "does not fit the shapes the model was exported with.",
    causes=(
        "An input shape differs from the example inputs used at export and that dimension "
        "was exported static.",
        "A dynamic dimension goes past the upper bound given at export (`Dim(..., max=N)`); "
        "the rank can never change.",
        "`execute()` on a `Method` that is not initialized (check `load_method` results).",
        "`Module::LoadMode::MmapUseMlock` and `mlock()` fails (locked-memory limit).",
    ),
    fixes=(
        "Feed inputs with the exported shape, or re-export with dynamic shapes: "
        '`export(model, (x,), dynamic_shapes={"x": {1: Dim("seq", max=512)}})`.',
        "Keep each `max=` bound as small as the app needs: bounds size the planned memory.",
        "Use `Module::LoadMode::Mmap` or `MmapUseMlockIgnoreErrors` instead of `MmapUseMlock`.",
    ),
    log_messages=(
        LogMessage(
            "Attempted to resize a static tensor. Expected shape <shape>, but received <shape>.",
            TENSOR_IMPL_CPP,
        ),
        LogMessage(
            "Attempted to resize a bounded tensor with a maximum capacity of <n> elements to <m> "
            "elements.",
            TENSOR_IMPL_CPP,
        ),
        LogMessage("Error resizing tensor at input <index>", METHOD_CPP),
    ),
    faq="Under *Error setting input: 0x10 / Attempted to resize a bounded tensor*: the inputs "
    "do not match the shape of the example inputs used at export. If the model must accept "
    "varying sizes, export it with dynamic shapes and appropriate bounds.",
    sources=(
        ERROR_H,
        TENSOR_IMPL_CPP,
        _gh("docs/source/using-executorch-export.md", "Exporting with dynamic shapes"),
        FAQ,
    ),
)

_NOT_IMPLEMENTED = ErrorCode(
    name="NotImplemented",
    value=0x11,
    category="Logical",
    meaning="The API exists but this implementation does not provide it.",
    causes=(
        "A `DataLoader` or `NamedDataMap` that lacks an optional method (e.g. `load_into`).",
        "A backend path that is not written yet (XNNPACK logs `Unhandled fp32 tensor`).",
    ),
    fixes=(
        "Use a loader that implements the call (`FileDataLoader`, `MmapDataLoader`) or "
        "implement it in your own class.",
        "For a backend gap, check the backend's log line and report it with the model.",
    ),
    log_messages=(LogMessage("Unhandled fp32 tensor", XNN_COMPILER_CPP),),
    faq=None,
    sources=(ERROR_H, _gh("runtime/core/data_loader.h")),
)

_INVALID_ARGUMENT = ErrorCode(
    name="InvalidArgument",
    value=0x12,
    category="Logical",
    meaning="A value supplied by the caller is wrong: input type or dtype, method name, index "
    "or buffer.",
    causes=(
        "An input dtype differs from the exported one (float64 vs float32, int32 vs int64 "
        "token ids).",
        "A tensor passed where the method expects a scalar, or the reverse.",
        "A method name the program does not contain (e.g. `forward` when only `encode` was "
        "exported).",
        "Executing before every input was set, or an input/output index out of range.",
    ),
    fixes=(
        "Match dtypes exactly: `x.to(torch.float32)` in Python; in C++ use "
        '`method_meta("forward")->input_tensor_meta(i)->scalar_type()`.',
        "List the methods: `module.method_names()` (C++) or `program.method_names` "
        "(`executorch.runtime`).",
        "Set all `inputs_size()` inputs before `execute()`.",
    ),
    log_messages=(
        LogMessage(
            "Input <index> has unexpected scalar type: expected <dtype> but was <dtype>.",
            METHOD_CPP,
        ),
        LogMessage("Input <index> was expected to have type <tag> but was <tag>.", METHOD_CPP),
        LogMessage("No method named '<name>' in program", PROGRAM_CPP),
        LogMessage("Input <index> has not been set.", METHOD_CPP),
    ),
    faq=None,
    sources=(ERROR_H, METHOD_CPP, PROGRAM_CPP),
)

_INVALID_TYPE = ErrorCode(
    name="InvalidType",
    value=0x13,
    category="Logical",
    meaning="A value has the wrong type for the operation, e.g. an `EValue` read as an int "
    "while it holds a tensor.",
    causes=(
        "Converting an `EValue` with the wrong accessor (`tryToInt()`, `tryToTensor()`, ...).",
    ),
    fixes=(
        "Check `isTensor()`/`isInt()` (or `method_meta.input_tag(i)`) before converting "
        "inputs and outputs.",
    ),
    log_messages=(),
    faq=None,
    sources=(ERROR_H, _gh("runtime/core/evalue.h")),
)

_OPERATOR_MISSING = ErrorCode(
    name="OperatorMissing",
    value=0x14,
    category="Logical",
    meaning="The program calls an operator that has no kernel in the runtime's registry.",
    causes=(
        "No kernel library linked, only the core runtime (`executorch` / `executorch::runtime`).",
        "A selective build generated for another (older) version of the model.",
        "Custom or quantized ops (`llama::*`, `quantized_decomposed::*`) whose library is not "
        "linked, or linked without whole-archive.",
        "The portable library has no kernel for that ATen op or dtype yet.",
    ),
    fixes=(
        "CMake: link a kernel library, e.g. `target_link_libraries(app PRIVATE "
        "executorch::runtime executorch::kernels_optimized)` (`optimized_native_cpu_ops_lib` "
        "or `portable_ops_lib` in a source build).",
        "Selective build: regenerate the op list from the current model, "
        "`-DEXECUTORCH_SELECT_OPS_MODEL=model.pte` or `gen_selected_ops(... OPS_FROM_MODEL "
        "model.pte)`.",
        "Buck: add the model's `et_operator_library` to `deps` of the app's "
        "`executorch_generated_lib`, and depend on that generated lib.",
        "Op libraries: `$<LINK_LIBRARY:WHOLE_ARCHIVE,custom_ops>` / `quantized_ops_lib`; "
        "`-force_load` on Apple.",
    ),
    log_messages=(
        LogMessage("kernel '<operator>' not found.", REGISTRY_CPP),
        LogMessage("Missing operator: [<index>] <operator>", METHOD_CPP),
        LogMessage(
            "There are <n> instructions don't have corresponding operator registered. See logs for "
            "details",
            METHOD_CPP,
        ),
    ),
    faq="Under *Error 0x14 (Operator Missing)*: usually a wrong selective build. Generate the "
    "operator library from the current model, make its `et_operator_library` a dependency of "
    "the app's `executorch_generated_lib`, and link that generated lib into the app. It can "
    "also mean the portable library lacks that ATen operator (search or file a GitHub issue).",
    sources=(
        ERROR_H,
        REGISTRY_CPP,
        _gh("docs/source/kernel-library-selective-build.md", "Selective build"),
        FAQ,
    ),
)

_REGISTRATION_EXCEEDING_MAX_KERNELS = ErrorCode(
    name="RegistrationExceedingMaxKernels",
    value=0x15,
    category="Logical",
    meaning="Kernel registration overflowed the fixed-size kernel table; the runtime aborts "
    "at startup.",
    causes=(
        "Several large kernel libraries in one binary (portable + optimized + quantized + "
        "custom) exceed the default table (250 operators x 8 kernels).",
        "A build with a small `MAX_KERNEL_NUM`.",
    ),
    fixes=(
        "Raise the limit: configure ExecuTorch with `-DMAX_KERNEL_NUM=<n>` (CMake) or define "
        "`MAX_KERNEL_NUM` when building the runtime.",
        "Register fewer kernels: selective build keeps only what the model uses.",
    ),
    log_messages=(
        LogMessage(
            "The total number of kernels to be registered is larger than the limit <limit>. <n> "
            "kernels are already registered and we're trying to register another <m> kernels.",
            REGISTRY_CPP,
        ),
        LogMessage(
            "Kernel registration failed with error 21, see error log for details.", REGISTRY_CPP
        ),
    ),
    faq=None,
    sources=(ERROR_H, REGISTRY_CPP),
)

_REGISTRATION_ALREADY_REGISTERED = ErrorCode(
    name="RegistrationAlreadyRegistered",
    value=0x16,
    category="Logical",
    meaning="The same kernel (name and dtype key) was registered twice; the runtime aborts at "
    "startup.",
    causes=(
        "More than one generated operator library in the binary (several `gen_operators_lib` "
        "/ `executorch_generated_lib` outputs).",
        "`portable_ops_lib` linked next to `optimized_native_cpu_ops_lib`, which already "
        "contains portable fallbacks.",
    ),
    fixes=(
        "Keep exactly one generated operator library per binary: each model may have its own "
        "`gen_selected_ops`/`generate_bindings_for_kernels`, merged into one "
        "`gen_operators_lib`.",
        "Link a single CPU kernel library (`optimized_native_cpu_ops_lib` *or* "
        "`portable_ops_lib`).",
    ),
    log_messages=(
        LogMessage("Re-registering <operator>, from <library>", REGISTRY_CPP),
        LogMessage(
            "Kernel registration failed with error 22, Re-registering <operator>, from <library>",
            REGISTRY_CPP,
        ),
    ),
    faq="Under *Duplicate Kernel Registration Abort*: a crash during kernel registration that "
    "ends in `et_pal_abort` usually means several `gen_operators_lib` targets are linked into "
    "the app. Only one generated operator library is allowed per target, although each model "
    "can have its own `gen_selected_ops`/`generate_bindings_for_kernels` call.",
    sources=(ERROR_H, REGISTRY_CPP, FAQ),
)

# --- Resource errors ----------------------------------------------------------------------

_NOT_FOUND = ErrorCode(
    name="NotFound",
    value=0x20,
    category="Resource",
    meaning="Something looked up by name was not found; most often the backend a delegated "
    "model needs.",
    causes=(
        "The `.pte` has delegated parts (e.g. `XnnpackBackend`) but that backend library is "
        "not linked.",
        "The backend is a static library linked without whole-archive, so the linker dropped "
        "its self-registration.",
        "The backend is registered but unavailable on this device (driver or vendor runtime "
        "missing).",
        "A named tensor is missing from the external `.ptd` file (stale or wrong data file).",
    ),
    fixes=(
        "CMake: build with `-DEXECUTORCH_BUILD_XNNPACK=ON` and link `xnnpack_backend` "
        "(installed package: `executorch::backend_xnnpack`).",
        "Still not registered? Force whole-archive: `$<LINK_LIBRARY:WHOLE_ARCHIVE,"
        "xnnpack_backend>` or `-Wl,--whole-archive libxnnpack_backend.a "
        "-Wl,--no-whole-archive`; `-force_load` on Apple.",
        "iOS: add the `backend_xnnpack` (or `backend_coreml`, `backend_mps`) framework; Buck: "
        "depend on `//executorch/backends/xnnpack:xnnpack_backend`.",
        "The backend named in the log (`VulkanBackend`, `CoreMLBackend`, `QnnBackend`, ...) "
        "tells which library to link.",
    ),
    log_messages=(
        LogMessage("Backend <name> is not registered.", METHOD_CPP),
        LogMessage("Backend <name> is not available.", METHOD_CPP),
        LogMessage("Failed to get metadata for key <fqn>", METHOD_CPP),
    ),
    faq="Under *Error 0x20 (Not Found)*: most often a backend target is not linked; for "
    "XNNPACK that is `xnnpack_backend`. If it is linked but still not available, link it with "
    "`--whole-archive`.",
    sources=(
        ERROR_H,
        METHOD_CPP,
        _gh("docs/source/backends/xnnpack/xnnpack-troubleshooting.md", "XNNPACK troubleshooting"),
        FAQ,
    ),
)

_MEMORY_ALLOCATION_FAILED = ErrorCode(
    name="MemoryAllocationFailed",
    value=0x21,
    category="Resource",
    meaning="An allocator ran out of space (method, planned or temporary memory) or a heap "
    "allocation failed.",
    causes=(
        "The fixed pool given to `MemoryAllocator` for the method allocator is too small "
        "(bare-metal or custom runners).",
        "Planned-memory buffers handed to `HierarchicalAllocator` are smaller than the "
        "program needs.",
        "The device is out of RAM for the model.",
    ),
    fixes=(
        "Size planned buffers from `method_meta.memory_planned_buffer_size(i)` for every "
        "`i < num_memory_planned_buffers()`.",
        "Enlarge the method allocator pool (Arm runner: "
        "`ET_ARM_BAREMETAL_METHOD_ALLOCATOR_POOL_SIZE`).",
        "Prefer `Module` (heap-backed allocators) and `Module::LoadMode::Mmap` so weights stay "
        "file-backed.",
    ),
    log_messages=(
        LogMessage(
            "Memory allocation failed: <n>B requested (adjusted for alignment), <m>B available",
            MEMORY_ALLOCATOR_H,
        ),
        LogMessage(
            "offset_bytes (<offset>) + size_bytes (<size>) >= allocator size (<capacity>) for "
            "memory_id <id>",
            HIERARCHICAL_ALLOCATOR_H,
        ),
    ),
    faq=None,
    sources=(
        ERROR_H,
        MEMORY_ALLOCATOR_H,
        HIERARCHICAL_ALLOCATOR_H,
    ),
)

_ACCESS_FAILED = ErrorCode(
    name="AccessFailed",
    value=0x22,
    category="Resource",
    meaning="A resource could not be read: the model or data file cannot be opened, mapped or "
    "read.",
    causes=(
        "Wrong path (relative paths resolve against the working directory), missing file on "
        "the device, or no read permission (app sandbox, Android storage).",
        "The file is shorter than the program expects (truncated copy), so a read hits EOF.",
    ),
    fixes=(
        "Use an absolute path and check the file exists on the device (e.g. `adb shell ls -l "
        "<path>`).",
        "On mobile, copy the model into app-readable storage (app files dir, bundle resources).",
    ),
    log_messages=(
        LogMessage("Failed to open <path>: <reason> (<errno>)", FILE_DATA_LOADER_CPP),
        LogMessage(
            "Failed to map <path>: mmap(..., size=<n>, ..., fd=<fd>, offset=0x<offset>)",
            MMAP_DATA_LOADER_CPP,
        ),
        LogMessage(
            "Reading from <path>: failed to read <n> bytes at offset <offset>: <reason>",
            FILE_DATA_LOADER_CPP,
        ),
    ),
    faq=None,
    sources=(
        ERROR_H,
        FILE_DATA_LOADER_CPP,
        MMAP_DATA_LOADER_CPP,
    ),
)

_INVALID_PROGRAM = ErrorCode(
    name="InvalidProgram",
    value=0x23,
    category="Resource",
    meaning="The `.pte` contents are malformed, truncated, or in a format this runtime does "
    "not understand.",
    causes=(
        "The file is not a `.pte` (a `.pt`, a `.ptd`, a Git LFS pointer) or was truncated "
        "while copying.",
        "The `.pte` was written by a different ExecuTorch release whose format identifier "
        "this runtime rejects.",
    ),
    fixes=(
        "Re-export with the same ExecuTorch release the runtime was built from.",
        "Compare the file size with the exported one; load with "
        "`Program::Verification::InternalConsistency` for detailed checks.",
    ),
    log_messages=(
        LogMessage("Program identifier '<found>' != expected '<expected>'", PROGRAM_CPP),
        LogMessage("Verification failed; data may be truncated or corrupt", PROGRAM_CPP),
        LogMessage(
            "File size is too small. Expected file size from extended header is <n>, actual file "
            "size from data loader is <m>",
            PROGRAM_CPP,
        ),
    ),
    faq=None,
    sources=(ERROR_H, PROGRAM_CPP),
)

_INVALID_EXTERNAL_DATA = ErrorCode(
    name="InvalidExternalData",
    value=0x24,
    category="Resource",
    meaning="The external data file (`.ptd`) does not match what the `.pte` expects, or is "
    "missing or corrupt.",
    causes=(
        "The `.ptd` comes from a different export than the `.pte` (dtype, size or dim order "
        "differ).",
        "Mutable external tensors but no `.ptd` was passed at load time.",
    ),
    fixes=(
        "Ship the `.pte` and `.ptd` written by the same export (`write_tensor_data_to_file`).",
        'Pass the data file: `Module("model.pte", "model.ptd")`, or '
        '`Runtime.get().load_program("model.pte", data_path="model.ptd")`.',
    ),
    log_messages=(
        LogMessage(
            "Cannot retrieve external tensor with fqn: <fqn>. The named_data_map is null; most "
            "likely no external .ptd file was provided.",
            TENSOR_PARSER_CPP,
        ),
        LogMessage(
            "Sizes mismatch. Expected <n>, got <m> for size at index <i>.", TENSOR_PARSER_CPP
        ),
        LogMessage("Scalar type mismatch. Expected <a>, got <b>.", TENSOR_PARSER_CPP),
    ),
    faq=None,
    sources=(
        ERROR_H,
        TENSOR_PARSER_CPP,
        _gh("extension/flat_tensor/flat_tensor_data_map.cpp"),
    ),
)

_OUT_OF_RESOURCES = ErrorCode(
    name="OutOfResources",
    value=0x25,
    category="Resource",
    meaning="A fixed-capacity resource other than general memory is used up.",
    causes=(
        "The ETDump debug buffer is too small for the intermediate outputs being recorded.",
        "The LLM cache helpers (`extension/llm/cache`) were asked for more positions than the "
        "cache holds.",
    ),
    fixes=(
        "Give `BufferDataSink` a larger buffer (Python: raise `debug_buffer_size`) or record "
        "fewer intermediates.",
        "Keep prompt plus generated tokens within the context length the model was exported with.",
    ),
    log_messages=(
        LogMessage("Ran out of space to store intermediate outputs.", BUFFER_DATA_SINK_CPP),
        LogMessage(
            "cache: plan(layer=<l>, position=<p>, T=<t>) exceeds capacity or bad layer", CACHE_ET_H
        ),
    ),
    faq=None,
    sources=(
        ERROR_H,
        BUFFER_DATA_SINK_CPP,
        CACHE_ET_H,
    ),
)

# --- Delegate errors ----------------------------------------------------------------------

_DELEGATE_INVALID_COMPATIBILITY = ErrorCode(
    name="DelegateInvalidCompatibility",
    value=0x30,
    category="Delegate",
    meaning="At load time a backend rejected its payload as incompatible: made by another "
    "version of its ahead-of-time compiler, or corrupt.",
    causes=(
        "The model was lowered with a different ExecuTorch release than the runtime's backend "
        "(serialization identifier mismatch).",
        "The delegate payload inside the `.pte` is truncated or corrupt.",
    ),
    fixes=(
        "Re-export and lower with the ExecuTorch release that matches the runtime.",
        "Re-copy the `.pte` and compare its size with the exported file.",
    ),
    log_messages=(
        LogMessage("Init failed for backend <name>: 0x30", METHOD_CPP),
        LogMessage(
            "XNNPACK Delegate Serialization Format version identifier '<id>' != expected XN00 "
            "or XN01'",
            XNN_COMPILER_CPP,
        ),
        LogMessage(
            "FlatBuffer verification failed; data may be truncated or corrupt", XNN_COMPILER_CPP
        ),
    ),
    faq=None,
    sources=(ERROR_H, _gh("runtime/backend/interface.h"), METHOD_CPP),
)

_DELEGATE_MEMORY_ALLOCATION_FAILED = ErrorCode(
    name="DelegateMemoryAllocationFailed",
    value=0x31,
    category="Delegate",
    meaning="A backend could not allocate memory while initializing its part of the model "
    "(no backend in the ExecuTorch tree returns it today).",
    causes=("A third-party backend ran out of memory in `init()`.",),
    fixes=("Read the backend's own log lines before `Init failed for backend`; free memory.",),
    log_messages=(LogMessage("Init failed for backend <name>: 0x31", METHOD_CPP),),
    faq=None,
    sources=(ERROR_H, METHOD_CPP),
)

_DELEGATE_INVALID_HANDLE = ErrorCode(
    name="DelegateInvalidHandle",
    value=0x32,
    category="Delegate",
    meaning="At execution time a backend found its handle unusable or could not run its part "
    "of the model.",
    causes=(
        "Core ML failed to run the model or to resize a delegate output.",
        "A third-party backend rejected the handle it got from its own `init()`.",
    ),
    fixes=(
        "Read the backend's log line just before the failure (the `CALL_DELEGATE` line gives "
        "the instruction).",
        "Core ML: the `CoreMLBackend:` line says whether running or resizing outputs failed.",
    ),
    log_messages=(
        LogMessage("CALL_DELEGATE execute failed at instruction <n>: 0x32", METHOD_CPP),
        LogMessage("CoreMLBackend: Failed to run the model.", COREML_DELEGATE_MM),
    ),
    faq=None,
    sources=(ERROR_H, COREML_DELEGATE_MM),
)

ERROR_CODES: tuple[ErrorCode, ...] = (
    _OK,
    _INTERNAL,
    _INVALID_STATE,
    _END_OF_METHOD,
    _ALREADY_LOADED,
    _NOT_SUPPORTED,
    _NOT_IMPLEMENTED,
    _INVALID_ARGUMENT,
    _INVALID_TYPE,
    _OPERATOR_MISSING,
    _REGISTRATION_EXCEEDING_MAX_KERNELS,
    _REGISTRATION_ALREADY_REGISTERED,
    _NOT_FOUND,
    _MEMORY_ALLOCATION_FAILED,
    _ACCESS_FAILED,
    _INVALID_PROGRAM,
    _INVALID_EXTERNAL_DATA,
    _OUT_OF_RESOURCES,
    _DELEGATE_INVALID_COMPATIBILITY,
    _DELEGATE_MEMORY_ALLOCATION_FAILED,
    _DELEGATE_INVALID_HANDLE,
)

_BY_VALUE = {code.value: code for code in ERROR_CODES}
_BY_KEY = {code.name.lower(): code for code in ERROR_CODES}
# Spellings of the enum's scope that may precede the name (C++ namespaces, iOS prefix).
_SCOPES = ("executorch::runtime::error::", "torch::executor::error::", "runtime::error::")
_IOS_PREFIX = "executorcherrorcode"


def _name_key(name: str) -> str:
    """Lowercase the name and drop the scopes ``by_name`` accepts."""
    key = name.strip().strip("`").lower().removeprefix("::")
    for scope in _SCOPES:
        key = key.removeprefix(scope)
    key = key.removeprefix("error::").removeprefix(_IOS_PREFIX)
    return key.replace("_", "")


def by_name(name: str) -> ErrorCode | None:
    """``NotFound``, ``notfound``, ``Error::NotFound``, ``executorch::runtime::Error::NotFound``,
    ``torch::executor::Error::NotFound`` (also iOS ``ExecuTorchErrorCodeNotFound`` and Android
    ``NOT_FOUND``)."""
    key = _name_key(name)
    if "::" in key or not key:
        return None
    return _BY_KEY.get(key)


def by_value(value: int) -> ErrorCode | None:
    return _BY_VALUE.get(value)


def _bullets(label: str, items: tuple[str, ...]) -> list[str]:
    if not items:
        return []
    return ["", f"**{label}**", *(f"- {item}" for item in items)]


def _log_lines(code: ErrorCode) -> list[str]:
    return _bullets("Logged with it", tuple(f"`{line.text}`" for line in code.log_messages))


def _sources_line(code: ErrorCode) -> str:
    links = " · ".join(f"[{title}]({url})" for title, url in code.sources)
    return f"Sources: {links}"


def render_markdown(code: ErrorCode, heading: bool = True) -> str:
    """Hover / ``explain`` text. ``heading=False`` leaves out the title line so a caller can
    put its own (see ``ErrorCode.title``)."""
    lines = [f"### {code.title}", ""] if heading else []
    lines.append(f"{code.meaning} *({code.category} error.)*")
    lines += _bullets("Typical causes", code.causes)
    lines += _bullets("What to do", code.fixes)
    lines += _log_lines(code)
    if code.faq:
        lines += ["", f"**FAQ:** {code.faq}"]
    lines += ["", _sources_line(code)]
    return "\n".join(lines) + "\n"
