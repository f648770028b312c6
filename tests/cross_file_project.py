"""A project whose model load and thread-pool reset sit in different files: main.cpp
calls Engine::init (engine.cpp loads a method) and then set_threads (threads.cpp resets
the pool), so ET101 reports main.cpp only when it follows calls across files."""

RESET = "::executorch::extension::threadpool::get_threadpool()->_unsafe_reset_threadpool(n);"

ENGINE_H = """#pragma once
#include <executorch/extension/module/module.h>
class Engine {
 public:
  void init(const char* path);
 private:
  std::unique_ptr<executorch::extension::Module> module_;
};
"""
ENGINE_CPP = """#include "engine.h"
void Engine::init(const char* path) {
  module_ = std::make_unique<executorch::extension::Module>(path);
  (void)module_->load_method("forward");
}
"""
THREADS_CPP = f"""#include <executorch/extension/threadpool/threadpool.h>
void set_threads(int n) {{
  {RESET}
}}
"""
MAIN_CPP = """#include "engine.h"
void set_threads(int n);
int main() {
  Engine engine;
  engine.init("model.pte");
  set_threads(4);
  return 0;
}
"""
