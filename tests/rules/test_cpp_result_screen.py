"""ET104's text screen: files that may read a Result's value pass, the others need no parse."""

from __future__ import annotations

import pytest

from executorch_lsp.rules.cpp.et104_unchecked_result_access import RULE

MAY_READ = {
    "variable_arrow": 'auto r = module.execute("f");\nr->toTensor();',
    "variable_get": "auto out = module.forward(inputs);\nauto& values = out . get ();",
    "variable_star": "Result<std::vector<EValue>> out = m.forward(i);\nuse((*out)[0]);",
    "wrapped_variable": 'auto r = module.execute("f");\n(r)->toTensor();',
    "typed_with_qualifiers": "Result<MethodMeta> const& meta = get_meta();\nmeta->num_inputs();",
    "typed_nested": "Result<std::vector<std::string>> names = f();\nnames.get().size();",
    "temporary_arrow": 'size_t n = module.method_meta("forward")->num_inputs();',
    "temporary_get": 'size_t n = module.method_meta("forward").get().num_inputs();',
    "temporary_star": 'MethodMeta meta = *module.method_meta("forward");',
    "temporary_in_parentheses": 'size_t n = (module.method_meta("forward"))->num_inputs();',
    "receiver_with_braces": 'auto x = Module{path}.execute("f");\nx->toTensor();',
    "program_load": "auto program = Program::load(&loader);\nprogram->num_methods();",
    "unreadable_type_arguments": "std::vector<Result<int>> all;",
}
ONLY_CHECKED = {
    "checked_and_returned": 'auto r = module.execute("f");\nif (!r.ok()) {\n  return r.error();\n}',
    "macro_checked": 'ET_CHECK_OK_OR_RETURN_ERROR(module.load_method("forward"));',
    "other_names_read": 'auto r = module.execute("f");\nreturn other->value() + r.ok();',
    "result_returning_function": "Result<int> parse(const char* text);\nint x = 1;",
}


@pytest.mark.parametrize("name", sorted(MAY_READ))
def test_files_that_may_read_a_result_pass(name: str) -> None:
    assert RULE.applies_to(MAY_READ[name].encode())


@pytest.mark.parametrize("name", sorted(ONLY_CHECKED))
def test_files_that_only_check_results_are_screened_out(name: str) -> None:
    assert not RULE.applies_to(ONLY_CHECKED[name].encode())
