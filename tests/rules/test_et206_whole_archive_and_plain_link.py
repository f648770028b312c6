"""ET206 whole-archive-and-plain-link."""

from __future__ import annotations

from executorch_lsp.engine.languages import LanguageId
from harness import assert_marked, findings

CMAKE = LanguageId.CMAKE


def test_both_ways_into_one_target() -> None:
    source = """
add_executable(app main.cpp)
target_link_libraries(app PRIVATE "$<LINK_LIBRARY:WHOLE_ARCHIVE,custom_ops>")
target_link_libraries(app PRIVATE custom_ops extension_module)  # <- ET206
"""
    assert_marked(source, "ET206", CMAKE)


def test_one_way_per_target_or_branch() -> None:
    source = """
add_executable(app main.cpp)
add_executable(tool main.cpp)
target_link_libraries(app PRIVATE "$<LINK_LIBRARY:WHOLE_ARCHIVE,custom_ops>")
target_link_libraries(tool PRIVATE custom_ops)
if(APPLE)
  target_link_libraries(app PRIVATE "$<LINK_LIBRARY:WHOLE_ARCHIVE,xnnpack_backend>")
else()
  target_link_libraries(app PRIVATE xnnpack_backend)
endif()
"""
    assert findings(source, "ET206", CMAKE) == []
