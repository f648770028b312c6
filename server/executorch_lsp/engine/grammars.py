"""Tree-sitter grammars, parsers and the query files shipped in ``grammars/``.

Languages and compiled queries are created once per process. Parsers are not
thread-safe, so each thread gets its own.
"""

from __future__ import annotations

import importlib
import re
import threading
import time
from functools import cache
from importlib import resources

import tree_sitter as ts

from .languages import LanguageId

_GRAMMAR_MODULES = {
    LanguageId.CPP: ("tree_sitter_cpp", "language"),
    LanguageId.CMAKE: ("tree_sitter_cmake", "language"),
    LanguageId.PYTHON: ("tree_sitter_python", "language"),
    LanguageId.STARLARK: ("tree_sitter_starlark", "language"),
}

# Attribute-like macros that tree-sitter-cpp cannot parse. They are blanked to
# spaces before parsing (offsets unchanged), which removes many ERROR nodes and
# keeps incremental re-parses cheap.
_CPP_ATTRIBUTE_MACROS = re.compile(
    rb"\b(?:ET_NODISCARD|ET_UNUSED|ET_INLINE|ET_NOINLINE|ET_DEPRECATED|ET_EXPERIMENTAL|"
    rb"ET_RESTRICT|ET_NORETURN|ET_WEAK|ET_FORALL_SCALAR_TYPES_AND|C10_HOST_DEVICE|"
    rb"C10_API|C10_EXPORT|AOTI_SHIM_EXPORT|ET_EXPORT|TORCH_API|ET_LIKELY|ET_UNLIKELY)\b"
)
# printf format macros between string literals ("%" PRIu32 "\n") become string
# literals of the same length, so the concatenation parses.
_FORMAT_MACROS = re.compile(
    rb"\b(?:PRI[diouxX](?:8|16|32|64|PTR|MAX|LEAST8|LEAST16|LEAST32|LEAST64|FAST8|FAST16|"
    rb"FAST32|FAST64)|ET_PRIs?size_t)\b"
)

_MACRO_PREFIXES = (b"ET_", b"C10_", b"AOTI_", b"TORCH_API")

# Files above this size are parsed from chunks, so the parser gives up the GIL
# between chunks and the server's event loop stays responsive.
_CHUNKED_PARSE_THRESHOLD = 256 * 1024
_CHUNK_SIZE = 32 * 1024


@cache
def language(language_id: LanguageId) -> ts.Language:
    module_name, attribute = _GRAMMAR_MODULES[language_id]
    module = importlib.import_module(module_name)
    return ts.Language(getattr(module, attribute)())


_local = threading.local()


def parser(language_id: LanguageId) -> ts.Parser:
    parsers = getattr(_local, "parsers", None)
    if parsers is None:
        parsers = _local.parsers = {}
    if language_id not in parsers:
        parsers[language_id] = ts.Parser(language(language_id))
    return parsers[language_id]


def prepare_source(language_id: LanguageId, data: bytes) -> bytes:
    """The bytes given to the parser: for C++, attribute macros are blanked."""
    if language_id is not LanguageId.CPP:
        return data
    if any(prefix in data for prefix in _MACRO_PREFIXES):
        data = _CPP_ATTRIBUTE_MACROS.sub(lambda m: b" " * len(m.group(0)), data)
    if b"PRI" in data:
        data = _FORMAT_MACROS.sub(lambda m: b'"' + m.group(0)[1:-1] + b'"', data)
    return data


def parse(language_id: LanguageId, source: bytes, old_tree: ts.Tree | None = None) -> ts.Tree:
    """Parse ``source`` as returned by ``prepare_source``."""
    active_parser = parser(language_id)
    if len(source) <= _CHUNKED_PARSE_THRESHOLD:
        return active_parser.parse(source, old_tree) if old_tree else active_parser.parse(source)
    reader = _ChunkReader(source)
    chunked = active_parser.parse(reader, old_tree) if old_tree else active_parser.parse(reader)
    # A tree parsed from a reader fetches every node's text through it, a chunk copy
    # per node. Re-parsing the unchanged text reuses the whole tree (about 5 % of a
    # parse) and gives a tree that holds the bytes.
    return active_parser.parse(source, chunked)


class _ChunkReader:
    """Feeds the parser in chunks and yields the GIL between them."""

    def __init__(self, source: bytes) -> None:
        self.source = source

    def __call__(self, offset: int, _point: tuple[int, int]) -> bytes:
        time.sleep(0)  # let other threads (the event loop) run between chunks
        return self.source[offset : offset + _CHUNK_SIZE]


def query_text(relative_path: str) -> str:
    """The text of a query file such as ``cpp/et101_threadpool_reset_after_load.scm``."""
    return (resources.files("executorch_lsp") / "grammars" / relative_path).read_text("utf-8")


@cache
def compile_query(language_id: LanguageId, relative_path: str) -> ts.Query:
    return ts.Query(language(language_id), query_text(relative_path))


# Helper queries used by shared code rather than by one rule.
SHARED_QUERIES = frozenset(
    {
        "cpp/declarations.scm",
        "cpp/function_definitions.scm",
        "cpp/classes.scm",
        "python/script_nodes.scm",
    }
)


def query_files() -> list[str]:
    """Every ``<language>/<name>.scm`` shipped with the package."""
    root = resources.files("executorch_lsp") / "grammars"
    found = []
    for folder in root.iterdir():
        if folder.is_dir():
            found.extend(
                f"{folder.name}/{entry.name}"
                for entry in folder.iterdir()
                if entry.name.endswith(".scm")
            )
    return sorted(found)
