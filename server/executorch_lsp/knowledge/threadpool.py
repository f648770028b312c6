"""ExecuTorch's CPU thread pool: notes for ``get_threadpool`` and ``_unsafe_reset_threadpool``.

Facts from ``extension/threadpool/threadpool.{h,cpp}``, ``cpuinfo_utils.h``,
``threadpool_guard.h``, XNNPACK's runtime creation and the FAQ's performance entry.
"""

from __future__ import annotations

from .api_notes import ApiNote

THREADPOOL_H = "extension/threadpool/threadpool.h"

THREAD_COUNT = (
    "**Thread count** (FAQ): set it once, **before loading or running any model**; try "
    "cores / 2, or 4 on mobile CPUs, and measure. `cpuinfo::get_num_performant_cores()` is a "
    "reasonable default but has misreported on some devices (every core on Pixel 8 and "
    "iPhone 14 with older cpuinfo), so allow an override. To run on fewer threads for a while, "
    "`UseNThreadsThreadPoolGuard` is the safer API, but it exists only in Meta-internal "
    "builds; open-source builds have `NoThreadPoolGuard` (`threadpool_guard.h`), which runs "
    "on the calling thread alone. `threadpool.h` comes with a source build: the pip package "
    "does not ship it."
)

GET_THREADPOOL = ApiNote(
    title="`get_threadpool()`: ExecuTorch's shared CPU thread pool",
    body=(
        "One process-wide pool used by XNNPACK, the optimized kernels and custom ops. It is "
        "created on first use with one thread per performance core "
        "(`EXECUTORCH_THREADPOOL_USE_PERFORMANCE_CORES`, the CMake default) or per logical "
        "core (`EXECUTORCH_THREADPOOL_USE_ALL_LOGICAL_CORES`), at most 63. Returns `nullptr` "
        "when cpuinfo cannot be initialised.",
        THREAD_COUNT,
    ),
    source=THREADPOOL_H,
    measuring=True,
)

RESET_THREADPOOL = ApiNote(
    title="`_unsafe_reset_threadpool(n)` replaces the shared thread pool",
    body=(
        "Destroys ExecuTorch's pool and creates one with `n` threads (`0` or the current "
        "count: nothing happens). Delegates such as XNNPACK keep the pool they saw when the "
        "method was loaded (`load_method`, the first `forward`/`execute`, a runner's "
        "`load`/`generate`), so a reset afterwards leaves them with a destroyed pool (ET101). "
        "Not thread-safe; marked experimental (`[[deprecated]]`).",
        THREAD_COUNT,
    ),
    source=THREADPOOL_H,
    measuring=True,
)
