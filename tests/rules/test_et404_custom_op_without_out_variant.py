"""ET404 custom-op-without-out-variant."""

from __future__ import annotations

from pathlib import Path

import pytest

from executorch_lsp.engine.analysis import analyze
from executorch_lsp.engine.config import Config
from executorch_lsp.engine.document import Document
from executorch_lsp.engine.hover import hover_at
from executorch_lsp.engine.languages import LanguageId
from executorch_lsp.engine.workspace import Workspace
from harness import assert_marked, document, findings

PY = LanguageId.PYTHON
IMPORTS = """\
import torch
from torch.library import Library, impl, custom_op
from torch.export import export
from executorch.exir import to_edge, to_edge_transform_and_lower
from executorch.backends.xnnpack.partition.xnnpack_partitioner import XnnpackPartitioner
"""
MUL3 = """
lib = Library("my_ops", "DEF")
lib.define("mul3(Tensor x) -> Tensor")  # <- ET404
@impl(lib, "mul3", "CompositeExplicitAutograd")
def mul3_impl(x):
    return x * 3
"""
MUL3_CLEAN = MUL3.replace("  # <- ET404", "")
MODEL = """
class Model(torch.nn.Module):
    def forward(self, x):
        return torch.ops.my_ops.mul3(x)
"""
LOWER = """
ep = export(Model(), (torch.randn(2),))
program = to_edge(ep).to_executorch()
"""

POSITIVE = {
    "library_def": MUL3 + MODEL + LOWER,
    "fragment_library_and_overload_call": """
lib = Library("my_ops", "FRAGMENT")
lib.define("mul3(Tensor x) -> Tensor")  # <- ET404
class Model(torch.nn.Module):
    def forward(self, x):
        return torch.ops.my_ops.mul3.default(x)
"""
    + LOWER,
    "custom_op_decorator": """
@custom_op("my_ops::scale", mutates_args=())  # <- ET404
def scale(x: torch.Tensor, factor: float) -> torch.Tensor:
    return x * factor
class Model(torch.nn.Module):
    def forward(self, x):
        return scale(x, 2.0)
"""
    + LOWER,
    "custom_op_qualified_and_used_through_torch_ops": """
@torch.library.custom_op("my_ops::scale", mutates_args=[])  # <- ET404
def scale(x: torch.Tensor) -> torch.Tensor:
    return x * 2
class Model(torch.nn.Module):
    def forward(self, x):
        return torch.ops.my_ops.scale(x)
"""
    + LOWER,
    "torch_library_define_forms": """
torch.library.define("my_ops::mul3(Tensor x) -> Tensor")  # <- ET404
torch.library.define("other_ops::add1", "(Tensor x) -> Tensor")  # <- ET404
class Model(torch.nn.Module):
    def forward(self, x):
        return torch.ops.other_ops.add1(torch.ops.my_ops.mul3(x))
"""
    + LOWER,
    "namespace_alias": MUL3
    + """
ops = torch.ops.my_ops
class Model(torch.nn.Module):
    def forward(self, x):
        return ops.mul3(x)
"""
    + LOWER,
    "op_alias": MUL3
    + """
mul3 = torch.ops.my_ops.mul3.default
class Model(torch.nn.Module):
    def forward(self, x):
        return mul3(x)
"""
    + LOWER,
    "helper_submodule_and_subclass": MUL3
    + """
def triple(x):
    return torch.ops.my_ops.mul3(x)
class Inner(torch.nn.Module):
    def forward(self, x):
        return triple(x)
class Outer(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.inner = Inner()
class Derived(Outer):
    pass
def main():
    model = Derived().eval()
    ep = export(model, (torch.randn(2),))
    edge = to_edge_transform_and_lower(ep)
    edge.to_executorch()
""",
    "model_through_a_parameter": MUL3
    + MODEL
    + """
def lower(model, inputs):
    ep = export(model, inputs)
    return to_edge_transform_and_lower({"forward": ep}, partitioner=[]).to_executorch()
lower(Model(), (torch.randn(2),))
""",
    "xnnpack_does_not_take_custom_ops": MUL3
    + MODEL
    + """
ep = export(Model(), (torch.randn(2),))
edge = to_edge_transform_and_lower(ep, partitioner=[XnnpackPartitioner()])
program = edge.to_executorch()
""",
    "export_to_exec_prog": MUL3
    + MODEL
    + """
from executorch.extension.export_util.utils import export_to_exec_prog
program = export_to_exec_prog(Model(), (torch.randn(2),))
""",
    "only_the_namespace_without_out_variant": """
lib_a = Library("ops_a", "DEF")
lib_a.define("mul3(Tensor x) -> Tensor")
lib_a.define("mul3.out(Tensor x, *, Tensor(a!) out) -> Tensor(a!)")
lib_b = Library("ops_b", "DEF")
lib_b.define("mul3(Tensor x) -> Tensor")  # <- ET404
class Model(torch.nn.Module):
    def forward(self, x):
        return torch.ops.ops_b.mul3(torch.ops.ops_a.mul3(x))
"""
    + LOWER,
    "concatenated_schema_and_constant_namespace": """
NAMESPACE = "my_ops"
lib = Library(NAMESPACE, "DEF")
lib.define(
    "mul3(Tensor x, "  # <- ET404
    "int k=3) -> Tensor"
)
class Model(torch.nn.Module):
    def forward(self, x):
        return torch.ops.my_ops.mul3(x)
"""
    + LOWER,
    "mutating_op_has_no_out_variant_either": """
lib = Library("my_ops", "DEF")
lib.define("fill(Tensor(a!) x, float v) -> Tensor(a!)")  # <- ET404
class Model(torch.nn.Module):
    def forward(self, x):
        return torch.ops.my_ops.fill(x, 1.0)
"""
    + LOWER,
}

NEGATIVE = {
    "out_variant_defined": MUL3_CLEAN
    + """
lib.define("mul3.out(Tensor x, *, Tensor(a!) out) -> Tensor(a!)")
"""
    + MODEL
    + LOWER,
    "out_variant_with_another_overload_name": MUL3_CLEAN
    + """
lib.define("mul3.Tensor_out(Tensor x, *, Tensor(a!) output) -> Tensor(a!)")
"""
    + MODEL
    + LOWER,
    "custom_op_with_a_defined_out_variant": """
@custom_op("my_ops::scale", mutates_args=())
def scale(x: torch.Tensor) -> torch.Tensor:
    return x * 2
torch.library.define("my_ops::scale.out(Tensor x, *, Tensor(a!) out) -> Tensor(a!)")
class Model(torch.nn.Module):
    def forward(self, x):
        return scale(x)
"""
    + LOWER,
    "custom_op_that_is_an_out_function": """
@custom_op("my_ops::scale_out", mutates_args={"out"})
def scale_out(x: torch.Tensor, *, out: torch.Tensor) -> None:
    out.copy_(x * 2)
class Model(torch.nn.Module):
    def forward(self, x, out):
        scale_out(x, out=out)
        return out
"""
    + LOWER,
    "model_only_traced": MUL3_CLEAN
    + MODEL
    + """
traced = torch.jit.trace(Model(), (torch.randn(2),))
ep = export(Model(), (torch.randn(2),))
""",
    "exported_but_not_serialized": MUL3_CLEAN
    + MODEL
    + """
def check_edge():
    edge = to_edge(export(Model(), (torch.randn(2),)))
    return edge.exported_program()
class Plain(torch.nn.Module):
    def forward(self, x):
        return x + 1
def serialize():
    return to_edge(export(Plain(), (torch.randn(2),))).to_executorch()
""",
    "op_model_only_run_eagerly": MUL3_CLEAN
    + MODEL
    + """
class Plain(torch.nn.Module):
    def forward(self, x):
        return x + 1
expected = Model()(torch.randn(2))
ep = export(Plain(), (torch.randn(2),))
program = to_edge(ep).to_executorch()
""",
    "op_library_loaded": MUL3_CLEAN
    + MODEL
    + """
torch.ops.load_library("libcustom_ops_aot_lib.so")
"""
    + LOWER,
    "impl_library_only": """
lib = Library("my_ops", "IMPL")
@impl(lib, "mul3", "CompositeExplicitAutograd")
def mul3_impl(x):
    return x * 3
"""
    + MODEL
    + LOWER,
    "delegated": MUL3_CLEAN
    + MODEL
    + """
from executorch.backends.vulkan.partitioner.vulkan_partitioner import VulkanPartitioner
ep = export(Model(), (torch.randn(2),))
program = to_edge_transform_and_lower(ep, partitioner=[VulkanPartitioner()]).to_executorch()
""",
    "legacy_to_backend": MUL3_CLEAN
    + MODEL
    + """
edge = to_edge(export(Model(), (torch.randn(2),)))
edge = edge.to_backend(partitioner)
program = edge.to_executorch()
""",
    "decomposed_by_export": MUL3_CLEAN
    + """
@impl(lib, "mul3", "CompositeImplicitAutograd")
def mul3_decomposed(x):
    return x * 3
"""
    + MODEL
    + LOWER,
    "in_place_op": """
lib = Library("my_ops", "DEF")
lib.define("scale_(Tensor(a!) x) -> Tensor(a!)")
class Model(torch.nn.Module):
    def forward(self, x):
        return torch.ops.my_ops.scale_(x)
"""
    + LOWER,
    "names_built_at_run_time": """
name = get_name()
lib = Library("my_ops", "DEF")
lib.define(f"{name}(Tensor x) -> Tensor")
class Model(torch.nn.Module):
    def forward(self, x):
        return getattr(torch.ops.my_ops, name)(x)
"""
    + LOWER,
    "same_name_in_another_namespace": MUL3_CLEAN
    + """
class Model(torch.nn.Module):
    def forward(self, x):
        return torch.ops.other_ops.mul3(x)
"""
    + LOWER,
    "error_expected": MUL3_CLEAN
    + MODEL
    + """
def test_missing_out_variant():
    ep = export(Model(), (torch.randn(2),))
    with pytest.raises(RuntimeError, match="Missing out variants"):
        to_edge(ep).to_executorch()
""",
    "graph_rewritten_before_serialization": MUL3_CLEAN
    + MODEL
    + """
ep = export(Model(), (torch.randn(2),))
edge = to_edge_transform_and_lower(ep, transform_passes=[ReplaceMul3Pass()])
program = edge.to_executorch()
""",
    "edge_program_handed_to_a_helper": MUL3_CLEAN
    + MODEL
    + """
ep = export(Model(), (torch.randn(2),))
edge = to_edge(ep)
remove_custom_ops(edge)
program = edge.to_executorch()
""",
    "model_from_another_file": MUL3_CLEAN
    + """
from mymodels import Model
"""
    + LOWER,
}


@pytest.mark.parametrize("name", sorted(POSITIVE))
def test_positive(name: str) -> None:
    assert_marked(IMPORTS + POSITIVE[name], "ET404", PY)


@pytest.mark.parametrize("name", sorted(NEGATIVE))
def test_negative(name: str) -> None:
    assert findings(IMPORTS + NEGATIVE[name], "ET404", PY) == []


def test_message_names_the_error_and_the_out_variant_to_define() -> None:
    (finding,) = findings(IMPORTS + POSITIVE["library_def"], "ET404", PY)
    assert (
        "`to_executorch()` fails with `RuntimeError: Missing out variants: {'my_ops::mul3'}`"
        in (finding.message)
    )
    assert "`mul3.out(Tensor x, *, Tensor(a!) out) -> Tensor(a!)`" in finding.message
    assert "kernel-library-custom-aten-kernel" in finding.message
    assert finding.fix is None
    assert [related.message for related in finding.related] == ["`my_ops::mul3` used here"]


def test_out_schema_keeps_keyword_only_arguments_and_tuples() -> None:
    source = IMPORTS + POSITIVE["library_def"].replace(
        "mul3(Tensor x) -> Tensor", "mul3(Tensor x, *, int k=3) -> (Tensor, Tensor)"
    )
    (finding,) = findings(source, "ET404", PY)
    assert (
        "`mul3.out(Tensor x, *, int k=3, Tensor(a!) out0, Tensor(b!) out1) -> "
        "(Tensor(a!), Tensor(b!))`"
    ) in finding.message


def test_half_typed_script_does_not_fail() -> None:
    for cut in (40, 120, 200, 260, 330):
        source = IMPORTS + POSITIVE["helper_submodule_and_subclass"][:cut]
        findings(source, "ET404", PY)
    findings(IMPORTS + 'lib = Library("my_ops", "DEF")\nlib.define(\n', "ET404", PY)
    findings(IMPORTS + "@custom_op(\ndef f(x: torch.Tensor) ->", "ET404", PY)


# -- hover ----------------------------------------------------------------------------
def _hover(source: str, marker: str) -> str | None:
    doc = document(source, PY)
    offset = source.index(marker) + 2
    result = hover_at(doc, len(source[:offset].encode()))
    return result.markdown if result is not None else None


def test_hover_on_library_definition_shows_the_out_variant_to_add() -> None:
    source = IMPORTS + MUL3_CLEAN + MODEL + LOWER
    text = _hover(source, '"mul3(Tensor x)')
    assert text is not None
    assert 'lib.define("mul3.out(Tensor x, *, Tensor(a!) out) -> Tensor(a!)")' in text
    assert 'lib.impl("mul3.out", mul3_out, "CompositeExplicitAutograd")' in text
    assert "out.copy_(torch.ops.my_ops.mul3(x))" in text


def test_hover_on_torch_ops_use() -> None:
    source = IMPORTS + MUL3_CLEAN + MODEL + LOWER
    text = _hover(source, "mul3(x)\n")
    assert text is not None and "`my_ops::mul3` has no out variant" in text


def test_hover_on_custom_op_infers_the_schema_from_type_hints() -> None:
    source = IMPORTS + POSITIVE["custom_op_decorator"]
    text = _hover(source, '"my_ops::scale"')
    assert text is not None
    assert (
        'torch.library.define("my_ops::scale.out(Tensor x, float factor, *, Tensor(a!) out) '
        '-> Tensor(a!)")'
    ) in text
    assert '@torch.library.impl("my_ops::scale.out", "CompositeExplicitAutograd")' in text
    assert "def scale_out(x, factor, *, out):" in text


def test_no_hover_when_the_out_variant_exists() -> None:
    source = IMPORTS + NEGATIVE["out_variant_defined"]
    text = _hover(source, '"mul3(Tensor x)')
    assert text is None or "has no out variant" not in text


# -- other files of the workspace -----------------------------------------------------
def _check_in_workspace(tmp_path: Path, files: dict[str, str]) -> list:
    for name, content in files.items():
        (tmp_path / name).write_text(content, encoding="utf-8")
    workspace = Workspace(roots=[tmp_path])
    path = str((tmp_path / "export.py").resolve())
    doc = Document(path, PY, workspace.read(path))
    return [f for f in analyze(doc, Config(), workspace=workspace).findings if f.code == "ET404"]


def test_out_variant_defined_in_another_file(tmp_path: Path) -> None:
    script = IMPORTS + "import my_out_variants\n" + MUL3_CLEAN + MODEL + LOWER
    other = (
        'import torch\nlib = torch.library.Library("my_ops", "FRAGMENT")\n'
        'lib.define("mul3.out(Tensor x, *, Tensor(a!) out) -> Tensor(a!)")\n'
    )
    assert _check_in_workspace(tmp_path, {"export.py": script, "my_out_variants.py": other}) == []


def test_overload_of_another_namespace_elsewhere_does_not_count(tmp_path: Path) -> None:
    script = IMPORTS + MUL3_CLEAN + MODEL + LOWER
    other = 'lib = Library("their_ops", "DEF")\nlib.define("mul3.out(Tensor x) -> Tensor")\n'
    found = _check_in_workspace(tmp_path, {"export.py": script, "theirs.py": other})
    assert len(found) == 1
