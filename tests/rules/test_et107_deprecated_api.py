"""ET107 deprecated-api."""

from __future__ import annotations

import pytest

from harness import assert_marked, findings, fixed

INCLUDE = "#include <executorch/runtime/executor/program.h>\n"

POSITIVE = {
    "program_capital_load": INCLUDE
    + """
Result<Program> open(DataLoader* loader) {
  return Program::Load(loader);  // <- ET107
}
""",
    "qualified_program_load": """
auto program = ::executorch::runtime::Program::Load(&loader);  // <- ET107
""",
    "data_loader_from": INCLUDE
    + """
void f() {
  auto file = executorch::extension::FileDataLoader::From(path);  // <- ET107
  auto mapped = MmapDataLoader::From(path, MmapDataLoader::MlockConfig::NoMlock);  // <- ET107
  auto locked = MmapDataLoader::From(path, true);  // <- ET107
}
""",
    "module_method": INCLUDE
    + """
void f(const std::string& path) {
  Module module(path);
  auto method = module.method("forward");  // <- ET107
}
""",
    "module_field_method": INCLUDE
    + """
class Runner {
  std::unique_ptr<Module> module_;
  void run() {
    auto m = module_->method("forward");  // <- ET107
    auto buffer = module_->debug_buffer();  // <- ET107
  }
};
""",
    "load_method_with_tracer": INCLUDE
    + """
void f(Module& module, std::unique_ptr<ETDumpGen>& etdump) {
  auto tracer = std::make_unique<ETDumpGen>();
  ETDumpGen gen;
  (void)module.load_method("forward", tracer.get());  // <- ET107
  (void)module.load_method("forward", &gen);  // <- ET107
  (void)module.load_method("forward", etdump.get());  // <- ET107
  (void)module.load_method("forward", module.event_tracer());  // <- ET107
}
""",
    "aliases_next_to_quotes_that_are_not_literals": """
constexpr int kBig = 1'000'000; torch::executor::Tensor t;  // <- ET107
const char* s = "\\"; exec_aten::Tensor u;  // <- ET107
using namespace torch::executor::util;  // <- ET107
""",
    "load_forward_with_tracer": INCLUDE
    + """
Error f(Module* module, torch::executor::EventTracer* tracer) {  // <- ET107
  return module->load_forward(tracer);  // <- ET107
}
""",
    "method_accessors": INCLUDE
    + """
void f(Program& program, MemoryManager& mm, Method& direct) {
  Result<Method> method = program.load_method("forward", &mm);
  method->get_inputs(values, 4);  // <- ET107
  const EValue& in = direct.get_input(0);  // <- ET107
  direct.mutable_input(0) = value;  // <- ET107
  EValue& out = direct.mutable_output(0);  // <- ET107
  Error e = method->experimental_step();  // <- ET107
  e = method->experimental_reset_execution();  // <- ET107
}
""",
    "auto_method_from_program": INCLUDE
    + """
void f(Result<Program>& program, MemoryManager& mm) {
  auto method = program->load_method("forward", &mm);
  auto status = method->experimental_step();  // <- ET107
}
""",
    "program_and_meta": INCLUDE
    + """
void f(Program& program, Method& method) {
  auto encoding = program.get_output_flattening_encoding("forward");  // <- ET107
  auto meta = method.method_meta();
  size_t n = meta.num_non_const_buffers();  // <- ET107
  Result<MethodMeta> other = program.method_meta("forward");
  n = other->num_non_const_buffers();  // <- ET107
}
""",
    "aliases_qualified": """
using torch::executor::Module;  // <- ET107
using ::torch::executor::Error;  // <- ET107
torch::executor::Result<torch::executor::Tensor> make();  // <- ET107
auto loader = torch::executor::util::FileDataLoader::from(path);  // <- ET107
exec_aten::ScalarType dtype = exec_aten::ScalarType::Float;  // <- ET107
""",
    "threadpool_aliases": """
void f() {
  torch::executorch::threadpool::get_threadpool()->_unsafe_reset_threadpool(4);  // <- ET107
  auto n = ::torch::executorch::cpuinfo::get_num_performant_cores();  // <- ET107
}
""",
    "using_namespace_of_aliases_only": """
using namespace torch::executor::util;  // <- ET107
namespace threads = ::torch::executorch::threadpool;  // <- ET107
using namespace exec_aten;  // <- ET107
""",
    "alias_used_inside_namespace_torch": """
namespace torch {
namespace executor {
namespace native {
Tensor& my_op_out(KernelRuntimeContext& ctx, const torch::executor::Tensor& in);  // <- ET107
}  // namespace native
}  // namespace executor
}  // namespace torch
""",
    "alias_in_macro_body": """
#define CHECK_OK(x) ET_CHECK((x) == torch::executor::Error::Ok)  // <- ET107
""",
}

NEGATIVE = {
    "current_apis": INCLUDE
    + """
void f(Module& module, Program& program, Method& method, HierarchicalAllocator* planned) {
  auto p = Program::load(&loader);
  auto file = FileDataLoader::from(path);
  (void)module.load_method("forward");
  (void)module.load_method("forward", planned);
  (void)module.load_method("forward", nullptr, tracer.get());
  (void)module.load_forward();
  method.step();
  method.reset_execution();
  const EValue& out = method.get_output(0);
  size_t n = method.method_meta().num_memory_planned_buffers();
}
""",
    "load_method_with_unknown_second_argument": INCLUDE
    + """
void f(Module& module, Thing* thing) {
  (void)module.load_method("forward", thing);
  (void)module.load_method("forward", memory_.get());
}
""",
    "program_load_method_third_argument_is_fine": INCLUDE
    + """
void f(Program& program, MemoryManager& mm, EventTracer* tracer) {
  auto method = program.load_method("forward", &mm, tracer);
}
""",
    "other_library_receivers": INCLUDE
    + """
void f(Foo& foo, torch::jit::Module& script, Reflection* reflection) {
  foo.method("x");
  script.method("forward");
  auto m = reflection->method("name");
  auto i = widget.get_input(0);
  auto s = stepper.experimental_step();
}
""",
    "not_an_executorch_file": """
void f(Module& module, Method* m, Program& program) {
  auto x = module.method("forward");
  auto y = m->get_input(0);
  auto z = Program::Load(path);
}
""",
    "other_program_class": INCLUDE
    + """
auto shader = gl::Program::Load("shader.glsl");
""",
    "comments_and_strings": INCLUDE
    + """
// Program::Load was renamed; torch::executor::Module is now executorch::extension::Module.
/* module.method("forward") */
const char* help = "use torch::executor::Error or exec_aten::Tensor";
const char* raw = R"doc(torch::executor::Module " exec_aten::Tensor)doc";
const char* wide = LR"(torch::executor::Error)";
#include <torch::executor::Error>
// a continued comment \
   exec_aten::Tensor still in the comment
""",
    "kernel_namespaces": """
namespace torch {
namespace executor {
namespace native {
Tensor& add_out(KernelRuntimeContext& ctx, const Tensor& a, Tensor& out);
}  // namespace native
}  // namespace executor
}  // namespace torch
namespace torch::executor::native {
Tensor& mul_out(const Tensor& a, Tensor& out) { return torch::executor::native::add_out(a, out); }
}  // namespace torch::executor::native
using namespace torch::executor::native;
""",
    "namespaces_that_also_hold_current_code": """
using namespace torch::executor;
using namespace torch::executor::testing;
namespace et = torch::executor;
class OpTest : public torch::executor::testing::UnaryUfuncTest {
  torch::executor::testing::SupportedFeatures* features();
};
""",
    "unqualified_names_through_a_directive": """
using namespace torch::executor;
Result<Program> open(DataLoader* loader) {
  Error status = Error::Ok;
  Module module(path);
  return Program::load(loader);
}
""",
    "alias_definitions_inside_namespace_torch": """
namespace torch {
namespace util {
using ::torch::executor::util::alias_attensor_to_etensor;
}  // namespace util
namespace executor {
using Ctx = ::torch::executor::KernelRuntimeContext;
}  // namespace executor
}  // namespace torch
""",
    "new_namespaces": """
using executorch::extension::Module;
using ::executorch::runtime::Error;
executorch::aten::Tensor t;
my::torch::executor::Module lookalike;
mytorch::executor::Error other;
""",
    "declarations_of_the_deprecated_functions": INCLUDE
    + """
class Method final {
  ET_DEPRECATED ET_NODISCARD Error experimental_step();
  ET_DEPRECATED const EValue& get_input(size_t i) const;
};
Error Method::experimental_step() { return step(); }
class Module {
  ET_DEPRECATED ET_NODISCARD runtime::Result<Method*> method(const std::string& method_name);
};
""",
}


@pytest.mark.parametrize("name", sorted(POSITIVE))
def test_reports_deprecated_apis(name: str) -> None:
    assert_marked(POSITIVE[name], "ET107")


@pytest.mark.parametrize("name", sorted(NEGATIVE))
def test_no_report(name: str) -> None:
    assert findings(NEGATIVE[name], "ET107") == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("auto p = torch::executor::Program::load(l);", "executorch::runtime::Program::load"),
        ("::torch::executor::Module m(path);", "::executorch::extension::Module m"),
        ("torch::executor::Tensor t;", "executorch::aten::Tensor t;"),
        ("torch::executor::RuntimeContext ctx;", "executorch::runtime::KernelRuntimeContext ctx"),
        ("auto l = torch::executor::util::MmapDataLoader::from(p);", "extension::MmapDataLoader"),
        ("torch::executorch::threadpool::ThreadPool* pool;", "executorch::extension::threadpool"),
        ("exec_aten::ArrayRef<int64_t> sizes;", "executorch::aten::ArrayRef<int64_t> sizes;"),
        ("using namespace torch::executor::util;", "using namespace executorch::extension;"),
    ],
)
def test_alias_fix_uses_the_real_target(source: str, expected: str) -> None:
    result = fixed(source, "ET107")
    assert expected in result
    assert findings(result, "ET107") == []


def test_fixes_for_renames_and_overloads() -> None:
    assert "return Program::load(loader);" in fixed(POSITIVE["program_capital_load"], "ET107")
    source = INCLUDE + "void f(Method& m) { Error e = m.experimental_step(); }\n"
    assert "m.step()" in fixed(source, "ET107")
    source = INCLUDE + "void f(Module& m, EventTracer* t) { (void)m.load_forward(t); }\n"
    assert "m.load_forward(nullptr, t)" in fixed(source, "ET107")
    source = INCLUDE + 'void f(Module& m, EventTracer* t) { (void)m.load_method("a", t); }\n'
    result = fixed(source, "ET107")
    assert 'm.load_method("a", nullptr, t)' in result
    assert findings(result, "ET107") == []


def test_no_fix_without_a_mechanical_replacement() -> None:
    assert fixed(POSITIVE["module_method"], "ET107") is None
    assert fixed(INCLUDE + "auto l = MmapDataLoader::From(path, true);", "ET107") is None
    assert fixed("bool b = torch::executor::bundled_program::IsBundledProgram(d);", "ET107") is None


def test_fix_inside_namespace_torch_is_rooted() -> None:
    source = POSITIVE["alias_used_inside_namespace_torch"]
    assert "const ::executorch::aten::Tensor& in" in fixed(source, "ET107")


def test_messages_name_the_wrong_namespace() -> None:
    (finding,) = findings("auto p = torch::executorch::threadpool::get_threadpool();", "ET107")
    assert "torch::executorch" in finding.message
    assert "executorch::extension::threadpool::get_threadpool" in finding.message
