"""Hostile and broken LSP traffic against the real server process, framed by hand.

After each abuse the server must still answer and report a normal document's finding.
"""

from __future__ import annotations

import json
import queue
import time
from pathlib import Path

import pytest
from raw import RawServer
from test_server import SOURCE

PARSE_ERROR, INVALID_REQUEST, METHOD_NOT_FOUND, INVALID_PARAMS = -32700, -32600, -32601, -32602
ET101_START = {"line": 7, "character": 57}
# Memory an abuse may leave behind (allocator slack, caches that fill once).
RSS_MARGIN_KIB = 30 * 1024


@pytest.fixture
def server(tmp_path: Path):
    running = RawServer(tmp_path)
    running.initialize(tmp_path)
    yield running
    code, stderr = running.stop()
    assert code == 0, stderr
    assert "Traceback" not in stderr


def assert_still_serves(server: RawServer, root: Path, name: str = "check.cpp") -> None:
    uri = (root / name).as_uri()
    server.open(uri, SOURCE)
    (diagnostic,) = server.diagnostics(uri, version=1)
    assert (diagnostic["code"], diagnostic["range"]["start"]) == ("ET101", ET101_START)


def frame(message: dict) -> bytes:
    body = json.dumps({"jsonrpc": "2.0", **message}).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def error_of(response: dict) -> int:
    return response["error"]["code"]


def no_message(server: RawServer, matches, seconds: float) -> bool:
    """No message yet to be read within ``seconds`` matches."""
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        try:
            if matches(server.next_message(left)):
                return False
        except queue.Empty:
            return True
    return True


# -- framing and JSON ------------------------------------------------------------------
def test_malformed_json_gets_parse_errors(server: RawServer, tmp_path: Path):
    server.send_body(b'{"jsonrpc": "2.0", "id": 1, "method": ')
    server.send_body(b"\xff\xfe not utf-8")
    for _ in range(2):
        response = server.response(None)
        assert error_of(response) == PARSE_ERROR
    for body in (b"[1, 2]", b"42", b'"text"', b'{"id": 5, "method": "textDocument/hover"}'):
        server.send_body(body)
        assert error_of(server.response(5 if b"id" in body else None)) == INVALID_REQUEST
    assert_still_serves(server, tmp_path)


BAD_FRAMING = [
    b"Content-Length: abc\r\n\r\n{}",  # a length that is no number
    b"Content-Length: 3\r\n\r\n" + frame({"method": "x"}),  # a body cut short
    b"Content-Type: application/json\r\n\r\n{}",  # no length at all
    b"garbage without any header",
]


def test_bad_framing_costs_only_the_bad_message(server: RawServer, tmp_path: Path):
    hover = {"textDocument": {"uri": (tmp_path / "a.cpp").as_uri()}, "position": ET101_START}
    for bad in BAD_FRAMING:
        server.write(bad)
        assert server.call("textDocument/hover", hover, timeout=10)["result"] is None
    assert_still_serves(server, tmp_path)


def test_header_lines_ended_by_a_bare_line_feed(server: RawServer, tmp_path: Path):
    body = json.dumps({"jsonrpc": "2.0", "id": 77, "method": "shutdown-not"}).encode()
    server.write(b"Content-Length: %d\n\n" % len(body) + body)
    assert error_of(server.response(77)) == METHOD_NOT_FOUND


# -- methods and parameters ------------------------------------------------------------
def test_unknown_methods(server: RawServer, tmp_path: Path):
    assert error_of(server.call("executorch/noSuchRequest", {})) == METHOD_NOT_FOUND
    server.notify("executorch/noSuchNotification", {"x": 1})
    server.notify("$/noSuchNotification", None)
    assert_still_serves(server, tmp_path)


WRONG_PARAMETERS = [
    ("textDocument/hover", {"textDocument": {"uri": "file:///a.cpp"}, "position": "top"}),
    ("textDocument/hover", {"textDocument": 5, "position": {"line": "1", "character": 0}}),
    ("textDocument/hover", {"textDocument": {"uri": "file:///a.cpp"}, "position": {"line": -1}}),
    ("textDocument/hover", None),
    ("textDocument/hover", [1, 2, 3]),
    ("textDocument/codeAction", {"textDocument": {"uri": "file:///a.cpp"}, "range": [0, 0]}),
    ("textDocument/diagnostic", {"textDocument": "file:///a.cpp"}),
    ("workspace/diagnostic", {"previousResultIds": "none"}),
    ("workspace/executeCommand", {"command": 42}),
]


def test_every_request_with_wrong_parameter_types_is_answered(server: RawServer, tmp_path: Path):
    ids = [server.request(method, params) for method, params in WRONG_PARAMETERS]
    for request_id in ids:
        response = server.response(request_id, timeout=10)
        assert error_of(response) == INVALID_PARAMS, response
    server.send({"id": [1], "method": "textDocument/hover", "params": {}})
    assert error_of(server.response(None)) == INVALID_REQUEST
    assert no_message(server, lambda m: m.get("method") == "window/showMessage", 0.2)
    assert_still_serves(server, tmp_path)


def test_notifications_with_wrong_parameter_types_are_ignored(server: RawServer, tmp_path: Path):
    server.notify("textDocument/didOpen", {"textDocument": 5})
    server.notify("textDocument/didChange", {"textDocument": {"uri": 1}, "contentChanges": 2})
    server.notify("textDocument/didClose", "everything")
    server.notify("workspace/didChangeConfiguration", None)
    assert no_message(server, lambda m: m.get("method") == "window/showMessage", 0.2)
    assert_still_serves(server, tmp_path)


def test_requests_after_shutdown_are_refused(tmp_path: Path):
    server = RawServer(tmp_path)
    server.initialize(tmp_path)
    server.call("shutdown")
    hover = {"textDocument": {"uri": (tmp_path / "a.cpp").as_uri()}, "position": ET101_START}
    assert error_of(server.call("textDocument/hover", hover)) == INVALID_REQUEST
    server.notify("exit")
    assert server.finish()[0] == 0


# -- documents ---------------------------------------------------------------------------
FAR = 2**31 - 1


def test_positions_past_the_end(server: RawServer, tmp_path: Path):
    for index, (line, character) in enumerate([(FAR, FAR), (3, FAR), (10_000, 0), (8, 500)]):
        uri = (tmp_path / f"main{index}.cpp").as_uri()
        server.open(uri, SOURCE)
        server.diagnostics(uri, version=1)
        check_position_past_the_end(server, uri, {"line": line, "character": character})


def check_position_past_the_end(server: RawServer, uri: str, position: dict) -> None:
    document = {"uri": uri}
    hover = server.call("textDocument/hover", {"textDocument": document, "position": position})
    assert "error" not in hover
    actions = server.call(
        "textDocument/codeAction",
        {
            "textDocument": document,
            "range": {"start": {"line": 0, "character": 0}, "end": position},
            "context": {"diagnostics": []},
        },
    )
    assert "source.fixAll.executorch-lsp" in {action["kind"] for action in actions["result"]}
    edit = {"range": {"start": position, "end": position}, "text": "\n// end\n"}
    server.notify(
        "textDocument/didChange",
        {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [edit]},
    )
    (diagnostic,) = server.diagnostics(uri, version=2)
    lines_added_above = 2 if position["line"] < ET101_START["line"] else 0
    assert diagnostic["range"]["start"]["line"] == ET101_START["line"] + lines_added_above


def test_changes_to_documents_never_opened_are_ignored(server: RawServer, tmp_path: Path):
    never_opened = (tmp_path / "never.cpp").as_uri()
    change = {"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}}
    server.notify(
        "textDocument/didChange",
        {
            "textDocument": {"uri": never_opened, "version": 2},
            "contentChanges": [{**change, "text": "x"}],
        },
    )
    server.notify("textDocument/didClose", {"textDocument": {"uri": never_opened}})
    assert_still_serves(server, tmp_path)
    assert no_message(
        server,
        lambda m: m.get("params", {}).get("uri") == never_opened and m["params"].get("version"),
        0.2,
    )


def toggle_load_comment(server: RawServer, uri: str, version: int, comment_out: bool) -> None:
    """Comment the model load out (no finding) or restore it."""
    at = {"line": 5, "character": 2}
    if comment_out:
        change = {"range": {"start": at, "end": at}, "text": "// "}
    else:
        change = {"range": {"start": at, "end": {"line": 5, "character": 5}}, "text": ""}
    server.notify(
        "textDocument/didChange",
        {"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]},
    )


def test_a_change_older_than_the_document_is_ignored(server: RawServer, tmp_path: Path):
    uri = (tmp_path / "main.cpp").as_uri()
    server.open(uri, SOURCE)
    server.diagnostics(uri, version=1)
    toggle_load_comment(server, uri, 3, comment_out=True)
    assert server.diagnostics(uri, version=3) == []
    toggle_load_comment(server, uri, 2, comment_out=False)  # stale
    assert server.call(
        "textDocument/hover", {"textDocument": {"uri": uri}, "position": ET101_START}
    )
    assert no_message(
        server,
        lambda m: m.get("params", {}).get("uri") == uri and m["params"].get("version") == 2,
        0.3,
    )
    server.notify(
        "textDocument/didChange",
        {"textDocument": {"uri": uri, "version": 4}, "contentChanges": []},
    )
    assert server.diagnostics(uri, version=4) == []  # the text of version 3


def test_thousands_of_rapid_changes(server: RawServer, tmp_path: Path):
    """Each publication is right for its version, versions only grow, the last is final."""
    uri = (tmp_path / "main.cpp").as_uri()
    server.open(uri, SOURCE)
    server.diagnostics(uri, version=1)
    changes, started = 5_000, time.monotonic()
    for version in range(2, changes + 2):
        toggle_load_comment(server, uri, version, comment_out=version % 2 == 0)
    final = changes + 1
    (diagnostic,) = server.diagnostics(uri, version=final, timeout=60)
    print(f"{changes} changes: final diagnostics after {time.monotonic() - started:.1f} s")
    assert diagnostic["range"]["start"] == ET101_START
    published = [
        (message["params"]["version"], len(message["params"]["diagnostics"]))
        for message in server.received
        if message.get("method") == "textDocument/publishDiagnostics"
    ]
    assert all(count == version % 2 for version, count in published)
    versions = [version for version, _ in published]
    assert versions == sorted(set(versions))
    assert no_message(server, lambda m: m.get("method") == "textDocument/publishDiagnostics", 0.3)


def open_and_close(server: RawServer, root: Path, count: int, prefix: str) -> None:
    """``count`` small documents opened and closed, written in one go."""
    messages = []
    for index in range(count):
        uri = (root / f"{prefix}{index}.cpp").as_uri()
        item = {"uri": uri, "languageId": "cpp", "version": 1, "text": f"int f{index}();\n"}
        messages.append(frame({"method": "textDocument/didOpen", "params": {"textDocument": item}}))
        messages.append(
            frame({"method": "textDocument/didClose", "params": {"textDocument": {"uri": uri}}})
        )
    server.write(b"".join(messages))
    hover = {"textDocument": {"uri": (root / "a.cpp").as_uri()}, "position": ET101_START}
    assert "error" not in server.call("textDocument/hover", hover, timeout=120)
    while not server.messages.empty():
        server.messages.get()


def test_ten_thousand_documents_opened_and_closed(server: RawServer, tmp_path: Path):
    open_and_close(server, tmp_path, 500, "warm")  # caches that fill once
    before = server.rss_kib()
    started = time.monotonic()
    open_and_close(server, tmp_path, 10_000, "doc")
    after = server.rss_kib()
    print(
        f"10,000 documents opened and closed in {time.monotonic() - started:.1f} s; "
        f"RSS {before / 1024:.1f} MiB before, {after / 1024:.1f} MiB after"
    )
    assert after - before < RSS_MARGIN_KIB
    assert_still_serves(server, tmp_path)


def test_client_gone_mid_request(tmp_path: Path):
    """stdin closes while requests are pending: a clean exit, no traceback."""
    for index in range(100):
        (tmp_path / f"f{index}.cpp").write_text(SOURCE)
    server = RawServer(tmp_path)
    server.initialize(tmp_path)
    uri = (tmp_path / "big.cpp").as_uri()
    server.open(uri, SOURCE * 200)
    server.request("workspace/executeCommand", {"command": "executorch-lsp.checkWorkspace"})
    server.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": ET101_START})
    time.sleep(0.3)
    server.process.stdin.close()
    code, stderr = server.finish(timeout=20)
    assert code == 0
    assert "Traceback" not in stderr


def test_a_hostile_folder_runs_nothing(tmp_path: Path):
    """Files written to make a tool run ``touch PWNED``: opened, hovered, fixed, checked."""
    from test_untrusted_folder import HOSTILE_FILES

    for name, text in HOSTILE_FILES.items():
        (tmp_path / name).write_text(text)
    server = RawServer(tmp_path)
    server.initialize(tmp_path)
    languages = {"CMakeLists.txt": "cmake", "hooks.cmake": "cmake", "export_model.py": "python"}
    languages |= {"BUCK": "bzl", "defs.bzl": "bzl", "main.cpp": "cpp"}
    for name, language in languages.items():
        uri = (tmp_path / name).as_uri()
        server.open(uri, HOSTILE_FILES[name], language)
        server.diagnostics(uri, version=1)
        document, start = {"uri": uri}, {"line": 0, "character": 0}
        for line in range(HOSTILE_FILES[name].count("\n")):
            position = {"line": line, "character": 20}
            assert "error" not in server.call(
                "textDocument/hover", {"textDocument": document, "position": position}
            )
        everything = {"start": start, "end": {"line": 100, "character": 0}}
        context = {"diagnostics": []}
        actions = server.call(
            "textDocument/codeAction",
            {"textDocument": document, "range": everything, "context": context},
        )
        assert "error" not in actions
    command = {"command": "executorch-lsp.checkWorkspace", "arguments": []}
    assert "error" not in server.call("workspace/executeCommand", command, timeout=60)
    assert "error" not in server.call("workspace/diagnostic", {"previousResultIds": []}, timeout=60)
    code, stderr = server.stop()
    assert code == 0, stderr
    assert not (tmp_path / "PWNED").exists()


def test_a_rule_stopped_by_the_time_limit_leaves_the_server_serving(tmp_path: Path):
    (tmp_path / ".executorch-lsp.toml").write_text("analysis-time-limit = 1\n", encoding="utf-8")
    running = RawServer(tmp_path)
    running.initialize(tmp_path)
    nested = "deep(" * 20_000 + "m.load()" + ")" * 20_000
    reset = "::executorch::extension::threadpool::get_threadpool()->_unsafe_reset_threadpool(2);"
    deep = f"{SOURCE}\nError deep(Module& m) {{ m.load(); {reset} {nested}; }}\n"
    uri = (tmp_path / "deep.cpp").as_uri()
    started = time.monotonic()
    running.open(uri, deep)
    diagnostics = running.diagnostics(uri, version=1)
    assert time.monotonic() - started < 15
    (note,) = [d for d in diagnostics if d["code"] == "time-limit"]
    assert "ET101 stopped" in note["message"] and note["severity"] == 3  # information
    assert_still_serves(running, tmp_path)
    code, stderr = running.stop()
    assert code == 0, stderr
    assert "Traceback" not in stderr
