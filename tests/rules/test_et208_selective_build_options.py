"""ET208 selective-build-options."""

from __future__ import annotations

from executorch_lsp.engine.languages import LanguageId
from harness import assert_marked, findings, fixed

CMAKE = LanguageId.CMAKE
ET = "add_subdirectory(third-party/executorch)\n"


def test_two_specifiers_and_dtype_without_model() -> None:
    source = (
        """
set(EXECUTORCH_SELECT_OPS_LIST "aten::add.out")
set(EXECUTORCH_SELECT_OPS_YAML ${CMAKE_SOURCE_DIR}/ops.yaml)  # <- ET208
set(EXECUTORCH_ENABLE_DTYPE_SELECTIVE_BUILD ON)  # <- ET208
"""
        + ET
    )
    assert_marked(source, "ET208", CMAKE)


def test_one_specifier_per_branch_or_with_its_model() -> None:
    source = (
        """
if(APP_USE_MODEL)
  set(EXECUTORCH_SELECT_OPS_MODEL ${CMAKE_SOURCE_DIR}/model.pte)
  set(EXECUTORCH_ENABLE_DTYPE_SELECTIVE_BUILD ON)
else()
  set(EXECUTORCH_SELECT_OPS_LIST "aten::add.out")
endif()
set(EXECUTORCH_SELECT_OPS_YAML "")
"""
        + ET
    )
    assert findings(source, "ET208", CMAKE) == []


def test_names_the_build_does_not_read() -> None:
    source = "set(EXECUTORCH_SELECT_OPS_FROM_MODEL model.pte)  # <- ET208\n" + ET
    assert_marked(source, "ET208", CMAKE)
    assert "set(EXECUTORCH_SELECT_OPS_MODEL model.pte)" in fixed(source, "ET208", CMAKE)
    used = (
        "set(EXECUTORCH_SELECT_OPS_FROM_MODEL model.pte)\n"
        "gen_selected_ops(LIB_NAME ops OPS_FROM_MODEL ${EXECUTORCH_SELECT_OPS_FROM_MODEL})\n" + ET
    )
    assert findings(used, "ET208", CMAKE) == []


def test_only_projects_that_configure_executorch() -> None:
    source = "set(EXECUTORCH_SELECT_OPS_FROM_MODEL model.pte)\nfind_package(executorch)\n"
    assert findings(source, "ET208", CMAKE) == []
