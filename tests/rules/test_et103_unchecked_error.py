"""ET103 unchecked-error."""

from __future__ import annotations

import pytest

from executorch_lsp.rules.cpp.et103_unchecked_error import RULE
from harness import assert_marked, findings, fixed

POSITIVE = {
    "runner_load_and_generate": """
void chat(std::unique_ptr<TextLLMRunner>& runner) {
  runner->load();  // <- ET103
  runner->generate(prompt, config);  // <- ET103
}
""",
    "module_calls": """
void run(Module& module) {
  module.load_method("forward");  // <- ET103
  module.forward(inputs);  // <- ET103
}
""",
    "program_and_method": """
void run(Result<Program>& program, Result<Method>& method, MemoryManager* mm) {
  program->load_method("forward", mm);  // <- ET103
  method->execute();  // <- ET103
}
""",
    "arguments_over_several_lines": """
void run(Module& module) {
  module.execute(  // <- ET103
      "forward", {EValue(make_tensor(sizes, data)), EValue(1)});
}
""",
    "prepare_inputs_freed_at_once": """
void run(Method& method) {
  executorch::extension::prepare_input_tensors(method);  // <- ET103
}
""",
}

NEGATIVE = {
    "void_cast": "void run(Module& module) {\n  (void)module.load();\n}\n",
    "checked_by_macro": (
        "Error run(Module& m) {\n  ET_CHECK_OK_OR_RETURN_ERROR(m.load());\n  return Error::Ok;\n}\n"
    ),
    "assigned": (
        "void run(Module& m) {\n  auto error = m.load();\n"
        '  const auto outputs =\n      m.execute("forward", inputs);\n}\n'
    ),
    "compared_or_returned": (
        "Error run(Module& m) {\n  if (m.load() != Error::Ok) {}\n  return m.load_forward();\n}\n"
    ),
    "other_libraries_load": (
        "std::atomic<bool> flag;\n"
        "void run(std::unique_ptr<tokenizers::Tokenizer>& tokenizer) {\n"
        "  tokenizer->load(path);\n  flag.load();\n}\n"
    ),
    "unknown_receiver": "void run(Engine& engine) {\n  engine.load();\n}\n",
    "result_used_by_a_chained_call": "void run(Module& m) {\n  m.load().ok();\n}\n",
}


def test_screen_passes_only_files_with_a_call_that_ends_its_statement() -> None:
    assert RULE.applies_to(b"void f(Module& m) {\n  m.load(a, (b));\n}")
    assert not RULE.applies_to(b"void f(Module& m) {\n  m.load(a).ok();\n}")
    assert not RULE.applies_to(b"void f(Module& m) {\n  ET_CHECK_OK_OR_RETURN_ERROR(m.load());\n}")


@pytest.mark.parametrize("name", sorted(POSITIVE))
def test_reports_ignored_results(name: str) -> None:
    assert_marked(POSITIVE[name], "ET103")


@pytest.mark.parametrize("name", sorted(NEGATIVE))
def test_no_report(name: str) -> None:
    assert findings(NEGATIVE[name], "ET103") == []


def test_fix_returns_the_error_when_the_function_returns_error() -> None:
    source = "Error run(Module& module) {\n  module.forward(inputs);\n  return Error::Ok;\n}\n"
    result = fixed(source, "ET103")
    assert "  ET_CHECK_OK_OR_RETURN_ERROR(module.forward(inputs).error());\n" in result
    assert findings(result, "ET103") == []


def test_fix_logs_in_other_functions_and_is_not_safe() -> None:
    result = fixed(POSITIVE["runner_load_and_generate"], "ET103")
    head = "if (const auto error = runner->load(); error != ::executorch::runtime::Error::Ok) {"
    assert f"  {head}\n" in result
    assert (
        'ET_LOG(Error, "runner->load failed: 0x%" PRIx32, static_cast<uint32_t>(error));' in result
    )
    (first, _) = findings(POSITIVE["runner_load_and_generate"], "ET103")
    assert first.fix.safe is False
