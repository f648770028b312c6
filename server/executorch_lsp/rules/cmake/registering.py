"""Libraries that register backends or kernels from static constructors.

Linked as plain static archives, their registration object files are never
referenced, so the linker drops them; the model then fails to load.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ...engine.cmake_model import BuildModel
from ...engine.findings import Site


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


@dataclass(frozen=True)
class GeneratedLibrary:
    """A ``gen_operators_lib(LIB_NAME name KERNEL_LIBS ...)`` call of the build."""

    name: str
    kernels: frozenset[str]
    site: Site


def generated_libraries(model: BuildModel | None) -> list[GeneratedLibrary]:
    if model is None:
        return []
    return model.cached(("generated-libraries",), lambda: _generated_libraries(model))


def _generated_libraries(model: BuildModel) -> list[GeneratedLibrary]:
    found = []
    for command, values, site, _ in model.calls:
        if command != "gen_operators_lib":
            continue
        names = _keyword_values(values, "LIB_NAME")
        if names:
            kernels = frozenset(_keyword_values(values, "KERNEL_LIBS"))
            found.append(GeneratedLibrary(names[0], kernels, site))
    return found


def generated_operator_libraries(model: BuildModel | None) -> frozenset[str]:
    """LIB_NAMEs given to ExecuTorch's gen_operators_lib() in this build."""
    if model is None:
        return frozenset()
    return model.cached(
        ("generated-operator-libraries",),
        lambda: frozenset(library.name for library in generated_libraries(model)),
    )


def _keyword_values(values: tuple[str, ...], keyword: str) -> list[str]:
    """The values after ``keyword`` up to the next keyword (cmake_parse_arguments style)."""
    if keyword not in values:
        return []
    collected = []
    for value in values[values.index(keyword) + 1 :]:
        if value.isupper() and value.replace("_", "").isalpha():
            break
        collected.append(value)
    return collected
