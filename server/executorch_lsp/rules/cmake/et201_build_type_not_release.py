"""ET201 build-type-not-release: ExecuTorch built from source as a Debug build."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import replace

from ...engine.cmake_model import names_executorch_folder
from ...engine.cmake_presets import read_presets
from ...engine.dependencies import note_folder
from ...engine.document import Document
from ...engine.findings import Finding, Fix, Related, Severity, Span, TextEdit
from ...engine.languages import LanguageId
from ...knowledge.profiling import MEASURE
from ..base import Rule, RuleContext, RuleDocs, Source
from .build import model_for, project_root
from .commands import Command, commands, enclosing_conditions

FAQ_URL = "https://github.com/pytorch/executorch/blob/main/docs/source/using-executorch-faqs.md"
BUILD_URL = (
    "https://github.com/pytorch/executorch/blob/main/docs/source/"
    "using-executorch-building-from-source.md"
)
# A condition that only supplies a default:
# if(NOT CMAKE_BUILD_TYPE), if("${CMAKE_BUILD_TYPE}" STREQUAL "").
_DEFAULTING = re.compile(
    r"NOT\s+(DEFINED\s+)?CMAKE_BUILD_TYPE\b|CMAKE_BUILD_TYPE\}?\"?\s+STREQUAL\s+\"\"", re.IGNORECASE
)
_RELEASE_FLAG = re.compile(
    rb"CMAKE_BUILD_TYPE[=:\s\"']+(?:Release|RelWithDebInfo|MinSizeRel)", re.I
)
_SCRIPT_SUFFIXES = (".sh", ".bash", ".bat", ".cmd", ".ps1", ".py", ".mk")
_SCRIPT_NAMES = frozenset({"Makefile", "justfile", "build.gradle", "package.json"})
_MAX_LISTED = 200
_BUILD_TYPE = ["CMAKE_BUILD_TYPE"]
_CONFIGURATIONS = ["CMAKE_CONFIGURATION_TYPES"]
# Commands that can build ExecuTorch from source; files naming none are not read.
_SOURCE_COMMAND_NAMES = frozenset(
    {
        "add_subdirectory",
        "fetchcontent_declare",
        "externalproject_add",
        "fetchcontent_makeavailable",
    }
)


def _any_case(text: str) -> str:
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else re.escape(c) for c in text)


def _names_in_any_case(names: frozenset[str]) -> re.Pattern[bytes]:
    """Any of ``names`` (each has an underscore), in any case. The pattern starts with the
    underscore: searching for a literal is fast, where (?i) is tried at every byte."""
    alternatives = []
    for name in sorted(names):
        head, _, tail = name.partition("_")
        alternatives.append(f"(?<={_any_case(head)}_){_any_case(tail)}")
    return re.compile(f"_(?:{'|'.join(alternatives)})".encode())


_SOURCE_COMMAND = _names_in_any_case(_SOURCE_COMMAND_NAMES)
# A source command whose arguments may name ExecuTorch (the folder, a variable such as
# ${EXECUTORCH_ROOT} or ${ET_DIR}, or the content name): files without one are not parsed.
_SOURCE_OF_EXECUTORCH = re.compile(
    rb"(?i)(?:add_subdirectory|fetchcontent_declare|fetchcontent_makeavailable"
    rb"|externalproject_add)\s*\([^)]*(?:executorch|\$\{et[_}])"
)
_DEBUG_FLAG = re.compile(r"-DCMAKE_BUILD_TYPE(?::STRING)?=\"?Debug\"?$", re.IGNORECASE)


def _builds_executorch(command: Command) -> bool:
    """add_subdirectory / FetchContent / ExternalProject of ExecuTorch's sources."""
    if command.name not in _SOURCE_COMMAND_NAMES:
        return False
    texts = command.argument_texts()
    if not texts:
        return False
    if command.name == "add_subdirectory":
        return names_executorch_folder(texts[0])
    if command.name in ("fetchcontent_declare", "externalproject_add"):
        return texts[0].lower() == "executorch"
    if command.name == "fetchcontent_makeavailable":
        return any(text.lower() == "executorch" for text in texts)
    return False


def _is_default_or_unconditional(command: Command, document: Document) -> bool:
    conditions = enclosing_conditions(command, document)
    if not conditions:
        return True
    only = conditions[0]
    return len(conditions) == 1 and not only.startswith("else:") and bool(_DEFAULTING.search(only))


def _debug_value(command: Command) -> Span | None:
    """The ``Debug`` of ``set(CMAKE_BUILD_TYPE Debug ...)``."""
    if command.name != "set":
        return None
    arguments = command.arguments
    if len(arguments) >= 2 and arguments[0].text == "CMAKE_BUILD_TYPE":
        value = arguments[1]
        if value.text.lower() == "debug":
            start = value.node.start_byte + (1 if value.node.text.startswith(b'"') else 0)
            return Span(start, start + len("Debug"))
    return None


def check(context: RuleContext) -> Iterator[Finding]:
    document = context.document
    calls = commands(document, context.matches)
    if any(c.name == "project" and c.argument_texts()[:1] == ["executorch"] for c in calls):
        return  # ExecuTorch's own build chooses its defaults
    sources = [c for c in calls if _builds_executorch(c)]
    if not sources:
        return
    source = sources[0]
    related = [
        Related(
            Span(source.node.start_byte, source.node.end_byte),
            "ExecuTorch is built from source here",
        )
    ]
    reported = False
    for command in calls:
        span = _debug_value(command)
        if span is not None and _is_default_or_unconditional(command, document):
            reported = True
            fix = Fix("Build Release instead of Debug", (TextEdit(span, "Release"),), safe=False)
            yield context.finding(span, _message(document, source), fix=fix, related=related)
        elif command.name == "externalproject_add" and command in sources:
            for argument in command.arguments:
                if _DEBUG_FLAG.search(argument.text):
                    reported = True
                    yield context.finding(
                        Span(argument.node.start_byte, argument.node.end_byte),
                        "ExecuTorch is built as an external project with CMAKE_BUILD_TYPE=Debug: "
                        "Debug builds of the runtime and kernels run several times slower. "
                        "Pass -DCMAKE_BUILD_TYPE=Release for anything you measure or ship",
                    )
    if (
        not reported
        and source.name != "externalproject_add"
        and not _build_type_chosen(context, calls)
    ):
        yield _unset_build_type(context, calls, source)


def _unset_build_type(context: RuleContext, calls: list[Command], source: Command) -> Finding:
    """ExecuTorch built from source and no build type anywhere: its Debug default wins."""
    document = context.document
    line_start = document.data.rfind(b"\n", 0, source.node.start_byte) + 1
    default = (
        "if(NOT CMAKE_BUILD_TYPE AND NOT CMAKE_CONFIGURATION_TYPES)\n"
        '  set(CMAKE_BUILD_TYPE Release CACHE STRING "Build type" FORCE)\nendif()\n'
    )
    fix = Fix(
        "Default to a Release build",
        (TextEdit(Span(line_start, line_start), default),),
        safe=False,
    )
    finding = context.finding(
        Span(source.node.start_byte, source.node.end_byte),
        "ExecuTorch is built from source here and no build type is set anywhere in the "
        "project (lists, cache defaults, presets): ExecuTorch's CMakeLists then defaults to "
        "Debug, which runs several times slower. Unless every build passes "
        "-DCMAKE_BUILD_TYPE=Release, give the project a Release default",
        fix=fix,
    )
    return replace(finding, severity=Severity.INFO)


def _build_type_chosen(context: RuleContext, calls: list[Command]) -> bool:
    """Any build type or multi-config setting in this file, the project or its presets."""
    for command in calls:
        texts = command.argument_texts()
        if command.name == "set" and texts[:1] in (
            ["CMAKE_BUILD_TYPE"],
            ["CMAKE_CONFIGURATION_TYPES"],
        ):
            return True
        if any("CMAKE_BUILD_TYPE=" in text for text in texts):
            return True
    workspace = context.workspace
    if workspace is None:
        return False
    model = model_for(context)
    if any(a.name in ("CMAKE_BUILD_TYPE", "CMAKE_CONFIGURATION_TYPES") for a in model.assignments):
        return True
    folders = {os.path.dirname(context.document.path)}
    root = project_root(workspace, context.document.path)
    if root is not None:
        folders.add(os.path.dirname(root))
    for folder in folders:
        for preset in read_presets(workspace.read, folder):
            if "CMAKE_BUILD_TYPE" in preset.cache_variables or preset.multi_config:
                return True
        if any(_RELEASE_FLAG.search(data) for data in _build_scripts(workspace, folder)):
            return True
    return False


def _build_scripts(workspace, folder: str, depth: int = 1) -> Iterator[bytes]:
    """Scripts next to the project, or one folder down, that run CMake (build.sh,
    Makefile, ...): read, never run."""
    note_folder(folder)
    try:
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)[:_MAX_LISTED]
    except OSError:
        return
    for entry in entries:
        if entry.is_dir(follow_symlinks=False) and depth > 0 and not entry.name.startswith("."):
            yield from _build_scripts(workspace, entry.path, depth - 1)
        elif entry.name.endswith(_SCRIPT_SUFFIXES) or entry.name in _SCRIPT_NAMES:
            data = workspace.read(entry.path)
            if data is not None:
                yield data


def _message(document: Document, source: Command) -> str:
    line = document.buffer.line_of(source.node.start_byte) + 1
    return (
        f"CMAKE_BUILD_TYPE is Debug while ExecuTorch is built from source (line {line}): Debug "
        "builds of the runtime and kernels run several times slower. Use Release (or "
        "RelWithDebInfo) for anything you measure or ship"
    )


RULE = Rule(
    code="ET201",
    name="build-type-not-release",
    title="ExecuTorch built from source in Debug mode",
    languages=frozenset({LanguageId.CMAKE}),
    severity=Severity.WARNING,
    fixable=True,
    check=check,
    anchors=(b"CMAKE_BUILD_TYPE", b"executorch", b"ExecuTorch", b"EXECUTORCH", b"${ET", b"${et"),
    anchor_patterns=(_SOURCE_COMMAND, _SOURCE_OF_EXECUTORCH),
    query="cmake/et201_build_type_not_release.scm",
    docs=RuleDocs(
        problem=(
            "A CMake project that builds ExecuTorch from source (`add_subdirectory` of the "
            "ExecuTorch tree, `FetchContent` or `ExternalProject_Add` of `executorch`) sets "
            "`CMAKE_BUILD_TYPE` to `Debug`, unconditionally or as the default when none is given; "
            "or sets no build type anywhere (this file, the other CMake files of the project, "
            "`CMakePresets.json`/`CMakeUserPresets.json`, build scripts next to it), so that "
            "ExecuTorch's Debug default applies (reported as info)."
        ),
        bad=(
            "cmake_minimum_required(VERSION 3.24)\n"
            "project(app CXX)\n"
            "if(NOT CMAKE_BUILD_TYPE)\n"
            "  set(CMAKE_BUILD_TYPE Debug)\n"
            "endif()\n"
            "add_subdirectory(third-party/executorch)\n"
        ),
        good=(
            "cmake_minimum_required(VERSION 3.24)\n"
            "project(app CXX)\n"
            "if(NOT CMAKE_BUILD_TYPE)\n"
            "  set(CMAKE_BUILD_TYPE Release)\n"
            "endif()\n"
            "add_subdirectory(third-party/executorch)\n"
        ),
        why=(
            "The ExecuTorch FAQ's first answer to slow inference is a Release build: Debug "
            "builds compile the runtime, the portable and optimized kernels and the delegates "
            "without optimization, which makes inference several times slower. Debug also "
            "turns on runtime logging and program verification. ExecuTorch's own CMakeLists "
            "defaults to Debug when no build type is given, so pass `-DCMAKE_BUILD_TYPE=Release` "
            "or set a Release default in your project."
        ),
        exceptions=(
            "Debug set inside another condition (`if(MY_APP_DEBUG)`) is a deliberate choice "
            "and is not reported, nor is a project that uses an installed ExecuTorch "
            "(`find_package(executorch)`): its build type was chosen when it was built. A "
            "build type in presets, in a build script next to the project (`build.sh`, a "
            "Makefile) or a multi-config generator counts as chosen; one typed only on the "
            "command line cannot be seen, which is why that case is info. Lowercase `release` "
            "is Release. ExecuTorch's own `project(executorch)` is not reported. The quick "
            "fixes are not applied by fix-all, because they change how the project is built."
        ),
        sources=(
            Source("ExecuTorch FAQ: Inference is slow / performance troubleshooting", FAQ_URL),
            Source("Building from source: release builds", BUILD_URL),
        ),
        example_language="cmake",
        measuring=MEASURE,
    ),
)
