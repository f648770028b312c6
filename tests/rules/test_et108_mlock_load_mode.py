"""ET108 mlock-load-mode."""

from __future__ import annotations

import pytest

from harness import assert_marked, findings, fixed

POSITIVE = {
    "module_constructor": """
void f(const std::string& path) {
  Module module(path, Module::LoadMode::MmapUseMlock);  // <- ET108
  Module braced{path, executorch::extension::Module::LoadMode::MmapUseMlock};  // <- ET108
}
""",
    "make_unique_and_new": """
using executorch::extension::Module;
auto a = std::make_unique<Module>(path, Module::LoadMode::MmapUseMlock);  // <- ET108
auto b = std::make_shared<executorch::extension::Module>(
    path, data_path, Module::LoadMode::MmapUseMlock);  // <- ET108
Module* c = new Module(path, Module::LoadMode::MmapUseMlock);  // <- ET108
""",
    "temporary_and_alias": """
using LoadMode = Module::LoadMode;
void f() {
  run(Module(path, LoadMode::MmapUseMlock));  // <- ET108
}
""",
    "runner_factories": """
void f() {
  auto runner = create_text_llm_runner(
      model, std::move(tokenizer), data, 0.8f, "forward",
      Module::LoadMode::MmapUseMlock);  // <- ET108
  auto mm = executorch::extension::llm::create_multimodal_runner(
      model, std::move(tokenizer), std::nullopt, Module::LoadMode::MmapUseMlock);  // <- ET108
}
""",
    "wrapper_default_parameter": """
class ModuleHolder {
 public:
  ModuleHolder(std::string path,
               Module::LoadMode mode = Module::LoadMode::MmapUseMlock)  // <- ET108
      : module_(path, mode) {}
 private:
  Module module_;
};
""",
    "member_initializer": """
class Model {
  Model(const std::string& path) : module_(path, Module::LoadMode::MmapUseMlock) {}  // <- ET108
  Module module_;
};
""",
    "mmap_data_loader": """
void f() {
  auto loader = MmapDataLoader::from(path, MmapDataLoader::MlockConfig::UseMlock);  // <- ET108
}
""",
}

NEGATIVE = {
    "safe_modes": """
void f() {
  Module a(path, Module::LoadMode::MmapUseMlockIgnoreErrors);
  Module b(path, Module::LoadMode::Mmap);
  auto loader = MmapDataLoader::from(path, MmapDataLoader::MlockConfig::UseMlockIgnoreErrors);
  auto plain = MmapDataLoader::from(path, MmapDataLoader::MlockConfig::NoMlock);
}
""",
    "translation_tables": """
Module::LoadMode from_int(int mode) {
  switch (mode) {
    case 2:
      return Module::LoadMode::MmapUseMlock;
    default:
      return Module::LoadMode::Mmap;
  }
}
void g(int loadMode) {
  Module::LoadMode load_mode = Module::LoadMode::Mmap;
  if (loadMode == 2) {
    load_mode = Module::LoadMode::MmapUseMlock;
  }
  Module module(path, load_mode);
}
""",
    "comparisons_and_case_labels": """
Error load(Module::LoadMode mode) {
  switch (mode) {
    case Module::LoadMode::MmapUseMlock:
      return MmapDataLoader::from(path).error();
  }
  if (mode == Module::LoadMode::MmapUseMlock) {}
}
""",
    "enum_and_loader_declarations": """
class Module {
  enum class LoadMode { File, Mmap, MmapUseMlock, MmapUseMlockIgnoreErrors };
};
class MmapDataLoader {
  static Result<MmapDataLoader> from(const char* name, MlockConfig config = MlockConfig::UseMlock);
};
""",
    "comments_strings_macros": """
// Module::LoadMode::MmapUseMlock fails on Android.
const char* help = "Module::LoadMode::MmapUseMlock";
#define STRICT_MODE Module::LoadMode::MmapUseMlock
""",
    "function_declarations": """
Module make(std::string path, Module::LoadMode mode);
void g() {
  Module helper(std::string path, Module::LoadMode mode);
}
""",
    "other_libraries": """
void f() {
  Archive archive(path, Archive::LoadMode::MmapUseMlock);
  auto ptr = std::make_unique<Buffer>(path, LoadMode::MmapUseMlock);
  torch::jit::Module script(path, LoadMode::MmapUseMlock);
  std::unique_ptr<Module> owner(new_module(path, Module::LoadMode::MmapUseMlock));
  Foo::from(path, Foo::MlockConfig::UseMlock);
}
""",
}


@pytest.mark.parametrize("name", sorted(POSITIVE))
def test_reports_strict_mlock(name: str) -> None:
    assert_marked(POSITIVE[name], "ET108")


@pytest.mark.parametrize("name", sorted(NEGATIVE))
def test_no_report(name: str) -> None:
    assert findings(NEGATIVE[name], "ET108") == []


def test_fix_ignores_mlock_errors() -> None:
    result = fixed(POSITIVE["make_unique_and_new"], "ET108")
    assert "std::make_unique<Module>(path, Module::LoadMode::MmapUseMlockIgnoreErrors);" in result
    result = fixed(POSITIVE["mmap_data_loader"], "ET108")
    assert "MmapDataLoader::MlockConfig::UseMlockIgnoreErrors);" in result
    assert findings(result, "ET108") == []


def test_message_names_the_symptom() -> None:
    (finding,) = findings(POSITIVE["member_initializer"], "ET108")
    assert "mlock" in finding.message and "MmapUseMlockIgnoreErrors" in finding.message
