"""Documentation of ET103."""

from ..base import RuleDocs, Source

MODULE_H = "https://github.com/pytorch/executorch/blob/main/extension/module/module.h"
IRUNNER_H = "https://github.com/pytorch/executorch/blob/main/extension/llm/runner/irunner.h"

DOCS = RuleDocs(
    problem=(
        "A call to an ExecuTorch API that returns `Error` or `Result<T>` is a statement of "
        "its own, so its result is thrown away: `Module::load`/`load_method`/`forward`/"
        "`execute`, `Program::load_method`/`method_meta`, `Method::set_input`/`execute`, "
        "an LLM runner's `load`/`generate`/`warmup`, `prepare_input_tensors`. The receiver's "
        "declaration in the same file must show an ExecuTorch type."
    ),
    bad=(
        "void run(std::unique_ptr<TextLLMRunner>& runner) {\n"
        "  runner->load();\n"
        "  runner->generate(prompt, config);\n"
        "}\n"
    ),
    good=(
        "Error run(std::unique_ptr<TextLLMRunner>& runner) {\n"
        "  ET_CHECK_OK_OR_RETURN_ERROR(runner->load());\n"
        "  ET_CHECK_OK_OR_RETURN_ERROR(runner->generate(prompt, config));\n"
        "  return Error::Ok;\n"
        "}\n"
    ),
    why=(
        "ExecuTorch reports failures only through these return values: a model that needs "
        "a missing operator (0x14) or an unlinked backend (0x20) fails in `load_method`, and "
        "the next call then fails with a less helpful error or aborts. Several of these "
        "functions are not `[[nodiscard]]` (`IRunner::load`, `TextLLMRunner::generate`, "
        "`Program::load_method`, `Module::method_meta`, `prepare_input_tensors`), so the "
        "compiler does not warn."
    ),
    exceptions=(
        "`(void)call();` states that the result is ignored on purpose and is not reported. "
        "Calls on objects whose type is not visible in the file (`tokenizer->load()`, "
        "`flag.load()`) are never reported. The quick fix uses `ET_CHECK_OK_OR_RETURN_ERROR` "
        "when the function returns `Error` or `Result`, otherwise an `if` that logs the error "
        "(not applied by fix-all: you decide what to do on failure)."
    ),
    sources=(
        Source("extension/module/module.h", MODULE_H),
        Source("extension/llm/runner/irunner.h", IRUNNER_H),
    ),
    example_language="cpp",
)
