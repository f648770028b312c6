"""Hovers on ExecuTorch C++ API names: loads, the thread pool, logging and the PAL."""

from __future__ import annotations

import pytest

from executorch_lsp.engine.hover import HoverResult, hover_at
from executorch_lsp.knowledge.profiling import MEASURE
from harness import document, run

INCLUDE = (
    "#include <executorch/extension/module/module.h>\n"
    "using executorch::extension::Module;\n"
    "using namespace executorch::runtime;\n"
)


def hover(source: str, marker: str, delta: int = 1) -> HoverResult | None:
    doc = document(source)
    return hover_at(doc, len(source[: source.index(marker)].encode()) + delta)


def in_main(body: str, include: str = INCLUDE) -> str:
    return f"{include}int main() {{\n{body}}}\n"


def title(result: HoverResult | None) -> str:
    assert result is not None
    return result.markdown.splitlines()[0]


def spanned(source: str, result: HoverResult) -> str:
    return source.encode()[result.span.start : result.span.end].decode()


# -- loads -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "marker"),
    [
        ('  Module module("model.pte");\n', "Module module"),
        ('  Module module{"model.pte", Module::LoadMode::Mmap};\n', "Module module"),
        ('  executorch::extension::Module module("model.pte");\n', "Module module"),
        ('  auto module = std::make_unique<Module>("model.pte");\n', "make_unique"),
        ('  auto module = std::make_unique<Module>("model.pte");\n', "Module>"),
        ('  auto module = std::make_shared<Module>("model.pte");\n', "make_shared"),
        ('  Module* module = new Module("model.pte");\n', "Module("),
        ('  auto module = Module("model.pte");\n', "Module("),
    ],
)
def test_module_construction_says_nothing_is_loaded(body: str, marker: str) -> None:
    result = hover(in_main(body), marker)
    assert title(result) == "### `Module` constructor: nothing is loaded yet"
    assert "`load_method()`" in result.markdown and "thread pool" in result.markdown
    assert "(https://github.com/pytorch/executorch/blob/main/extension/module/module.h)" in (
        result.markdown
    )


LOADS = in_main(
    '  Module module("model.pte");\n'
    "  const Error loaded = module.load();\n"
    '  const Error method = module.load_method("forward");\n'
    "  (void)module.load_forward();\n"
    "  auto outputs = module.forward(inputs);\n"
    '  auto others = module.execute("decode", inputs);\n'
    '  auto meta = module.method_meta("forward");\n'
    "  auto names = module.method_names();\n"
    "  (void)module.set_input(input, 0);\n"
    '  auto loader = FileDataLoader::from("model.pte");\n'
    "  Result<Program> program = Program::load(&loader.get());\n"
    '  Result<Method> forward = program->load_method("forward", &memory);\n'
    "  const Error run = forward->execute();\n"
)


@pytest.mark.parametrize(
    ("marker", "expected", "facts"),
    [
        (
            "load()",
            "### `Module::load()` parses the program; no method is loaded",
            ["`Error`", "`[[nodiscard]]`", "`load_method()`"],
        ),
        (
            'load_method("forward");',
            "### `Module::load_method()` loads a method and initialises its delegates",
            ["XNNPACK", "thread pool", "`[[nodiscard]]`", "OperatorMissing"],
        ),
        (
            "load_forward",
            "### `Module::load_forward()` loads a method and initialises its delegates",
            ["`Error`"],
        ),
        (
            "forward(inputs)",
            "### `Module::forward()` runs a method, loading it on first use",
            ["`Result<std::vector<EValue>>`", "`[[nodiscard]]`", "abort"],
        ),
        (
            'execute("decode"',
            "### `Module::execute()` runs a method, loading it on first use",
            ["XNNPACK"],
        ),
        (
            "method_meta",
            "### `Module::method_meta()` parses the program, not the methods",
            ["**not** `[[nodiscard]]`"],
        ),
        ("method_names", "### `Module::method_names()` parses the program, not the methods", []),
        ("set_input", "### `Module::set_input()` loads the method on first use", ["`Error`"]),
        (
            "load(&",
            "### `Program::load()` parses and verifies the program",
            ["`Result<Program>`", "`[[nodiscard]]`", "runtime/executor/program.h"],
        ),
        (
            'load_method("forward", &',
            "### `Program::load_method()` loads a method and initialises its delegates",
            ["`Result<Method>`", "**not** `[[nodiscard]]`", "ETDumpGen"],
        ),
        (
            "execute();",
            "### `Method::execute()` runs a loaded method",
            ["nothing is loaded here", "`[[nodiscard]]`"],
        ),
    ],
)
def test_module_program_and_method_calls(marker: str, expected: str, facts: list[str]) -> None:
    result = hover(LOADS, marker)
    assert title(result) == expected
    for fact in facts:
        assert fact in result.markdown, fact
    assert spanned(LOADS, result) == marker.split("(")[0]


RUNNERS = in_main(
    "  auto runner = executorch::extension::llm::create_text_llm_runner(\n"
    '      "llama.pte", std::move(tokenizer));\n'
    '  auto vision = create_multimodal_runner("llava.pte", std::move(tokenizer));\n'
    "  if (runner->load() != Error::Ok) return 1;\n"
    '  runner->generate("Hello", config);\n'
    "  vision->generate(inputs, config);\n",
    include="#include <executorch/extension/llm/runner/llm_runner_helper.h>\n",
)


@pytest.mark.parametrize(
    ("marker", "expected"),
    [
        (
            "create_text_llm_runner",
            "### `create_text_llm_runner()` builds an LLM runner and reads the model's metadata",
        ),
        (
            "create_multimodal_runner",
            "### `create_multimodal_runner()` builds an LLM runner and reads the model's metadata",
        ),
        ("load()", "### LLM runner `load()` loads the model's methods"),
        ('generate("Hello"', "### LLM runner `generate()` loads the model first when needed"),
        ("generate(inputs", "### LLM runner `generate()` loads the model first when needed"),
    ],
)
def test_llm_runner_calls(marker: str, expected: str) -> None:
    assert title(hover(RUNNERS, marker)) == expected


def test_member_of_a_class_holding_a_module() -> None:
    source = (
        f"{INCLUDE}class Classifier {{\n"
        " public:\n"
        '  Error init() { return module_->load_method("forward"); }\n'
        " private:\n"
        "  std::unique_ptr<Module> module_;\n"
        "};\n"
    )
    assert title(hover(source, "load_method")).startswith("### `Module::load_method()`")


def test_non_ascii_text_before_a_load_call() -> None:
    source = in_main('  Module module("modèle.pte");\n  /* é😀 */ auto out = module.forward();\n')
    result = hover(source, "forward")
    assert title(result).startswith("### `Module::forward()`")
    assert spanned(source, result) == "forward"


@pytest.mark.parametrize(
    ("source", "marker"),
    [
        # std::atomic::load() is not a model load.
        (in_main("  std::atomic<bool> ready{false};\n  if (ready.load()) {}\n"), "load()"),
        # Receivers whose type is unknown or not ExecuTorch's.
        (in_main("  if (settings.load()) {}\n"), "load()"),
        (in_main("  Settings settings;\n  settings.load();\n"), "load()"),
        (in_main("  std::ifstream file;\n  file.execute();\n"), "execute"),
        # unique_ptr<Module>::get() is the smart pointer's, not Module::get.
        (in_main('  auto module = std::make_unique<Module>("m.pte");\n  module.get();\n'), "get()"),
        # Not a construction: parameters, references, aliases, other Module classes.
        (f"{INCLUDE}int run(Module& module);\n", "Module&"),
        (INCLUDE, "Module;"),
        (in_main('  torch::jit::Module script("model.pt");\n'), "Module script"),
        (in_main('  Module module("model.pte");\n'), "module("),
        # The same code in a file that never names ExecuTorch.
        (
            'int main() {\n  Module module("model.pte");\n  module.load();\n}\n',
            "load()",
        ),
        ('int main() {\n  Module module("model.pte");\n}\n', "Module module"),
    ],
)
def test_no_load_hover(source: str, marker: str) -> None:
    assert hover(source, marker) is None


# -- thread pool -------------------------------------------------------------------------

THREADPOOL = (
    "#include <executorch/extension/threadpool/threadpool.h>\n"
    "using executorch::extension::threadpool::get_threadpool;\n"
    "void configure() {\n"
    "  /* é😀 */ ::executorch::extension::threadpool::get_threadpool()\n"
    "      ->_unsafe_reset_threadpool(4);\n"
    "  auto* pool = get_threadpool();\n"
    "}\n"
)


@pytest.mark.parametrize(
    ("marker", "expected"),
    [
        ("get_threadpool()\n", "### `get_threadpool()`: ExecuTorch's shared CPU thread pool"),
        ("get_threadpool();", "### `get_threadpool()`: ExecuTorch's shared CPU thread pool"),
        (
            "_unsafe_reset_threadpool",
            "### `_unsafe_reset_threadpool(n)` replaces the shared thread pool",
        ),
    ],
)
def test_threadpool_hovers_give_thread_count_guidance(marker: str, expected: str) -> None:
    result = hover(THREADPOOL, marker)
    assert title(result) == expected
    text = result.markdown
    for fact in (
        "before loading or running any model",
        "cores / 2, or 4 on mobile",
        "get_num_performant_cores()",
        "UseNThreadsThreadPoolGuard",
        "pip package does not ship it",
    ):
        assert fact in text, fact
    assert text.endswith(
        f"{MEASURE}\n\nSource: [extension/threadpool/threadpool.h]"
        "(https://github.com/pytorch/executorch/blob/main/extension/threadpool/threadpool.h)\n"
    )
    assert spanned(THREADPOOL, result) == marker.rstrip("();\n").removesuffix("()")


def test_reset_after_load_shows_the_note_then_et101_and_the_profiling_advice_once() -> None:
    source = in_main(
        '  Module module("model.pte");\n'
        "  (void)module.load_forward();\n"
        "  ::executorch::extension::threadpool::get_threadpool()->_unsafe_reset_threadpool(2);\n"
    )
    doc, analysis = run(source)
    offset = doc.data.index(b"_unsafe_reset_threadpool") + 1
    result = hover_at(doc, offset, analysis.findings)
    note, finding = result.markdown.split("\n\n---\n\n")
    assert note.startswith("### `_unsafe_reset_threadpool(n)`")
    assert finding.startswith("**ET101 threadpool-reset-after-load**")
    assert result.markdown.count(MEASURE) == 1
    assert MEASURE in finding


@pytest.mark.parametrize(
    ("source", "marker"),
    [
        ("void f(Pool& pool) { pool.get_threadpool(); }\n", "get_threadpool"),
        ("void f() { auto* p = get_threadpool(); p->resize(4); }\n", "get_threadpool"),
        ("void f(Pool* p) { p->_unsafe_reset_threadpool(4); }\n", "_unsafe"),
        (THREADPOOL, "pool ="),
    ],
)
def test_no_threadpool_hover(source: str, marker: str) -> None:
    assert hover(source, marker) is None


# -- logging and the PAL -------------------------------------------------------------------

LOGGING = (
    "#include <executorch/runtime/platform/log.h>\n"
    "#include <executorch/runtime/platform/platform.h>\n"
    'extern "C" void et_pal_emit_log_message(et_timestamp_t timestamp,\n'
    "    et_pal_log_level_t level, const char* filename, const char* function, size_t line,\n"
    "    const char* message, size_t length) {}\n"
    'extern "C" void et_pal_abort(void) { std::abort(); }\n'
    "void setup() {\n"
    '  /* é😀 */ ET_LOG(Info, "Loading %s", path);\n'
    "  executorch::runtime::register_pal(\n"
    "      executorch::runtime::PalImpl::create(et_pal_emit_log_message, __FILE__));\n"
    "}\n"
)


def test_et_log_says_where_logs_go_and_when_they_are_compiled_out() -> None:
    result = hover(LOGGING, "ET_LOG")
    assert title(result) == "### `ET_LOG(level, format, ...)`: ExecuTorch runtime logging"
    text = result.markdown
    for fact in (
        "E 00:00:00.366934 executorch:method.cpp:88] message",
        "stderr",
        "tag `ExecuTorch`",
        "-DEXECUTORCH_ENABLE_LOGGING=ON",
        "255 bytes",
        'extern "C"',
        "const char* message, size_t length)",
        "register_pal",
    ):
        assert fact in text, fact
    assert spanned(LOGGING, result) == "ET_LOG"


@pytest.mark.parametrize(
    ("marker", "expected"),
    [
        (
            "et_pal_emit_log_message(et",
            "### `et_pal_emit_log_message`: where ExecuTorch log lines go",
        ),
        (
            "et_pal_emit_log_message, __",
            "### `et_pal_emit_log_message`: where ExecuTorch log lines go",
        ),
        ("register_pal", "### `register_pal(PalImpl)`: install platform hooks at run time"),
        ("et_pal_abort", "### `et_pal_abort`: platform hook (PAL)"),
    ],
)
def test_pal_hooks(marker: str, expected: str) -> None:
    result = hover(LOGGING, marker)
    assert title(result) == expected
    assert "runtime/platform/platform.h" in result.markdown


def test_pal_hook_note_shows_the_exact_signature() -> None:
    assert "`void et_pal_abort(void)`" in hover(LOGGING, "et_pal_abort").markdown


@pytest.mark.parametrize(
    ("source", "marker"),
    [
        (LOGGING, "et_pal_log_level_t"),
        (LOGGING, "et_timestamp_t"),
        (LOGGING, "Info"),
        ('void f() { ET_LOG(Info, "x"); }\n', "ET_LOG"),
        ('#include "glog/logging.h"\nvoid f() { LOG(INFO) << "x"; }\n', "LOG"),
    ],
)
def test_no_logging_hover(source: str, marker: str) -> None:
    assert hover(source, marker) is None


def test_members_declared_in_an_included_header_get_hovers_with_a_workspace(tmp_path) -> None:
    from executorch_lsp.engine.document import Document
    from executorch_lsp.engine.hover import hover_at
    from executorch_lsp.engine.languages import LanguageId
    from executorch_lsp.engine.workspace import Workspace

    (tmp_path / "engine.h").write_text(
        "#include <executorch/extension/module/module.h>\n"
        "class Engine { std::unique_ptr<executorch::extension::Module> module_; void init(); };\n"
    )
    source = (
        '#include "engine.h"\nusing executorch::runtime::Error;\n'
        'void Engine::init() {\n  (void)module_->load_method("forward");\n}\n'
    )
    (tmp_path / "engine.cpp").write_text(source)
    path = str((tmp_path / "engine.cpp").resolve())
    document = Document(path, LanguageId.CPP, source.encode())
    offset = source.index("load_method") + 2
    assert hover_at(document, offset) is None
    found = hover_at(document, offset, workspace=Workspace(roots=[tmp_path]))
    assert found is not None and "load_method" in found.markdown
