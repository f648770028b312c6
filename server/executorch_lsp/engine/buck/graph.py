"""Buck targets across files: labels resolved to the targets they name, and what a target
depends on, directly or through the targets it depends on.

Without a workspace only the document itself is known (``:name`` labels). With one, a
label is followed into the package folder it names: ``//executorch/...`` and the other
spellings of ExecuTorch labels lead to the checkout's root when the workspace is an
ExecuTorch checkout; ``//pkg:name`` leads to the cell root (the folder with
``.buckconfig``), or to the one package folder of the workspace ending in ``pkg``.
A package's targets are those of its BUCK/TARGETS files and of the ``.bzl`` files of the
same folder they load (``define_common_targets()``). A name defined twice differently is
ambiguous and never followed.

The wrappers a file loads are read from the ``.bzl`` files of the workspace that labels
of its own cell name (``//pkg:defs.bzl``, ``:defs.bzl``); labels of other cells
(``@cell//``, ``fbsource//``) are not followed. A model is kept until its file, or one of
the ``.bzl`` files it read, changes.
"""

from __future__ import annotations

import os
import re
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import tree_sitter as ts

from ..dependencies import note_read
from ..document import Document
from ..languages import LanguageId
from ..workspace import Workspace
from . import labels
from .model import GENERATED_LIB, BuckFile, LoadedFile, Loader, Target, build
from .values import Item, ListValue

BUILD_FILE_NAMES = frozenset({"BUCK", "TARGETS", "BUCK.v2", "TARGETS.v2", "BUILD", "BUILD.bazel"})
# codegen.bzl in an ExecuTorch checkout (shim/ in older ones).
_CHECKOUT_MARKERS = tuple(
    os.sep + os.path.join(shim, "xplat", "executorch", "codegen", "codegen.bzl")
    for shim in ("shim_et", "shim")
)
_DEPENDENCY_ARGUMENTS = ("deps", "exported_deps")
_STATIC_SUFFIX = "_static"
_OWN_CELLS = frozenset({None, "", "root"})  # ":defs.bzl", "//pkg:defs.bzl", "root//..."
# Functions with parameters (wrappers), at the start of a line of a .bzl file.
_WRAPPER_DEFINITION = re.compile(rb"^def[ \t]+(\w+)[ \t]*\((?![ \t]*\))", re.MULTILINE)
# An argument that may give a target's name.
_NAME_ARGUMENT = re.compile(rb"name\s*=|\*\*")

# document -> (its text, the workspace it was modelled with, the model)
_document_models: weakref.WeakKeyDictionary[Document, tuple[bytes, Workspace | None, BuckFile]] = (
    weakref.WeakKeyDictionary()
)


@dataclass(frozen=True)
class Location:
    """Where a label points."""

    text: str  # as written
    canonical: str  # the same for every spelling of one target
    directory: str | None  # the package folder, when known
    name: str
    executorch: str | None  # "kernels/portable:operators" for ExecuTorch's own targets
    relative: bool


def safe_build(
    path: str, data: bytes, tree: ts.Tree | None = None, loader: Loader | None = None
) -> BuckFile:
    try:
        return build(path, data, tree, loader)
    except Exception:  # a file that cannot be modelled defines nothing we know of
        return BuckFile(path, (), frozenset(), (), True)


def document_model(document: Document, workspace: Workspace | None = None) -> BuckFile:
    """The model of an open document (its text may differ from the disk's). Without a
    workspace, the one it was last modelled with is used."""
    cached = _document_models.get(document)
    if cached is not None:
        data, modelled_with, model = cached
        workspace = workspace or modelled_with
        graph = BuckGraph(workspace)
        if data is document.data and modelled_with is workspace and graph.up_to_date(model):
            return model
    graph = BuckGraph(workspace)
    path = document.path
    if workspace is not None and workspace.read(path) == document.data:
        model = workspace.per_file(
            path,
            "buck-model",
            lambda data: graph.build_model(path, data, document.tree),
            still_valid=graph.up_to_date,
        )
    else:
        model = graph.build_model(path, document.data, document.tree)
    _document_models[document] = (document.data, workspace, model)
    return model


class BuckGraph:
    """Label resolution and dependency closures; caches live in the workspace."""

    def __init__(self, workspace: Workspace | None, current: BuckFile | None = None) -> None:
        self.workspace = workspace
        self.current = current
        self._memo: dict[tuple[str, Any], Any] = {}

    # -- files ----------------------------------------------------------------------------
    def model(self, path: str) -> BuckFile | None:
        if self.current is not None and path == self.current.path:
            return self.current
        if self.workspace is None:
            return None
        return self.workspace.per_file(
            path,
            "buck-model",
            lambda data: self.build_model(path, data),
            still_valid=self.up_to_date,
        )

    def build_model(self, path: str, data: bytes, tree: ts.Tree | None = None) -> BuckFile:
        """The model of a file, from the editor's tree of it when it is open."""
        if self.workspace is None:
            return safe_build(path, data, tree)
        if tree is None:
            tree = self.workspace.document(path, data, LanguageId.STARLARK).tree
        return safe_build(path, data, tree, self.load_file)

    def up_to_date(self, model: BuckFile | None) -> bool:
        """Whether none of the other files a model was read from changed since."""
        if model is None or not model.sources or self.workspace is None:
            return True
        return all(self.workspace.version(path) == seen for path, seen in model.sources)

    def load_file(self, label: str, from_path: str) -> LoadedFile | None:
        """The .bzl file of the workspace a ``load()`` of ``from_path`` names; None for
        labels that are not followed (other cells, or where the label points is unknown)."""
        parsed = labels.parse(label)
        if self.workspace is None or parsed is None or parsed.cell not in _OWN_CELLS:
            return None
        location = self.locate(label, from_path)
        if location is None or location.directory is None:
            return None
        path = os.path.normpath(os.path.join(location.directory, location.name))
        version = self.workspace.version(path)
        if path not in self._starlark_files():
            return LoadedFile(path, version, b"", None)
        source = self.workspace.per_file(path, "buck-source", lambda data: self._parse(path, data))
        if source is None:
            return LoadedFile(path, version, b"", None)
        data, tree = source
        return LoadedFile(path, version, data, tree)

    def _parse(self, path: str, data: bytes) -> tuple[bytes, ts.Tree]:
        return data, self.workspace.document(path, data, LanguageId.STARLARK).tree

    def _starlark_files(self) -> frozenset[str]:
        return self.remember(
            ("buck-starlark-files",),
            lambda: frozenset(self.workspace.files(LanguageId.STARLARK) if self.workspace else ()),
        )

    def wrapper_call_screen(self) -> WrapperCallScreen | None:
        """Matches the text of every file that may call, with a name, a wrapper defined in
        a .bzl file of the workspace (such a call may define any kind of target)."""
        if self.workspace is None:
            return None
        return self.remember(("buck-wrapper-screen",), self._wrapper_call_screen)

    def _wrapper_call_screen(self) -> WrapperCallScreen | None:
        names: set[bytes] = set()
        for path in self.workspace.files(LanguageId.STARLARK):
            if os.path.basename(path) not in BUILD_FILE_NAMES:
                names |= self.workspace.per_file(path, "buck-wrapper-names", _wrapper_names)
        if not names:
            return None
        alternatives = b"|".join(re.escape(name) for name in sorted(names))
        return WrapperCallScreen(re.compile(rb"[\"'](?:" + alternatives + rb")[\"']"))

    def from_text(self, path: str, kind: str, compute: Callable[[bytes], Any]) -> Any:
        """What ``compute`` makes of the text of ``path`` (None when it cannot be read),
        kept until the file changes."""
        if self.workspace is None:
            return None
        return self.workspace.per_file(path, kind, compute)

    def remember(self, key: tuple[str, Any], compute: Callable[[], Any]) -> Any:
        if self.workspace is not None:
            return self.workspace.memo(key, compute)
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    def executorch_root(self, path: str | None = None) -> str | None:
        """The root of the ExecuTorch checkout the workspace holds, if it is one (with
        several, the one holding ``path``)."""
        if self.workspace is None:
            return None
        roots: list[str] = self.remember(("buck-executorch-roots",), self._executorch_roots)
        if len(roots) == 1:
            return roots[0]
        holding = [root for root in roots if path is not None and _inside(path, root)]
        return max(holding, key=len) if holding else None

    def _executorch_roots(self) -> list[str]:
        return sorted(
            path[: -len(marker)]
            for path in self.workspace.files(LanguageId.STARLARK)
            for marker in _CHECKOUT_MARKERS
            if path.endswith(marker)
        )

    def cell_root(self, path: str) -> str | None:
        """The folder holding ``.buckconfig`` above ``path``."""
        directory = os.path.dirname(os.path.abspath(path))
        return self.remember(("buck-cell-root", directory), lambda: _config_above(directory))

    def _package_folders(self) -> list[str]:
        def compute() -> list[str]:
            files = self.workspace.files(LanguageId.STARLARK) if self.workspace else []
            return sorted(
                {os.path.dirname(p) for p in files if os.path.basename(p) in BUILD_FILE_NAMES}
            )

        return self.remember(("buck-package-folders",), compute)

    # -- labels ---------------------------------------------------------------------------
    def locate(self, text: str, from_path: str) -> Location | None:
        # Where a label points depends on the folder it is written in, not on the file.
        key = ("buck-locate", text, os.path.dirname(from_path))
        return self.remember(key, lambda: self._locate(text, from_path))

    def _locate(self, text: str, from_path: str) -> Location | None:
        label = labels.parse(text)
        if label is None:
            return None
        directory = self._directory(label, from_path)
        root = self.executorch_root(from_path)
        executorch = label.executorch_relative()
        if directory is not None and root is not None and _inside(directory, root):
            package = os.path.relpath(directory, root).replace(os.sep, "/")
            executorch = f"{'' if package == '.' else package}:{label.name}"
        if executorch is not None:
            canonical = labels.EXECUTORCH_CELL + executorch
        elif directory is not None:
            canonical = f"{directory}:{label.name}"
        else:
            canonical = text
        return Location(text, canonical, directory, label.name, executorch, label.relative)

    def _directory(self, label: labels.Label, from_path: str) -> str | None:
        if label.package is None:
            return os.path.dirname(os.path.abspath(from_path))
        executorch = label.executorch_relative()
        root = self.executorch_root(from_path)
        if executorch is not None and root is not None:
            return os.path.join(root, executorch.split(":", 1)[0])
        if label.cell not in ("", "root") or self.workspace is None:
            return None
        cell = self.cell_root(from_path)
        if cell is not None:
            return os.path.normpath(os.path.join(cell, label.package))
        return self._unique_folder(label.package)

    def _unique_folder(self, package: str) -> str | None:
        """The one package folder of the workspace whose path ends with ``package``."""
        tail = os.sep + package.replace("/", os.sep)
        found = [folder for folder in self._package_folders() if folder.endswith(tail)]
        return found[0] if len(found) == 1 else None

    # -- targets --------------------------------------------------------------------------
    def package(self, directory: str) -> dict[str, list[Target]]:
        """The targets of the package in ``directory`` by name."""
        return self.remember(("buck-package", directory), lambda: self._package(directory))

    def _package(self, directory: str) -> dict[str, list[Target]]:
        paths: list[str] = []
        if self.workspace is not None:
            neighbours = self.workspace.neighbours(
                os.path.join(directory, "BUCK"), LanguageId.STARLARK
            )
            paths = [p for p in neighbours if os.path.basename(p) in BUILD_FILE_NAMES]
        current = self.current.path if self.current is not None else None
        if (
            current is not None
            and os.path.dirname(current) == directory
            and os.path.basename(current) in BUILD_FILE_NAMES
            and current not in paths
        ):
            paths.append(current)
        files: dict[str, BuckFile] = {}
        for path in paths:
            model = self.model(path)
            if model is None:
                continue
            files[path] = model
            for load in model.loads:
                loaded = self._same_folder_bzl(load.module, path, directory)
                if loaded is not None and loaded not in files:
                    loaded_model = self.model(loaded)
                    if loaded_model is not None:
                        files[loaded] = loaded_model
        named: dict[str, list[Target]] = {}
        for model in files.values():
            for name, targets in model.by_name.items():
                named.setdefault(name, []).extend(targets)
        return named

    def _same_folder_bzl(self, module: str, from_path: str, directory: str) -> str | None:
        location = self.locate(module, from_path)
        if location is None or location.directory != directory:
            return None
        return os.path.join(directory, location.name)

    def resolve(self, location: Location, from_path: str) -> Target | None:
        """The one target a label names, if it can be found and is not ambiguous."""
        found = self._resolve_name(location, location.name, from_path)
        if found is None and location.name.endswith(_STATIC_SUFFIX):
            # define_static_target(s) = True adds "<name>_static" with the same deps.
            found = self._resolve_name(location, location.name[: -len(_STATIC_SUFFIX)], from_path)
        return found

    def _resolve_name(self, location: Location, name: str, from_path: str) -> Target | None:
        candidates: list[Target] = []
        if location.relative:
            model = self.model(from_path)
            candidates = list(model.by_name.get(name, [])) if model is not None else []
        if not candidates and location.directory is not None:
            candidates = self.package(location.directory).get(name, [])
        unique = {(t.path, t.start): t for t in candidates}
        # A call inside a function read through at its call site: the call site knows more.
        through = {
            (t.origin_path or t.path, t.origin) for t in unique.values() if t.origin is not None
        }
        kept = [t for key, t in unique.items() if key not in through]
        return kept[0] if len(kept) == 1 else None

    def dependency_items(self, target: Target) -> list[Item]:
        """The labels a target certainly depends on, as written."""
        keys = _DEPENDENCY_ARGUMENTS
        if target.kind == GENERATED_LIB:
            keys = (*keys, "kernel_deps")
        items: list[Item] = []
        for key in keys:
            value = target.value(key, None)
            if isinstance(value, ListValue):
                items.extend(value.strings())
        return items

    def closure(self, target: Target) -> dict[str, Target | None]:
        """Everything ``target`` depends on, directly or not, by canonical id: the target
        when the label resolves, else None (the walk stops there). Do not modify.

        Computed bottom-up without recursion (dependency chains can be long); in a cycle,
        a target's closure lacks what is only reached through the cycle."""
        closures: dict[tuple, dict[str, Target | None]] = self.remember(("buck-closures",), dict)
        key = target.key
        if key in closures:
            return closures[key]
        stack: list[tuple[Target, list[tuple[str, Target | None]] | None]] = [(target, None)]
        entered: set[tuple] = set()
        while stack:
            node, direct = stack[-1]
            node_key = node.key
            if direct is None:
                if node_key in closures or node_key in entered:
                    stack.pop()
                    continue
                entered.add(node_key)
                direct = self._direct(node)
                stack[-1] = (node, direct)
                stack.extend(
                    (dependency, None)
                    for _, dependency in direct
                    if dependency is not None
                    and dependency.key not in closures
                    and dependency.key not in entered
                )
                continue
            stack.pop()
            found: dict[str, Target | None] = {}
            for canonical, dependency in direct:
                found.setdefault(canonical, dependency)
                if dependency is not None:
                    for inner, resolved in closures.get(dependency.key, {}).items():
                        found.setdefault(inner, resolved)
            closures[node_key] = found
        return closures[key]

    def _direct(self, target: Target) -> list[tuple[str, Target | None]]:
        found: dict[str, Target | None] = {}
        for item in self.dependency_items(target):
            location = self.locate(item.value, target.path)
            if location is not None and location.canonical not in found:
                found[location.canonical] = self.resolve(location, target.path)
        return list(found.items())

    def file_of(self, location: Location) -> str | None:
        """The file a label of an exported file (``:functions.yaml``) names."""
        if location.directory is None:
            return None
        return os.path.join(location.directory, location.name)


@dataclass(frozen=True)
class WrapperCallScreen:
    """Files that load a wrapper (its name is quoted in the ``load()``, whatever the name
    it is bound to) and call something with a name."""

    loaded_name: re.Pattern[bytes]

    def search(self, data: bytes, pos: int = 0, endpos: int | None = None) -> re.Match | None:
        end = len(data) if endpos is None else endpos
        if _NAME_ARGUMENT.search(data, pos, end) is None:
            return None
        return self.loaded_name.search(data, pos, end)


def wrapper_call_screen(workspace: Workspace) -> WrapperCallScreen | None:
    """For rules about targets: files calling wrappers of the workspace's .bzl files."""
    return BuckGraph(workspace).wrapper_call_screen()


def _wrapper_names(data: bytes) -> frozenset[bytes]:
    return frozenset(_WRAPPER_DEFINITION.findall(data))


def _config_above(directory: str) -> str | None:
    current = directory
    while True:
        note_read(os.path.join(current, ".buckconfig"))
        if os.path.isfile(os.path.join(current, ".buckconfig")):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)
