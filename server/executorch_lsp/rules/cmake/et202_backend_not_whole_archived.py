"""ET202 backend-not-whole-archived: a registering library linked so that its
registration is dropped by the linker."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ...engine.cmake_model import BuildModel, LinkItem, Target, library_of_file
from ...engine.findings import Finding, Fix, Severity, Span, TextEdit
from ...engine.languages import LanguageId
from ..base import Rule, RuleContext
from .build import build_fingerprint, links_in, model_for
from .et202_docs import DOCS
from .registering import registrar

# Files where a link can be written: target_link_libraries / link_libraries arguments,
# a find_library() result, -l flags or library paths.
_SHARED = re.compile(r"\.(?:so|dylib|dll)(?:\.[\d.]+)?$")


def check(context: RuleContext) -> Iterator[Finding]:
    document = context.document
    model = model_for(context)
    for item in links_in(model, document.path):
        if item.kind == "empty-whole-archive":
            yield _empty_region(context, item)
            continue
        library, how = _dropped(item, model)
        if library is None:
            continue
        found = registrar(library, model)
        if found is not None:
            yield _finding(context, item, found.library, how, found.registers, found.error)


def _dropped(item: LinkItem, model: BuildModel) -> tuple[str | None, str]:
    """The library a link item brings in as a plain archive, and how it is linked."""
    if item.whole_archive:
        return None, ""
    if item.kind == "file":
        if _SHARED.search(item.text):
            return None, ""
        how = f"`-l{item.library}`" if item.text.startswith("-l") else "as a file"
        return item.library, how
    if item.kind == "target":
        target = model.target(item.library or "")
        if target is not None and _hand_made_import(target):
            library = library_of_file(target.imported_location or "")
            return library, f"through the imported target `{target.name}`"
    return None, ""


def _hand_made_import(target: Target) -> bool:
    """An IMPORTED target the project declares itself for an archive, without the
    whole-archive link options ExecuTorch's own targets carry."""
    if target.executorch or target.whole_archive_interface or target.kind != "imported":
        return False
    location = target.imported_location or ""
    return bool(location) and not _SHARED.search(location)


def _finding(
    context: RuleContext, item: LinkItem, library: str, how: str, registers: str, error: str
) -> Finding:
    message = (
        f"`{library}` is linked {how} without whole-archive: nothing references its "
        f"registration, so the linker drops {registers} and loading a model fails with "
        f"{error}. Wrap it in `$<LINK_LIBRARY:WHOLE_ARCHIVE,...>` (CMake 3.24+), or link "
        "ExecuTorch's CMake target, which carries the option"
    )
    via = f" (inside `{item.via[0]}()`)" if item.via else ""
    return context.finding(
        Span(item.site.start, item.site.end), message + via, fix=_fix(context, item)
    )


def _fix(context: RuleContext, item: LinkItem) -> Fix | None:
    if item.via or item.kind != "file" or item.text.startswith("-l"):
        return None
    original = context.document.data[item.site.start : item.site.end].decode("utf-8", "replace")
    if original.startswith('"') or ";" in original or not original.strip():
        return None
    wrapped = f'"$<LINK_LIBRARY:WHOLE_ARCHIVE,{original}>"'
    return Fix(
        "Link it whole-archive ($<LINK_LIBRARY:WHOLE_ARCHIVE,...>, CMake 3.24+)",
        (TextEdit(Span(item.site.start, item.site.end), wrapped),),
        safe=False,
    )


def _empty_region(context: RuleContext, item: LinkItem) -> Finding:
    return context.finding(
        Span(item.site.start, item.site.end),
        "This `--whole-archive` ... `--no-whole-archive` pair encloses nothing: the library "
        "meant to be inside is linked elsewhere as a plain archive (or was lost from a "
        "variable), and its registration is dropped",
    )


RULE = Rule(
    code="ET202",
    name="backend-not-whole-archived",
    title="Backend or kernel library linked without whole-archive",
    languages=frozenset({LanguageId.CMAKE}),
    severity=Severity.ERROR,
    fixable=True,
    docs=DOCS,
    check=check,
    # No literal anchors: a link can come from a call of the project's own helper,
    # defined in another file; the build model is shared by the project's files.
    workspace_fingerprint=build_fingerprint,
)
