"""Across files: which functions load a model or reset the thread pool, and in what order.

Each C++ file is summarised once (until it changes) into, per function, the ordered
steps that matter: a model load, a thread-pool reset, or a call to a function of
another file. Helpers of the same file are inlined. Summaries of other files are
combined on demand, so ``Engine::init()`` in engine.cpp that loads and
``set_threads()`` in threads.cpp that resets are both known in main.cpp.

Only unambiguous definitions are followed: a name defined differently in several
places, an unknown receiver type or a recursion is never guessed through.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from functools import lru_cache

import tree_sitter as ts

from ...engine import grammars
from ...engine.document import Document
from ...engine.findings import Site
from ...engine.interrupts import AnalysisInterrupted, checkpoint, interrupt_at
from ...engine.languages import LanguageId, detect_language
from ...engine.workspace import Workspace
from ..screens import WORD_BYTES, AnyOf
from .file_model import FieldLookup, FileModel, Unit, _class_words
from .flow import Event, OrderWalker
from .guards import is_guarded
from .headers import header_fields, included_stems
from .model_loads import is_direct_load, is_member_load
from .syntax import member_call, path_parts, text

RESET_METHOD = "_unsafe_reset_threadpool"
_MACRO = re.compile(r"[A-Z][A-Z0-9_]*")
_MAX_STEPS = 64
_MAX_DEPTH = 8
_MAX_ROUNDS = 4
# How long one function's summary may take (pathological nesting); beyond, it says nothing.
_SUMMARY_SECONDS = 2.0
_MAX_DEFINITION_FILES = 8
# A definition-like occurrence: ``name(params) qualifiers {`` (not ``x.name(``: checked
# on the match, which keeps the pattern literal-led and fast to search).
_DEFINITION = rb"NAME\s*\([^;{}]*\)[^;{}()]*\{"
_NOT_BEFORE_DEFINITION = WORD_BYTES | frozenset(b".>")
# Never called by the program itself, so never a helper that resets or loads.
_ENTRY_POINTS = frozenset({"main", "wmain", "WinMain", "JNI_OnLoad"})


@dataclass(frozen=True)
class Step:
    kind: str  # "load", "reset" or "call"
    site: Site
    callee: str | None = None  # for calls: the function's name
    scope: str | None = None  # for calls: the class named at the call (``A::f``, ``a.f``)
    context_class: str | None = None  # for calls: the class of the calling method


@dataclass(frozen=True)
class FunctionFacts:
    name: str
    class_name: str | None
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class RemoteEvent:
    """A load or reset reached through functions of other files."""

    kind: str
    site: Site  # where it happens
    via: tuple[str, ...]  # the functions called on the way, outermost first


# -- one file --------------------------------------------------------------------------------
def classify_local(model: FileModel, unit: Unit, call: ts.Node) -> str | None:
    """ "reset" or "load" for a direct thread-pool reset or ExecuTorch load, else None."""
    data = model.data
    member = member_call(call, data)
    if member is not None and member[2] == RESET_METHOD:
        return None if is_guarded(call, unit.body, data) else "reset"
    receiver_type = model.receiver_type(member[0], unit) if member else None
    if is_direct_load(call, data) or is_member_load(call, data, receiver_type):
        return "load"
    return None


def call_target(model: FileModel, unit: Unit, call: ts.Node) -> tuple[str, str | None] | None:
    """(name, class named at the call) of a call that may reach a function of another
    file; None otherwise.

    Free and qualified calls count; member calls only when the receiver's declared
    type names a class (``engine.init()`` with ``Engine engine``), or on ``this``.
    """
    data = model.data
    function = call.child_by_field_name("function")
    if function is None:
        return None
    if function.type in ("identifier", "qualified_identifier"):
        parts = path_parts(text(function, data))
        if not parts or parts[0] == "std" or _MACRO.fullmatch(parts[-1]):
            return None
        variable = model.lookup(parts[0], call) if len(parts) == 1 else None
        if variable is not None and not variable.is_function:
            return None  # a variable (a lambda or function pointer) of this file
        return parts[-1], parts[-2] if len(parts) > 1 else None
    member = member_call(call, data)
    if member is None:
        return None
    receiver, _, name = member
    if receiver.type == "this":
        return name, model.class_of(unit)
    if receiver.type not in ("identifier", "field_expression"):
        return None
    receiver_name = receiver if receiver.type == "identifier" else None
    variable = model.lookup(text(receiver_name, data), call) if receiver_name else None
    words = _class_words(variable.type_text) if variable is not None else set()
    if len(words) != 1:
        return None
    return name, next(iter(words))


class FileSummary:
    """Per function name, the facts of each definition in one file. The functions are
    listed up front (cheap); their steps are worked out when a name is asked for."""

    def __init__(
        self, path: str, data: bytes, fields: FieldLookup | None, document: Document | None
    ) -> None:
        document = document or Document(path, LanguageId.CPP, data)
        model = FileModel(document.tree.root_node, data, fields)
        self._summarizer = _FileSummarizer(path, model)
        self._units: dict[str, list[Unit]] = {}
        query = grammars.compile_query(LanguageId.CPP, "cpp/function_definitions.scm")
        for _, captures in ts.QueryCursor(query).matches(document.tree.root_node):
            for node in captures.get("function", []):
                unit = model.unit_for(node)
                if unit.name and unit.name not in _ENTRY_POINTS:
                    self._units.setdefault(unit.name, []).append(unit)
        self._facts: dict[str, list[FunctionFacts]] = {}

    def get(self, name: str, default: list[FunctionFacts] | None = None) -> list[FunctionFacts]:
        if name not in self._units:
            return [] if default is None else default
        if name not in self._facts:
            self._facts[name] = self._facts_of(name)
        return self._facts[name]

    def items(self) -> list[tuple[str, list[FunctionFacts]]]:
        found = []
        for name in self._units:
            checkpoint()  # the whole file's facts: a walk that may give way (calls, too)
            found.append((name, self.get(name)))
        return found

    def mentioning(self, needles: tuple[bytes, ...]) -> list[tuple[str, list[FunctionFacts]]]:
        """The facts of the functions whose body holds one of ``needles`` (the others
        cannot call what the needles name: their steps are not worked out). Macro-named
        definitions are left out: calls never resolve to them."""
        data = self._summarizer.model.data
        return [
            (name, self.get(name))
            for name, units in self._units.items()
            if not _MACRO.fullmatch(name)  # TEST(...) { ... }: never called, never followed
            and any(
                needle in data[unit.body.start_byte : unit.body.end_byte]
                for unit in units
                for needle in needles
            )
        ]

    def _facts_of(self, name: str) -> list[FunctionFacts]:
        watch = None
        try:
            with interrupt_at(time.monotonic() + _SUMMARY_SECONDS) as watch:
                return [
                    FunctionFacts(name, unit.class_name, self._summarizer.steps(unit))
                    for unit in self._units[name]
                ]
        except AnalysisInterrupted:
            if watch is None or not watch.fired:
                raise  # the analysis around this ran out of time, not this summary
            return []
        except Exception:  # a function we cannot summarise contributes nothing
            return []


def summarize_file(
    path: str, data: bytes, fields: FieldLookup | None = None, document: Document | None = None
) -> FileSummary | dict[str, list[FunctionFacts]]:
    """The file's summary (``document``: an already parsed copy of ``data``); empty when
    the file cannot be read as C++."""
    try:
        return FileSummary(path, data, fields, document)
    except Exception:
        return {}


class _FileSummarizer:
    def __init__(self, path: str, model: FileModel) -> None:
        self.path = path
        self.model = model
        self._steps: dict[int, tuple[Step, ...]] = {}
        self._in_progress: set[int] = set()

    def steps(self, unit: Unit) -> tuple[Step, ...]:
        key = id(unit)
        if key in self._steps:
            return self._steps[key]
        if key in self._in_progress:
            return ()
        self._in_progress.add(key)
        collected: list[Step] = []
        walker = OrderWalker(lambda call: self._classify(unit, call, collected))
        try:
            walker.run(unit.body)
        finally:  # a stopped walk leaves no mark: the summary is kept and asked again
            self._in_progress.discard(key)
        self._steps[key] = _trim(collected)
        return self._steps[key]

    def _classify(self, unit: Unit, call: ts.Node, collected: list[Step]) -> list[Event]:
        checkpoint()
        if len(collected) >= _MAX_STEPS:
            return []
        kind = classify_local(self.model, unit, call)
        site = Site(self.path, call.start_byte, call.end_byte)
        if kind is not None:
            collected.append(Step(kind, site))
            return []
        callee = self.model.resolve_call(call, unit)
        if callee is not None and callee is not unit:
            collected.extend(self.steps(callee))
            return []
        target = call_target(self.model, unit, call)
        if target is not None:
            context_class = self.model.class_of(unit)
            collected.append(Step("call", site, target[0], target[1], context_class))
        return []


def _trim(steps: list[Step]) -> tuple[Step, ...]:
    """Drop what cannot matter: everything after the first load and the first reset,
    and functions whose steps never lead anywhere are stored as empty."""
    kept: list[Step] = []
    seen: set[str] = set()
    for step in steps:
        if step.kind == "call" and seen >= {"load", "reset"}:
            break
        if step.kind != "call":
            if step.kind in seen:
                continue
            seen.add(step.kind)
        kept.append(step)
    return tuple(kept)


def _mentioning(
    summary: FileSummary | dict[str, list[FunctionFacts]], needles: tuple[bytes, ...]
) -> list[tuple[str, list[FunctionFacts]]]:
    if isinstance(summary, FileSummary):
        return summary.mentioning(needles)
    return list(summary.items())


# -- the workspace ---------------------------------------------------------------------------
class CallGraph:
    """Cross-file summaries over a Workspace (all caches live in the workspace)."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace

    def facts(self, path: str) -> FileSummary | dict[str, list[FunctionFacts]]:
        fields = header_fields(self.workspace, path)
        return self.workspace.per_file(
            path,
            "cpp-call-graph",
            lambda data: summarize_file(
                path, data, fields, self.workspace.document(path, data, LanguageId.CPP)
            ),
        )

    def resetters(self) -> frozenset[str]:
        """Names of functions that reset the thread pool, directly or through others."""
        return self.workspace.memo(("cpp-resetters",), self._find_resetters)

    def resetter_call_pattern(self) -> AnyOf | None:
        """Calls of the resetters (the screen of every file: built once per workspace state)."""
        return self.workspace.memo(("cpp-resetter-calls",), self._resetter_call_pattern)

    def _resetter_call_pattern(self) -> AnyOf | None:
        names = self.resetters()
        if not names:
            return None
        return AnyOf(*(rb"\b" + re.escape(name.encode()) + rb"\s*\(" for name in sorted(names)))

    def _find_resetters(self) -> frozenset[str]:
        needles: tuple[bytes, ...] = (RESET_METHOD.encode(),)
        files = self.workspace.files_containing(LanguageId.CPP, needles)
        names: set[str] = set()
        for _ in range(_MAX_ROUNDS):
            new_names: set[str] = set()
            for path in files:
                for name, definitions in _mentioning(self.facts(path), needles):
                    if name not in names and any(
                        _leads_to_reset(f, names | new_names) for f in definitions
                    ):
                        new_names.add(name)
            if not new_names:
                break
            names |= new_names
            new_needles = tuple(name.encode() for name in sorted(new_names))
            files = self.workspace.files_containing(LanguageId.CPP, new_needles)
            needles = (RESET_METHOD.encode(), *(name.encode() for name in sorted(names)))
        return frozenset(names)

    def events(
        self, name: str, scope: str | None, context_class: str | None, from_path: str
    ) -> tuple[RemoteEvent, ...]:
        """The first load and first reset that a call of ``name`` in ``from_path`` leads to,
        in order (empty when unknown or ambiguous)."""
        key = ("cpp-events", name, scope, context_class, from_path)
        return self.workspace.memo(
            key, lambda: self._events(name, scope, context_class, from_path, 0, frozenset())
        )

    def _events(
        self,
        name: str,
        scope: str | None,
        context_class: str | None,
        from_path: str,
        depth: int,
        active: frozenset,
    ) -> tuple[RemoteEvent, ...]:
        if depth > _MAX_DEPTH or (name, scope) in active:
            return ()
        definition = self._definition(name, scope, context_class, from_path)
        if definition is None:
            return ()
        found: dict[str, RemoteEvent] = {}
        qualified = f"{definition.class_name}::{name}" if definition.class_name else name
        for step in definition.steps:
            if step.kind != "call":
                found.setdefault(step.kind, RemoteEvent(step.kind, step.site, (qualified,)))
            else:
                inner = self._events(
                    step.callee,
                    step.scope,
                    step.context_class,
                    step.site.path,
                    depth + 1,
                    active | {(name, scope)},
                )
                for event in inner:
                    found.setdefault(
                        event.kind, RemoteEvent(event.kind, event.site, (qualified, *event.via))
                    )
            if len(found) == 2:
                break
        return tuple(found.values())

    def _definition(
        self, name: str, scope: str | None, context_class: str | None, from_path: str
    ) -> FunctionFacts | None:
        """The one definition of ``name`` in another file that a call reaches, if unambiguous.

        ``A::f()`` and ``a.f()`` reach only class ``A``'s ``f``; a plain ``f()`` inside a
        method of ``A`` reaches ``A::f`` if there is one, else a free function ``f``."""
        files = self._defining_files(name, from_path)
        if len(files) > _MAX_DEFINITION_FILES:
            return None
        found = [
            facts for path in files if path != from_path for facts in self.facts(path).get(name, [])
        ]
        if scope is not None:
            candidates = [facts for facts in found if facts.class_name == scope]
        else:
            candidates = [facts for facts in found if facts.class_name == context_class]
            if not candidates or context_class is None:
                candidates = [facts for facts in found if facts.class_name is None]
        distinct = {facts.steps for facts in candidates}
        return candidates[0] if len(distinct) == 1 else None

    def _defining_files(self, name: str, from_path: str) -> list[str]:
        """Files near ``from_path`` that seem to define ``name``: the same folder, and the
        headers it includes with their sources (``engine.h`` -> ``engine.cpp``)."""
        needle = name.encode()
        definition = _definition_pattern(needle)
        found = []
        for path in self._nearby(from_path):
            data = self.workspace.read(path)
            if data is not None and needle in data and _defines(definition, data):
                found.append(path)
        return found

    def _nearby(self, path: str) -> list[str]:
        def compute(data: bytes) -> list[str]:
            nearby = dict.fromkeys(self.workspace.neighbours(path, LanguageId.CPP))
            for stem in included_stems(data):
                nearby.update(dict.fromkeys(self.workspace.with_stem(stem, LanguageId.CPP)[:8]))
            nearby.pop(path, None)
            return list(nearby)

        return self.workspace.per_file(path, "cpp-nearby", compute) or []


def fingerprint(workspace: Workspace, path: str) -> tuple:
    """The call summaries of ``path`` without positions (which move with every edit)."""
    if detect_language(path) is not LanguageId.CPP:
        return ()
    facts = CallGraph(workspace).facts(path) or {}
    return tuple(
        (name, f.class_name, tuple((s.kind, s.callee, s.scope) for s in f.steps))
        for name, definitions in sorted(facts.items())
        for f in definitions
        if f.steps
    )


@lru_cache(maxsize=4096)
def _definition_pattern(name: bytes) -> re.Pattern[bytes]:
    return re.compile(_DEFINITION.replace(b"NAME", re.escape(name)))


def _defines(definition: re.Pattern[bytes], data: bytes) -> bool:
    position = 0
    while (match := definition.search(data, position)) is not None:
        start = match.start()
        if start == 0 or data[start - 1] not in _NOT_BEFORE_DEFINITION:
            return True
        position = start + 1
    return False


def _leads_to_reset(facts: FunctionFacts, resetters: set[str]) -> bool:
    return any(
        step.kind == "reset" or (step.kind == "call" and step.callee in resetters)
        for step in facts.steps
    )
