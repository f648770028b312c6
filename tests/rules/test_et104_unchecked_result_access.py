"""ET104 unchecked-result-access."""

from __future__ import annotations

import pytest

from harness import assert_marked, findings, fixed

HEADER = "#include <executorch/extension/module/module.h>\n"

POSITIVE = {
    "auto_from_module_call": """
void run(Module& module) {
  auto meta = module.method_meta("forward");
  size_t n = meta->num_inputs();  // <- ET104
}
""",
    "get_and_star": """
void run(Module& module) {
  auto outputs = module.forward(inputs);
  const auto& first = outputs.get()[0];  // <- ET104
}
void run_star(Module& module) {
  auto outputs = module.execute("forward");
  auto values = *outputs;  // <- ET104
}
""",
    "typed_result_from_program": """
int main() {
  Result<FileDataLoader> loader = FileDataLoader::from(path);
  Result<Program> program = Program::load(&loader.get());  // <- ET104
  Result<Method> method = program->load_method("forward", &memory_manager);  // <- ET104
  (void)method->execute();  // <- ET104
}
""",
    "qualified_result": """
void run(Method& method) {
  ::executorch::runtime::Result<executorch::extension::BufferCleanup> inputs =
      executorch::extension::prepare_input_tensors(method);
  use(inputs.get());  // <- ET104
}
""",
    "temporary_dereferenced": """
void run(std::unique_ptr<Module>& module) {
  size_t n = module->method_meta("forward")->num_inputs();  // <- ET104
  auto tensor = module->forward(inputs).get()[0].toTensor();  // <- ET104
}
""",
    "index_not_bounded": """
void name(Result<Program>& program, size_t wanted) {
  ET_CHECK(program.ok());
  use(program->get_method_name(wanted).get());  // <- ET104
}
""",
    "member_module": """
class Engine {
  Module module_;
  void describe() {
    auto names = module_.method_names();
    for (const auto& name : *names) {}  // <- ET104
  }
};
""",
    "check_after_the_access": """
void run(Module& module) {
  auto meta = module.method_meta("forward");
  log(meta->num_outputs());  // <- ET104
  if (!meta.ok()) return;
}
""",
}

NEGATIVE = {
    "checked_with_ok": """
void run(Module& module) {
  auto meta = module.method_meta("forward");
  if (!meta.ok()) {
    return;
  }
  size_t n = meta->num_inputs();
}
""",
    "checked_with_error_macro": """
Error run(Module& module) {
  auto outputs = module.forward(inputs);
  ET_CHECK_OK_OR_RETURN_ERROR(outputs.error());
  return use(outputs.get());
}
""",
    "explicit_abort_with_message": """
int main() {
  Result<Program> program = Program::load(&loader);
  ET_CHECK_MSG(program.ok(), "Program loading failed: 0x%" PRIx32, (uint32_t)program.error());
  Result<MethodMeta> meta = program->method_meta("forward");
  ET_CHECK_MSG(meta.ok(), "no method");
  use(meta->num_inputs());
}
""",
    "handed_to_a_helper": """
void run(Module& module) {
  auto outputs = module.forward(inputs);
  report_failure(outputs);
  use(*outputs);
}
""",
    "result_from_a_value": """
void test() {
  Result<int> value = 4;
  Result<int> copied(make_value());
  EXPECT_EQ(*value, 4);
}
""",
    "parameters_are_checked_by_the_caller": """
void use(Result<Method>& method) {
  method->execute();
}
""",
    "condition_declaration": """
void run(Module& module) {
  if (auto meta = module.method_meta("forward"); meta.ok()) {
    use(meta->num_inputs());
  }
}
""",
    "other_libraries_results": """
#include <tokenizers/result.h>
using ::tokenizers::Result;
void run(Tokenizer& tok) {
  Result<std::vector<uint64_t>> ids = tok.encode(prompt, 1, 0);
  use(*ids);
}
""",
    "unique_ptr_get_is_not_result_get": """
void run() {
  auto module = std::make_unique<Module>("m.pte");
  Module* raw = module.get();
  auto loader = std::atomic<int>(0);
  auto x = *loader.load();
}
""",
    "shadowed_name": """
void run(Module& module) {
  auto meta = module.method_meta("forward");
  if (!meta.ok()) return;
  {
    MethodMeta* meta = other();
    use(meta->num_inputs());
  }
}
""",
    "index_bounded_by_the_loop": """
void names(Result<Program>& program) {
  ET_CHECK(program.ok());
  for (size_t index = 0; index < program->num_methods(); ++index) {
    use(program->get_method_name(index).get());
  }
}
""",
    "assign_or_return": """
Error run(Module& module) {
  ET_ASSIGN_OR_RETURN(auto meta, module.method_meta("forward"));
  use(meta.num_inputs());
  return Error::Ok;
}
""",
}


@pytest.mark.parametrize("name", sorted(POSITIVE))
def test_reports_unchecked_access(name: str) -> None:
    assert_marked(HEADER + POSITIVE[name], "ET104")


@pytest.mark.parametrize("name", sorted(NEGATIVE))
def test_stays_quiet(name: str) -> None:
    assert findings(HEADER + NEGATIVE[name], "ET104") == []


def test_unqualified_result_needs_an_executorch_file() -> None:
    source = "void f() {\n  Result<Config> c = parse();\n  use(*c);\n}\n"
    assert findings(source, "ET104") == []
    assert len(findings(HEADER + source, "ET104")) == 1


def test_only_the_first_access_is_reported() -> None:
    source = HEADER + (
        'void run(Module& m) {\n  auto r = m.method_meta("forward");\n'
        "  use(r->num_inputs());\n  use(r->num_outputs());\n}\n"
    )
    assert len(findings(source, "ET104")) == 1


def test_fix_returns_the_error_first() -> None:
    source = HEADER + (
        "Error run(Module& module) {\n"
        '  auto meta = module.method_meta("forward");\n'
        "  use(meta->num_inputs());\n"
        "  return Error::Ok;\n"
        "}\n"
    )
    assert fixed(source, "ET104") == source.replace(
        "  use(meta->", "  ET_CHECK_OK_OR_RETURN_ERROR(meta.error());\n  use(meta->"
    )
    assert findings(fixed(source, "ET104"), "ET104") == []


def test_no_fix_where_the_function_cannot_return_an_error() -> None:
    assert fixed(HEADER + POSITIVE["auto_from_module_call"], "ET104") is None


def test_message_names_the_variable_and_the_abort() -> None:
    (finding,) = findings(HEADER + POSITIVE["auto_from_module_call"], "ET104")
    assert "`meta`" in finding.message and "aborts" in finding.message
