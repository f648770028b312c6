"""ET102 threadpool-oversubscribed."""

from __future__ import annotations

import pytest

from harness import assert_marked, findings, fixed

POOL = "::executorch::extension::threadpool::get_threadpool()"


def reset(argument: str, expect: bool = True) -> str:
    marker = "  // <- ET102" if expect else ""
    return f"void f() {{\n  {POOL}->_unsafe_reset_threadpool(\n      {argument});{marker}\n}}\n"


POSITIVE = {
    "hardware_concurrency": reset("std::thread::hardware_concurrency()"),
    "clamped_with_max": reset("std::max(1u, std::thread::hardware_concurrency())"),
    "sysconf": reset("static_cast<uint32_t>(sysconf(_SC_NPROCESSORS_ONLN))"),
    "cpuinfo_count": reset("cpuinfo_get_processors_count()"),
    "big_constant": reset("16"),
    "variable_that_only_holds_all_cores": (
        "void f() {\n  const unsigned threads = std::thread::hardware_concurrency();\n"
        f"  {POOL}->_unsafe_reset_threadpool(threads);  // <- ET102\n}}\n"
    ),
}

NEGATIVE = {
    "half": reset("std::thread::hardware_concurrency() / 2", expect=False),
    "cpuinfo_half": reset("cpuinfo_get_processors_count() / 2", expect=False),
    "performant_cores": (
        "void f() {\n  auto n = ::executorch::extension::cpuinfo::get_num_performant_cores() - 1;\n"
        f"  {POOL}->_unsafe_reset_threadpool(n);\n}}\n"
    ),
    "four": reset("4", expect=False),
    "flag_or_default": (
        "void f(const Args& args) {\n  int threads = args.threads;\n"
        "  if (threads == 0) threads = std::thread::hardware_concurrency();\n"
        f"  {POOL}->_unsafe_reset_threadpool(threads);\n}}\n"
    ),
    "default_then_flag": (
        "void f(int requested) {\n  unsigned threads = std::thread::hardware_concurrency();\n"
        "  if (requested > 0) threads = requested;\n"
        f"  {POOL}->_unsafe_reset_threadpool(threads);\n}}\n"
    ),
}


@pytest.mark.parametrize("name", sorted(POSITIVE))
def test_reports_every_core(name: str) -> None:
    assert_marked(POSITIVE[name], "ET102")


@pytest.mark.parametrize("name", sorted(NEGATIVE))
def test_no_report(name: str) -> None:
    assert findings(NEGATIVE[name], "ET102") == []


def test_fix_halves_the_core_count() -> None:
    result = fixed(POSITIVE["clamped_with_max"], "ET102")
    assert "std::max(1u, std::thread::hardware_concurrency() / 2)" in result
    assert findings(result, "ET102") == []
    assert fixed(POSITIVE["big_constant"], "ET102") is None


def test_message_gives_the_faq_advice() -> None:
    (finding,) = findings(POSITIVE["big_constant"], "ET102")
    assert "16 threads" in finding.message and "cores / 2, or 4 on mobile" in finding.message
