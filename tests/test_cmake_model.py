"""The CMake build model: what reaches each target, per branch."""

from __future__ import annotations

from executorch_lsp.engine.cmake_model import (
    UNKNOWN,
    BuildModel,
    Interpreter,
    ListFile,
    build_model,
    compatible,
    list_file,
    read_list_file,
)


def model(files: dict[str, str], root: str = "/p/CMakeLists.txt") -> BuildModel:
    encoded = {path: text.encode() for path, text in files.items()}
    return build_model(root, encoded.get)


def links(built: BuildModel, target: str = "app") -> list[tuple[str, str, str | None, bool]]:
    return [
        (item.text, item.kind, item.library, item.whole_archive) for item in built.links_of(target)
    ]


def test_variables_lists_and_nested_references() -> None:
    built = model(
        {
            "/p/CMakeLists.txt": (
                "set(KIND backend)\nset(NAME xnnpack_${KIND})\nset(LIBS a b)\n"
                "list(APPEND LIBS ${${UPPER}})\nset(UPPER NAME)\nlist(APPEND LIBS ${${UPPER}})\n"
                "add_executable(app m.cpp)\ntarget_link_libraries(app ${LIBS})\n"
            )
        }
    )
    assert [text for text, *_ in links(built)] == ["a", "b", UNKNOWN, "xnnpack_backend"]


def test_known_conditions_take_one_branch_unknown_ones_both() -> None:
    built = model(
        {
            "/p/CMakeLists.txt": (
                "set(USE_A ON)\nadd_executable(app m.cpp)\n"
                'if(USE_A AND NOT "${USE_A}" STREQUAL "OFF")\n  target_link_libraries(app a)\n'
                "else()\n  target_link_libraries(app not_a)\nendif()\n"
                "if(ANDROID)\n  target_link_libraries(app b)\nelse()\n"
                "  target_link_libraries(app c)\nendif()\n"
            )
        }
    )
    items = built.links_of("app")
    assert [item.text for item in items] == ["a", "b", "c"]
    a, b, c = items
    assert compatible(a.branch, b.branch) and compatible(a.branch, c.branch)
    assert not compatible(b.branch, c.branch)


def test_options_are_unknown_but_their_defaults_are_kept() -> None:
    built = model(
        {
            "/p/CMakeLists.txt": (
                'option(USE_OPT "optimized kernels" ON)\nadd_executable(app m.cpp)\n'
                "if(USE_OPT)\n  target_link_libraries(app optimized_native_cpu_ops_lib)\n"
                "else()\n  target_link_libraries(app portable_ops_lib)\nendif()\n"
            )
        }
    )
    assert built.options["USE_OPT"][0] == "ON"
    assert [item.text for item in built.links_of("app")] == [
        "optimized_native_cpu_ops_lib",
        "portable_ops_lib",
    ]


def test_functions_macros_and_parsed_arguments() -> None:
    built = model(
        {
            "/p/CMakeLists.txt": (
                "function(link_whole target)\n"
                '  cmake_parse_arguments(ARG "" "" "LIBS" ${ARGN})\n'
                "  target_link_libraries(${target} PRIVATE -Wl,--whole-archive ${ARG_LIBS}"
                " -Wl,--no-whole-archive)\nendfunction()\n"
                "macro(set_lib name)\n  set(${name} /x/libportable_ops_lib.a)\nendmacro()\n"
                "add_executable(app m.cpp)\nset_lib(LIB)\nlink_whole(app LIBS ${LIB})\n"
                "target_link_libraries(app ${LIB})\n"
            )
        }
    )
    assert links(built) == [
        ("-Wl,--whole-archive", "flag", None, True),
        ("/x/libportable_ops_lib.a", "file", "portable_ops_lib", True),
        ("-Wl,--no-whole-archive", "flag", None, False),
        ("/x/libportable_ops_lib.a", "file", "portable_ops_lib", False),
    ]
    assert built.links_of("app")[1].via == ("link_whole",)


def test_parent_scope_and_function_scope() -> None:
    built = model(
        {
            "/p/CMakeLists.txt": (
                "function(pick out)\n  set(local x)\n  set(${out} libcustom_ops.a PARENT_SCOPE)\n"
                "endfunction()\npick(CHOSEN)\nadd_executable(app m.cpp)\n"
                "target_link_libraries(app ${CHOSEN} ${local})\n"
            )
        }
    )
    assert [text for text, *_ in links(built)] == ["libcustom_ops.a", UNKNOWN]


def test_whole_archive_spellings() -> None:
    built = model(
        {
            "/p/CMakeLists.txt": (
                "add_executable(app m.cpp)\ntarget_link_libraries(app\n"
                '  "$<LINK_LIBRARY:WHOLE_ARCHIVE,xnnpack_backend,custom_ops>"\n'
                '  "LINKER:--push-state,--whole-archive,/l/libvulkan_backend.a,--pop-state"\n'
                '  "-Wl,-force_load" /l/libcoremldelegate.a\n'
                "  -Wl,-force_load,/l/libmpsdelegate.a\n  /l/libplain.a -lm)\n"
            )
        }
    )
    assert [(library, archived) for _, _, library, archived in links(built)] == [
        ("xnnpack_backend", True),
        ("custom_ops", True),
        ("vulkan_backend", True),
        ("coremldelegate", True),
        ("mpsdelegate", True),
        ("plain", False),
        ("m", False),
    ]


def test_imported_targets_and_find_library() -> None:
    built = model(
        {
            "/p/CMakeLists.txt": (
                "add_library(et STATIC IMPORTED)\n"
                "set_target_properties(et PROPERTIES IMPORTED_LOCATION /l/libexecutorch.a)\n"
                "find_library(XNN NAMES libxnnpack_backend.a xnnpack_backend PATHS /l)\n"
                "add_executable(app m.cpp)\ntarget_link_libraries(app et ${XNN})\n"
            )
        }
    )
    target = built.target("et")
    assert target.kind == "imported" and target.imported_location == "/l/libexecutorch.a"
    assert links(built)[1][1:3] == ("file", "xnnpack_backend")


def test_executorch_as_a_subdirectory_or_package_provides_its_targets() -> None:
    sub = model(
        {
            "/p/CMakeLists.txt": "project(app)\nadd_subdirectory(third-party/executorch)\n",
            "/p/third-party/executorch/CMakeLists.txt": "project(executorch)\n",
        }
    )
    assert sub.executorch == "subdirectory"
    assert sub.target("xnnpack_backend").whole_archive_interface
    package = model(
        {
            "/p/CMakeLists.txt": (
                "find_package(executorch REQUIRED)\nadd_executable(app m.cpp)\n"
                "target_link_libraries(app ${EXECUTORCH_LIBRARIES})\n"
            )
        }
    )
    assert package.executorch == "find_package"
    assert "portable_ops_lib" in [text for text, *_ in links(package)]


def test_subdirectories_inherit_variables_and_include_runs_in_place() -> None:
    built = model(
        {
            "/p/CMakeLists.txt": (
                "set(LIBDIR /l)\ninclude(cmake/libs.cmake)\nadd_subdirectory(app)\n"
            ),
            "/p/cmake/libs.cmake": "set(BACKEND ${LIBDIR}/libxnnpack_backend.a)\n",
            "/p/app/CMakeLists.txt": (
                "add_executable(app m.cpp)\ntarget_link_libraries(app ${BACKEND})\n"
            ),
        }
    )
    assert [text for text, *_ in links(built)] == ["/l/libxnnpack_backend.a"]
    assert built.links_of("app")[0].site.path == "/p/app/CMakeLists.txt"
    assert set(built.files) == {"/p/CMakeLists.txt", "/p/cmake/libs.cmake", "/p/app/CMakeLists.txt"}


def test_foreach_over_known_and_unknown_lists() -> None:
    built = model(
        {
            "/p/CMakeLists.txt": (
                "set(BACKENDS xnnpack vulkan)\nadd_executable(app m.cpp)\n"
                "foreach(name ${BACKENDS})\n  target_link_libraries(app ${name}_backend)\n"
                "endforeach()\nforeach(name IN LISTS SOMETHING_ELSE)\n"
                "  target_link_libraries(app ${name})\nendforeach()\n"
            )
        }
    )
    assert [text for text, *_ in links(built)] == ["xnnpack_backend", "vulkan_backend", UNKNOWN]


def test_broken_missing_and_recursive_input_never_raises() -> None:
    built = model(
        {
            "/p/CMakeLists.txt": (
                "function(again)\n  again()\nendfunction()\nagain()\n"
                "add_subdirectory(missing)\ninclude(${UNKNOWN_DIR}/x.cmake)\n"
                "if(\nset(X\nadd_executable(app m.cpp\n"
            )
        }
    )
    assert built.files == ["/p/CMakeLists.txt"]


def test_a_list_built_in_exclusive_branches_keeps_its_branches() -> None:
    built = model(
        {
            "/p/CMakeLists.txt": (
                "set(KERNELS quantized_ops_lib)\n"
                "if(EXECUTORCH_BUILD_KERNELS_OPTIMIZED)\n"
                "  list(APPEND KERNELS optimized_native_cpu_ops_lib)\nelse()\n"
                "  list(APPEND KERNELS portable_ops_lib)\nendif()\n"
                "add_executable(app m.cpp)\ntarget_link_libraries(app ${KERNELS})\n"
            )
        }
    )
    quantized, optimized, portable = built.links_of("app")
    assert (quantized.text, optimized.text, portable.text) == (
        "quantized_ops_lib",
        "optimized_native_cpu_ops_lib",
        "portable_ops_lib",
    )
    assert compatible(quantized.branch, optimized.branch)
    assert compatible(quantized.branch, portable.branch)
    assert not compatible(optimized.branch, portable.branch)


def test_an_if_without_else_may_leave_the_variable_unchanged() -> None:
    built = model(
        {
            "/p/CMakeLists.txt": (
                "set(LIB portable_ops_lib)\nif(USE_OPT)\n  set(LIB optimized_native_cpu_ops_lib)\n"
                "endif()\nadd_executable(app m.cpp)\ntarget_link_libraries(app ${LIB})\n"
            )
        }
    )
    optimized, portable = sorted(built.links_of("app"), key=lambda item: item.text)
    assert not compatible(optimized.branch, portable.branch)


def _summary(built: BuildModel) -> tuple:
    targets = {
        name: [
            (
                t.kind,
                t.site,
                t.branch,
                t.imported_location,
                t.whole_archive_interface,
                t.executorch,
                sorted(t.sources),
                t.shared,
            )
            for t in found
        ]
        for name, found in built.targets.items()
    }
    return (
        targets,
        built.links,
        built.assignments,
        built.calls,
        sorted(built.files),
        built.options,
        built.functions,
        built.executorch,
    )


def _assert_replay_is_fresh(files: dict, versions: dict, list_files, memo: dict) -> None:
    """The model built with recorded subdirectories equals one interpreted afresh."""
    replayed = Interpreter(
        files.get, list_files=list_files, subdirectories=memo, version=versions.get
    ).run_file("/p/CMakeLists.txt")
    fresh = Interpreter(files.get, list_files=list_files).run_file("/p/CMakeLists.txt")
    assert _summary(replayed) == _summary(fresh)


PROJECT = {
    "/p/CMakeLists.txt": (
        "project(app)\nset(LIBDIR /l)\nadd_library(core STATIC core.cpp)\n"
        "add_subdirectory(backends)\nadd_subdirectory(app)\n"
        "link_backend(app ${BACKEND_FILE})\n"
    ),
    "/p/backends/CMakeLists.txt": (
        "function(link_backend target lib)\n"
        "  target_link_libraries(${target} PRIVATE ${lib})\nendfunction()\n"
        "set(BACKEND_FILE ${LIBDIR}/libxnnpack_backend.a PARENT_SCOPE)\n"
        "target_sources(core PRIVATE extra.cpp)\n"
        "target_link_options(core INTERFACE -Wl,--whole-archive)\n"
        "if(USE_VULKAN)\n  add_library(vk STATIC vk.cpp)\nendif()\n"
    ),
    "/p/app/CMakeLists.txt": (
        "add_executable(app main.cpp)\ntarget_link_libraries(app core portable_ops_lib)\n"
    ),
}


def test_parent_scope_from_a_subdirectory_reaches_the_parent() -> None:
    built = model(PROJECT)
    assert [item.text for item in built.links_of("app")][-1] == "/l/libxnnpack_backend.a"
    core = built.target("core")
    assert core.whole_archive_interface and core.sources[-1] == "/p/backends/extra.cpp"


def test_replayed_subdirectories_give_the_same_model_as_a_fresh_interpretation() -> None:
    import random

    from executorch_lsp.engine.document import Document
    from executorch_lsp.engine.languages import LanguageId

    files = {path: text.encode() for path, text in PROJECT.items()}
    versions = dict.fromkeys(files, 0)
    parsed: dict[str, tuple[bytes, ListFile]] = {}

    def parse(path: str) -> ListFile | None:
        if path not in files:
            return None
        cached = parsed.get(path)
        if cached is None or cached[0] != files[path]:
            parsed[path] = (files[path], list_file(Document(path, LanguageId.CMAKE, files[path])))
        return parsed[path][1]

    memo: dict = {}
    edits = [
        ("/p/app/CMakeLists.txt", "target_link_libraries(app optimized_native_cpu_ops_lib)\n"),
        (
            "/p/backends/CMakeLists.txt",
            "set(BACKEND_FILE /other/libvulkan_backend.a PARENT_SCOPE)\n",
        ),
        ("/p/CMakeLists.txt", "set(LIBDIR /m)\n"),
        ("/p/backends/CMakeLists.txt", "target_link_options(core INTERFACE -Wl,-force_load)\n"),
        ("/p/app/CMakeLists.txt", "# a comment\n"),
    ]
    rng = random.Random(7)
    for _ in range(12):
        path, line = rng.choice(edits)
        files[path] += line.encode()
        versions[path] += 1
        _assert_replay_is_fresh(files, versions, parse, memo)
    backends = memo["/p/backends/CMakeLists.txt"]
    files["/p/app/CMakeLists.txt"] += b"# only the app changes\n"
    versions["/p/app/CMakeLists.txt"] += 1
    Interpreter(files.get, list_files=parse, subdirectories=memo, version=versions.get).run_file(
        "/p/CMakeLists.txt"
    )
    assert memo["/p/backends/CMakeLists.txt"] is backends  # replayed, not interpreted again
    assert memo["/p/app/CMakeLists.txt"].versions == (
        ("/p/app/CMakeLists.txt", versions["/p/app/CMakeLists.txt"]),
    )


def test_replay_after_edits_that_move_text_gives_the_same_model() -> None:
    """Edits above an if() or a function move it without changing it: what was recorded
    below them is replayed, and must still equal a fresh interpretation."""
    import random

    files = {
        "/p/CMakeLists.txt": (
            b"project(app)\ninclude(helpers.cmake)\nadd_library(core STATIC core.cpp)\n"
            b"if(USE_BACKENDS)\n  add_subdirectory(backends)\nendif()\n"
            b"add_subdirectory(app)\n"
        ),
        "/p/helpers.cmake": (
            b"function(link_backend target lib)\n"
            b"  target_link_libraries(${target} PRIVATE ${lib})\nendfunction()\n"
        ),
        "/p/backends/CMakeLists.txt": (
            b"add_library(xnnpack_backend STATIC x.cpp)\nlink_backend(core xnnpack_backend)\n"
        ),
        "/p/app/CMakeLists.txt": (
            b"add_executable(app main.cpp)\nlink_backend(app /l/libvulkan_backend.a)\n"
        ),
    }
    versions = dict.fromkeys(files, 0)

    def list_files(path: str) -> ListFile | None:
        return read_list_file(path, files[path]) if path in files else None

    memo: dict = {}
    rng = random.Random(11)
    for _ in range(16):
        path = rng.choice(sorted(files))
        line = rng.choice([b"# moved\n", b"set(UNUSED 1)\n", b"\n"])
        files[path] = line + files[path]  # everything below moves
        versions[path] += 1
        _assert_replay_is_fresh(files, versions, list_files, memo)
    app = memo["/p/app/CMakeLists.txt"]
    files["/p/CMakeLists.txt"] = b"# only the top changes\n" + files["/p/CMakeLists.txt"]
    versions["/p/CMakeLists.txt"] += 1
    Interpreter(
        files.get, list_files=list_files, subdirectories=memo, version=versions.get
    ).run_file("/p/CMakeLists.txt")
    assert memo["/p/app/CMakeLists.txt"] is app  # its if() and functions did not change


PLAIN_LIST_FILES = [
    'if(A)\n  set(X "a b" c;d ${Y} [[e]]) # note\nelseif(B)\nelse()\nendif()\n',
    "IF (x)\nENDIF()\nif(a)endif()\nif(a)\nelse()\nelse()\nendif()\n",
    "function(f a)\n  foo(${a}${b} ${${c}_x} $ENV{HOME} $CACHE{V} $<$<BOOL:x>:y>)\nendfunction()\n",
    "macro(m)\n\nendmacro()\nforeach(i IN LISTS L)\n  bar(${i})\nendforeach(i)\n",
    "while(x)\nendwhile()\nblock()\n  baz()\nendblock()\n",
    'foo(a"b"c -DX="1" a(b)c a#b\n)\nfoo(x[[a]]y [=[a]b]=] #[[c]] z)\n',
    'foo("a\\"b" a\\;b \\" a\\ b "\\t" $ $(X) a$ "${a}$" a]b)\r\nbar(b)\n',
    "#[=[ a bracket\ncomment ]=]\nfoo()  # trailing\n",
]
PARSER_ONLY_LIST_FILES = [
    "foo([a-z]+ b)\n",  # a regex-like argument
    "foo(${})\n",  # a syntax error
    "foo\n(a)\n",
    "include(#x)\n",  # the comment runs to the end of the line: no closing parenthesis
    "foo(a\\d)\n",
    "else()\n",  # outside an if(): a plain command for the grammar
    "function(f)endfunction()\n",
    "foreach(a b)\nendforeach( a )\n",
    "foo([=[a]]=])\n",  # the grammar's scanner misses this closing bracket
    "foo(a)\rbar(b)\n",
    "\ufefffoo(a)\n",
    "foo(a\x01)\n",
    "foo(a\u00a0b)\n",
]


def test_plain_list_files_are_read_as_the_parser_reads_them() -> None:
    from executorch_lsp.engine.cmake_model import scan_list_file
    from executorch_lsp.engine.document import Document
    from executorch_lsp.engine.languages import LanguageId

    for text in PLAIN_LIST_FILES:
        data = text.encode()
        document = Document("/p/CMakeLists.txt", LanguageId.CMAKE, data)
        assert not document.tree.root_node.has_error
        assert scan_list_file("/p/CMakeLists.txt", data) == list_file(document), text
    for text in PARSER_ONLY_LIST_FILES:
        assert scan_list_file("/p/CMakeLists.txt", text.encode()) is None, text
