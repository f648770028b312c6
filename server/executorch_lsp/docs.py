"""Rule documentation rendered from rule metadata: docs/rules/*.md, the README table,
``explain ETxxx`` and hovers all come from here, so they cannot drift.

    python -m executorch_lsp.docs           # regenerate docs/rules and the README table
    python -m executorch_lsp.docs --check   # exit 1 when they are stale
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .engine.suppressions import LINE_COMMENT
from .rules import ASSIGNED_CODES, RULES
from .rules.base import Rule

_LANGUAGE_NAMES = {"cpp": "C++", "cmake": "CMake", "starlark": "Buck/Starlark", "python": "Python"}
TABLE_START = "<!-- rules-table:start -->"
TABLE_END = "<!-- rules-table:end -->"
RESERVED_START = "<!-- reserved-codes:start -->"
RESERVED_END = "<!-- reserved-codes:end -->"


def languages_of(rule: Rule) -> str:
    if len(rule.languages) == len(_LANGUAGE_NAMES):
        return "all"
    return ", ".join(sorted(_LANGUAGE_NAMES[lang.value] for lang in rule.languages))


def _comment_token(rule: Rule) -> str:
    language = sorted(rule.languages, key=lambda lang: lang.value)[0]
    return LINE_COMMENT[language]


def rule_markdown(rule: Rule) -> str:
    """The full page for a rule (docs/rules/<CODE>.md and ``explain <CODE>``)."""
    docs = rule.docs
    fence = docs.example_language
    token = _comment_token(rule)
    sources = "\n".join(f"- [{source.title}]({source.url})" for source in docs.sources)
    return (
        f"# {rule.code} {rule.name}\n\n"
        f"**{rule.title}**\n\n"
        f"Language: {languages_of(rule)} · Default severity: {rule.severity.value} · "
        f"Quick fix: {'yes' if rule.fixable else 'no'}\n\n"
        f"## What it finds\n\n{docs.problem}\n\n"
        f"## Example\n\n```{fence}\n{docs.bad}```\n\n"
        f"## Use instead\n\n```{fence}\n{docs.good}```\n\n"
        f"## Why\n\n{docs.why}\n\n"
        f"{_measuring_section(rule)}"
        f"## Exceptions\n\n{docs.exceptions}\n\n"
        f"## Suppressing\n\n`{token} executorch-lsp: ignore[{rule.code}] -- reason` on the line "
        f"(or alone on the line above); `{token} executorch-lsp: file-ignore[{rule.code}]` "
        f"for the whole file.\n\n"
        f"## Sources\n\n{sources}\n"
    )


def _measuring_section(rule: Rule) -> str:
    return f"## Measuring\n\n{rule.docs.measuring}\n\n" if rule.docs.measuring else ""


def rule_hover_markdown(rule: Rule) -> str:
    """A compact version for hovers over a diagnostic or a code in a suppression."""
    measuring = f"{rule.docs.measuring}\n\n" if rule.docs.measuring else ""
    return (
        f"**{rule.code} {rule.name}**: {rule.title}\n\n{rule.docs.problem}\n\n"
        f"{rule.docs.why}\n\n{measuring}[Rule documentation]({rule.docs_url})"
    )


def rules_table() -> str:
    rows = ["| Code | Name | Language | Severity | Fix |", "| --- | --- | --- | --- | --- |"]
    for rule in RULES:
        rows.append(
            f"| [{rule.code}](docs/rules/{rule.code}.md) | {rule.name} | {languages_of(rule)} | "
            f"{rule.severity.value} | {'yes' if rule.fixable else ''} |"
        )
    return "\n".join(rows)


def reserved_codes() -> str:
    """Codes assigned to rules that are not implemented yet."""
    implemented = {rule.code for rule in RULES}
    reserved = [
        f"{code} {name}" for code, name in ASSIGNED_CODES.items() if code not in implemented
    ]
    if not reserved:
        return "No codes are reserved for rules to come."
    return "Reserved for rules to come: " + ", ".join(reserved) + "."


def _replace_block(text: str, start: str, end: str, content: str) -> str:
    if start not in text or end not in text:
        return text
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{start}\n{content}\n{end}{tail}"


def expected_files(root: Path) -> dict[Path, str]:
    files = {root / "docs" / "rules" / f"{rule.code}.md": rule_markdown(rule) for rule in RULES}
    readme = root / "README.md"
    if readme.exists():
        text = readme.read_text("utf-8")
        text = _replace_block(text, TABLE_START, TABLE_END, rules_table())
        files[readme] = _replace_block(text, RESERVED_START, RESERVED_END, reserved_codes())
    return files


def stale_files(root: Path) -> list[Path]:
    return [
        path
        for path, content in expected_files(root).items()
        if not path.exists() or path.read_text("utf-8") != content
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail when files are stale")
    parser.add_argument("--root", type=Path, default=Path.cwd())
    args = parser.parse_args(argv)
    stale = stale_files(args.root)
    if args.check:
        for path in stale:
            print(f"stale: {path} (run: python -m executorch_lsp.docs)", file=sys.stderr)
        return 1 if stale else 0
    for path, content in expected_files(args.root).items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
