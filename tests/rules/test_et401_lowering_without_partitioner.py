"""ET401 lowering-without-partitioner."""

from __future__ import annotations

import pytest

from executorch_lsp.engine.analysis import analyze
from executorch_lsp.engine.config import Config
from executorch_lsp.engine.document import Document
from executorch_lsp.engine.languages import LanguageId
from harness import assert_marked, findings, fixed

PY = LanguageId.PYTHON
IMPORTS = """\
import argparse
from executorch.exir import to_edge_transform_and_lower
from executorch.backends.xnnpack.partition.xnnpack_partitioner import XnnpackPartitioner
"""

POSITIVE = {
    "missing": """
program = to_edge_transform_and_lower(exported)  # <- ET401
""",
    "none_and_empty_literals": """
a = to_edge_transform_and_lower(ep, partitioner=None)  # <- ET401
b = to_edge_transform_and_lower(ep, partitioner=[])  # <- ET401
c = to_edge_transform_and_lower(ep, partitioner={})  # <- ET401
d = to_edge_transform_and_lower(ep, partitioner={"forward": [], "decode": None})  # <- ET401
e = to_edge_transform_and_lower(ep, None, [])  # <- ET401
""",
    "module_attribute_form": """
import executorch.exir as exir
from executorch import exir as ex
a = exir.to_edge_transform_and_lower(ep)  # <- ET401
b = ex.to_edge_transform_and_lower(ep, compile_config=cfg)  # <- ET401
c = executorch_lower(ep)  # <- ET401
""",
    "name_always_empty": """
def main():
    partitioners = []
    if verbose:
        print("lowering")
    edge = to_edge_transform_and_lower(ep, partitioner=partitioners)  # <- ET401
""",
    "cli_flag_off_by_default": """
parser = argparse.ArgumentParser()
parser.add_argument("--delegate", action="store_true")
args = parser.parse_args()
partitioners = [XnnpackPartitioner()] if args.delegate else []
edge = to_edge_transform_and_lower(ep, partitioner=partitioners)  # <- ET401
""",
    "cli_default_missing_from_table": """
BACKENDS = {"xnnpack": [XnnpackPartitioner()], "portable": []}
def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("-b", "--backend-name", default="portable", choices=list(BACKENDS))
    args = parser.parse_args()
    lower(args)
def lower(args):
    table = BACKENDS
    edge = to_edge_transform_and_lower(ep, partitioner=table[args.backend_name])  # <- ET401
    other = to_edge_transform_and_lower(ep, partitioner=BACKENDS.get("cuda"))  # <- ET401
""",
    "or_fallback_to_nothing": """
chosen = None
edge = to_edge_transform_and_lower(ep, partitioner=chosen or [])  # <- ET401
""",
}

NEGATIVE = {
    "partitioner_given": """
a = to_edge_transform_and_lower(ep, partitioner=[XnnpackPartitioner()])
b = to_edge_transform_and_lower(ep, partitioner={"forward": [XnnpackPartitioner()]})
c = to_edge_transform_and_lower(ep, None, [XnnpackPartitioner()])
d = to_edge_transform_and_lower(ep, partitioner=[*common, VulkanPartitioner()])
""",
    "partitioner_in_a_variable": """
partitioner = XnnpackPartitioner()
a = to_edge_transform_and_lower(ep, partitioner=[partitioner])
parts = [XnnpackPartitioner(per_op_mode=True)]
b = to_edge_transform_and_lower(ep, partitioner=parts)
""",
    "list_built_in_a_loop": """
def lower(backends):
    partitioners = []
    for backend in backends:
        partitioners.append(make(backend))
    return to_edge_transform_and_lower(ep, partitioner=partitioners)
""",
    "list_filled_by_a_helper_or_plus_equals": """
def lower():
    partitioners = []
    add_backends(partitioners)
    a = to_edge_transform_and_lower(ep, partitioner=partitioners)
    extra = []
    extra += [XnnpackPartitioner()]
    b = to_edge_transform_and_lower(ep, partitioner=extra)
""",
    "helper_returning_partitioners": """
def get_partitioners(args):
    return [XnnpackPartitioner()]
edge = to_edge_transform_and_lower(ep, partitioner=get_partitioners(args))
""",
    "parameter": """
def lower(ep, partitioner=None):
    return to_edge_transform_and_lower(ep, partitioner=partitioner)
def lower_all(ep, partitioners):
    return to_edge_transform_and_lower(ep, partitioner=partitioners)
""",
    "branches_the_script_does_not_settle": """
def lower(use_xnnpack):
    partitioners = [XnnpackPartitioner()] if use_xnnpack else []
    if os.environ.get("BACKEND") == "xnnpack":
        parts = [XnnpackPartitioner()]
    else:
        parts = []
    a = to_edge_transform_and_lower(ep, partitioner=partitioners)
    b = to_edge_transform_and_lower(ep, partitioner=parts)
""",
    "cli_flag_on_by_default": """
parser = argparse.ArgumentParser()
parser.add_argument("--no-delegate", dest="delegate", action="store_false")
parser.add_argument("--backend", default="xnnpack")
args = parser.parse_args()
parts = [XnnpackPartitioner()] if args.delegate else []
a = to_edge_transform_and_lower(ep, partitioner=parts)
TABLE = {"xnnpack": [XnnpackPartitioner()], "portable": []}
b = to_edge_transform_and_lower(ep, partitioner=TABLE[args.backend])
""",
    "kwargs_may_carry_it": """
def lower(ep, **kwargs):
    return to_edge_transform_and_lower(ep, **kwargs)
options = {"partitioner": [XnnpackPartitioner()]}
edge = to_edge_transform_and_lower(ep, **options)
""",
    "llm_builder_method_and_harness": """
builder = builder.to_edge_transform_and_lower(partitioners)
tester.to_edge_transform_and_lower()
edge_manager.to_edge_transform_and_lower()
""",
    "other_library_with_the_same_name": """
from mylib import to_edge_transform_and_lower as mine
a = mine(ep)
def to_edge_transform_and_lower(ep):
    return ep
b = to_edge_transform_and_lower(ep)
""",
    "suppressed_portable_build": """
program = to_edge_transform_and_lower(ep)  # executorch-lsp: ignore[ET401] -- portable build
""",
}


def _source(body: str) -> str:
    aliases = "from executorch.exir import to_edge_transform_and_lower as executorch_lower\n"
    return IMPORTS + aliases + body


@pytest.mark.parametrize("name", sorted(POSITIVE))
def test_positive(name: str) -> None:
    assert_marked(_source(POSITIVE[name]), "ET401", PY)


@pytest.mark.parametrize("name", sorted(NEGATIVE))
def test_negative(name: str) -> None:
    assert findings(_source(NEGATIVE[name]), "ET401", PY) == []


def test_cli_default_is_named_in_message_and_related() -> None:
    (finding,) = findings(_source(POSITIVE["cli_flag_off_by_default"]), "ET401", PY)
    assert "unless a command-line option says otherwise" in finding.message
    messages = [related.message for related in finding.related]
    assert any("without `--delegate`, `args.delegate` is False" in m for m in messages)
    assert any("`partitioners` is empty here" in m for m in messages)


def test_missing_key_is_explained() -> None:
    hits = findings(_source(POSITIVE["cli_default_missing_from_table"]), "ET401", PY)
    messages = [related.message for hit in hits for related in hit.related]
    assert any("`args.backend_name` is 'portable' (the default)" in m for m in messages)
    assert any("'cuda' is not a key of this table" in m for m in messages)


def test_test_files_are_not_checked() -> None:
    source = _source(POSITIVE["missing"])
    for path in ("tests/export.py", "pkg/test/lower.py", "test_lower.py", "lower_test.py"):
        document = Document.from_text(path, PY, source)
        assert [f for f in analyze(document, Config()).findings if f.code == "ET401"] == []


def test_fix_adds_partitioner_and_import() -> None:
    source = '"""Export."""\nfrom executorch.exir import to_edge_transform_and_lower\n\n' + (
        "edge = to_edge_transform_and_lower(\n    ep,\n)\n"
    )
    assert fixed(source, "ET401", PY) == (
        '"""Export."""\nfrom executorch.exir import to_edge_transform_and_lower\n'
        "from executorch.backends.xnnpack.partition.xnnpack_partitioner import "
        "XnnpackPartitioner\n\n"
        "edge = to_edge_transform_and_lower(\n    ep, partitioner=[XnnpackPartitioner()],\n)\n"
    )


def test_fix_replaces_empty_value_and_keeps_existing_import() -> None:
    source = _source("edge = to_edge_transform_and_lower(ep, partitioner=None)\n")
    result = fixed(source, "ET401", PY)
    assert result == _source(
        "edge = to_edge_transform_and_lower(ep, partitioner=[XnnpackPartitioner()])\n"
    )
    assert findings(result, "ET401", PY) == []


def test_no_fix_when_the_value_comes_from_a_name() -> None:
    assert fixed(_source(POSITIVE["name_always_empty"]), "ET401", PY) is None


def test_half_typed_script_does_not_fail() -> None:
    source = _source("edge = to_edge_transform_and_lower(ep, partitioner=\n")
    findings(source, "ET401", PY)
