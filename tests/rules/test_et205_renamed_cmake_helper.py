"""ET205 renamed-cmake-helper."""

from __future__ import annotations

from executorch_lsp.engine.languages import LanguageId
from harness import assert_marked, findings, fixed

CMAKE = LanguageId.CMAKE


def test_old_names_are_reported() -> None:
    source = """
add_library(my_backend STATIC b.cpp)
target_link_options_shared_lib(my_backend)  # <- ET205
kernel_link_options(my_ops)  # <- ET205
executorch_target_link_options_shared_lib(my_backend)
"""
    assert_marked(source, "ET205", CMAKE)


def test_a_project_shim_of_the_old_name_is_fine() -> None:
    source = """
function(target_link_options_shared_lib target)
  executorch_target_link_options_shared_lib(${target})
endfunction()
target_link_options_shared_lib(my_backend)
"""
    assert findings(source, "ET205", CMAKE) == []


def test_fix_renames() -> None:
    source = "kernel_link_options(my_ops)\n"
    assert fixed(source, "ET205", CMAKE) == "executorch_kernel_link_options(my_ops)\n"
