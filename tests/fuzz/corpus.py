"""Seed inputs for the fuzzers: the rule tests' snippets, the rules' documented examples,
the demo app, and the runtime-log test lines."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from executorch_lsp.engine.languages import LanguageId, detect_language
from executorch_lsp.rules import RULES

TESTS = Path(__file__).resolve().parent.parent
REPOSITORY = TESTS.parent
LOG = "log"  # the runtime-log explainer's input, next to the four languages

_LANGUAGE_BY_SERIES = {
    "1": LanguageId.CPP,
    "2": LanguageId.CMAKE,
    "3": LanguageId.STARLARK,
    "4": LanguageId.PYTHON,
}
_EXAMPLE_LANGUAGES = {
    "cpp": LanguageId.CPP,
    "cmake": LanguageId.CMAKE,
    "python": LanguageId.PYTHON,
    "starlark": LanguageId.STARLARK,
    "bzl": LanguageId.STARLARK,
}
_RULE_TEST = re.compile(r"test_et(\d)\d\d_")


@dataclass(frozen=True)
class Seed:
    kind: LanguageId | str  # a language, or LOG
    data: bytes
    origin: str


def _snippets(path: Path, minimum: int = 12, any_text: bool = False) -> list[str]:
    """The string literals of a test module that look like source snippets (or, with
    ``any_text``, every literal of at least ``minimum`` characters)."""
    tree = ast.parse(path.read_text("utf-8"))
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and len(node.value) >= minimum
        and (any_text or "\n" in node.value or "(" in node.value)
    ]


def _guess_language(snippet: str) -> LanguageId:
    """For tests of rules of every language (ET900)."""
    if "//" in snippet or ";" in snippet:
        return LanguageId.CPP
    if "load(" in snippet or "= [" in snippet:
        return LanguageId.STARLARK
    if "import " in snippet:
        return LanguageId.PYTHON
    return LanguageId.CMAKE


def _rule_test_seeds() -> list[Seed]:
    seeds = []
    for path in sorted((TESTS / "rules").glob("test_*.py")):
        match = _RULE_TEST.match(path.name)
        language = _LANGUAGE_BY_SERIES.get(match.group(1)) if match else LanguageId.CPP
        for snippet in _snippets(path):
            kind = language or _guess_language(snippet)
            seeds.append(Seed(kind, snippet.encode("utf-8", "surrogatepass"), path.name))
    return seeds


def _documented_examples() -> list[Seed]:
    seeds = []
    for rule in RULES:
        language = _EXAMPLE_LANGUAGES.get(rule.docs.example_language)
        if language is None:
            continue
        for name, text in (("bad", rule.docs.bad), ("good", rule.docs.good)):
            seeds.append(Seed(language, text.encode(), f"{rule.code} {name}"))
    return seeds


def _demo_app() -> list[Seed]:
    seeds = []
    for path in sorted((REPOSITORY / "examples" / "demo-app").iterdir()):
        language = detect_language(path)
        if language is not None:
            seeds.append(Seed(language, path.read_bytes(), str(path.name)))
    return seeds


def _log_seeds() -> list[Seed]:
    seeds = []
    for path in (TESTS / "knowledge" / "test_runtime_log.py", TESTS / "e2e" / "test_logs.py"):
        for line in _snippets(path, minimum=8, any_text=True):
            seeds.append(Seed(LOG, line.encode("utf-8", "surrogatepass"), path.name))
    joined = b"\n".join(seed.data for seed in seeds)
    seeds.append(Seed(LOG, joined, "every log line"))
    return seeds


@cache
def seeds() -> tuple[Seed, ...]:
    """Every seed, in a stable order (the fuzz runs are reproducible from a random seed)."""
    return tuple(_rule_test_seeds() + _documented_examples() + _demo_app() + _log_seeds())


KINDS: tuple[LanguageId | str, ...] = (*LanguageId, LOG)
