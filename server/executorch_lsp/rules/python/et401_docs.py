"""Documentation of ET401."""

from ...knowledge.profiling import MEASURE
from ..base import RuleDocs, Source

BLOB = "https://github.com/pytorch/executorch/blob/main"
FAQ = f"{BLOB}/docs/source/using-executorch-faqs.md"

DOCS = RuleDocs(
    problem=(
        "A call of ExecuTorch's `to_edge_transform_and_lower` (imported from "
        "`executorch.exir`, called by name or as `exir.to_edge_transform_and_lower`) whose "
        "`partitioner` is missing, `None`, an empty list or dict, or a name that holds "
        "nothing on every path the script shows: every assignment of it is `None` or "
        "empty, or it is picked by a condition or dictionary key that is a constant or "
        "an `argparse` default (`[XnnpackPartitioner()] if args.delegate else []` with "
        "`--delegate` off by default, `BACKENDS.get(args.backend)` with a default that is "
        "not in the table)."
    ),
    bad=(
        "from executorch.exir import to_edge_transform_and_lower\n"
        "\n"
        "program = to_edge_transform_and_lower(exported).to_executorch()\n"
    ),
    good=(
        "from executorch.backends.xnnpack.partition.xnnpack_partitioner import "
        "XnnpackPartitioner\n"
        "from executorch.exir import to_edge_transform_and_lower\n"
        "\n"
        "program = to_edge_transform_and_lower(\n"
        "    exported, partitioner=[XnnpackPartitioner()]\n"
        ").to_executorch()\n"
    ),
    why=(
        "The partitioner decides which parts of the graph a backend (XNNPACK, Core ML, "
        "Vulkan, QNN, ...) runs. Without one nothing is delegated and every operator "
        "falls back to ExecuTorch's portable kernels, which are written for portability "
        "and correctness, not speed: the FAQ's first answer to slow inference is to "
        "delegate to XNNPACK on CPU. The export succeeds and the model runs, so nothing "
        "points at the cause except the speed. The quick fix adds "
        "`partitioner=[XnnpackPartitioner()]` and its import "
        "(`executorch.backends.xnnpack.partition.xnnpack_partitioner`); it is marked "
        "unsafe because it changes what the program contains, and the runtime must then "
        "link `xnnpack_backend` (see ET202)."
    ),
    exceptions=(
        "A partitioner that arrives as a function parameter, comes back from a helper, is "
        "built in a loop or comprehension, or is appended to a list after its assignment "
        "is not reported; neither is a value that depends on a condition the script does "
        "not settle. Test files (`test_*.py`, `*_test.py`, files under `test/` or "
        "`tests/`) are not checked: unit tests lower without a partitioner on purpose. "
        "The LLM export builder's method of the same name "
        "(`builder.to_edge_transform_and_lower(partitioners)`) is a different API and is "
        "not checked. A script that exports for the portable kernels on purpose says so: "
        "`# executorch-lsp: ignore[ET401] -- portable reference build`."
    ),
    sources=(
        Source("FAQ: Performance Troubleshooting", FAQ),
        Source(
            "exir/program/_program.py (to_edge_transform_and_lower)",
            f"{BLOB}/exir/program/_program.py",
        ),
        Source(
            "Using ExecuTorch export (partitioners)",
            f"{BLOB}/docs/source/using-executorch-export.md",
        ),
    ),
    example_language="python",
    measuring=MEASURE,
)
