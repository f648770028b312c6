"""A model of a CMake build: what each target links, per ``if()`` branch.

Not a CMake implementation: an abstract interpreter that evaluates enough to know
which libraries reach which target and how (a CMake target, a file, a ``-l`` flag,
inside a whole-archive region or not). Variables set with ``set()`` are followed;
options, cache variables and platform checks are unknown, so both branches of an
``if()`` on them are explored, and every link is tagged with the branches it sits
in. Project functions and macros are run with their arguments, so a project's own
whole-archive helper is understood. Values that cannot be known are marked
unknown and never lead to a finding.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import re
import threading
from collections import ChainMap
from collections.abc import Callable, Iterator, MutableMapping
from dataclasses import dataclass, field, replace
from functools import partial
from typing import NamedTuple

import tree_sitter as ts

from .document import Document
from .findings import Site
from .languages import LanguageId

UNKNOWN = "\x00?"  # a value that cannot be known statically
Branch = tuple[tuple[int, int], ...]  # (if-command id, branch index) from outermost
_MAX_DEPTH = 12
# Blocks (if, foreach, while, block, included files) nested deeper than this are not read:
# reading them recurses once per level, and Python's stack is finite.
_MAX_NESTING = 100
# Statements one model runs at most: loops and calls multiply (a foreach in a foreach, a
# function calling itself twice); past this the rest of the build is not read.
_MAX_STATEMENTS = 50_000
_MAX_LOOP = 64
_MAX_FILES = 400
_VARIABLE = re.compile(r"\$\{([^${}]*)\}")
_ENV = re.compile(r"\$(?:ENV|CACHE)\{[^${}]*\}")
_CONSTANT_TRUE = frozenset({"1", "ON", "YES", "TRUE", "Y"})
_NONZERO_NUMBER = re.compile(r"-?[1-9]\d*(\.\d+)?")
_CONSTANT_FALSE = frozenset({"0", "OFF", "NO", "FALSE", "N", "IGNORE", "NOTFOUND", ""})
_SCOPES = frozenset({"PRIVATE", "PUBLIC", "INTERFACE", "LINK_PRIVATE", "LINK_PUBLIC"})
_KEYWORDS_IN_LINK = frozenset({"debug", "optimized", "general"})
FOUND_LIBRARY = "\x00found:"  # find_library() result: a file of the named library


@dataclass(frozen=True)
class LinkItem:
    """One library or flag reaching a target."""

    target: str
    text: str  # the value after expansion
    kind: str  # "target", "file", "flag", "genex" or "unknown"
    library: str | None  # the library it names (``xnnpack_backend`` for libxnnpack_backend.a)
    whole_archive: bool
    site: Site  # the argument that produced it (in the file that links)
    branch: Branch
    via: tuple[str, ...] = ()  # functions or macros called on the way
    scope: str = "PRIVATE"


@dataclass
class Target:
    name: str
    kind: str  # "executable", "library", "interface", "imported", "alias"
    site: Site
    branch: Branch
    imported_location: str | None = None
    whole_archive_interface: bool = False  # carries --whole-archive/-force_load for consumers
    executorch: bool = False  # defined by ExecuTorch's own build (in-tree or installed)
    sources: list[str] = field(default_factory=list)  # absolute paths, where known
    shared: bool = False  # SHARED or MODULE: its PRIVATE links stay inside it


@dataclass(frozen=True)
class Assignment:
    """A value given to a variable somewhere (for hovers and ET201-like checks)."""

    name: str
    value: str
    site: Site
    branch: Branch
    cache: bool


@dataclass
class BuildModel:
    targets: dict[str, list[Target]] = field(default_factory=dict)
    links: list[LinkItem] = field(default_factory=list)
    assignments: list[Assignment] = field(default_factory=list)
    options: dict[str, tuple[str, Site]] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    executorch: str | None = None  # "subdirectory", "find_package" or "source" (the tree itself)
    calls: list[tuple[str, tuple[str, ...], Site, Branch]] = field(default_factory=list)
    functions: set[str] = field(default_factory=set)  # function() and macro() names defined
    _by_target: dict[str, list[LinkItem]] = field(default_factory=dict, repr=False)
    _indexed: int = field(default=-1, repr=False)
    _derived: dict[tuple, object] = field(default_factory=dict, repr=False)

    def target(self, name: str) -> Target | None:
        found = self.targets.get(name)
        return found[0] if found else None

    def links_of(self, target: str) -> list[LinkItem]:
        if self._indexed != len(self.links):
            self._by_target = {}
            for item in self.links:
                self._by_target.setdefault(item.target, []).append(item)
            self._indexed = len(self.links)
        return self._by_target.get(target, [])

    def cached(self, key: tuple, compute: Callable[[], object]) -> object:
        """A value derived from the finished model, computed once (models are shared by all
        the files of a project)."""
        if key not in self._derived:
            self._derived[key] = compute()
        return self._derived[key]


_TAG = "\x01"
_TAGS = re.compile(r"\x01(\d+):(\d+)")


def _tag(item: str, entry: tuple[int, int]) -> str:
    return f"{item}{_TAG}{entry[0]}:{entry[1]}"


def untag(value: str) -> tuple[str, Branch]:
    """A value without its branch marks, and the branches it exists in."""
    if _TAG not in value:
        return value, ()
    entries = tuple((int(a), int(b)) for a, b in _TAGS.findall(value))
    return _TAGS.sub("", value), entries


class _ArmScope(ChainMap):
    """The variables inside one arm of an ``if()``: its own writes (``maps[0]``) over the
    enclosing scope. The enclosing dicts are listed flat, so that a lookup is a loop over
    dicts rather than calls through nested ChainMaps."""

    def __init__(self, base: MutableMapping[str, str]) -> None:
        self.maps = [{}, *base.maps] if isinstance(base, ChainMap) else [{}, base]

    def __getitem__(self, name: str) -> str:
        for mapping in self.maps:
            if name in mapping:
                return mapping[name]
        return self.__missing__(name)

    def get(self, name: str, default: str | None = None) -> str | None:
        for mapping in self.maps:
            if name in mapping:
                return mapping[name]
        return default

    def __contains__(self, name: object) -> bool:
        return any(name in mapping for mapping in self.maps)


def _merge(
    base: MutableMapping[str, str], outcomes: list[tuple[tuple[int, int], _ArmScope]]
) -> None:
    """Variables after an ``if`` whose arms cannot be told apart: where the arms disagree,
    each list item is marked with the arm it came from."""
    changed = {name for _, variables in outcomes for name in variables.maps[0]}
    for name in changed:
        values = [variables.get(name) for _, variables in outcomes]
        if all(value == values[0] for value in values):
            if values[0] is None:
                base.pop(name, None)
            else:
                base[name] = values[0]
            continue
        item_lists = [_split(value) if value is not None else [] for value in values]
        common = set.intersection(*(set(items) for items in item_lists))
        merged: dict[str, None] = {}
        for (entry, _), items in zip(outcomes, item_lists, strict=True):
            for item in items:
                merged[item if item in common else _tag(item, entry)] = None
        base[name] = ";".join(merged)


def compatible(first: Branch, second: Branch) -> bool:
    """Whether two branch paths can both run (no ``if`` taken two different ways)."""
    if not first or not second:
        return True
    taken = dict(first)
    return all(taken.get(node, index) == index for node, index in second)


# -- library names --------------------------------------------------------------------------
_LIBRARY_FILE = re.compile(r"(?:^|[/\\])(?:lib)?([A-Za-z0-9_.+-]+?)(?:\.a|\.lib|\.so|\.dylib)$")


def library_of_file(path: str) -> str | None:
    """``.../libxnnpack_backend.a`` -> ``xnnpack_backend``."""
    match = _LIBRARY_FILE.search(path)
    return match.group(1) if match else None


# -- list files as data ----------------------------------------------------------------------
# A list file reduced once to what the interpreter reads: function bodies run many times and
# a project's files are interpreted again after every edit.
_ids = itertools.count(1)
_STABLE_IDS: dict[tuple[str, bytes, int], int] = {}
_STABLE_IDS_LOCK = threading.Lock()


class _StableIds:
    """Ids of the if() and function bodies of one file as it is read: unique in the
    process, and the same when the file is read again and the construct's text did not
    change (wherever it moved). Branch paths and function identities are keyed by them,
    so the effects recorded below an unchanged if() are replayed after an edit elsewhere."""

    def __init__(self, path: str) -> None:
        self._path = path
        self._seen: dict[bytes, int] = {}

    def of(self, text: bytes) -> int:
        digest = hashlib.blake2b(text, digest_size=16).digest()
        ordinal = self._seen.get(digest, 0)
        self._seen[digest] = ordinal + 1
        key = (self._path, digest, ordinal)
        with _STABLE_IDS_LOCK:
            if key not in _STABLE_IDS:
                _STABLE_IDS[key] = next(_ids)
            return _STABLE_IDS[key]


class Argument(NamedTuple):
    """One argument as written."""

    value: str  # unquoted (UNKNOWN for a bracket argument), before expansion
    quoted: bool
    start: int
    end: int
    literal: tuple[str, ...] | None  # its values when it references no variable


class _Command(NamedTuple):
    name: str  # lower case
    arguments: tuple[Argument, ...]
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class _Arm:
    condition: tuple[Argument, ...] | None  # None: taken without a test (else)
    body: tuple[Statement, ...]


@dataclass(frozen=True, slots=True)
class _If:
    id: int = field(compare=False)
    arms: tuple[_Arm, ...]


@dataclass(frozen=True, slots=True)
class _FunctionDefinition:
    arguments: tuple[str, ...]  # the name and the parameters, unexpanded
    body: tuple[Statement, ...] | None
    body_id: int = field(compare=False)
    is_macro: bool


@dataclass(frozen=True, slots=True)
class _Foreach:
    arguments: tuple[Argument, ...]
    body: tuple[Statement, ...] | None


@dataclass(frozen=True, slots=True)
class _Body:
    """while() and block(): their body runs once."""

    body: tuple[Statement, ...]


Statement = _Command | _If | _FunctionDefinition | _Foreach | _Body


@dataclass(frozen=True, slots=True)
class ListFile:
    """The statements of one CMakeLists.txt or .cmake file."""

    path: str
    statements: tuple[Statement, ...]


def read_list_file(path: str, data: bytes, document: Document | None = None) -> ListFile:
    """The statements of a CMake file: read directly when it is plain, else from its syntax
    tree (``document``, parsed here when not given)."""
    scanned = scan_list_file(path, data)
    if scanned is not None:
        return scanned
    return list_file(document or Document(path, LanguageId.CMAKE, data))


def list_file(document: Document) -> ListFile:
    """The statements of a parsed CMake file."""
    data = document.data
    ids = _StableIds(document.path)
    return ListFile(document.path, _statements(document.tree.root_node.named_children, data, ids))


def _statements(
    nodes: list[ts.Node], data: bytes, ids: _StableIds, depth: int = 0
) -> tuple[Statement, ...]:
    if depth > _MAX_NESTING:
        return ()
    found: list[Statement] = []
    for node in nodes:
        kind = node.type
        if kind == "normal_command":
            command = _command_of(node, data)
            if command is not None:
                found.append(command)
        elif kind == "if_condition":
            found.append(_if_of(node, data, ids, depth + 1))
        elif kind in ("function_def", "macro_def"):
            found.append(_definition_of(node, data, ids, depth + 1))
        elif kind == "foreach_loop":
            found.append(_foreach_of(node, data, ids, depth + 1))
        elif kind in ("while_loop", "block_def"):
            body = _body_node(node)
            if body is not None:
                found.append(_Body(_statements(body.named_children, data, ids, depth + 1)))
    return tuple(found)


def _command_of(node: ts.Node, data: bytes) -> _Command | None:
    children = node.named_children
    if not children:
        return None
    name = _text(children[0], data).lower()
    arguments_node = next((c for c in children if c.type == "argument_list"), None)
    return _Command(name, _arguments_of(arguments_node, data), node.start_byte, node.end_byte)


def _if_of(node: ts.Node, data: bytes, ids: _StableIds, depth: int) -> _If:
    arms: list[_Arm] = []
    condition: ts.Node | None = None
    for child in node.named_children:
        if child.type in ("if_command", "elseif_command", "else_command"):
            condition = child
        elif child.type == "body":
            test = (
                None
                if condition is None or condition.type == "else_command"
                else _arguments_of(condition, data)
            )
            arms.append(_Arm(test, _statements(child.named_children, data, ids, depth)))
    return _If(ids.of(data[node.start_byte : node.end_byte]), tuple(arms))


def _definition_of(node: ts.Node, data: bytes, ids: _StableIds, depth: int) -> _FunctionDefinition:
    head = node.named_children[0] if node.named_children else None
    body = _body_node(node)
    return _FunctionDefinition(
        tuple(argument.value for argument in _arguments_of(head, data)),
        _statements(body.named_children, data, ids, depth) if body is not None else None,
        ids.of(data[node.start_byte : node.end_byte]),
        node.type == "macro_def",
    )


def _foreach_of(node: ts.Node, data: bytes, ids: _StableIds, depth: int) -> _Foreach:
    head = node.named_children[0] if node.named_children else None
    body = _body_node(node)
    return _Foreach(
        _arguments_of(head, data),
        _statements(body.named_children, data, ids, depth) if body is not None else None,
    )


def _body_node(node: ts.Node) -> ts.Node | None:
    return next((c for c in node.named_children if c.type == "body"), None)


def _arguments_of(head: ts.Node | None, data: bytes) -> tuple[Argument, ...]:
    return tuple(_argument_of(node, data) for node in _argument_nodes(head))


def _argument_of(node: ts.Node, data: bytes) -> Argument:
    return _argument(data, node.start_byte, node.end_byte)


def _argument(data: bytes, start: int, end: int) -> Argument:
    raw = data[start:end].decode("utf-8", "replace")
    value = _unquote(raw)
    quoted = raw.startswith('"')
    literal = None
    if "$" not in value:  # nothing to expand
        literal = (value,) if quoted else tuple(_split(value))
    return Argument(value, quoted, start, end, literal)


# -- list files read without a syntax tree ---------------------------------------------------
# Commands, arguments and comments read with regular expressions: several times faster than
# parsing and walking the tree. Whatever the grammar might read another way (an error, a
# regex-like [...] argument, an odd character) is left to the parser, so that both always
# give the same statements.
_ESCAPE = rb"\\(?:[^A-Za-z0-9;]|[trn;])"


def _reference(depth: int) -> bytes:
    """``${name}``, ``$ENV{name}``, ``$CACHE{name}``, nested ``depth`` times at most."""
    name = rb"[A-Za-z0-9/_.+;-]|" + _ESCAPE
    pattern = rb"\$(?:ENV|CACHE)?\{(?:" + name + rb")+\}"
    for _ in range(depth):
        pattern = rb"\$(?:ENV|CACHE)?\{(?:" + name + rb"|" + pattern + rb")+\}"
    return pattern


_TEXT_DOLLAR = rb"\$(?!\{|ENV|CACHE)"
_IN_ARGUMENT = _ESCAPE + rb"|" + _reference(3) + rb"|" + _TEXT_DOLLAR
_UNQUOTED = rb'(?:[^ \t\r\n\f\v()#"\\\[$]+|' + _IN_ARGUMENT + rb")+"
# Written so that an unterminated one fails in linear time (runs, then one special each).
_QUOTED = rb'"[^"\\$]*(?:(?:' + _IN_ARGUMENT + rb')[^"\\$]*)*"'
# Blanks and line comments are skipped before each token.
_SKIPPED = rb"[ \t\r\n\f\v]*(?:\#(?!\[=*\[)[^\n]*(?![^\n])[ \t\r\n\f\v]*)*"
_BRACKET_COMMENT = rb"\#\[(?P<comment_level>=*)\[.*?\](?P=comment_level)\]"
_TOP_TOKEN = re.compile(
    _SKIPPED + rb"(?:(?P<comment>" + _BRACKET_COMMENT + rb")"
    rb"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)[ \t]*\(|(?P<end>\Z))",
    re.S,
)
_ARGUMENT_TOKEN = re.compile(
    _SKIPPED + rb"(?:(?P<unquoted>" + _UNQUOTED + rb")"
    rb"|(?P<quoted>" + _QUOTED + rb")"
    rb"|(?P<close>\))"
    rb"|(?P<open>\()"
    rb"|(?P<bracket>\[(?P<bracket_level>=*)\[.*?\](?P=bracket_level)\])"
    rb"|(?P<comment>" + _BRACKET_COMMENT + rb"))",
    re.S,
)
# Scanning makes tens of thousands of records: tuple.__new__ skips the Python-level call
# that a NamedTuple's own constructor is.
_new_tuple = tuple.__new__
_UNQUOTED_GROUP = _ARGUMENT_TOKEN.groupindex["unquoted"]
_QUOTED_GROUP = _ARGUMENT_TOKEN.groupindex["quoted"]
_CLOSE_GROUP = _ARGUMENT_TOKEN.groupindex["close"]
_OPEN_GROUP = _ARGUMENT_TOKEN.groupindex["open"]
_BRACKET_GROUP = _ARGUMENT_TOKEN.groupindex["bracket"]
_NOT_CONTROL = bytes(byte for byte in range(256) if not (byte < 9 or 13 < byte < 32 or byte == 127))
_LONE_RETURN = re.compile(rb"\r(?!\n)")
_WIDE_SPACE = re.compile(  # and the byte-order mark
    rb"\xef\xbb\xbf|\xc2[\x85\xa0]|\xe1\x9a\x80|\xe2\x80[\x80-\x8a\xa8\xa9\xaf]"
    rb"|\xe2\x81\x9f|\xe3\x80\x80"
)
_BRACKET_OPEN = re.compile(rb"#?\[=*\[")
_BRACKET_CLOSE = re.compile(rb"\]=*\]")
_SIMPLE_END_ARGUMENT = re.compile(rb"[A-Za-z0-9_]*")
_OPENERS = frozenset({"if", "foreach", "while", "function", "macro", "block"})
_CLOSERS = {
    "endif": "if",
    "endforeach": "foreach",
    "endwhile": "while",
    "endfunction": "function",
    "endmacro": "macro",
    "endblock": "block",
}
_NEED_ARGUMENTS = frozenset({"if", "elseif", "foreach", "while", "function", "macro"})


class _Scanned(NamedTuple):
    """A command as read: its arguments and where its argument text lies."""

    name: str
    arguments: tuple[Argument, ...]
    start: int
    end: int
    inside: tuple[int, int]  # between the parentheses


def scan_list_file(path: str, data: bytes) -> ListFile | None:
    """The statements of a CMake file read without a parser; None when the file needs the
    parser (the same statements then come from ``list_file``)."""
    if _unusual(data):
        return None
    commands = _scan_commands(data)
    statements = _nest(commands, data, _StableIds(path)) if commands is not None else None
    return ListFile(path, statements) if statements is not None else None


def _unusual(data: bytes) -> bool:
    """Control characters, a carriage return alone, bytes that are not UTF-8, spaces
    beyond ASCII's or a byte-order mark: left to the parser."""
    if data.translate(None, _NOT_CONTROL) or (b"\r" in data and _LONE_RETURN.search(data)):
        return True
    if data.isascii():
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return _WIDE_SPACE.search(data) is not None


def _scan_commands(data: bytes) -> list[_Scanned] | None:
    found: list[_Scanned] = []
    position = 0
    token = _TOP_TOKEN.match
    while True:
        match = token(data, position)
        if match is None:
            return None
        kind = match.lastgroup
        if kind == "end":
            return found
        position = match.end()
        if kind == "comment":
            if not _plain_bracket(match[kind]):
                return None
            continue
        scanned = _scan_arguments(data, position)
        if scanned is None:
            return None
        arguments, close = scanned
        name = match["name"].decode().lower()
        scanned = (name, arguments, match.start(kind), close + 1, (position, close))
        found.append(_new_tuple(_Scanned, scanned))
        position = close + 1


def _scan_arguments(data: bytes, position: int) -> tuple[tuple[Argument, ...], int] | None:
    """The arguments from ``position`` to the closing parenthesis, and where it is."""
    arguments: list[Argument] = []
    depth = 0
    token = _ARGUMENT_TOKEN.match
    while True:
        match = token(data, position)
        if match is None:
            return None
        kind = match.lastindex
        start, position = match.span(kind)
        if kind == _UNQUOTED_GROUP:
            value = data[start:position].decode("utf-8", "replace")
            if "$" in value:
                literal = None
            elif ";" in value:
                literal = tuple(item for item in value.split(";") if item)
            else:
                literal = (value,)
            arguments.append(_new_tuple(Argument, (value, False, start, position, literal)))
        elif kind == _QUOTED_GROUP:
            value = data[start + 1 : position - 1].decode("utf-8", "replace")
            literal = None if "$" in value else (value,)
            arguments.append(_new_tuple(Argument, (value, True, start, position, literal)))
        elif kind == _CLOSE_GROUP:
            if depth == 0:
                return tuple(arguments), start
            depth -= 1
        elif kind == _OPEN_GROUP:
            depth += 1
        elif not _plain_bracket(match[kind]):
            return None
        elif kind == _BRACKET_GROUP:
            bracket = (UNKNOWN, False, start, position, (UNKNOWN,))
            arguments.append(_new_tuple(Argument, bracket))


def _plain_bracket(text: bytes) -> bool:
    """False for a bracket argument or comment with ``]``, ``]=`` ... right before its
    closing bracket: the grammar's scanner then skips the closing bracket."""
    rest = text[_BRACKET_OPEN.match(text).end() :]
    first_close = _BRACKET_CLOSE.search(rest)
    return first_close is not None and first_close.end() == len(rest)


@dataclass
class _OpenBlock:
    """An if(), foreach(), function() ... whose end is not read yet."""

    head: _Scanned
    outer: list[Statement]  # where the finished block goes
    body_start: int
    statements: list[Statement] = field(default_factory=list)
    condition: tuple[Argument, ...] | None = None
    arms: list[_Arm] = field(default_factory=list)

    def close_arm(self, end: int) -> None:
        """The grammar has a body only where something (a space at least) stands."""
        if end > self.body_start:
            self.arms.append(_Arm(self.condition, tuple(self.statements)))


def _nest(commands: list[_Scanned], data: bytes, ids: _StableIds) -> tuple[Statement, ...] | None:
    root: list[Statement] = []
    statements = root
    stack: list[_OpenBlock] = []
    for command in commands:
        name = command.name
        if name in _NEED_ARGUMENTS and command.inside[0] == command.inside[1]:
            return None
        if name in _OPENERS:
            block = _OpenBlock(command, statements, command.end, condition=command.arguments)
            stack.append(block)
            statements = block.statements
        elif name == "elseif" or name == "else":
            if not stack or stack[-1].head.name != "if":
                return None
            block = stack[-1]
            block.close_arm(command.start)
            block.condition = command.arguments if name == "elseif" else None
            block.body_start = command.end
            statements = block.statements = []
        elif name in _CLOSERS:
            if not stack or stack[-1].head.name != _CLOSERS[name]:
                return None
            block = stack.pop()
            statement = _finished(block, command, data, ids)
            if statement is None:
                return None
            statements = block.outer
            statements.append(statement)
        else:
            plain = (name, command.arguments, command.start, command.end)
            statements.append(_new_tuple(_Command, plain))
    return tuple(root) if not stack else None


def _finished(block: _OpenBlock, end: _Scanned, data: bytes, ids: _StableIds) -> Statement | None:
    head = block.head
    if head.name == "if":
        block.close_arm(end.start)
        return _If(ids.of(data[head.start : end.end]), tuple(block.arms))
    if end.start == block.body_start:
        return None  # the grammar wants a body
    if end.name in ("endforeach", "endwhile"):
        inside = data[end.inside[0] : end.inside[1]]
        if _SIMPLE_END_ARGUMENT.fullmatch(inside) is None:
            return None  # their single argument is read in its own way
    body = tuple(block.statements)
    if head.name == "foreach":
        return _Foreach(head.arguments, body)
    if head.name in ("function", "macro"):
        arguments = tuple(argument.value for argument in head.arguments)
        body_id = ids.of(data[head.start : end.end])
        return _FunctionDefinition(arguments, body, body_id, head.name == "macro")
    return _Body(body)


# -- the interpreter ------------------------------------------------------------------------
@dataclass
class _Frame:
    variables: MutableMapping[str, str]
    path: str  # the CMakeLists.txt or .cmake file being run
    source_dir: str
    branch: Branch
    via: tuple[str, ...] = ()
    parent: _Frame | None = None


@dataclass(frozen=True)
class _Definition:
    name: str
    params: tuple[str, ...]
    body: tuple[Statement, ...]
    body_id: int
    path: str
    is_macro: bool


Reader = Callable[[str], bytes | None]


@dataclass
class _Effects:
    """What interpreting one subdirectory did to the model and to its parent's scope."""

    inputs: int
    versions: tuple[tuple[str, int], ...]
    targets: list[tuple[str, Target]]
    mutations: list[tuple[str, str, object, int]]
    links: list[LinkItem]
    assignments: list[Assignment]
    calls: list[tuple[str, tuple[str, ...], Site, Branch]]
    files: list[str]
    options: dict[str, tuple[str, Site]]
    function_names: set[str]
    functions: dict[str, _Definition]
    executorch: str | None
    parent_writes: dict[str, str | None]


class _Recorder:
    def __init__(
        self, model: BuildModel, functions: dict[str, _Definition], parent: _Frame
    ) -> None:
        self.target_counts = {name: len(found) for name, found in model.targets.items()}
        self.starts = (len(model.links), len(model.assignments), len(model.calls))
        self.files = len(model.files)
        self.options = set(model.options)
        self.function_names = set(model.functions)
        self.functions = dict(functions)
        self.executorch = model.executorch
        self.parent_before = _flat(parent.variables)
        self.mutations: list[tuple[str, str, object, int]] = []
        self.read: set[str] = set()

    def effects(
        self,
        inputs: int,
        model: BuildModel,
        functions: dict[str, _Definition],
        parent: _Frame,
        version: Callable[[str], int],
    ) -> _Effects:
        links, assignments, calls = self.starts
        targets = [
            (name, _copy_target(target))
            for name, found in model.targets.items()
            for target in found[self.target_counts.get(name, 0) :]
        ]
        after = _flat(parent.variables)
        writes: dict[str, str | None] = {
            name: value for name, value in after.items() if self.parent_before.get(name) != value
        }
        writes.update({name: None for name in self.parent_before if name not in after})
        read = self.read | set(model.files[self.files :])
        return _Effects(
            inputs=inputs,
            versions=tuple(sorted((path, version(path)) for path in read)),
            targets=targets,
            mutations=list(self.mutations),
            links=model.links[links:],
            assignments=model.assignments[assignments:],
            calls=model.calls[calls:],
            files=model.files[self.files :],
            options={k: v for k, v in model.options.items() if k not in self.options},
            function_names=model.functions - self.function_names,
            functions={
                name: definition
                for name, definition in functions.items()
                if self.functions.get(name) is not definition
            },
            executorch=model.executorch if model.executorch != self.executorch else None,
            parent_writes=writes,
        )


def _copy_target(target: Target) -> Target:
    return replace(target, sources=list(target.sources))


# Commands of ExecuTorch's Utils.cmake that make a target whole-archive for consumers.
_WHOLE_ARCHIVE_HELPERS = frozenset(
    {
        "executorch_target_link_options_shared_lib",
        "executorch_kernel_link_options",
        "executorch_macos_kernel_link_options",
        "executorch_msvc_kernel_link_options",
        "target_link_options_shared_lib",
        "kernel_link_options",
        "macos_kernel_link_options",
        "msvc_kernel_link_options",
    }
)


class Interpreter:
    def __init__(
        self,
        read: Reader,
        executorch_targets: frozenset[str] = frozenset(),
        list_files: Callable[[str], ListFile | None] | None = None,
        subdirectories: dict[str, _Effects] | None = None,
        version: Callable[[str], int] | None = None,
    ) -> None:
        self._read = read
        self._list_files = list_files  # list files kept between models (a workspace cache)
        self.subdirectories = subdirectories  # recorded effects of subdirectories, by list file
        self._version = version
        self._recorders: list[_Recorder] = []
        self.model = BuildModel()
        self.functions: dict[str, _Definition] = {}
        self._parsed: dict[str, ListFile] = {}
        self._executorch_targets = executorch_targets
        self._depth = 0
        self._nesting = 0
        self.statements_run = 0

    # -- files --------------------------------------------------------------------------
    def read(self, path: str) -> bytes | None:
        for recorder in self._recorders:
            recorder.read.add(path)
        return self._read(path)

    def mutate(
        self, target: str, attribute: str, value: object, only_first: int | None = None
    ) -> None:
        """Change the targets named ``target`` (logged for subdirectory replays, which
        apply it again only to the targets that existed before the subdirectory)."""
        for recorder in self._recorders:
            count = recorder.target_counts.get(target, 0)
            if count:
                recorder.mutations.append((target, attribute, value, count))
        found = self.model.targets.get(target, [])
        for defined in found if only_first is None else found[:only_first]:
            if attribute == "sources":
                defined.sources.extend(value)
            else:
                setattr(defined, attribute, value)

    def run_subdirectory(self, listfile: str, child: _Frame, parent: _Frame) -> None:
        """Interpret a subdirectory (or an included file, whose ``parent`` is its own
        scope), or replay what it did when neither its files nor what it sees of its
        parent changed since it was last interpreted."""
        if self.subdirectories is None or self._version is None:
            self.run_file(listfile, child)
            return
        key = self._inputs(child, parent)
        recorded = self.subdirectories.get(listfile)
        if (
            recorded is not None
            and recorded.inputs == key
            and all(self._version(path) == version for path, version in recorded.versions)
        ):
            self._replay(recorded, parent)
            return
        recorder = _Recorder(self.model, self.functions, parent)
        self._recorders.append(recorder)
        try:
            self.run_file(listfile, child)
        finally:
            self._recorders.pop()
        self.subdirectories[listfile] = recorder.effects(
            key, self.model, self.functions, parent, self._version
        )

    def _inputs(self, child: _Frame, parent: _Frame) -> int:
        functions = tuple(sorted((name, d.path, d.body_id) for name, d in self.functions.items()))
        return hash(
            (
                frozenset(_flat(child.variables).items()),
                child.branch,
                child.via,
                self._call_site,
                self._depth,
                functions,
                frozenset((name, len(found)) for name, found in self.model.targets.items()),
                frozenset(self.model.files),
                self.model.executorch,
            )
        )

    def _replay(self, effects: _Effects, parent: _Frame) -> None:
        model = self.model
        for recorder in self._recorders:
            recorder.read.update(path for path, _ in effects.versions)
        for name, target in effects.targets:
            model.targets.setdefault(name, []).append(_copy_target(target))
        for target, attribute, value, count in effects.mutations:
            self.mutate(target, attribute, value, only_first=count)
        model.links.extend(effects.links)
        model.assignments.extend(effects.assignments)
        model.calls.extend(effects.calls)
        model.files.extend(effects.files)
        for name, option in effects.options.items():
            model.options.setdefault(name, option)
        model.functions.update(effects.function_names)
        self.functions.update(effects.functions)
        if effects.executorch is not None:
            model.executorch = effects.executorch
        for name, value in effects.parent_writes.items():
            if value is None:
                parent.variables.pop(name, None)
            else:
                parent.variables[name] = value

    def run_file(self, path: str, frame: _Frame | None = None) -> BuildModel:
        if len(self.model.files) >= _MAX_FILES or path in self.model.files:
            return self.model
        parsed = self._parse(path)
        if parsed is None:
            return self.model
        self.model.files.append(path)
        if frame is None:
            frame = _Frame(_initial_variables(path), path, os.path.dirname(path), ())
        # Same scope as ``frame`` (include() and a directory's own list file): PARENT_SCOPE
        # from here reaches the scope above it.
        inner = _Frame(
            frame.variables, path, frame.source_dir, frame.branch, frame.via, frame.parent
        )
        inner.variables["CMAKE_CURRENT_LIST_DIR"] = os.path.dirname(path)
        inner.variables["CMAKE_CURRENT_LIST_FILE"] = path
        self._block(parsed.statements, inner)
        return self.model

    def _parse(self, path: str) -> ListFile | None:
        if path not in self._parsed:
            if self._list_files is not None:
                parsed = self._list_files(path)
            else:
                data = self.read(path)
                parsed = None if data is None else read_list_file(path, data)
            if parsed is None:
                return None
            self._parsed[path] = parsed
        return self._parsed[path]

    # -- blocks -------------------------------------------------------------------------
    def _block(self, statements: tuple[Statement, ...], frame: _Frame) -> None:
        if self._nesting >= _MAX_NESTING:
            return
        self._nesting += 1
        try:
            self._statements(statements, frame)
        finally:
            self._nesting -= 1

    def _statements(self, statements: tuple[Statement, ...], frame: _Frame) -> None:
        for statement in statements:
            self.statements_run += 1
            if self.statements_run > _MAX_STATEMENTS:
                return
            if type(statement) is _Command:
                self._command(statement, frame)
            elif type(statement) is _If:
                self._if(statement, frame)
            elif type(statement) is _FunctionDefinition:
                self._define(statement, frame)
            elif type(statement) is _Foreach:
                self._foreach(statement, frame)
            else:
                self._block(statement.body, frame)

    def _if(self, statement: _If, frame: _Frame) -> None:
        arms = statement.arms
        previous_branch = frame.branch
        base = frame.variables
        outcomes: list[tuple[tuple[int, int], _ArmScope]] = []
        decided = False
        for index, arm in enumerate(arms):
            value = True if arm.condition is None else self._condition(arm.condition, frame)
            if value is False:
                continue
            entry = (statement.id, index)
            frame.branch = (*previous_branch, entry)
            if value is True and not outcomes:
                # The only arm that can run: in place, nothing to merge.
                self._block(arm.body, frame)
                decided = True
                break
            frame.variables = _ArmScope(base)
            self._block(arm.body, frame)
            outcomes.append((entry, frame.variables))
            frame.variables = base
            if value is True:
                decided = True
                break
        frame.branch = previous_branch
        frame.variables = base
        if outcomes:
            if not decided:
                outcomes.append(((statement.id, len(arms)), _ArmScope(base)))
            _merge(base, outcomes)

    def _define(self, statement: _FunctionDefinition, frame: _Frame) -> None:
        arguments = statement.arguments
        if not arguments or statement.body is None:
            return
        name = arguments[0].lower()
        self.model.functions.add(name)
        self.functions[name] = _Definition(
            name,
            arguments[1:],
            statement.body,
            statement.body_id,
            frame.path,
            statement.is_macro,
        )

    def _foreach(self, statement: _Foreach, frame: _Frame) -> None:
        values = self._arguments(statement.arguments, frame)
        if not values or statement.body is None:
            return
        variable, items = values[0], values[1:]
        if items[:2] == ["IN", "LISTS"]:
            items = [v for name in items[2:] for v in _split(frame.variables.get(name, UNKNOWN))]
        elif items[:2] == ["IN", "ITEMS"]:
            items = items[2:]
        elif items[:1] == ["RANGE"]:
            items = [UNKNOWN]
        if not items:
            return
        for item in items[:_MAX_LOOP]:
            frame.variables[variable] = item
            self._block(statement.body, frame)

    # -- arguments ----------------------------------------------------------------------
    def _raw_arguments(self, arguments: tuple[Argument, ...]) -> list[str]:
        return [argument.value for argument in arguments]

    def _arguments(self, arguments: tuple[Argument, ...], frame: _Frame) -> list[str]:
        """Arguments after variable expansion; unquoted ones are split as lists."""
        values: list[str] = []
        for argument in arguments:
            literal = argument.literal
            if literal is not None:
                values.extend(literal)
            elif argument.quoted:
                values.append(self.expand(argument.value, frame))
            else:
                values.extend(_split(self.expand(argument.value, frame)))
        return values

    def _expanded(
        self, arguments: tuple[Argument, ...], frame: _Frame
    ) -> list[tuple[str, Argument]]:
        """``_arguments``, each value with the argument it comes from."""
        values: list[tuple[str, Argument]] = []
        for argument in arguments:
            literal = argument.literal
            if literal is None:
                value = self.expand(argument.value, frame)
                literal = (value,) if argument.quoted else _split(value)
            values.extend((item, argument) for item in literal)
        return values

    def expand(self, text: str, frame: _Frame) -> str:
        if "$" not in text:
            return text
        if "ENV{" in text or "CACHE{" in text:
            text = _ENV.sub(UNKNOWN, text)
        lookup = partial(self._lookup, frame.variables)
        for _ in range(8):
            replaced = _VARIABLE.sub(lookup, text)
            if replaced == text:
                break
            text = replaced
            if "${" not in text:
                break  # another pass would change nothing
        return text

    @staticmethod
    def _lookup(variables: MutableMapping[str, str], match: re.Match[str]) -> str:
        # A variable never set here may come from a parent list file, the command line
        # or the toolchain: unknown, not empty.
        name = match.group(1)
        if UNKNOWN in name:
            return UNKNOWN
        return variables.get(name, UNKNOWN)

    # -- conditions ---------------------------------------------------------------------
    def _condition(self, arguments: tuple[Argument, ...], frame: _Frame) -> bool | None:
        tokens = [(self.expand(a.value, frame), a.quoted) for a in arguments]
        try:
            return _Condition(tokens, frame.variables, self.model).evaluate()
        except (IndexError, ValueError, re.error):
            return None

    # -- commands -----------------------------------------------------------------------
    def _command(self, command: _Command, frame: _Frame) -> None:
        name = command.name
        site = Site(frame.path, command.start, command.end)
        handler = _HANDLERS.get(name)
        if handler is not None:
            handler(self, _Call(name, command.arguments, frame, site))
            self.model.calls.append((name, (), site, frame.branch))
            return
        # Expanded once: recorded as the call's arguments and passed to the function.
        values = self._arguments(command.arguments, frame)
        self.model.calls.append((name, tuple(values), site, frame.branch))
        if name in self.functions:
            self._call_function(self.functions[name], values, frame, site)
        elif name in _WHOLE_ARCHIVE_HELPERS:
            for target in values[:1]:
                self.mutate(target, "whole_archive_interface", True)

    def _call_function(
        self, definition: _Definition, values: list[str], frame: _Frame, site: Site
    ) -> None:
        if self._depth >= _MAX_DEPTH:
            return
        # What the body records carries offsets into the file defining it: a replay is
        # valid only while that file is unchanged.
        for recorder in self._recorders:
            recorder.read.add(definition.path)
        variables = frame.variables if definition.is_macro else _flat(frame.variables)
        for index, param in enumerate(definition.params):
            variables[param] = values[index] if index < len(values) else ""
        variables["ARGN"] = ";".join(values[len(definition.params) :])
        variables["ARGV"] = ";".join(values)
        variables["ARGC"] = str(len(values))
        for index, value in enumerate(values):
            variables[f"ARGV{index}"] = value
        inner = _Frame(
            variables,
            frame.path,
            frame.source_dir,
            frame.branch,
            (*frame.via, definition.name),
            frame,
        )
        inner_site = _CallSite(site)
        self._depth += 1
        previous = self._call_site
        self._call_site = previous or inner_site
        try:
            self._block(definition.body, inner)
        finally:
            self._depth -= 1
            self._call_site = previous

    _call_site: _CallSite | None = None

    def link_site(self, frame: _Frame, argument: Argument) -> Site:
        """Where a link is reported: the call of the outermost project function, else the
        argument itself."""
        if self._call_site is not None:
            return self._call_site.site
        return Site(frame.path, argument.start, argument.end)

    def add_target(self, name: str, kind: str, frame: _Frame, site: Site) -> Target:
        target = Target(name, kind, site, frame.branch, executorch=name in self._executorch_targets)
        self.model.targets.setdefault(name, []).append(target)
        return target


@dataclass(frozen=True)
class _CallSite:
    site: Site


@dataclass
class _Call:
    name: str
    arguments: tuple[Argument, ...]
    frame: _Frame
    site: Site


# -- command handlers -----------------------------------------------------------------------
def _set(interpreter: Interpreter, call: _Call) -> None:
    values = interpreter._arguments(call.arguments, call.frame)
    if not values:
        return
    name, rest = values[0], values[1:]
    cache = "CACHE" in rest
    parent = "PARENT_SCOPE" in rest
    if cache:
        rest = rest[: rest.index("CACHE")]
    if parent:
        rest = rest[: rest.index("PARENT_SCOPE")]
    value = ";".join(rest)
    interpreter.model.assignments.append(
        Assignment(name, value, call.site, call.frame.branch, cache)
    )
    if cache:
        # A cache default: a -D on the command line or an existing cache entry wins.
        if name not in call.frame.variables:
            call.frame.variables[name] = UNKNOWN if "FORCE" not in values else value
        return
    target_frame = call.frame.parent if parent and call.frame.parent else call.frame
    target_frame.variables[name] = value


def _option(interpreter: Interpreter, call: _Call) -> None:
    values = interpreter._arguments(call.arguments, call.frame)
    if values:
        default = values[2] if len(values) > 2 else "OFF"
        interpreter.model.options.setdefault(values[0], (default, call.site))
        call.frame.variables.setdefault(values[0], UNKNOWN)


def _unset(interpreter: Interpreter, call: _Call) -> None:
    values = interpreter._arguments(call.arguments, call.frame)
    if values:
        call.frame.variables.pop(values[0], None)


def _list(interpreter: Interpreter, call: _Call) -> None:
    values = interpreter._arguments(call.arguments, call.frame)
    if len(values) < 2:
        return
    operation, name, items = values[0].upper(), values[1], values[2:]
    current = _split(call.frame.variables.get(name, ""))
    if operation == "APPEND":
        call.frame.variables[name] = ";".join(current + items)
    elif operation == "PREPEND":
        call.frame.variables[name] = ";".join(items + current)
    elif operation == "REMOVE_ITEM":
        call.frame.variables[name] = ";".join(v for v in current if v not in items)
    elif operation in ("REMOVE_DUPLICATES", "SORT", "REVERSE"):
        return
    elif operation in ("LENGTH", "GET", "FIND", "JOIN", "SUBLIST") and items:
        call.frame.variables[items[-1]] = UNKNOWN
    else:
        call.frame.variables[name] = UNKNOWN


_STRING_OUTPUT = {
    "REGEX": 3,
    "REPLACE": 3,
    "FIND": 3,
    "SUBSTRING": 4,
    "APPEND": 1,
    "PREPEND": 1,
    "CONCAT": 1,
    "JOIN": 2,
}


def _unknown_result(interpreter: Interpreter, call: _Call) -> None:
    """Commands whose output variable cannot be known (string(), file(), get_*())."""
    values = interpreter._arguments(call.arguments, call.frame)
    if not values:
        return
    if call.name == "string":
        index = _STRING_OUTPUT.get(values[0].upper(), len(values) - 1)
    elif call.name == "file":
        index = 1 if values[0].upper().startswith("GLOB") else 2
    elif call.name == "execute_process":
        outputs = [i + 1 for i, v in enumerate(values) if v.endswith("_VARIABLE")]
        for position in outputs:
            if position < len(values):
                call.frame.variables[values[position]] = UNKNOWN
        return
    else:
        index = 0
    if index < len(values):
        call.frame.variables[values[index]] = UNKNOWN


def _find_library(interpreter: Interpreter, call: _Call) -> None:
    values = interpreter._arguments(call.arguments, call.frame)
    if len(values) < 2:
        return
    names = values[values.index("NAMES") + 1 :] if "NAMES" in values else values[1:2]
    stop = next((i for i, v in enumerate(names) if v.isupper() and len(v) > 2), len(names))
    names = [n for n in names[:stop] if UNKNOWN not in n]
    library = names[0] if names else None
    if library is not None:
        library = library.removeprefix("lib").split(".")[0]
        call.frame.variables[values[0]] = f"{FOUND_LIBRARY}{library}"
    else:
        call.frame.variables[values[0]] = UNKNOWN


def _add_target(kind: str) -> Callable[[Interpreter, _Call], None]:
    def handler(interpreter: Interpreter, call: _Call) -> None:
        values = [untag(v)[0] for v in interpreter._arguments(call.arguments, call.frame)]
        if not values or UNKNOWN in values[0]:
            return
        actual = kind
        if "IMPORTED" in values:
            actual = "imported"
        elif "ALIAS" in values:
            actual = "alias"
        elif "INTERFACE" in values[1:2]:
            actual = "interface"
        target = interpreter.add_target(values[0], actual, call.frame, call.site)
        target.shared = "SHARED" in values[1:3] or "MODULE" in values[1:3]
        target.sources.extend(_source_paths(values[1:], call.frame))

    return handler


_TARGET_KEYWORDS = frozenset(
    {
        "STATIC",
        "SHARED",
        "MODULE",
        "OBJECT",
        "INTERFACE",
        "IMPORTED",
        "GLOBAL",
        "ALIAS",
        "EXCLUDE_FROM_ALL",
        "WIN32",
        "MACOSX_BUNDLE",
        "PRIVATE",
        "PUBLIC",
    }
)


def _source_paths(values: list[str], frame: _Frame) -> list[str]:
    return [
        os.path.normpath(os.path.join(frame.source_dir, value))
        for value in values
        if value not in _TARGET_KEYWORDS and UNKNOWN not in value and _TAG not in value
    ]


def _target_sources(interpreter: Interpreter, call: _Call) -> None:
    values = interpreter._arguments(call.arguments, call.frame)
    if values:
        interpreter.mutate(untag(values[0])[0], "sources", _source_paths(values[1:], call.frame))


def _target_properties(interpreter: Interpreter, call: _Call) -> None:
    values = interpreter._arguments(call.arguments, call.frame)
    if "PROPERTIES" not in values:
        return
    index = values.index("PROPERTIES")
    pairs = values[index + 1 :]
    for target in map(lambda v: untag(v)[0], values[:index]):
        for key, value in zip(pairs[::2], pairs[1::2], strict=False):
            _apply_property(interpreter, target, key, value)


def _set_property(interpreter: Interpreter, call: _Call) -> None:
    values = interpreter._arguments(call.arguments, call.frame)
    if not values or values[0] != "TARGET" or "PROPERTY" not in values:
        return
    index = values.index("PROPERTY")
    targets = [v for v in values[1:index] if v not in ("APPEND", "APPEND_STRING")]
    rest = values[index + 1 :]
    if not rest:
        return
    for target in targets:
        _apply_property(interpreter, target, rest[0], ";".join(rest[1:]))


def _apply_property(interpreter: Interpreter, target: str, key: str, value: str) -> None:
    if key.startswith("IMPORTED_LOCATION"):
        interpreter.mutate(target, "imported_location", value)
    elif key == "INTERFACE_LINK_OPTIONS" and _has_whole_archive(value):
        interpreter.mutate(target, "whole_archive_interface", True)


_ARCHIVE_IN_OPTION = re.compile(r"\$<TARGET_FILE:([^>]+)>|([^\s,;]+\.(?:a|lib))(?=$|[\s,;])")


def _target_link_options(interpreter: Interpreter, call: _Call) -> None:
    values = interpreter._arguments(call.arguments, call.frame)
    if len(values) < 2:
        return
    target = untag(values[0])[0]
    _whole_archived_by_options(interpreter, call, target, values[1:])
    for_consumers = "INTERFACE" in values[1:2] or "PUBLIC" in values[1:2]
    if for_consumers and _has_whole_archive(";".join(values[2:])):
        interpreter.mutate(target, "whole_archive_interface", True)


def _whole_archived_by_options(
    interpreter: Interpreter, call: _Call, target: str, options: list[str]
) -> None:
    """Archives named inside whole-archive link options (``-force_load,lib.a``,
    ``--whole-archive lib.a --no-whole-archive``) are linked into ``target`` whole."""
    if not options or options[0] not in ("PRIVATE", "PUBLIC"):
        return
    site = interpreter._call_site.site if interpreter._call_site else call.site
    for option in options[1:]:
        clean, marks = untag(option)
        if not _has_whole_archive(clean):
            continue
        for match in _ARCHIVE_IN_OPTION.finditer(clean):
            name = match.group(1) or match.group(2)
            kind = "target" if match.group(1) else "file"
            library = match.group(1) or library_of_file(name)
            interpreter.model.links.append(
                LinkItem(
                    target,
                    name,
                    kind,
                    library,
                    True,
                    site,
                    (*call.frame.branch, *marks),
                    call.frame.via,
                    options[0],
                )
            )


_WHOLE_ARCHIVE_OPTION = re.compile(r"whole-archive|WHOLEARCHIVE|force_load|WHOLE_ARCHIVE")


def _has_whole_archive(text: str) -> bool:
    return bool(_WHOLE_ARCHIVE_OPTION.search(text))


def _target_link_libraries(interpreter: Interpreter, call: _Call) -> None:
    expanded = interpreter._expanded(call.arguments, call.frame)
    if not expanded or UNKNOWN in expanded[0][0]:
        return
    target = untag(expanded[0][0])[0]
    _record_links(interpreter, call.frame, target, expanded[1:])


def _link_libraries(interpreter: Interpreter, call: _Call) -> None:
    expanded = interpreter._expanded(call.arguments, call.frame)
    _record_links(interpreter, call.frame, f"<directory {call.frame.source_dir}>", expanded)


def _record_links(
    interpreter: Interpreter, frame: _Frame, target: str, items: list[tuple[str, Argument]]
) -> None:
    scope = "PRIVATE"
    whole_archive = False
    force_next = False
    inside = 0  # libraries since the last --whole-archive
    for tagged, node in items:
        value, marks = untag(tagged)
        branch = (*frame.branch, *marks)
        if marks and not compatible(frame.branch, marks):
            continue  # set in another arm of an if() this link sits in
        if value in _SCOPES:
            scope = value.replace("LINK_", "")
            continue
        if value in _KEYWORDS_IN_LINK:
            continue
        region = _whole_archive_switch(value)
        if region is False and whole_archive and not inside:
            site = interpreter.link_site(frame, node)
            interpreter.model.links.append(
                LinkItem(target, value, "empty-whole-archive", None, False, site, branch)
            )
        if region is not None:
            whole_archive = region
            inside = 0
            site = interpreter.link_site(frame, node)
            interpreter.model.links.append(
                LinkItem(target, value, "flag", None, whole_archive, site, branch, frame.via, scope)
            )
            continue
        if value in ("-force_load", "-Wl,-force_load", "LINKER:-force_load"):
            force_next = True
            continue
        inside += 1
        for item in _classify(value, whole_archive or force_next):
            kind, library, archived = item
            site = interpreter.link_site(frame, node)
            interpreter.model.links.append(
                LinkItem(target, value, kind, library, archived, site, branch, frame.via, scope)
            )
        force_next = False


_WHOLE_ON = re.compile(r"(?:-Wl,|LINKER:|SHELL:\s*)?--whole-archive$|^-Wl,-all_load$")
_WHOLE_OFF = re.compile(r"(?:-Wl,|LINKER:|SHELL:\s*)?--no-whole-archive$")


def _whole_archive_switch(value: str) -> bool | None:
    if _WHOLE_ON.search(value):
        return True
    if _WHOLE_OFF.search(value):
        return False
    return None


_LIBRARY_SUFFIX = re.compile(r"\.(a|lib|so|dylib)$")
_GENEX_WHOLE = re.compile(r"^\$<LINK_LIBRARY:WHOLE_ARCHIVE,(.*)>$")
_PUSH_STATE = re.compile(r"--whole-archive,(.+?),--pop-state")
_FORCE_LOAD = re.compile(r"-force_load,(.+)$|/WHOLEARCHIVE:(.+)$")


def _classify(value: str, whole_archive: bool) -> list[tuple[str, str | None, bool]]:
    """(kind, library, whole-archived) of one link item."""
    if UNKNOWN in value:
        # ``${SOME_DIR}/libxnnpack_backend.a``: the folder is unknown, the library is not.
        tail = value.rsplit(UNKNOWN, 1)[1]
        if tail.startswith(("/", "\\")) and _LIBRARY_SUFFIX.search(tail):
            return [("file", library_of_file(tail), whole_archive)]
        return [("unknown", None, whole_archive)]
    genex = _GENEX_WHOLE.match(value)
    if genex:
        return [("target", name, True) for name in genex.group(1).split(",") if name]
    pushed = _PUSH_STATE.search(value) or _FORCE_LOAD.search(value)
    if pushed:
        path = next(group for group in pushed.groups() if group)
        return [(_path_kind(path), _library_name(path), True)]
    if value.startswith(FOUND_LIBRARY):
        return [("file", value[len(FOUND_LIBRARY) :], whole_archive)]
    if value.startswith("$<"):
        return [("genex", None, whole_archive)]
    if value.startswith("-l"):
        return [("file", value[2:], whole_archive)]
    if value.startswith("-"):
        return [("flag", None, whole_archive)]
    if "/" in value or "\\" in value or _LIBRARY_SUFFIX.search(value):
        return [("file", library_of_file(value), whole_archive)]
    return [("target", value, whole_archive)]


def _path_kind(path: str) -> str:
    return "target" if path.startswith("$<TARGET_FILE:") else "file"


def _library_name(path: str) -> str | None:
    if path.startswith("$<TARGET_FILE:"):
        return path[len("$<TARGET_FILE:") :].rstrip(">")
    if path.startswith(FOUND_LIBRARY):
        return path[len(FOUND_LIBRARY) :]
    return library_of_file(path)


_EXECUTORCH_FOLDER = re.compile(
    r"(?i)(?:^|[/\\\"])executorch\"?$"
    r"|\$\{(?:executorch|et)(?:_root|_dir|_source_dir|_src|_src_dir|_path|_root_dir)?\}$"
)


def names_executorch_folder(text: str) -> bool:
    """``third-party/executorch``, ``${EXECUTORCH_ROOT}``, ``${ET_DIR}``, ..."""
    return _EXECUTORCH_FOLDER.search(text.rstrip("/")) is not None


def _add_subdirectory(interpreter: Interpreter, call: _Call) -> None:
    values = interpreter._arguments(call.arguments, call.frame)
    raw = interpreter._raw_arguments(call.arguments)
    if raw and names_executorch_folder(raw[0]):
        listfile = (
            os.path.join(call.frame.source_dir, values[0], "CMakeLists.txt") if values else ""
        )
        data = interpreter.read(os.path.normpath(listfile)) if UNKNOWN not in listfile else None
        if data is None or is_executorch_root(data):
            interpreter.model.executorch = interpreter.model.executorch or "subdirectory"
            _declare_executorch_targets(interpreter, call)
            return
    if not values or UNKNOWN in values[0]:
        return
    directory = os.path.normpath(os.path.join(call.frame.source_dir, values[0]))
    listfile = os.path.join(directory, "CMakeLists.txt")
    data = interpreter.read(listfile)
    if data is not None and is_executorch_root(data):
        interpreter.model.executorch = interpreter.model.executorch or "subdirectory"
        _declare_executorch_targets(interpreter, call)
        return
    if data is None:
        return
    child = _Frame(
        _flat(call.frame.variables),
        listfile,
        directory,
        call.frame.branch,
        call.frame.via,
        call.frame,
    )
    child.variables["CMAKE_CURRENT_SOURCE_DIR"] = directory
    interpreter.run_subdirectory(listfile, child, call.frame)


def _include(interpreter: Interpreter, call: _Call) -> None:
    values = interpreter._arguments(call.arguments, call.frame)
    if not values or UNKNOWN in values[0]:
        return
    path = values[0]
    if not path.endswith(".cmake"):
        return  # a module from CMAKE_MODULE_PATH: not followed
    path = os.path.normpath(os.path.join(call.frame.source_dir, path))
    data = interpreter.read(path)
    if data is not None and b"PARENT_SCOPE" not in data:
        # Runs in the includer's scope: what it writes there is what a replay restores.
        interpreter.run_subdirectory(path, call.frame, call.frame)
    else:
        interpreter.run_file(path, call.frame)


def _find_package(interpreter: Interpreter, call: _Call) -> None:
    values = interpreter._arguments(call.arguments, call.frame)
    if values and values[0] == "Torch":
        call.frame.variables["TORCH_LIBRARIES"] = "torch;torch_library;c10"
        return
    if not values or values[0].lower() != "executorch":
        return
    interpreter.model.executorch = interpreter.model.executorch or "find_package"
    _declare_executorch_targets(interpreter, call)
    variables = call.frame.variables
    variables["EXECUTORCH_FOUND"] = "ON"
    variables["executorch_FOUND"] = "TRUE"
    variables["EXECUTORCH_LIBRARIES"] = ";".join(EXECUTORCH_LIBRARIES)
    variables.setdefault("EXECUTORCH_INCLUDE_DIRS", UNKNOWN)


def _project(interpreter: Interpreter, call: _Call) -> None:
    values = interpreter._arguments(call.arguments, call.frame)
    if not values:
        return
    if values[0].lower() == "executorch":
        interpreter.model.executorch = "source"
    variables = call.frame.variables
    variables["PROJECT_NAME"] = values[0]
    variables.setdefault("CMAKE_PROJECT_NAME", values[0])
    variables["PROJECT_SOURCE_DIR"] = call.frame.source_dir
    variables[f"{values[0]}_SOURCE_DIR"] = call.frame.source_dir


def _cmake_parse_arguments(interpreter: Interpreter, call: _Call) -> None:
    values = interpreter._arguments(call.arguments, call.frame)
    if len(values) < 4:
        return
    if values[0] == "PARSE_ARGV":
        prefix, options, singles, multis = values[2:6] if len(values) >= 6 else ("", "", "", "")
        arguments = _split(call.frame.variables.get("ARGV", ""))
    else:
        prefix, options, singles, multis = values[:4]
        arguments = values[4:]
    option_names, single_names, multi_names = (
        set(_split(options)),
        set(_split(singles)),
        set(_split(multis)),
    )
    parsed: dict[str, list[str]] = {}
    current: str | None = None
    for argument in arguments:
        if argument in option_names:
            parsed[argument] = ["TRUE"]
            current = None
        elif argument in single_names or argument in multi_names:
            parsed[argument] = []
            current = argument
        elif current is not None:
            parsed[current].append(argument)
            if current in single_names:
                current = None
    for name in option_names | single_names | multi_names:
        default = "FALSE" if name in option_names else ""
        call.frame.variables[f"{prefix}_{name}"] = ";".join(parsed.get(name, [])) or default


def _executorch_target_whole_archive(interpreter: Interpreter, call: _Call) -> None:
    expanded = interpreter._expanded(call.arguments, call.frame)
    if len(expanded) < 2:
        return
    (target, _), (archive, node) = expanded[0], expanded[1]
    site = interpreter.link_site(call.frame, node)
    interpreter.model.links.append(
        LinkItem(target, archive, "target", archive, True, site, call.frame.branch, call.frame.via)
    )


_HANDLERS: dict[str, Callable[[Interpreter, _Call], None]] = {
    "set": _set,
    "option": _option,
    "cmake_dependent_option": _option,
    "unset": _unset,
    "list": _list,
    "string": _unknown_result,
    "get_filename_component": _unknown_result,
    "get_property": _unknown_result,
    "get_target_property": _unknown_result,
    "file": _unknown_result,
    "execute_process": _unknown_result,
    "find_library": _find_library,
    "find_path": _unknown_result,
    "find_program": _unknown_result,
    "add_library": _add_target("library"),
    "add_executable": _add_target("executable"),
    "set_target_properties": _target_properties,
    "set_property": _set_property,
    "target_link_options": _target_link_options,
    "target_sources": _target_sources,
    "target_link_libraries": _target_link_libraries,
    "link_libraries": _link_libraries,
    "add_subdirectory": _add_subdirectory,
    "include": _include,
    "find_package": _find_package,
    "project": _project,
    "cmake_parse_arguments": _cmake_parse_arguments,
    "executorch_target_whole_archive": _executorch_target_whole_archive,
}

# What ``find_package(executorch)`` or ``add_subdirectory(executorch)`` provides: CMake
# targets that already carry whole-archive (or --no-as-needed) for their consumers.
EXECUTORCH_TARGETS = frozenset(
    {
        "executorch",
        "executorch_core",
        "executorch_no_prim_ops",
        "portable_kernels",
        "portable_ops_lib",
        "optimized_kernels",
        "optimized_ops_lib",
        "optimized_native_cpu_ops_lib",
        "optimized_portable_kernels",
        "quantized_kernels",
        "quantized_ops_lib",
        "custom_ops",
        "xnnpack_backend",
        "vulkan_backend",
        "coremldelegate",
        "mpsdelegate",
        "mlxdelegate",
        "qnn_executorch_backend",
        "neuron_backend",
        "openvino_backend",
        "aoti_cuda_backend",
        "metal_backend",
        "vgf_backend",
        "enn_backend",
        "executorch_delegate_ethos_u",
        "extension_module",
        "extension_module_static",
        "extension_data_loader",
        "extension_tensor",
        "extension_threadpool",
        "extension_runner_util",
        "extension_llm_runner",
        "extension_flat_tensor",
        "etdump",
        "bundled_program",
        "executorch_backends",
        "executorch_extensions",
        "executorch_kernels",
        "executorch::runtime",
        "executorch::kernels_optimized",
        "executorch::kernels_quantized",
        "executorch::backend_xnnpack",
        "executorch::backends",
        "executorch::extensions",
        "executorch::kernels",
    }
)
# ``${EXECUTORCH_LIBRARIES}`` after find_package(executorch): the required libraries plus
# the optional ones that were installed (portable_ops_lib in a default build).
EXECUTORCH_LIBRARIES = ("executorch", "executorch_core", "portable_kernels", "portable_ops_lib")


def _declare_executorch_targets(interpreter: Interpreter, call: _Call) -> None:
    for name in EXECUTORCH_TARGETS:
        if name not in interpreter.model.targets:
            target = interpreter.add_target(name, "imported", call.frame, call.site)
            target.executorch = True
            target.whole_archive_interface = True


_EXECUTORCH_PROJECT = re.compile(rb"(?im)^\s*project\s*\(\s*executorch\b")


def is_executorch_root(data: bytes) -> bool:
    return _EXECUTORCH_PROJECT.search(data) is not None


# -- conditions -------------------------------------------------------------------------------
_UNARY = frozenset({"DEFINED", "TARGET", "EXISTS", "COMMAND", "POLICY", "IS_DIRECTORY"})
_BINARY = frozenset(
    {
        "STREQUAL",
        "STRLESS",
        "STRGREATER",
        "EQUAL",
        "LESS",
        "GREATER",
        "LESS_EQUAL",
        "GREATER_EQUAL",
        "MATCHES",
        "IN_LIST",
        "VERSION_LESS",
        "VERSION_GREATER",
        "VERSION_EQUAL",
        "VERSION_LESS_EQUAL",
        "VERSION_GREATER_EQUAL",
        "STRLESS_EQUAL",
        "STRGREATER_EQUAL",
    }
)


class _Condition:
    """``if()`` arguments to True, False or None (unknown), three-valued."""

    def __init__(
        self, tokens: list[tuple[str, bool]], variables: dict[str, str], model: BuildModel
    ) -> None:
        self.tokens = tokens
        self.position = 0
        self.parentheses = 0  # open around the current token
        self.variables = variables
        self.model = model

    def evaluate(self) -> bool | None:
        if not self.tokens:
            return False
        value = self._or()
        return value if self.position == len(self.tokens) else None

    def _peek(self) -> str | None:
        return self.tokens[self.position][0] if self.position < len(self.tokens) else None

    def _next(self) -> tuple[str, bool]:
        token = self.tokens[self.position]
        self.position += 1
        return token

    def _or(self) -> bool | None:
        value = self._and()
        while self._peek() == "OR":
            self.position += 1
            value = _or3(value, self._and())
        return value

    def _and(self) -> bool | None:
        value = self._not()
        while self._peek() == "AND":
            self.position += 1
            value = _and3(value, self._not())
        return value

    def _not(self) -> bool | None:
        negations = 0
        while self._peek() == "NOT":
            self.position += 1
            negations += 1
        value = self._comparison()
        return None if value is None else value ^ (negations % 2 == 1)

    def _comparison(self) -> bool | None:
        if self._peek() == "(":
            if self.parentheses >= _MAX_NESTING:
                return None  # unknown; the tokens left make the whole condition unknown
            self.position += 1
            self.parentheses += 1
            value = self._or()
            self.parentheses -= 1
            if self._peek() == ")":
                self.position += 1
            return value
        token, quoted = self._next()
        if token in _UNARY and not quoted:
            operand, _ = self._next()
            return self._unary(token, operand)
        if self._peek() in _BINARY:
            operator, _ = self._next()
            right, right_quoted = self._next()
            return self._binary(self._value(token, quoted), operator, right, right_quoted)
        return self._truth(token, quoted)

    def _unary(self, operator: str, operand: str) -> bool | None:
        if UNKNOWN in operand:
            return None
        if operator == "DEFINED":
            return True if operand in self.variables else None
        if operator == "TARGET":
            return True if operand in self.model.targets else None
        return None

    def _value(self, token: str, quoted: bool) -> str:
        if quoted or UNKNOWN in token:
            return token
        return self.variables.get(token, token)

    def _binary(self, left: str, operator: str, right: str, right_quoted: bool) -> bool | None:
        right = right if right_quoted else self.variables.get(right, right)
        if UNKNOWN in left or UNKNOWN in right or _TAG in left or _TAG in right:
            return None
        if operator == "STREQUAL":
            return left == right
        if operator == "MATCHES":
            return re.search(right, left) is not None
        if operator == "IN_LIST":
            items = self.variables.get(right)
            return None if items is None or UNKNOWN in items else left in _split(items)
        if operator in ("EQUAL", "LESS", "GREATER", "LESS_EQUAL", "GREATER_EQUAL"):
            a, b = float(left), float(right)
            return {
                "EQUAL": a == b,
                "LESS": a < b,
                "GREATER": a > b,
                "LESS_EQUAL": a <= b,
                "GREATER_EQUAL": a >= b,
            }[operator]
        return None

    def _truth(self, token: str, quoted: bool) -> bool | None:
        if UNKNOWN in token or _TAG in token:
            return None
        upper = token.upper()
        if upper in _CONSTANT_TRUE or _NONZERO_NUMBER.fullmatch(token):
            return True
        if upper in _CONSTANT_FALSE or upper.endswith("-NOTFOUND"):
            return False
        if quoted:
            return None
        value = self.variables.get(token)
        if value is None or UNKNOWN in value or _TAG in value:
            return None
        upper = value.upper()
        return not (upper in _CONSTANT_FALSE or upper.endswith("-NOTFOUND"))


def _and3(a: bool | None, b: bool | None) -> bool | None:
    if a is False or b is False:
        return False
    return None if a is None or b is None else True


def _or3(a: bool | None, b: bool | None) -> bool | None:
    if a is True or b is True:
        return True
    return None if a is None or b is None else False


# -- helpers ------------------------------------------------------------------------------------
def _argument_nodes(head: ts.Node | None) -> Iterator[ts.Node]:
    if head is None:
        return
    arguments = (
        head
        if head.type == "argument_list"
        else next((c for c in head.named_children if c.type == "argument_list"), None)
    )
    if arguments is None:
        return
    yield from (c for c in arguments.named_children if c.type == "argument")


def _text(node: ts.Node, data: bytes) -> str:
    return data[node.start_byte : node.end_byte].decode("utf-8", "replace")


def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return text[1:-1]
    if text.startswith("[") and text.endswith("]"):
        return UNKNOWN
    return text


def _flat(variables: MutableMapping[str, str]) -> dict[str, str]:
    """``dict(variables)`` without ChainMap's lookup of every name through its maps."""
    if not isinstance(variables, ChainMap):
        return dict(variables)
    flat: dict[str, str] = {}
    for mapping in reversed(variables.maps):
        flat.update(mapping)
    return flat


def _split(value: str) -> list[str]:
    return [item for item in value.split(";") if item != ""] if value else []


def _initial_variables(path: str) -> dict[str, str]:
    directory = os.path.dirname(path)
    return {
        "CMAKE_SOURCE_DIR": directory,
        "CMAKE_CURRENT_SOURCE_DIR": directory,
        "PROJECT_SOURCE_DIR": directory,
        "CMAKE_CURRENT_BINARY_DIR": UNKNOWN,
        "CMAKE_BINARY_DIR": UNKNOWN,
    }


def build_model(path: str, read: Reader) -> BuildModel:
    """The model of the build whose top-level list file is ``path``."""
    return Interpreter(read).run_file(path)
