"""ET900 unused-suppression: a suppression comment that suppresses nothing."""

from __future__ import annotations

from collections.abc import Iterator

from ...engine.findings import Finding, Fix, Severity
from ...engine.languages import LanguageId
from ...engine.suppressions import removal_edit
from ..base import Rule, RuleContext, RuleDocs, Source


def check(context: RuleContext) -> Iterator[Finding]:
    from .. import ASSIGNED_CODES, rule_by_code

    document, config = context.document, context.config
    for suppression in context.suppressions:
        for entry in suppression.codes:
            if entry.used or entry.code == RULE.code:
                continue
            rule = rule_by_code(entry.code)
            if entry.code not in ASSIGNED_CODES:
                message = f"Unknown rule code {entry.code} in suppression comment"
            elif rule is None or (config is not None and not config.is_enabled(entry.code)):
                continue  # not implemented yet, or switched off: nothing ran to suppress
            elif document.language not in rule.languages:
                message = (
                    f"{entry.code} ({rule.name}) never applies to "
                    f"{document.language.value} files; this suppression does nothing"
                )
            else:
                scope = "in this file" if suppression.file_wide else "on this line"
                message = f"Unused suppression: {entry.code} ({rule.name}) reports nothing {scope}"
            edit = removal_edit(document, suppression, entry)
            yield context.finding(
                entry.span, message, fix=Fix(f"Remove unused suppression of {entry.code}", (edit,))
            )


RULE = Rule(
    code="ET900",
    name="unused-suppression",
    title="Suppression comment that suppresses nothing",
    languages=frozenset(LanguageId),
    severity=Severity.WARNING,
    fixable=True,
    meta=True,
    check=check,
    docs=RuleDocs(
        problem=(
            "An `executorch-lsp: ignore[...]` or `file-ignore[...]` comment names a code that "
            "reports nothing where the comment applies, or a code that does not exist."
        ),
        bad=("int main() {\n  // executorch-lsp: ignore[ET101]\n  run_model();\n}\n"),
        good="int main() {\n  run_model();\n}\n",
        why=(
            "Stale suppressions hide the next real finding on that line and make readers "
            "believe there is a problem that no longer exists. Removing them keeps every "
            "remaining suppression meaningful."
        ),
        exceptions=(
            "Codes of rules switched off in the configuration, and codes that are assigned "
            "but whose rule is not implemented yet, are not reported. Suppress this rule for "
            "a whole file with `executorch-lsp: file-ignore[ET900]`."
        ),
        sources=(
            Source("ruff: unused-noqa (RUF100)", "https://docs.astral.sh/ruff/rules/unused-noqa/"),
        ),
        example_language="cpp",
    ),
)
