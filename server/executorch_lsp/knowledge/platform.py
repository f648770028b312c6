"""Logging and the platform abstraction layer (PAL): notes for ``ET_LOG``, the ``et_pal_*``
hooks and ``register_pal``, and the hooks' exact signatures.

Facts from ``runtime/platform/{log.h,log.cpp,platform.h,platform.cpp}``, the default PALs
(``default/posix.cpp``, ``default/android.cpp``), the iOS framework's ``ExecuTorchLog.mm``
and the CMake options (``EXECUTORCH_ENABLE_LOGGING``, ``EXECUTORCH_LOG_LEVEL``).
"""

from __future__ import annotations

from .api_notes import ApiNote

LOG_H = "runtime/platform/log.h"
PLATFORM_H = "runtime/platform/platform.h"

# runtime/platform/platform.h, all inside extern "C".
HOOK_SIGNATURES = {
    "et_pal_emit_log_message": "void et_pal_emit_log_message(et_timestamp_t timestamp, "
    "et_pal_log_level_t level, const char* filename, const char* function, size_t line, "
    "const char* message, size_t length)",
    "et_pal_init": "void et_pal_init(void)",
    "et_pal_abort": "void et_pal_abort(void)",
    "et_pal_current_ticks": "et_timestamp_t et_pal_current_ticks(void)",
    "et_pal_ticks_to_ns_multiplier": "et_tick_ratio_t et_pal_ticks_to_ns_multiplier(void)",
    "et_pal_allocate": "void* et_pal_allocate(size_t size)",
    "et_pal_free": "void et_pal_free(void* ptr)",
}
_HOOK_PURPOSES = {
    "et_pal_init": "Called once, before any other hook, to set up the platform "
    "(`runtime_init()` calls it).",
    "et_pal_abort": "Called on fatal errors (`ET_CHECK` failures, duplicate kernel "
    "registration); must not return.",
    "et_pal_current_ticks": "The monotonic timestamp in ticks used by log lines and "
    "profiling events.",
    "et_pal_ticks_to_ns_multiplier": "The ratio that turns ticks into nanoseconds "
    "(`ns = ticks * numerator / denominator`).",
    "et_pal_allocate": "Memory for `MemoryAllocator` wrappers; `nullptr` on failure; freed "
    "with `et_pal_free`.",
    "et_pal_free": "Frees memory from `et_pal_allocate`; `ptr` may be `nullptr`.",
}

DESTINATIONS = (
    "**Where logs go**: the default POSIX PAL writes to stderr as "
    "`E 00:00:00.366934 executorch:method.cpp:88] message` (level letter, time since "
    "`et_pal_init`, file:line); Android's sends it to logcat with tag `ExecuTorch` (no "
    "file or line); the iOS framework sends it to `os_log`."
)
RELEASE_BUILDS = (
    "**Release builds log nothing**: `EXECUTORCH_ENABLE_LOGGING` is ON only for Debug "
    "builds; otherwise CMake defines `ET_LOG_ENABLED=0` and `ET_LOG` compiles to nothing. "
    "Configure with `-DEXECUTORCH_ENABLE_LOGGING=ON` to keep the error messages."
)
ROUTING = (
    "**Routing**: override the weak default with your own definition, in the global "
    'namespace with C linkage (`extern "C"`, or an ExecuTorch header included) and exactly '
    f"`{HOOK_SIGNATURES['et_pal_emit_log_message']}` (ET106 checks it); or install one at "
    "run time: `executorch::runtime::register_pal(executorch::runtime::PalImpl::create("
    "my_emit_log_message, __FILE__))`."
)

ET_LOG = ApiNote(
    title="`ET_LOG(level, format, ...)`: ExecuTorch runtime logging",
    body=(
        "Formats like `printf` into a 256-byte buffer (longer messages are cut at 255 bytes) "
        "and passes the text to the PAL's `et_pal_emit_log_message`. Levels: `Debug`, "
        "`Info`, `Error`, `Fatal`, written without `LogLevel::`; levels below "
        "`ET_MIN_LOG_LEVEL` (CMake `EXECUTORCH_LOG_LEVEL`, default `Info`) are dropped.",
        DESTINATIONS,
        RELEASE_BUILDS,
        ROUTING,
    ),
    source=LOG_H,
)

EMIT_LOG_MESSAGE = ApiNote(
    title="`et_pal_emit_log_message`: where ExecuTorch log lines go",
    body=(
        "The PAL hook that receives every `ET_LOG` message, already formatted and cut at "
        "255 bytes (`length` excludes the terminating NUL). `timestamp` is in ticks "
        "(`et_pal_current_ticks`); `level` is `'D'`, `'I'`, `'E'` or `'F'`.",
        DESTINATIONS,
        ROUTING,
        RELEASE_BUILDS,
    ),
    source=PLATFORM_H,
)

REGISTER_PAL = ApiNote(
    title="`register_pal(PalImpl)`: install platform hooks at run time",
    body=(
        "Replaces the PAL functions whose entries in the table are not null; the others keep "
        "their default. `PalImpl::create(emit_log_message, __FILE__)` fills in only the log "
        "hook. A second call overrides the first and logs an error naming the previous "
        "registration. Returns `bool`. The namespace is `executorch::runtime` (some docs say "
        "`executorch::platform`).",
        "No linker subtleties, unlike a strong definition of the weak `et_pal_*` symbols.",
    ),
    source=PLATFORM_H,
)


def hook_note(name: str) -> ApiNote | None:
    """The note for a PAL hook other than the log hook, from its signature and purpose."""
    purpose = _HOOK_PURPOSES.get(name)
    if purpose is None:
        return None
    return ApiNote(
        title="`{name}`: platform hook (PAL)",
        body=(
            f"`{HOOK_SIGNATURES[name]}`",
            purpose,
            "The runtime's default (POSIX, Android or minimal) is a weak symbol: a definition "
            'in the global namespace with C linkage (`extern "C"`, or an ExecuTorch header '
            "included) and exactly this signature replaces it at link time (ET106 checks it). "
            "Or install it at run time with `executorch::runtime::register_pal(...)`.",
        ),
        source=PLATFORM_H,
    )
