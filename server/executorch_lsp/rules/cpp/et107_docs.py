"""Documentation of ET107."""

from ..base import RuleDocs, Source

BLOB = "https://github.com/pytorch/executorch/blob/main"

DOCS = RuleDocs(
    problem=(
        "A use of an ExecuTorch API that ExecuTorch marks as deprecated: `Program::Load`, "
        "`FileDataLoader::From` and `MmapDataLoader::From` (capitalised spellings); "
        "`Module::method()`, `Module::debug_buffer()` and the `Module::load_method(name, "
        "tracer)` / `load_forward(tracer)` overloads (only when the argument is visibly an "
        "EventTracer); `Method::get_inputs`, `get_input`, `mutable_input`, `mutable_output`, "
        "`experimental_step` and `experimental_reset_execution`; "
        "`Program::get_output_flattening_encoding`; `MethodMeta::num_non_const_buffers`; "
        "and the legacy namespace aliases: `torch::executor::` names (`Module`, `Error`, "
        "`Tensor`, `util::FileDataLoader`, ...), `exec_aten::`, and "
        "`torch::executorch::threadpool::` / `torch::executorch::cpuinfo::` (note "
        "`torch::executorch`, not `torch::executor`)."
    ),
    bad=(
        "#include <executorch/extension/module/module.h>\n"
        "\n"
        "using torch::executor::Module;\n"
        "\n"
        "int run(Module& module, EventTracer* tracer) {\n"
        '  auto loaded = module.load_method("forward", tracer);\n'
        "  torch::executorch::threadpool::get_threadpool();\n"
        "  return loaded == Error::Ok;\n"
        "}\n"
    ),
    good=(
        "#include <executorch/extension/module/module.h>\n"
        "\n"
        "using executorch::extension::Module;\n"
        "\n"
        "int run(Module& module, EventTracer* tracer) {\n"
        '  auto loaded = module.load_method("forward", nullptr, tracer);\n'
        "  executorch::extension::threadpool::get_threadpool();\n"
        "  return loaded == Error::Ok;\n"
        "}\n"
    ),
    why=(
        "These APIs still compile, but they are slated for removal, and the warning that "
        "would say so never shows: `extension/module/CMakeLists.txt` adds a PUBLIC "
        "`-Wno-deprecated-declarations` to `extension_module`, so every target linking the "
        "Module extension compiles with deprecation warnings off, and the `torch::executor` "
        "aliases carry no `[[deprecated]]` at all. The replacements exist in the same "
        "release, so moving now is cheap; the quick fix rewrites each case that has a "
        "mechanical replacement (the alias target differs per name: "
        "`torch::executor::Module` is `executorch::extension::Module`, `torch::executor::Error` "
        "is `executorch::runtime::Error`, `torch::executor::Tensor` is "
        "`executorch::aten::Tensor`). The severity is info: the code works today, nothing "
        "fails at run time, and a large legacy file should not drown real warnings."
    ),
    exceptions=(
        "Member calls count only when the receiver's declaration in the same file shows the "
        "ExecuTorch type (`Module`, `Method`, `Program`, `MethodMeta`, or `auto` from a "
        "`load_method`/`method_meta` call), and member and static calls only in files that "
        'mention ExecuTorch, so `foo.method("x")` on another library\'s type is not '
        "reported. `load_method(name, x)` is reported only when `x` is visibly an "
        "EventTracer (`tracer.get()`, `&etdump_gen`, a variable of an EventTracer type): "
        "with a `HierarchicalAllocator*` it is the current overload. Names under "
        "`torch::executor` that are not aliases (the kernels' `native` namespace), "
        "`using namespace torch::executor;` (that namespace also holds current code) and "
        "the unqualified names it makes visible, and "
        "declarations of the deprecated functions themselves are not reported. "
        "ExecuTorch's own tests call some of these on purpose; suppress with "
        "`// executorch-lsp: ignore[ET107] -- testing the deprecated overload`."
    ),
    sources=(
        Source(
            "extension/module/module.h (deprecated Module overloads)",
            f"{BLOB}/extension/module/module.h",
        ),
        Source(
            "runtime/executor/method.h (deprecated Method accessors)",
            f"{BLOB}/runtime/executor/method.h",
        ),
        Source("runtime/executor/program.h (Program::Load)", f"{BLOB}/runtime/executor/program.h"),
        Source(
            "extension/module/CMakeLists.txt (-Wno-deprecated-declarations)",
            f"{BLOB}/extension/module/CMakeLists.txt",
        ),
    ),
    example_language="cpp",
)
