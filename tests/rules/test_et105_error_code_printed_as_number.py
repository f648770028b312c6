"""ET105 error-code-printed-as-number."""

from __future__ import annotations

import pytest

from harness import assert_marked, findings, fixed

POSITIVE = {
    "printf_cast_of_result_error": """
bool load(Program& program, MemoryManager& mm) {
  auto method = program.load_method("forward", &mm);
  if (!method.ok()) {
    printf("Failed to load method: error %d\\n", (int)method.error());  // <- ET105
  }
}
""",
    "et_log_static_cast": """
void run(Module& model) {
  auto result = model.execute("forward", inputs);
  ET_LOG(Error, "Inference failed with error: %d", static_cast<int>(result.error()));  // <- ET105
}
""",
    "error_variable_in_check_macro": """
void set(Method* method, Tensor t) {
  Error ret = method->set_input(t, 0);
  ET_CHECK_MSG(ret == Error::Ok, "Failed to set input tensor: %d", ret);  // <- ET105
}
""",
    "format_macro": """
void check(executorch::runtime::Error status) {
  ET_LOG(Error, "Result verification failed with status %" PRIu32,
         static_cast<uint32_t>(status));  // <- ET105
}
""",
    "result_declared_with_its_type": """
void meta(Result<MethodMeta> meta) {
  fprintf(stderr, "method_meta failed: %u\\n", (unsigned)meta.error());  // <- ET105
}
""",
    "stream": """
void report(Module& module) {
  const Error err = module.load_forward();
  std::cerr << "load failed: " << static_cast<int>(err) << std::endl;  // <- ET105
}
""",
    "to_string": """
using executorch::runtime::Error;
std::string describe(Module& module) {
  auto status = module.load();
  return "error " + std::to_string((int)status);  // <- ET105
}
""",
}

NEGATIVE = {
    "hex": """
void f(Result<Method>& method) {
  printf("error 0x%x\\n", (unsigned)method.error());
  ET_LOG(Error, "failed: 0x%" PRIx32, static_cast<uint32_t>(method.error()));
}
""",
    "by_name": """
void f(Error err) {
  ET_LOG(Error, "failed: %s", executorch::runtime::to_string(err));
}
""",
    "other_library_result": """
void f(Tokenizer& tok) {
  ::tokenizers::Result<std::vector<uint64_t>> ids = tok.encode("hi", 1, 0);
  ET_LOG(Error, "Tokenizers error code %d", static_cast<uint32_t>(ids.error()));
}
""",
    "plain_integers": """
void f(Method& method, int code) {
  printf("inputs: %d, code %d, dim %d\\n", (int)method.inputs_size(), code, (int)t.dim());
  std::cout << static_cast<int>(tensor.scalar_type()) << std::endl;
}
""",
    "error_of_unknown_object": """
void f(Connection& c) {
  auto status = c.status();
  printf("status %d\\n", (int)status.error());
}
""",
    "stream_in_hex": """
void f(Error err) {
  ss << "[Native Error: 0x" << std::hex << std::uppercase << static_cast<uint32_t>(err) << "]";
}
""",
    "atomic_load_is_not_an_error": """
std::atomic<int> counter;
void f(Error unused) {
  auto value = counter.load();
  printf("count %d\n", (int)value);
}
""",
    "result_get_is_a_value": """
void f(Result<MethodMeta>& meta) {
  auto size = meta->memory_planned_buffer_size(0).get();
  ET_LOG(Info, "buffer %zu (%d)", size, (int)size);
}
""",
    "decimal_of_a_different_argument": """
void f(Error err, int index) {
  ET_LOG(Error, "input %d failed: 0x%x", index, (unsigned)err);
}
""",
}


@pytest.mark.parametrize("name", sorted(POSITIVE))
def test_reports_decimal_error_codes(name: str) -> None:
    assert_marked(POSITIVE[name], "ET105")


@pytest.mark.parametrize("name", sorted(NEGATIVE))
def test_no_report(name: str) -> None:
    assert findings(NEGATIVE[name], "ET105") == []


def test_fix_prints_hex_and_makes_the_cast_unsigned() -> None:
    result = fixed(POSITIVE["printf_cast_of_result_error"], "ET105")
    assert 'printf("Failed to load method: error 0x%x\\n", (unsigned)method.error());' in result
    assert findings(result, "ET105") == []


def test_fix_adds_a_cast_when_there_is_none() -> None:
    result = fixed(POSITIVE["error_variable_in_check_macro"], "ET105")
    assert '"Failed to set input tensor: 0x%x", static_cast<unsigned>(ret));' in result


def test_no_fix_for_format_macros_and_streams() -> None:
    assert fixed(POSITIVE["format_macro"], "ET105") is None
    assert fixed(POSITIVE["stream"], "ET105") is None


def test_decimal_next_to_the_name_is_not_reported() -> None:
    source = (
        "void report(executorch::runtime::Error err) {\n"
        '  std::cerr << "error " << (int)err << ", " << executorch::runtime::to_string(err);\n'
        '  printf("error %d (%s)\\n", (int)err, to_string(err));\n'
        '  printf("error %d\\n", (int)err);  // <- ET105\n'
        "}\n"
    )
    assert_marked(source, "ET105")
