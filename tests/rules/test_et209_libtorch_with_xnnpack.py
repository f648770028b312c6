"""ET209 libtorch-with-xnnpack."""

from __future__ import annotations

from executorch_lsp.engine.languages import LanguageId
from harness import assert_marked, findings

CMAKE = LanguageId.CMAKE


def test_libtorch_next_to_the_xnnpack_backend() -> None:
    source = """
find_package(Torch REQUIRED)
find_package(executorch REQUIRED)
add_library(engine STATIC engine.cpp)
target_link_libraries(engine PUBLIC executorch xnnpack_backend)
add_executable(app main.cpp)
target_link_libraries(app PRIVATE ${TORCH_LIBRARIES})
target_link_libraries(app PRIVATE engine)  # <- ET209
"""
    assert_marked(source, "ET209", CMAKE)


def test_separate_binaries_or_branches() -> None:
    source = """
find_package(Torch REQUIRED)
add_executable(export_tool export.cpp)
target_link_libraries(export_tool PRIVATE ${TORCH_LIBRARIES})
add_executable(app main.cpp)
if(APP_REFERENCE)
  target_link_libraries(app PRIVATE torch)
else()
  target_link_libraries(app PRIVATE xnnpack_backend)
endif()
"""
    assert findings(source, "ET209", CMAKE) == []
