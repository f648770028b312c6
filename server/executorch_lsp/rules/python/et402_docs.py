"""Documentation of ET402."""

from ...knowledge.profiling import MEASURE
from ..base import RuleDocs, Source

BLOB = "https://github.com/pytorch/executorch/blob/main"

DOCS = RuleDocs(
    problem=(
        "An export script that calls ExecuTorch's `to_edge(...)` (from `executorch.exir`) and "
        "then lowers the result with `.to_backend(...)`, directly (`to_edge(ep).to_backend(p)`) "
        "or through a variable in the same function; or that takes the result of `to_edge` "
        "straight to `.to_executorch()` without lowering it at all. A `.to_backend(...)` "
        "whose result is discarded is reported too: it returns a new program and leaves "
        "the original untouched."
    ),
    bad=(
        "from executorch.exir import to_edge\n"
        "\n"
        "edge = to_edge(torch.export.export(model, example_inputs))\n"
        "edge = edge.to_backend(XnnpackPartitioner())\n"
        "program = edge.to_executorch()\n"
    ),
    good=(
        "from executorch.exir import to_edge_transform_and_lower\n"
        "\n"
        "edge = to_edge_transform_and_lower(\n"
        "    torch.export.export(model, example_inputs),\n"
        "    partitioner=[XnnpackPartitioner()],\n"
        ")\n"
        "program = edge.to_executorch()\n"
    ),
    why=(
        "`to_edge_transform_and_lower` is ExecuTorch's recommended way to lower: it lets "
        "each partitioner keep the operators its backend handles whole (instead of "
        "decomposing them first) and runs the transforms the backend needs. Its "
        "documentation warns that combining `to_edge(...)` and `to_backend(...)` gives "
        "inconsistent or wrong behaviour, XNNPACK's partitioner logs a deprecation warning "
        "for it, and users measured the same model 40 % faster after moving "
        "(27 s -> 16 s). An export that reaches `to_executorch()` with no lowering at all "
        "runs every operator on the portable CPU kernels, which are not meant for speed. "
        "The quick fix rewrites the call to `to_edge_transform_and_lower` with the same "
        "arguments plus `partitioner=[...]` (the partitioner given to `to_backend`, or "
        "`XnnpackPartitioner()`), adds the imports and removes the `to_backend` step when "
        "it directly follows; it is marked unsafe because the lowered program differs."
    ),
    exceptions=(
        "A manager that leaves the function (returned, passed to a helper, stored in a "
        "list or attribute) is not followed, because someone else may lower it. Test files "
        "(`test_*.py`, `*_test.py`, files under `test/` or `tests/`) are not checked. "
        "A script that exports for the portable kernels on purpose says so: "
        "`# executorch-lsp: ignore[ET402] -- portable reference build`."
    ),
    sources=(
        Source(
            "exir/program/_program.py (to_edge_transform_and_lower, to_backend)",
            f"{BLOB}/exir/program/_program.py",
        ),
        Source(
            "backends/xnnpack/partition/xnnpack_partitioner.py (deprecation warning)",
            f"{BLOB}/backends/xnnpack/partition/xnnpack_partitioner.py",
        ),
        Source(
            "Using ExecuTorch export",
            f"{BLOB}/docs/source/using-executorch-export.md",
        ),
    ),
    example_language="python",
    measuring=MEASURE,
)
