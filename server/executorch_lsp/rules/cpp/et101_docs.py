"""Documentation of ET101 (kept apart from the check so both stay short)."""

from ...knowledge.profiling import MEASURE
from ..base import RuleDocs, Source

FAQ_URL = "https://github.com/pytorch/executorch/blob/main/docs/source/using-executorch-faqs.md"
THREADPOOL_URL = "https://github.com/pytorch/executorch/blob/main/extension/threadpool/threadpool.h"

DOCS = RuleDocs(
    problem=(
        "`get_threadpool()->_unsafe_reset_threadpool(n)` is called after a model was "
        "loaded (`Module::load`, `load_method`, `forward`, `execute`, `Program::load`, "
        "`program->load_method`, an LLM runner's `load`/`generate`, "
        "`create_text_llm_runner`, ...) in the same function, directly or through the "
        "functions it calls, in this file or in other files of the workspace (in the editor: "
        "the open folders; on the command line: the checked folders, or the project of the "
        "checked files). A finding reached through other files points at the load and the "
        "reset there."
    ),
    bad=(
        "int main() {\n"
        '  Module module("model.pte");\n'
        "  auto outputs = module.forward(inputs);  // loads the program and its delegates\n"
        "  ::executorch::extension::threadpool::get_threadpool()\n"
        "      ->_unsafe_reset_threadpool(4);        // ET101: too late\n"
        "}\n"
    ),
    good=(
        "int main() {\n"
        "  ::executorch::extension::threadpool::get_threadpool()\n"
        "      ->_unsafe_reset_threadpool(4);        // first: size the pool\n"
        '  Module module("model.pte");            // constructing a Module loads nothing\n'
        "  auto outputs = module.forward(inputs);\n"
        "}\n"
    ),
    why=(
        "Delegates take the thread pool when a method is loaded: XNNPACK hands the raw "
        "`pthreadpool` to each runtime it creates in `init()`. `_unsafe_reset_threadpool` "
        "destroys that pool and creates a new one, so already-initialized delegates are left "
        "with a dangling pool: crashes, hangs or silently single-threaded inference. The "
        "ExecuTorch FAQ says to set the thread count before loading or running a model. "
        "Good starting points: the number of cores / 2, or 4 on mobile CPUs; measure."
    ),
    exceptions=(
        "Constructing a `Module` (directly, with `new`, `make_unique` or `make_shared`) does "
        "not load it and is not reported. Loads and resets in mutually exclusive branches "
        "(`if`/`else`, different `switch` cases, `#if`/`#else`) are not ordered. A lambda or "
        "helper defined above the reset but called after it is fine. `load()` on objects "
        "that are not ExecuTorch types (a `std::atomic`, a settings reader) is not a load; "
        "objects whose type cannot be seen (in the file or in the headers it includes) are "
        "not treated as models. A wrapper that refuses to reset once a model is loaded "
        "(an `if` on a loaded state that returns first, or encloses the reset) is not "
        "reported. Across files, only calls that reach one definition are followed: a name "
        "defined differently in several files, or a method of an unknown receiver type, is "
        "never guessed. Lambdas and thread bodies run later and are not ordered. "
        "If the model is reloaded after the reset (every method loaded again), suppress "
        "with `// executorch-lsp: ignore[ET101] -- reloaded below`."
    ),
    sources=(
        Source("ExecuTorch FAQ: Inference is slow / performance troubleshooting", FAQ_URL),
        Source("extension/threadpool/threadpool.h (_unsafe_reset_threadpool)", THREADPOOL_URL),
    ),
    example_language="cpp",
    measuring=MEASURE,
)
