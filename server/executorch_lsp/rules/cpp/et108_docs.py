"""Documentation of ET108."""

from ..base import RuleDocs, Source

BLOB = "https://github.com/pytorch/executorch/blob/main"

DOCS = RuleDocs(
    problem=(
        "`Module::LoadMode::MmapUseMlock` handed to a `Module` (constructor, "
        "`std::make_unique<Module>`, `new Module`, a `Module` member's initializer), to a "
        "`create_*_runner` factory, or used as a wrapper function's default load mode; and "
        "`MmapDataLoader::MlockConfig::UseMlock` passed to `MmapDataLoader::from`."
    ),
    bad=(
        "std::unique_ptr<Module> open_model(const std::string& path) {\n"
        "  return std::make_unique<Module>(path, Module::LoadMode::MmapUseMlock);\n"
        "}\n"
    ),
    good=(
        "std::unique_ptr<Module> open_model(const std::string& path) {\n"
        "  return std::make_unique<Module>(path, Module::LoadMode::MmapUseMlockIgnoreErrors);\n"
        "}\n"
    ),
    why=(
        "With `MmapUseMlock` the data loader calls `mlock()` on every segment it maps and, "
        "when that fails, unmaps it and returns `Error::NotSupported` (0x10): the program "
        "does not load at all. `mlock()` fails whenever the locked pages exceed the "
        "process's `RLIMIT_MEMLOCK`, which is small for ordinary apps on Android and on "
        'boards like the Raspberry Pi, so the log shows "mlock(...) failed: Out of memory" '
        "and the same model that runs with `executor_runner` fails through `Module`. "
        "`MmapUseMlockIgnoreErrors` (the default of `create_text_llm_runner`) still locks "
        "pages where it can but keeps going when it cannot; `Mmap` does not lock at all. "
        "The severity is warning: the load fails at run time on the devices ExecuTorch "
        "targets, though it may pass on a development machine."
    ),
    exceptions=(
        "Only a mode that visibly reaches a loader is reported. Comparisons, `case` labels "
        "and tables that map a caller's explicit choice to a `LoadMode` (such as a JNI "
        "`loadMode` integer) are not, and neither is a mode stored in a variable first. "
        "On a machine where the locked-memory limit is known to be large enough (a server "
        "with a raised `ulimit -l`), locking strictly can be intended: suppress with "
        "`// executorch-lsp: ignore[ET108] -- memlock limit raised on this server`."
    ),
    sources=(
        Source("extension/module/module.h (LoadMode)", f"{BLOB}/extension/module/module.h"),
        Source(
            "extension/data_loader/mmap_data_loader.cpp (mlock failure)",
            f"{BLOB}/extension/data_loader/mmap_data_loader.cpp",
        ),
        Source(
            "Issue #10602: mlock failed: Out of memory with Module",
            "https://github.com/pytorch/executorch/issues/10602",
        ),
    ),
    example_language="cpp",
)
