"""``explain WHAT``: a rule's page or an ExecuTorch error's meaning (CLI and server)."""

from __future__ import annotations

from .docs import rule_markdown
from .knowledge.explain import explain
from .rules import ASSIGNED_CODES, rule_by_code, rule_by_name


def explain_text(what: str) -> str | None:
    """Markdown for a rule code or name, or an error code, name or number; None if unknown."""
    query = what.strip()
    rule = rule_by_code(query) or rule_by_name(query.lower())
    if rule is not None:
        return rule_markdown(rule)
    code = query.upper()
    if code in ASSIGNED_CODES:
        return f"{code} ({ASSIGNED_CODES[code]}) is reserved; the rule is not implemented yet.\n"
    return explain(query) if query else None
