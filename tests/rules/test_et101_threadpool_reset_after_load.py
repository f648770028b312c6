"""ET101 threadpool-reset-after-load: positives, negatives (the known traps) and the fix."""

from __future__ import annotations

import pytest

from executorch_lsp.engine.hover import hover_at
from harness import assert_marked, findings, fixed, run

RESET = "::executorch::extension::threadpool::get_threadpool()->_unsafe_reset_threadpool(4);"

POSITIVE = {
    "module_load_method": f"""
using executorch::extension::Module;
int main() {{
  Module module("model.pte");
  const auto error = module.load_method("forward");
  {RESET}  // <- ET101
}}
""",
    "make_unique_forward": f"""
int main() {{
  auto module = std::make_unique<executorch::extension::Module>("m.pte");
  auto outputs = module->forward(inputs);
  {RESET}  // <- ET101
}}
""",
    "program_load": f"""
int main() {{
  auto program = executorch::runtime::Program::load(&loader);
  {RESET}  // <- ET101
}}
""",
    "program_load_method": f"""
void run(Result<Program>& program, MemoryManager* mm) {{
  Result<Method> method = program->load_method("forward", mm);
  {RESET}  // <- ET101
}}
""",
    "runner_factory": f"""
int main() {{
  auto runner = executorch::extension::llm::create_text_llm_runner(path, std::move(tok));
  {RESET}  // <- ET101
}}
""",
    "runner_generate": f"""
void chat(std::unique_ptr<TextLLMRunner>& runner) {{
  runner->generate(prompt, config);
  {RESET}  // <- ET101
}}
""",
    "saved_pointer": """
int main() {
  auto* pool = ::executorch::extension::threadpool::get_threadpool();
  Module module("m.pte");
  (void)module.load();
  pool->_unsafe_reset_threadpool(2);  // <- ET101
}
""",
    "namespace_alias": """
namespace tp = ::executorch::extension::threadpool;
int main() {
  Module m("m.pte");
  auto r = m.execute("forward", inputs);
  tp::get_threadpool()->_unsafe_reset_threadpool(2);  // <- ET101
}
""",
    "using_declaration": """
using executorch::extension::threadpool::get_threadpool;
int main() {
  Module m("m.pte");
  (void)m.load_forward();
  get_threadpool()->_unsafe_reset_threadpool(2);  // <- ET101
}
""",
    "deprecated_namespace": """
int main() {
  Module m("m.pte");
  (void)m.load();
  torch::executorch::threadpool::get_threadpool()->_unsafe_reset_threadpool(2);  // <- ET101
}
""",
    "helper_loads_first": f"""
static void warm_up(Module& m) {{ (void)m.forward(); }}
int main() {{
  Module module("m.pte");
  warm_up(module);
  {RESET}  // <- ET101
}}
""",
    "helper_resets_later": f"""
static void set_threads() {{ {RESET} }}
int main() {{
  Module module("m.pte");
  (void)module.load();
  set_threads();  // <- ET101
}}
""",
    "loop_next_iteration": f"""
int main() {{
  Module module("m.pte");
  for (int i = 0; i < 3; ++i) {{
    {RESET}  // <- ET101
    (void)module.forward();
  }}
}}
""",
    "member_field": f"""
class App {{
  std::unique_ptr<Module> module_;
  void init() {{
    (void)module_->load();
    {RESET}  // <- ET101
  }}
}};
""",
    "member_from_initializer_list": f"""
App::App() : module_(std::make_unique<Module>("m.pte")) {{}}
void App::start() {{
  (void)module_->load_method("forward");
  {RESET}  // <- ET101
}}
""",
    "after_if_join": f"""
int main(int argc, char** argv) {{
  Module module("m.pte");
  if (argc > 1) {{
    (void)module.load();
  }}
  {RESET}  // <- ET101
}}
""",
}

NEGATIVE = {
    "module_constructed_not_loaded": f"""
App::App() : module_(std::make_unique<Module>("m.pte")) {{}}
int main() {{
  Module a("a.pte");
  auto b = std::make_unique<Module>("b.pte");
  auto c = std::make_shared<Module>("c.pte");
  Module* d = new Module("d.pte");
  {RESET}
  (void)a.load();
}}
""",
    "reset_before_load": f"""
int main() {{
  {RESET}
  Module module("m.pte");
  (void)module.load_method("forward");
}}
""",
    "helper_defined_above_called_after": f"""
static void process(Module& m) {{ (void)m.load(); (void)m.forward(); }}
int main() {{
  Module module("m.pte");
  {RESET}
  process(module);
}}
""",
    "lambda_defined_above_called_after": f"""
int main() {{
  Module module("m.pte");
  auto run = [&]() {{ (void)module.forward(); }};
  {RESET}
  run();
}}
""",
    "if_else_exclusive": f"""
int main(int argc, char** argv) {{
  Module module("m.pte");
  if (argc > 1) {{
    (void)module.load();
  }} else {{
    {RESET}
  }}
}}
""",
    "switch_cases_exclusive": f"""
void run(int mode, Module& module) {{
  switch (mode) {{
    case 0:
      (void)module.load();
      break;
    case 1:
      {RESET}
      break;
  }}
}}
""",
    "preprocessor_exclusive": f"""
void run(Module& module) {{
#if defined(USE_EAGER_LOAD)
  (void)module.load();
#else
  {RESET}
#endif
}}
""",
    "atomic_and_settings_load": f"""
std::atomic<bool> ready;
int main() {{
  SettingsReader settings;
  settings.load("app.ini");
  bool is_ready = ready.load();
  {RESET}
}}
""",
    "early_return": f"""
int main(int argc, char** argv) {{
  Module module("m.pte");
  if (argc > 2) {{
    (void)module.load();
    return 1;
  }}
  {RESET}
}}
""",
    "smart_pointer_get_is_not_a_load": f"""
int main() {{
  auto module = std::make_unique<Module>("m.pte");
  Module* raw = module.get();
  {RESET}
}}
""",
    "other_function": f"""
void load(Module& module) {{ (void)module.load(); }}
void configure() {{ {RESET} }}
""",
    "libtorch_module": f"""
int main() {{
  torch::jit::script::Module model = torch::jit::load("m.pt");
  auto out = model.forward(inputs);
  {RESET}
}}
""",
    "unknown_receiver_type": f"""
void run(Model& model) {{
  model.load();
  {RESET}
}}
""",
}


@pytest.mark.parametrize("name", sorted(POSITIVE))
def test_reports_reset_after_load(name: str) -> None:
    assert_marked(POSITIVE[name], "ET101")


@pytest.mark.parametrize("name", sorted(NEGATIVE))
def test_no_report(name: str) -> None:
    assert findings(NEGATIVE[name], "ET101") == []


def test_message_names_the_load_and_related_location() -> None:
    (finding,) = findings(POSITIVE["module_load_method"], "ET101")
    assert 'line 5: `module.load_method("forward")`' in finding.message
    assert [r.message for r in finding.related] == ["model loaded here"]


def test_helper_reset_points_inside_the_helper() -> None:
    (finding,) = findings(POSITIVE["helper_resets_later"], "ET101")
    assert finding.message.startswith("`set_threads()` resets the ExecuTorch thread pool")
    assert "thread pool reset here" in [r.message for r in finding.related]


def test_fix_moves_reset_before_first_load() -> None:
    result = fixed(POSITIVE["module_load_method"], "ET101")
    assert (
        result
        == f"""
using executorch::extension::Module;
int main() {{
  Module module("model.pte");
  {RESET}  // <- ET101
  const auto error = module.load_method("forward");
}}
"""
    )
    assert findings(result, "ET101") == []


def test_fix_moves_a_guarded_reset_with_its_preprocessor_block() -> None:
    source = f"""int main() {{
  Module module("m.pte");
  (void)module.load();
#if defined(ET_USE_THREADPOOL)
  {RESET}
#endif
  return 0;
}}
"""
    result = fixed(source, "ET101")
    assert (
        result
        == f"""int main() {{
  Module module("m.pte");
#if defined(ET_USE_THREADPOOL)
  {RESET}
#endif
  (void)module.load();
  return 0;
}}
"""
    )


def test_no_fix_across_blocks() -> None:
    assert fixed(POSITIVE["after_if_join"], "ET101") is not None  # load's `if` is in the same block
    source = f"""int main(int argc, char** argv) {{
  Module module("m.pte");
  (void)module.load();
  if (argc > 1) {{
    {RESET}
  }}
}}
"""
    assert fixed(source, "ET101") is None


def test_no_fix_when_reset_uses_a_name_declared_after_the_load() -> None:
    source = """int main() {
  Module module("m.pte");
  (void)module.load();
  const int threads = cores() / 2;
  ::executorch::extension::threadpool::get_threadpool()->_unsafe_reset_threadpool(threads);
}
"""
    assert fixed(source, "ET101") is None


def test_hover_on_reset_explains_thread_count_advice_then_the_finding() -> None:
    doc, analysis = run(POSITIVE["module_load_method"])
    offset = doc.data.index(b"_unsafe_reset_threadpool") + 3
    result = hover_at(doc, offset, analysis.findings)
    assert result is not None
    note, finding = result.markdown.split("\n\n---\n\n")
    assert note.startswith("### `_unsafe_reset_threadpool(n)` replaces the shared thread pool")
    assert "cores / 2" in note
    assert finding.startswith("**ET101 threadpool-reset-after-load**")


def test_load_inside_a_lambda_body_is_analysed_on_its_own() -> None:
    source = f"""int main() {{
  Module module("m.pte");
  auto job = [&]() {{
    (void)module.load();
    {RESET}  // <- ET101
  }};
}}
"""
    assert_marked(source, "ET101")
