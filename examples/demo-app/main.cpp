// A small image classifier runner built on ExecuTorch's Module API.
// It contains deployment mistakes that executorch-lsp reports.

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <executorch/extension/module/module.h>
#include <executorch/extension/tensor/tensor.h>
#include <executorch/extension/threadpool/threadpool.h>

using executorch::extension::Module;
using executorch::extension::from_blob;
using executorch::runtime::Error;

namespace threadpool = ::executorch::extension::threadpool;

namespace {

constexpr int kMobileThreads = 4;

int classify(Module& model, std::vector<float>& pixels) {
  auto input = from_blob(pixels.data(), {1, 3, 224, 224});
  const auto result = model.forward(input);
  if (!result.ok()) {
    std::printf("forward failed: 0x%x\n", static_cast<unsigned>(result.error()));
    return -1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string model_path = argc > 1 ? argv[1] : "mobilenet_v3.pte";

  // Constructing a Module does not load it: loading happens on first use.
  Module model(model_path, Module::LoadMode::MmapUseMlockIgnoreErrors);

  const Error status = model.load_method("forward");
  if (status == Error::NotFound) {
    std::printf("a backend used by %s is not linked into this binary\n", model_path.c_str());
    return 1;
  }

  // Too late: XNNPACK captured the old pool when "forward" was loaded above.
  threadpool::get_threadpool()->_unsafe_reset_threadpool(kMobileThreads);

  std::vector<float> pixels(1 * 3 * 224 * 224, 0.5f);
  return classify(model, pixels);
}
