"""Libraries that register backends or kernels from static constructors.

Linked as plain static archives, their registration object files are never
referenced, so the linker drops them; the model then fails to load.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ...engine.cmake_model import BuildModel


@dataclass(frozen=True)
class Registrar:
    library: str
    registers: str  # what goes missing
    error: str  # what loading reports


_BACKEND = "the {name} backend"
BACKENDS = {
    "xnnpack_backend": "XnnpackBackend",
    "vulkan_backend": "VulkanBackend",
    "coremldelegate": "CoreMLBackend",
    "mpsdelegate": "MPSBackend",
    "mlxdelegate": "MLXBackend",
    "qnn_executorch_backend": "QnnBackend",
    "neuron_backend": "NeuropilotBackend",
    "openvino_backend": "OpenvinoBackend",
    "executorch_delegate_ethos_u": "EthosUBackend",
    "enn_backend": "EnnBackend",
    "vgf_backend": "VgfBackend",
    "aoti_cuda_backend": "CudaBackend",
    "metal_backend": "MetalBackend",
    "executorch_backend_xnnpack": "XnnpackBackend",
}
_NOT_FOUND = 'Error 0x20 NotFound ("Backend {backend} is not registered.")'
_OPERATOR_MISSING = "Error 0x14 OperatorMissing (\"kernel '...' not found\")"
_KERNEL_LIBRARY = re.compile(r"_ops_lib$|^custom_ops$|_kernels_bindings$|^select_build_lib$")


def registrar(library: str | None, model: BuildModel | None = None) -> Registrar | None:
    if not library:
        return None
    if library in BACKENDS:
        backend = BACKENDS[library]
        return Registrar(library, f"the {backend} delegate", _NOT_FOUND.format(backend=backend))
    if library == "executorch":
        return Registrar(library, "the executorch_prim:: operators", _OPERATOR_MISSING)
    if _KERNEL_LIBRARY.search(library) or library in generated_operator_libraries(model):
        return Registrar(library, "its operator kernels", _OPERATOR_MISSING)
    return None


def generated_operator_libraries(model: BuildModel | None) -> set[str]:
    """LIB_NAMEs given to ExecuTorch's gen_operators_lib() in this build."""
    if model is None:
        return set()
    names = set()
    for name, values, _, _ in model.calls:
        if name == "gen_operators_lib" and "LIB_NAME" in values:
            index = values.index("LIB_NAME") + 1
            if index < len(values):
                names.add(values[index])
    return names
