"""Incremental re-analysis gives exactly what a fresh analysis of the same text gives."""

from __future__ import annotations

import random

import pytest

from executorch_lsp.engine.analysis import analyze
from executorch_lsp.engine.config import Config
from executorch_lsp.engine.document import Document
from executorch_lsp.engine.languages import LanguageId
from executorch_lsp.engine.text import PositionEncoding, TextBuffer

SOURCE = """#include <executorch/runtime/platform/platform.h>
using executorch::runtime::Error;

void report(Result<Method>& method) {
  printf("load failed: %d\\n", (int)method.error());
}

int count(Module& module) {
  auto status = module.load();
  ET_LOG(Error, "status %u", (unsigned)status);
  return 0;
}

namespace app {
void et_pal_init(void) {}
}

void run(Module& module) {
  Error err = module.load_forward();
  std::cerr << "error " << static_cast<int>(err) << std::endl;
  (void)module.forward();
  ::executorch::extension::threadpool::get_threadpool()->_unsafe_reset_threadpool(2);
}
"""
PIECES = [
    "x",
    " ",
    "\n",
    "%d",
    "(int)",
    "err",
    ";",
    "{",
    "}",
    "// ",
    "é",
    "",
    "x->_unsafe_reset_threadpool(32);",
    "module.load();",
    "et_pal_",
    "(void)",
]


def _summary(document: Document, analysis) -> list[tuple]:
    return [(f.code, f.span.start, f.span.end, f.message, f.fix) for f in analysis.findings]


# Deprecated APIs (ET107), strict mlock (ET108) and ET_UNWRAP on Windows (ET109).
MIGRATION_SOURCE = """#include <executorch/extension/module/module.h>
#ifdef _WIN32
#include <windows.h>
#endif
using torch::executor::Error;

Result<size_t> names(Module& module) {
  auto found = ET_UNWRAP(module.method_names());
  return found.size();
}

void open(const std::string& path, EventTracer* tracer) {
  Module module(path, Module::LoadMode::MmapUseMlock);
  (void)module.load_method("forward", tracer);
  auto method = module.method("forward");
}

class Holder {
  Holder(const std::string& path) : module_(path, Module::LoadMode::MmapUseMlock) {}
  Module module_;
};
"""
MIGRATION_PIECES = [
    "x",
    " ",
    "\n",
    ";",
    "{",
    "}",
    "// ",
    "",
    "torch::executor::",
    "IgnoreErrors",
    "ET_UNWRAP(",
    "executorch",
    "_WIN32",
    "nullptr, ",
    "Module m;",
]


@pytest.mark.parametrize("seed", range(25))
def test_incremental_matches_fresh_analysis(seed: int) -> None:
    _random_edits(SOURCE, PIECES, seed)


@pytest.mark.parametrize("seed", range(15))
def test_incremental_matches_fresh_analysis_for_migration_rules(seed: int) -> None:
    _random_edits(MIGRATION_SOURCE, MIGRATION_PIECES, seed)


def _random_edits(source: str, pieces: list[str], seed: int) -> None:
    rng = random.Random(seed)
    config = Config()
    document = Document.from_text("/tmp/x.cpp", LanguageId.CPP, source)
    previous = analyze(document, config)
    text = source
    for _ in range(25):
        buffer = TextBuffer.from_text(text)
        start = rng.randrange(len(text) + 1)
        end = min(len(text), start + rng.choice([0, 0, 1, 3]))
        new = rng.choice(pieces)
        document.edit(
            buffer.position_at(len(text[:start].encode()), PositionEncoding.UTF16),
            buffer.position_at(len(text[:end].encode()), PositionEncoding.UTF16),
            new,
            PositionEncoding.UTF16,
        )
        text = text[:start] + new + text[end:]
        if rng.random() < 0.5:
            continue  # several edits between analyses, as when keystrokes are coalesced
        previous = analyze(document, config, previous)
        fresh_document = Document.from_text("/tmp/x.cpp", LanguageId.CPP, text)
        fresh = analyze(fresh_document, config)
        assert _summary(document, previous) == _summary(fresh_document, fresh)


def test_typing_inside_a_function_examines_only_that_function(monkeypatch) -> None:
    from executorch_lsp.engine import analysis

    config = Config()
    document = Document.from_text("/tmp/x.cpp", LanguageId.CPP, SOURCE)
    first = analyze(document, config)
    assert sorted({f.code for f in first.findings}) == ["ET101", "ET105", "ET106"]
    ranges = []
    original = analysis._matches_by_rule

    def recording(document, rules, byte_range):
        ranges.append(([rule.code for rule in rules], byte_range))
        return original(document, rules, byte_range)

    monkeypatch.setattr(analysis, "_matches_by_rule", recording)
    line = SOURCE.splitlines().index("int count(Module& module) {") + 1
    document.edit((line, 0), (line, 0), "  int unused = 0;\n", PositionEncoding.UTF16)
    second = analyze(document, config, first)
    function = SOURCE.index("int count(")
    assert (
        ["ET105"],
        (function, SOURCE.index("namespace app") - 2 + len("  int unused = 0;\n")),
    ) in ranges
    assert len(second.findings) == len(first.findings)
    shifted = len("  int unused = 0;\n")
    last_before, last_after = first.findings[-1], second.findings[-1]
    assert last_after.span.start == last_before.span.start + shifted


def test_edit_outside_functions_analyses_everything(monkeypatch) -> None:
    from executorch_lsp.engine import analysis

    config = Config()
    document = Document.from_text("/tmp/x.cpp", LanguageId.CPP, SOURCE)
    first = analyze(document, config)
    ranges = []
    original = analysis._matches_by_rule
    monkeypatch.setattr(
        analysis,
        "_matches_by_rule",
        lambda d, rules, byte_range: ranges.append(byte_range) or original(d, rules, byte_range),
    )
    document.edit((1, 0), (1, 0), "int global_value = 0;\n", PositionEncoding.UTF16)
    analyze(document, config, first)
    assert ranges == [None]
