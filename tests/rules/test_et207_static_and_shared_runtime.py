"""ET207 static-and-shared-runtime."""

from __future__ import annotations

from executorch_lsp.engine.languages import LanguageId
from harness import assert_marked, findings

CMAKE = LanguageId.CMAKE


def test_both_runtimes_in_one_binary() -> None:
    source = """
add_library(engine STATIC engine.cpp)
target_link_libraries(engine PUBLIC executorch)
add_executable(app main.cpp)
target_link_libraries(app PRIVATE engine)
target_link_libraries(app PRIVATE executorch::runtime)  # <- ET207
"""
    assert_marked(source, "ET207", CMAKE)


def test_one_runtime_per_binary_or_branch() -> None:
    source = """
add_executable(app main.cpp)
if(USE_WHEEL)
  target_link_libraries(app PRIVATE executorch::runtime)
else()
  target_link_libraries(app PRIVATE executorch)
endif()
add_executable(tool main.cpp)
target_link_libraries(tool PRIVATE executorch_shared)
"""
    assert findings(source, "ET207", CMAKE) == []


def test_the_static_runtime_inside_a_shared_library_stays_there() -> None:
    source = """
add_library(engine SHARED engine.cpp)
target_link_libraries(engine PRIVATE executorch)
add_executable(app main.cpp)
target_link_libraries(app PRIVATE engine executorch_shared)
"""
    assert findings(source, "ET207", CMAKE) == []
