"""Documentation of ET404."""

from ..base import RuleDocs, Source

BLOB = "https://github.com/pytorch/executorch/blob/main"
KERNELS_DOCS = "https://pytorch.org/executorch/main/kernel-library-custom-aten-kernel.html"

DOCS = RuleDocs(
    problem=(
        'A custom operator defined in the script (`@torch.library.custom_op("ns::name")`, '
        '`torch.library.define("ns::name(...) -> ...")`, or `Library("ns", "DEF")` / '
        '`"FRAGMENT"` and `lib.define("name(...) -> ...")`) that has no out variant (no '
        "overload of the same name with a keyword-only argument written to, such as "
        '`lib.define("name.out(Tensor x, *, Tensor(a!) out) -> Tensor(a!)")`), used by a '
        "model the same script exports and, in the same function, lowers and serializes "
        "with `to_executorch()` without "
        'delegating it. "Used" means `torch.ops.ns.name` (also through an alias such as '
        "`ops = torch.ops.ns`), or a call of the decorated function, appears in a class or "
        "function whose call builds the model passed to `torch.export.export` (directly, "
        "through names and `.eval()`-style chains, subclasses, submodules and helper "
        'functions of the same file). "Undelegated" means the script lowers with '
        "`to_edge`, `export_to_edge`, `export_to_exec_prog` or "
        "`to_edge_transform_and_lower` with no partitioner, an empty one, or only "
        "`XnnpackPartitioner` (which takes ATen operators only), and no `to_backend` or "
        "transform passes."
    ),
    bad=(
        "import torch\n"
        "from executorch.exir import to_edge\n"
        "from torch.library import Library, impl\n"
        "\n"
        'lib = Library("my_ops", "DEF")\n'
        'lib.define("mul3(Tensor x) -> Tensor")\n'
        "\n"
        "\n"
        '@impl(lib, "mul3", "CompositeExplicitAutograd")\n'
        "def mul3(x):\n"
        "    return x * 3\n"
        "\n"
        "\n"
        "class Model(torch.nn.Module):\n"
        "    def forward(self, x):\n"
        "        return torch.ops.my_ops.mul3(x)\n"
        "\n"
        "\n"
        "exported = torch.export.export(Model(), (torch.randn(2, 3),))\n"
        "program = to_edge(exported).to_executorch()\n"
    ),
    good=(
        "import torch\n"
        "from executorch.exir import to_edge\n"
        "from torch.library import Library, impl\n"
        "\n"
        'lib = Library("my_ops", "DEF")\n'
        'lib.define("mul3(Tensor x) -> Tensor")\n'
        'lib.define("mul3.out(Tensor x, *, Tensor(a!) out) -> Tensor(a!)")\n'
        "\n"
        "\n"
        '@impl(lib, "mul3", "CompositeExplicitAutograd")\n'
        "def mul3(x):\n"
        "    return x * 3\n"
        "\n"
        "\n"
        '@impl(lib, "mul3.out", "CompositeExplicitAutograd")\n'
        "def mul3_out(x, *, out):\n"
        "    out.copy_(x * 3)\n"
        "    return out\n"
        "\n"
        "\n"
        "class Model(torch.nn.Module):\n"
        "    def forward(self, x):\n"
        "        return torch.ops.my_ops.mul3(x)\n"
        "\n"
        "\n"
        "exported = torch.export.export(Model(), (torch.randn(2, 3),))\n"
        "program = to_edge(exported).to_executorch()\n"
    ),
    why=(
        "ExecuTorch's runtime only runs out-style kernels: the caller allocates the result "
        "and passes it as a keyword-only `out` argument. `to_executorch()` therefore runs "
        "`ToOutVarPass`, which looks up, for every operator left in the graph, an overload "
        "of the same name whose schema is an out function with the same arguments. A custom "
        "operator defined only in its functional form has none, and the pass stops with "
        "`RuntimeError: Missing out variants: {'my_ops::mul3'}` (the FAQ's answer: custom "
        "ops need an ExecuTorch implementation loaded at export time). Define "
        "`name.out(<the same arguments>, *, Tensor(a!) out) -> Tensor(a!)` in the same "
        "namespace and register an implementation for it; the runtime then needs a "
        "kernel registered under that name (`EXECUTORCH_LIBRARY`, or a `custom_ops.yaml` "
        "entry built with `gen_operators_lib`). Hovering the operator's name shows the "
        "definition to add, derived from the functional schema (or from the decorated "
        "function's type hints). There is no quick fix: the out variant also needs an "
        "implementation and a runtime kernel, which only the author can write."
    ),
    exceptions=(
        "Not reported: an op whose out variant may come from elsewhere (the script calls "
        "`torch.ops.load_library(...)`, since a compiled AOT library such as "
        "`custom_ops_aot_lib` can register the `.out` overload; or another Python or C++ "
        "file of the workspace names an overload of an op of the same name, such as "
        '`"mul3.out(...)"`); an op with a `CompositeImplicitAutograd` kernel (export '
        "decomposes it); an in-place op (`name_`); a `custom_op` that may write to "
        "keyword-only arguments (it can be an out function itself); names or schemas "
        'built at run time (f-strings); `Library(ns, "IMPL")` (it defines nothing). '
        "Neither is a script that delegates (a partitioner other than XNNPACK's, "
        "`to_backend`), rewrites the graph (`transform`, `transform_passes`), catches the "
        "error (`Missing out variants` in its text) or sets `ignore_to_out_var_failure`; "
        "nor a model that is only run, traced or exported by code in another file, or "
        "whose exported program is lowered by another function. An "
        "out variant whose arguments differ from the functional op's is accepted here, "
        "though ExecuTorch still rejects it."
    ),
    sources=(
        Source(
            "FAQ: Missing out variants",
            f"{BLOB}/docs/source/using-executorch-faqs.md",
        ),
        Source("Kernel registration: custom ops and out variants", KERNELS_DOCS),
        Source("exir/passes/__init__.py (ToOutVarPass)", f"{BLOB}/exir/passes/__init__.py"),
        Source("exir/operator/convert.py (to_out_variant)", f"{BLOB}/exir/operator/convert.py"),
        Source(
            "examples/portable/custom_ops/custom_ops_1.py",
            f"{BLOB}/examples/portable/custom_ops/custom_ops_1.py",
        ),
    ),
    example_language="python",
)
