"""The build model a CMake rule sees: the project the checked file belongs to."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from ...engine.cmake_model import (
    Branch,
    BuildModel,
    Interpreter,
    LinkItem,
    ListFile,
    compatible,
    is_executorch_root,
    read_list_file,
)
from ...engine.document import Document
from ...engine.findings import Related, Site, Span
from ...engine.languages import LanguageId, detect_language
from ...engine.workspace import Workspace
from ..base import RuleContext

_MAX_DEPTH = 6  # project targets followed from a binary
_PROJECT = re.compile(rb"(?im)^\s*project\s*\(")


def model_for(context: RuleContext) -> BuildModel:
    """The build model a rule checking ``context.document`` sees (see project_model)."""
    return project_model(context.document, context.workspace)


def project_model(document: Document, workspace: Workspace | None) -> BuildModel:
    """Interpret the top-level CMakeLists.txt of the file's project (so variables, helpers
    and targets of parent directories are known); the file alone when it is not reached
    from there, or when there is no workspace."""
    if workspace is None:
        own = {document.path: document.data}
        return Interpreter(own.get).run_file(document.path)
    root = project_root(workspace, document.path)
    if root is not None:
        model = workspace.memo(("cmake-model", root), lambda: _build(workspace, root))
        if document.path in model.files:
            return model
    own = workspace.memo(("cmake-model", document.path), lambda: _build(workspace, document.path))
    if own.executorch == "source" or root is None or _PROJECT.search(document.data):
        return own
    if is_executorch_root(workspace.read(root) or b""):
        own.executorch = "source"  # a piece of ExecuTorch's own build, read on its own
    return own


def _build(workspace: Workspace, path: str) -> BuildModel:
    """Only list files that changed are parsed again, and subdirectories whose files and
    inputs did not change are replayed instead of interpreted."""

    def parse(listfile: str) -> ListFile | None:
        return workspace.per_file(
            listfile,
            "cmake-list-file",
            lambda data: read_list_file(listfile, data, workspace.parsed(listfile, data)),
        )

    return Interpreter(
        workspace.read,
        list_files=parse,
        subdirectories=workspace.persistent("cmake-subdirectories"),
        version=workspace.version,
    ).run_file(path)


def project_root(workspace: Workspace, path: str) -> str | None:
    """The outermost CMakeLists.txt above ``path`` (inside the workspace) with a project()."""
    folder = os.path.dirname(path)
    return workspace.memo(("cmake-project-root", folder), lambda: _project_root(workspace, path))


def _project_root(workspace: Workspace, path: str) -> str | None:
    roots = workspace.memo(("cmake-roots",), lambda: [str(r.resolve()) for r in workspace.roots])
    roots = roots or [os.path.dirname(path)]
    folder = os.path.dirname(path)
    found = None
    while True:
        listfile = os.path.join(folder, "CMakeLists.txt")
        if workspace.per_file(listfile, "cmake-declares-project", _declares_project):
            found = listfile
        parent = os.path.dirname(folder)
        if parent == folder or not any(parent.startswith(root) for root in roots):
            return found
        folder = parent


def _declares_project(data: bytes) -> bool:
    return _PROJECT.search(data) is not None


def build_fingerprint(workspace: Workspace, path: str) -> int:
    """Any change to a CMake file may change what the other CMake files of its project
    resolve to (variables, helpers, targets)."""
    if detect_language(path) is not LanguageId.CMAKE:
        return 0
    data = workspace.read(path)
    return hash(data) if data is not None else 0


def links_in(model: BuildModel, path: str) -> list[LinkItem]:
    """The links written in the file ``path``, in order."""
    by_path = model.cached(("links-by-path",), lambda: _links_by_path(model))
    return by_path.get(path, [])


def _links_by_path(model: BuildModel) -> dict[str, list[LinkItem]]:
    by_path: dict[str, list[LinkItem]] = {}
    for item in model.links:
        by_path.setdefault(item.site.path, []).append(item)
    return by_path


def binaries_linked_in(model: BuildModel, path: str) -> list[str]:
    """The targets (in the model's order) with a link of their own written in ``path``:
    a finding at the head of what reaches a target can only be in such a file."""
    return model.cached(("binaries-linked-in", path), lambda: _binaries_linked_in(model, path))


def _binaries_linked_in(model: BuildModel, path: str) -> list[str]:
    linked = {item.target for item in links_in(model, path)}
    return [name for name in model.targets if name in linked]


@dataclass(frozen=True)
class Reached:
    library: str | None  # None when the value cannot be known
    first: LinkItem  # the link in the binary's own chain (where it is reported)
    item: LinkItem  # where the library itself is named
    branch: Branch


def reached(model: BuildModel, target: str) -> list[Reached]:
    """Libraries linked into ``target``, through the project's own targets too."""
    return model.cached(("reached", target), lambda: _reached(model, target))


def _reached(model: BuildModel, target: str) -> list[Reached]:
    found: list[Reached] = []
    seen: set[str] = set()

    def visit(
        name: str, first: LinkItem | None, branch: Branch, depth: int, shared: bool = False
    ) -> None:
        if depth > _MAX_DEPTH or name in seen:
            return
        seen.add(name)
        for item in model.links_of(name):
            if shared and item.scope == "PRIVATE":
                continue  # linked into the shared library itself, not into its users
            if item.kind not in ("target", "file", "unknown", "genex"):
                continue
            combined = (*branch, *item.branch)
            if not compatible(branch, item.branch):
                continue
            head = first or item
            found.append(Reached(item.library, head, item, combined))
            defined = model.target(item.library) if item.kind == "target" and item.library else None
            if defined is not None and not defined.executorch:
                visit(item.library, head, combined, depth + 1, defined.shared)
        seen.discard(name)

    visit(target, None, (), 0)
    return found


def paired_links(
    model: BuildModel, binary: str, first: frozenset[str], second: frozenset[str]
) -> list[tuple[Reached, Reached]]:
    """Each library of ``first`` reaching ``binary``, with the first library of ``second``
    reaching it that can be linked in the same configuration (compatible branches)."""
    links = reached(model, binary)
    candidates = [link for link in links if link.library in second]
    pairs = []
    for link in (link for link in links if link.library in first):
        other = next((c for c in candidates if compatible(c.branch, link.branch)), None)
        if other is not None:
            pairs.append((link, other))
    return pairs


def related_at(context: RuleContext, where: LinkItem | Site, message: str) -> Related:
    """Related information at a link or site, which may lie in another file."""
    site = where.site if isinstance(where, LinkItem) else where
    path = site.path if site.path != context.document.path else None
    return Related(Span(site.start, site.end), message, path=path)
