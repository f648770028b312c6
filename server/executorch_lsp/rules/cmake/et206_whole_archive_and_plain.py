"""ET206 whole-archive-and-plain-link: one library linked both through
$<LINK_LIBRARY:WHOLE_ARCHIVE,...> and plainly into the same target."""

from __future__ import annotations

from collections.abc import Iterator

from ...engine.cmake_model import compatible
from ...engine.findings import Finding, Severity, Span
from ...engine.languages import LanguageId
from ..base import Rule, RuleContext, RuleDocs, Source
from .build import model_for, related_at

ISSUE_URL = "https://github.com/pytorch/executorch/issues/10166"
UTILS_URL = "https://github.com/pytorch/executorch/blob/main/tools/cmake/Utils.cmake"


def check(context: RuleContext) -> Iterator[Finding]:
    document = context.document
    model = model_for(context)
    genex = [item for item in model.links if item.text.startswith("$<LINK_LIBRARY:WHOLE_ARCHIVE")]
    for archived in genex:
        for plain in model.links_of(archived.target):
            if (
                plain.kind == "target"
                and plain.library == archived.library
                and not plain.text.startswith("$<")
                and compatible(plain.branch, archived.branch)
            ):
                later, earlier = (
                    (plain, archived)
                    if plain.site.start > archived.site.start
                    else (archived, plain)
                )
                if later.site.path != document.path:
                    continue
                related = [
                    related_at(context, earlier, f"`{archived.library}` is also linked here")
                ]
                yield context.finding(
                    Span(later.site.start, later.site.end),
                    f"`{archived.library}` reaches `{archived.target}` both through "
                    "`$<LINK_LIBRARY:WHOLE_ARCHIVE,...>` and as a plain library: CMake refuses "
                    '("Impossible to link target ... because the link item ... is specified '
                    'with the features WHOLE_ARCHIVE and DEFAULT"). Link it one way only',
                    related=related,
                )
                break


RULE = Rule(
    code="ET206",
    name="whole-archive-and-plain-link",
    title="Library linked both whole-archive and plainly",
    languages=frozenset({LanguageId.CMAKE}),
    severity=Severity.ERROR,
    fixable=False,
    check=check,
    anchors=(b"LINK_LIBRARY:WHOLE_ARCHIVE",),
    docs=RuleDocs(
        problem=(
            "One target links a library through `$<LINK_LIBRARY:WHOLE_ARCHIVE,lib>` and also "
            "names `lib` plainly (in the same or another `target_link_libraries`)."
        ),
        bad=(
            "add_executable(app main.cpp)\n"
            'target_link_libraries(app PRIVATE "$<LINK_LIBRARY:WHOLE_ARCHIVE,custom_ops>")\n'
            "target_link_libraries(app PRIVATE custom_ops)\n"
        ),
        good=(
            "add_executable(app main.cpp)\n"
            'target_link_libraries(app PRIVATE "$<LINK_LIBRARY:WHOLE_ARCHIVE,custom_ops>")\n'
        ),
        why=(
            "Before CMake 3.30 a library may carry only one link feature per target: naming it "
            'with WHOLE_ARCHIVE and without makes configuration fail with "Impossible to link '
            "target\". ExecuTorch's own `executorch_target_whole_archive()` avoids the "
            "generator expression for this reason."
        ),
        exceptions=(
            "Links in branches that cannot both be taken are not reported; libraries that "
            "reach the target only through other targets are not followed."
        ),
        sources=(
            Source("ExecuTorch issue #10166", ISSUE_URL),
            Source("tools/cmake/Utils.cmake (executorch_target_whole_archive)", UTILS_URL),
        ),
        example_language="cmake",
    ),
)
