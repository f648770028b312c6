"""Documentation of ET405."""

from ...knowledge.profiling import MEASURE
from ..base import RuleDocs, Source

BLOB = "https://github.com/pytorch/executorch/blob/main"

DOCS = RuleDocs(
    problem=(
        "A call of ExecuTorch's `to_edge_transform_and_lower` whose `partitioner` is a "
        "list of `VulkanPartitioner` objects and nothing else, written in the call or "
        "assigned once to a name in the script."
    ),
    bad=(
        "from executorch.backends.vulkan.partitioner.vulkan_partitioner import "
        "VulkanPartitioner\n"
        "from executorch.exir import to_edge_transform_and_lower\n"
        "\n"
        "program = to_edge_transform_and_lower(\n"
        "    exported, partitioner=[VulkanPartitioner()]\n"
        ").to_executorch()\n"
    ),
    good=(
        "from executorch.backends.vulkan.partitioner.vulkan_partitioner import "
        "VulkanPartitioner\n"
        "from executorch.backends.xnnpack.partition.xnnpack_partitioner import "
        "XnnpackPartitioner\n"
        "from executorch.exir import to_edge_transform_and_lower\n"
        "\n"
        "program = to_edge_transform_and_lower(\n"
        "    exported, partitioner=[VulkanPartitioner(), XnnpackPartitioner()]\n"
        ").to_executorch()\n"
    ),
    why=(
        "Partitioners are tried in the order given. The Vulkan partitioner turns down "
        "operators its shaders do not cover (and, with `require_dynamic_shapes`, those "
        "without dynamic-shape support); with no other partitioner in the list, these run "
        "on ExecuTorch's portable CPU kernels, which are written for portability, not "
        "speed. Once an operator is lowered to Vulkan there is no fallback at run time, "
        "so the CPU side is settled at export. ExecuTorch's export guide recommends "
        "listing partitioners in order of priority so that what the GPU does not support "
        "runs on CPU through XNNPACK. Whether anything is turned down depends on the "
        "model, and the app must link `xnnpack_backend` too (see ET202), so this is "
        "reported as information. The quick fix appends `XnnpackPartitioner()` and its "
        "import; it is marked unsafe because the program then needs the XNNPACK backend "
        "at run time."
    ),
    exceptions=(
        "Lists built elsewhere (a parameter, a helper's result, a list filled after its "
        "assignment, a dictionary of per-method lists) are not reported. A script that "
        "uses an XNNPACK partitioner elsewhere has chosen per program where operators "
        "run (a CPU/GPU comparison, one program per backend) and is not reported either. "
        "Scripts in a directory named `vulkan` or `webgpu` (those backends' own "
        "examples and tools, which measure the GPU alone) and test files are not "
        "checked. An app that ships without XNNPACK on purpose says so: "
        "`# executorch-lsp: ignore[ET405] -- GPU-only build`."
    ),
    sources=(
        Source(
            "Using ExecuTorch export (multiple partitioners in order of priority)",
            f"{BLOB}/docs/source/using-executorch-export.md",
        ),
        Source("Vulkan partitioner", f"{BLOB}/docs/source/backends/vulkan/vulkan-partitioner.md"),
        Source(
            "Issue #12634: ops lowered to Vulkan have no CPU fallback",
            "https://github.com/pytorch/executorch/issues/12634",
        ),
    ),
    example_language="python",
    measuring=MEASURE,
)
