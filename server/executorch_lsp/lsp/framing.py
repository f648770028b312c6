"""The message stream from the client, made robust against hostile or broken framing.

pygls reads a header line, then exactly ``Content-Length`` bytes. After a header it
cannot read, or a body shorter than its header said, the next header arrives glued to
the rest of the bad body on one line and is never recognised again: every later message
would be lost. Here such a line restarts at its ``Content-Length:``, so a bad message
costs only itself.
"""

from __future__ import annotations

import logging
from typing import BinaryIO

log = logging.getLogger(__name__)
HEADER = b"Content-Length:"
# A body is read in slices: a hostile Content-Length does not allocate its size up front.
READ_SLICE = 1 << 20


class ResyncingInput:
    """The client's stdin as pygls reads it (``readline`` and ``read``)."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream

    def readline(self) -> bytes:
        line = self._stream.readline()
        start = line.find(HEADER)
        if start > 0:
            log.warning("dropped %d bytes of unframed input", start)
            line = line[start:]
        if line.endswith(b"\n") and not line.endswith(b"\r\n"):
            line = line[:-1] + b"\r\n"  # a header ended by a bare LF
        return line

    def read(self, size: int) -> bytes:
        if size <= READ_SLICE:
            return self._stream.read(size)
        body = bytearray()
        while len(body) < size:
            chunk = self._stream.read(min(READ_SLICE, size - len(body)))
            if not chunk:
                break
            body += chunk
        return bytes(body)
