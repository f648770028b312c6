"""How to find out where inference time goes: the closing advice of every performance hint
(rule pages, their hovers, ``explain`` and API hovers all use this one text)."""

from __future__ import annotations

from .error_codes import FAQ_URL, REPO_URL

ETDUMP_URL = REPO_URL + "docs/source/etdump.md"
INSPECTOR_URL = REPO_URL + "docs/source/model-inspector.rst"

MEASURE = (
    "**To find out for sure**, profile operator by operator ([FAQ: Performance "
    f"Troubleshooting]({FAQ_URL})). In C++, build with `-DEXECUTORCH_BUILD_DEVTOOLS=ON "
    "-DEXECUTORCH_ENABLE_EVENT_TRACER=ON`, link `etdump`, pass "
    "`std::make_unique<executorch::etdump::ETDumpGen>()` to the `Module` constructor (after "
    "the load mode; or an `ETDumpGen*` to `Program::load_method`), run the model and write "
    f"`get_etdump_data()` to a file ([ETDump]({ETDUMP_URL})). In Python, open it with "
    "`Inspector(etdump_path=...)` "
    "from `executorch.devtools` (add `etrecord=` to map operators back to the model) and call "
    f"`print_data_tabular()` ([Inspector]({INSPECTOR_URL}))."
)
