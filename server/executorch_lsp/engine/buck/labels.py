"""Buck labels: ``:name``, ``//pkg/path:name``, ``cell//pkg:name``, ``@cell//pkg``.

ExecuTorch's own labels come in several spellings for one target
(``//executorch/kernels/portable:operators``, ``fbsource//xplat/executorch/...``,
``//xplat/executorch/...``, ``fbcode//executorch/...``, ``@executorch//...``); each is
reduced to the same ExecuTorch-relative form ``kernels/portable:operators``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_LABEL = re.compile(r"@?(?P<cell>[\w.+-]*)//(?P<package>[\w./+=@~-]*)(?::(?P<name>[^\s\[#]+))?")
_RELATIVE = re.compile(r":(?P<name>[^\s\[#:]+)")
EXECUTORCH = "executorch"
# Prefix of the canonical id of an ExecuTorch target, whatever its spelling.
EXECUTORCH_CELL = "executorch//"


@dataclass(frozen=True)
class Label:
    cell: str | None  # None for ":name"; "" for the root cell ("//pkg:name")
    package: str | None  # None for ":name"
    name: str

    @property
    def relative(self) -> bool:
        return self.package is None

    def executorch_relative(self) -> str | None:
        """``kernels/portable:operators`` for any spelling of an ExecuTorch label."""
        if self.package is None:
            return None
        if self.cell == EXECUTORCH:
            return f"{self.package}:{self.name}"
        parts = self.package.split("/")
        if EXECUTORCH not in parts:
            return None
        rest = parts[parts.index(EXECUTORCH) + 1 :]
        return f"{'/'.join(rest)}:{self.name}"


def parse(text: str) -> Label | None:
    """The label in ``text``, without subtargets (``[out]``) and flavors (``#headers``);
    None for what is not a label."""
    text = text.strip()
    relative = _RELATIVE.match(text)
    if relative is not None:
        return Label(None, None, _strip(relative.group("name")))
    match = _LABEL.fullmatch(_strip(text))
    if match is None:
        return None
    package = match.group("package").strip("/")
    name = match.group("name") or package.rsplit("/", 1)[-1]
    if not name:
        return None
    return Label(match.group("cell"), package, name)


def _strip(text: str) -> str:
    for marker in ("[", "#"):
        index = text.find(marker)
        if index >= 0:
            text = text[:index]
    return text
