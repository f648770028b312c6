"""Helpers for rule tests: run the engine on a snippet and compare with markers.

A line that should get a finding carries a plain comment ``<- ET101`` (in the
file's own comment syntax); every other line must stay clean.
"""

from __future__ import annotations

import re

from executorch_lsp.engine.analysis import analyze
from executorch_lsp.engine.config import Config
from executorch_lsp.engine.document import Document
from executorch_lsp.engine.findings import Finding, apply_edits
from executorch_lsp.engine.languages import LanguageId

_EXTENSIONS = {
    LanguageId.CPP: "main.cpp",
    LanguageId.CMAKE: "CMakeLists.txt",
    LanguageId.STARLARK: "BUCK",
    LanguageId.PYTHON: "export.py",
}


def document(source: str, language: LanguageId = LanguageId.CPP) -> Document:
    return Document.from_text(_EXTENSIONS[language], language, source)


def run(source: str, language: LanguageId = LanguageId.CPP, config: Config | None = None):
    doc = document(source, language)
    return doc, analyze(doc, config or Config())


def findings(source: str, code: str, language: LanguageId = LanguageId.CPP) -> list[Finding]:
    _, analysis = run(source, language)
    assert not analysis.failures, analysis.failures
    return [f for f in analysis.findings if f.code == code]


def finding_lines(source: str, code: str, language: LanguageId = LanguageId.CPP) -> list[int]:
    doc, _ = run(source, language)
    return sorted({doc.buffer.line_of(f.span.start) + 1 for f in findings(source, code, language)})


def marked_lines(source: str, code: str) -> list[int]:
    pattern = re.compile(rf"<-\s*{code}\b")
    return [number for number, line in enumerate(source.splitlines(), 1) if pattern.search(line)]


def assert_marked(source: str, code: str, language: LanguageId = LanguageId.CPP) -> None:
    assert finding_lines(source, code, language) == marked_lines(source, code)


def fixed(source: str, code: str, language: LanguageId = LanguageId.CPP) -> str | None:
    """The source after applying the first finding's fix (None when it has none)."""
    doc, analysis = run(source, language)
    hits = [f for f in analysis.findings if f.code == code]
    assert hits, f"no {code} finding"
    if hits[0].fix is None:
        return None
    return apply_edits(doc.data, list(hits[0].fix.edits)).decode()
