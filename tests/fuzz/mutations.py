"""Mutations of seed inputs: each takes the bytes, a position and a payload (so that a
failing input is described by a few small numbers, which hypothesis can shrink)."""

from __future__ import annotations

from collections.abc import Callable

from executorch_lsp.engine.languages import LanguageId

from .corpus import LOG, seeds

Mutation = Callable[[bytes, int, bytes], bytes]

BOM = b"\xef\xbb\xbf"
INVALID_UTF8 = (
    b"\xff",  # never valid
    b"\xc3",  # a truncated two-byte sequence
    b"\x80",  # a lone continuation byte
    b"\xed\xa0\x80",  # a surrogate (what "surrogatepass" writes for text from an editor)
    b"\xed\xb3\xbf",  # "\udcff" as surrogateescape makes it from an undecodable byte
    b"\xf4\x90\x80\x80",  # above U+10FFFF
    b"\xc0\xaf",  # an overlong "/"
)
NON_ASCII = ("é", "名前", "𝑥", "Ω", "ǅ", "\u200b", "\u0301", "ﬁ", "İ", "\u2028")


def _at(data: bytes, position: int) -> int:
    return position % (len(data) + 1)


def truncate(data: bytes, position: int, _payload: bytes) -> bytes:
    return data[: _at(data, position)]


def flip(data: bytes, position: int, payload: bytes) -> bytes:
    if not data:
        return payload
    index = position % len(data)
    mask = payload[0] if payload and payload[0] else 0x01
    return data[:index] + bytes([data[index] ^ mask]) + data[index + 1 :]


def insert(data: bytes, position: int, payload: bytes) -> bytes:
    index = _at(data, position)
    return data[:index] + payload + data[index:]


def delete(data: bytes, position: int, payload: bytes) -> bytes:
    index = _at(data, position)
    return data[:index] + data[index + 1 + len(payload) * 4 :]


def duplicate(data: bytes, position: int, payload: bytes) -> bytes:
    index = _at(data, position)
    piece = data[index : index + 1 + (payload[0] if payload else 16) * 4]
    return data[:index] + piece + data[index:]


def nul(data: bytes, position: int, _payload: bytes) -> bytes:
    return insert(data, position, b"\0")


def invalid_utf8(data: bytes, position: int, payload: bytes) -> bytes:
    chosen = INVALID_UTF8[(payload[0] if payload else 0) % len(INVALID_UTF8)]
    return insert(data, position, chosen)


def crlf(data: bytes, _position: int, _payload: bytes) -> bytes:
    return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def lone_cr(data: bytes, _position: int, _payload: bytes) -> bytes:
    return data.replace(b"\n", b"\r")


def mixed_endings(data: bytes, position: int, _payload: bytes) -> bytes:
    endings = (b"\n", b"\r\n", b"\r")
    lines = data.split(b"\n")
    return b"".join(
        line + (endings[(position + index) % 3] if index < len(lines) - 1 else b"")
        for index, line in enumerate(lines)
    )


def bom(data: bytes, _position: int, _payload: bytes) -> bytes:
    return BOM + data


def non_ascii(data: bytes, position: int, payload: bytes) -> bytes:
    """Put a non-ASCII character into the identifier (or text) at ``position``."""
    chosen = NON_ASCII[(payload[0] if payload else 0) % len(NON_ASCII)]
    return insert(data, position, chosen.encode())


_NESTINGS = {
    LanguageId.CMAKE: ((b"if(A)\n", b"endif()\n"), (b"foreach(x a b)\n", b"endforeach()\n")),
    LanguageId.CPP: ((b"{(", b")}"), (b"for (;;) {", b"}"), (b"if (a) {", b"} else {}")),
}


def _nesting(kind: LanguageId | str, depth: int, variant: int) -> tuple[bytes, bytes]:
    choices = _NESTINGS.get(kind, ((b"[(", b")]"), (b"f(", b")")))
    opening, closing = choices[variant % len(choices)]
    return opening * depth, closing * depth


def nester(kind: LanguageId | str) -> Mutation:
    def nest(data: bytes, position: int, payload: bytes) -> bytes:
        depth = 1 + (payload[0] if payload else 64)
        opening, closing = _nesting(kind, depth, position)
        index = _at(data, position)
        end = _at(data, position + (payload[1] if len(payload) > 1 else 0))
        end = max(index, end)
        return data[:index] + opening + data[index:end] + closing + data[end:]

    return nest


MUTATIONS: dict[str, Mutation] = {
    "truncate": truncate,
    "flip": flip,
    "insert": insert,
    "delete": delete,
    "duplicate": duplicate,
    "nul": nul,
    "invalid_utf8": invalid_utf8,
    "crlf": crlf,
    "lone_cr": lone_cr,
    "mixed_endings": mixed_endings,
    "bom": bom,
    "non_ascii": non_ascii,
}


def mutate(kind: LanguageId | str, data: bytes, name: str, position: int, payload: bytes) -> bytes:
    mutation = nester(kind) if name == "nest" else MUTATIONS[name]
    return mutation(data, position, payload)


MUTATION_NAMES = (*MUTATIONS, "nest")


# --- the inputs no mutation of a small seed reaches -----------------------------------------


_NESTED_CORE = {
    LanguageId.CPP: b"Module m(p); m.load(); get_threadpool()->_unsafe_reset_threadpool(4);",
    LanguageId.CMAKE: b"target_link_libraries(app /opt/et/libxnnpack_backend.a)\n",
    LanguageId.STARLARK: b'executorch_generated_lib(name = "x", deps = [":a"])',
    LanguageId.PYTHON: b"to_edge(ep).to_backend(XnnpackPartitioner())",
    LOG: b"Backend XnnpackBackend is not registered.",
}


def deeply_nested(kind: LanguageId | str, depth: int = 5_000) -> bytes:
    """A documented bad example (so that the rules run rather than being screened out),
    then ``depth`` nested blocks, parentheses or lists around more of what they look at."""
    core = _NESTED_CORE[kind]
    prefix = documented_bad_example(kind)
    if kind is LanguageId.CPP:
        blocks = b"void f() " + b"{" * depth + core + b"}" * depth
        loops = b"void g() {" + b"for (;;) {" * depth + core + b"}" * depth + b"}"
        return b"\n".join((prefix, blocks, loops, b"int h() { return " + _parenthesised(depth)))
    if kind is LanguageId.CMAKE:
        blocks = b"if(A)\n" * depth + core + b"endif()\n" * depth
        loops = b"foreach(x a)\n" * depth + core + b"endforeach()\n" * depth
        condition = b"if(" + b"NOT " * depth + b"(" * depth + b"A" + b")" * depth + b")\nendif()\n"
        return b"\n".join((prefix, blocks, loops, condition))
    lists = b"y = " + b"[" * depth + b"]" * depth
    return b"\n".join((prefix, b"x = " + b"(" * depth + core + b")" * depth, lists, b""))


def _parenthesised(depth: int) -> bytes:
    return b"(" * depth + b"1" + b")" * depth + b"; }\n"


def documented_bad_example(kind: LanguageId | str) -> bytes:
    """The first rule's documented bad example in ``kind`` (the log: a runtime line)."""
    for seed in seeds():
        if seed.kind == kind and seed.origin.endswith(" bad"):
            return seed.data
    return b"E 00:00:00.366934 executorch:method.cpp:88] Missing operator: [3] aten::x.out"


def huge_line(kind: LanguageId | str, size: int = 1 << 20) -> bytes:
    """One line of about ``size`` bytes made of statements the rules look at."""
    statement = {
        LanguageId.CPP: b"get_threadpool()->_unsafe_reset_threadpool(4); m.load(); ",
        LanguageId.CMAKE: b"target_link_libraries(app xnnpack_backend) ",
        LanguageId.STARLARK: b'executorch_generated_lib(name = "x", deps = [":a"]); ',
        LanguageId.PYTHON: b"to_edge(ep).to_backend(XnnpackPartitioner()); ",
        LOG: b"E 00:00:00.366934 executorch:method.cpp:88] Missing operator: [3] aten::x.out ",
    }[kind]
    return statement * (size // len(statement) + 1)
