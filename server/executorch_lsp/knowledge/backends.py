"""ExecuTorch backends by the id they register under (the name a runtime log prints).

Facts from the ExecuTorch tree: each backend's ``register_backend(Backend{"<id>", ...})``,
its CMake target and ``executorch_target_link_options_shared_lib`` call, the
``EXECUTORCH_BUILD_*`` option that adds it (CMakeLists.txt, tools/cmake/preset/default.cmake),
the prebuilt packages (tools/cmake/executorch-wheel-config.cmake, the iOS frameworks of
docs/source/using-executorch-ios.md) and its Buck target where one is public.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Backend:
    """How to get the backend registered as ``backend_id`` into a binary."""

    backend_id: str
    description: str
    cmake_target: str
    build_option: str
    package_target: str | None = None  # ``find_package(executorch)`` of the pip wheel
    apple_library: str | None = None  # iOS/macOS framework (``libbackend_*.a`` to force-load)
    buck_target: str | None = None


BACKENDS: dict[str, Backend] = {
    backend.backend_id: backend
    for backend in (
        Backend(
            "XnnpackBackend",
            "the XNNPACK delegate (CPU)",
            "xnnpack_backend",
            "EXECUTORCH_BUILD_XNNPACK",
            package_target="executorch::backend_xnnpack",
            apple_library="backend_xnnpack",
            buck_target="//executorch/backends/xnnpack:xnnpack_backend",
        ),
        Backend(
            "VulkanBackend",
            "the Vulkan delegate (GPU)",
            "vulkan_backend",
            "EXECUTORCH_BUILD_VULKAN",
            buck_target="//executorch/backends/vulkan:vulkan_backend_lib",
        ),
        Backend(
            "CoreMLBackend",
            "the Core ML delegate (Apple)",
            "coremldelegate",
            "EXECUTORCH_BUILD_COREML",
            apple_library="backend_coreml",
        ),
        Backend(
            "MPSBackend",
            "the MPS delegate (Apple GPU)",
            "mpsdelegate",
            "EXECUTORCH_BUILD_MPS",
            apple_library="backend_mps",
        ),
        Backend(
            "MLXBackend", "the MLX delegate (Apple silicon)", "mlxdelegate", "EXECUTORCH_BUILD_MLX"
        ),
        Backend(
            "QnnBackend",
            "the Qualcomm QNN delegate (Hexagon NPU)",
            "qnn_executorch_backend",
            "EXECUTORCH_BUILD_QNN",
            package_target="executorch::backend_qnn",
        ),
        Backend(
            "NeuropilotBackend",
            "the MediaTek NeuroPilot delegate",
            "neuron_backend",
            "EXECUTORCH_BUILD_NEURON",
        ),
        Backend(
            "OpenvinoBackend",
            "the OpenVINO delegate (Intel)",
            "openvino_backend",
            "EXECUTORCH_BUILD_OPENVINO",
            package_target="executorch::backend_openvino",
        ),
        Backend(
            "CudaBackend",
            "the CUDA delegate (NVIDIA GPU)",
            "aoti_cuda_backend",
            "EXECUTORCH_BUILD_CUDA",
            package_target="executorch::backend_cuda",
        ),
        Backend(
            "MetalBackend",
            "the Metal delegate (Apple GPU)",
            "metal_backend",
            "EXECUTORCH_BUILD_METAL",
        ),
        Backend(
            "EthosUBackend",
            "the Arm Ethos-U delegate (NPU)",
            "executorch_delegate_ethos_u",
            "EXECUTORCH_BUILD_ARM_BAREMETAL",
        ),
        Backend("VgfBackend", "the Arm VGF delegate", "vgf_backend", "EXECUTORCH_BUILD_VGF"),
        Backend("EnnBackend", "the Samsung Exynos delegate", "enn_backend", "EXECUTORCH_BUILD_ENN"),
        Backend(
            "NeutronBackend",
            "the NXP Neutron delegate (NPU)",
            "executorch_delegate_neutron",
            "EXECUTORCH_BUILD_NXP_NEUTRON",
        ),
    )
}


def backend_by_id(backend_id: str) -> Backend | None:
    """The backend a log names (``XnnpackBackend``); the lookup ignores case."""
    found = BACKENDS.get(backend_id)
    if found is not None:
        return found
    lowered = backend_id.lower()
    return next((b for b in BACKENDS.values() if b.backend_id.lower() == lowered), None)
