"""How `check` scales with the size of the tree: 1x, 2x, 4x copies of a corpus.

Usage: python bench/scaling.py --corpus PATH [--copies 1,2,4] [--reps N]

The copies are hard links in a temporary folder (no extra disk), each under its own
name, so every copy is discovered, screened and analysed like a separate project tree.
Prints files/second and the peak memory of the whole run: the proportional set size
(PSS) of the CLI and its worker processes together, sampled every 20 ms.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from executorch_lsp.engine.discovery import iter_files


def _copies(corpus: Path, count: int, into: Path) -> Path:
    root = into / f"x{count}"
    for index in range(count):
        shutil.copytree(corpus, root / f"copy{index}", copy_function=os.link, symlinks=True)
    return root


def _tree_pss(pid: int) -> int:
    """Proportional resident kilobytes of a process and its descendants (/proc): pages
    the forked workers share with their parent are counted once, split between them."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            status = Path(f"/proc/{current}/smaps_rollup").read_text()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("Pss:"):
                total += int(line.split()[1])
        stack.extend(int(child) for child in children)
    return total


def _run(root: Path, extra: list[str]) -> tuple[float, float]:
    """Wall seconds and peak memory (MiB of PSS, the CLI and its workers together)."""
    command = [sys.executable, "-m", "executorch_lsp", "check", str(root), "--format", "json"]
    start = time.perf_counter()
    process = subprocess.Popen([*command, *extra], stdout=subprocess.DEVNULL)
    peak = 0
    while process.poll() is None:
        peak = max(peak, _tree_pss(process.pid))
        time.sleep(0.02)
    wall = time.perf_counter() - start
    return wall, peak / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--copies", default="1,2,4")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--extra", default="", help="more `check` arguments, space-separated")
    args = parser.parse_args()
    counts = [int(part) for part in args.copies.split(",")]
    extra = args.extra.split()
    print(f"## Scaling over copies of {args.corpus}, {os.cpu_count()} cores\n")
    print("| copies | files | MB | wall (median) | files/s | peak memory (PSS) |")
    print("| --- | --- | --- | --- | --- | --- |")
    with tempfile.TemporaryDirectory(dir=args.corpus.parent) as folder:
        for count in counts:
            root = _copies(args.corpus, count, Path(folder))
            files = list(iter_files([root]))
            megabytes = sum(path.stat().st_size for path in files) / 1e6
            runs = [_run(root, extra) for _ in range(args.reps)]
            wall = statistics.median(run[0] for run in runs)
            peak = max(run[1] for run in runs)
            print(
                f"| {count}x | {len(files)} | {megabytes:.0f} | {wall:.2f} s | "
                f"{len(files) / wall:.0f} | {peak:.0f} MiB |"
            )


if __name__ == "__main__":
    main()
