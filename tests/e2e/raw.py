"""The server process over stdio, framed by hand (for traffic a real client never sends)."""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

SERVER = [sys.executable, "-m", "executorch_lsp", "serve"]


class RawServer:
    """Writes bytes to the server's stdin; a thread reads its framed messages."""

    def __init__(self, cwd: Path) -> None:
        self.process = subprocess.Popen(
            SERVER, cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        self.messages: queue.Queue[dict[str, Any]] = queue.Queue()
        self.received: list[dict[str, Any]] = []
        self._next_id = 0
        threading.Thread(target=self._read, daemon=True).start()

    # -- writing ---------------------------------------------------------------------
    def write(self, data: bytes) -> None:
        self.process.stdin.write(data)
        self.process.stdin.flush()

    def send_body(self, body: bytes) -> None:
        self.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    def send(self, message: dict[str, Any]) -> None:
        self.send_body(json.dumps({"jsonrpc": "2.0", **message}).encode())

    def notify(self, method: str, params: Any = None) -> None:
        self.send({"method": method, "params": params})

    def request(self, method: str, params: Any = None) -> int:
        self._next_id += 1
        self.send({"id": self._next_id, "method": method, "params": params})
        return self._next_id

    def call(self, method: str, params: Any = None, timeout: float = 30) -> dict[str, Any]:
        return self.response(self.request(method, params), timeout)

    # -- reading ---------------------------------------------------------------------
    def _read(self) -> None:
        try:
            self._read_messages()
        except (OSError, ValueError):  # the test closed the pipe
            return

    def _read_messages(self) -> None:
        stdout = self.process.stdout
        while True:
            length = None
            while True:
                line = stdout.readline()
                if not line:
                    return
                if line == b"\r\n":
                    break
                name, _, value = line.decode().partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            self.messages.put(json.loads(stdout.read(length)))

    def next_message(self, timeout: float = 30) -> dict[str, Any]:
        message = self.messages.get(timeout=timeout)
        self.received.append(message)
        return message

    def wait_for(self, matches, timeout: float = 30) -> dict[str, Any]:
        """The first message (already received or to come) for which ``matches`` holds."""
        deadline = time.monotonic() + timeout
        for message in self.received:
            if matches(message):
                self.received.remove(message)
                return message
        while True:
            message = self.next_message(max(0.01, deadline - time.monotonic()))
            if matches(message):
                self.received.remove(message)
                return message

    def response(self, request_id: Any, timeout: float = 30) -> dict[str, Any]:
        return self.wait_for(lambda m: m.get("id") == request_id and "method" not in m, timeout)

    def diagnostics(self, uri: str, version: int | None = None, timeout: float = 30) -> list:
        message = self.wait_for(
            lambda m: (
                m.get("method") == "textDocument/publishDiagnostics"
                and m["params"]["uri"] == uri
                and (version is None or m["params"].get("version") == version)
            ),
            timeout,
        )
        return message["params"]["diagnostics"]

    # -- session ---------------------------------------------------------------------
    def initialize(self, root: Path) -> dict[str, Any]:
        result = self.call(
            "initialize",
            {"processId": None, "rootUri": root.as_uri(), "capabilities": {}},
        )
        self.notify("initialized", {})
        return result

    def open(self, uri: str, text: str, language: str = "cpp", version: int = 1) -> None:
        self.notify(
            "textDocument/didOpen",
            {
                "textDocument": {
                    "uri": uri,
                    "languageId": language,
                    "version": version,
                    "text": text,
                }
            },
        )

    def stop(self, timeout: float = 15) -> tuple[int, str]:
        """Shut down and exit; the exit code and stderr."""
        if self.process.poll() is None:
            self.call("shutdown", timeout=timeout)
            self.notify("exit")
            self.process.stdin.close()
        return self.finish(timeout)

    def finish(self, timeout: float = 15) -> tuple[int, str]:
        try:
            self.process.wait(timeout)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()
        return self.process.returncode, self.process.stderr.read().decode(errors="replace")

    def rss_kib(self) -> int:
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        line = next(line for line in status.splitlines() if line.startswith("VmRSS:"))
        return int(line.split()[1])
