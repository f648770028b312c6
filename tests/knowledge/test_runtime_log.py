"""The runtime's own lines in a log: surfaces, code readings, specific causes, grouping."""

from __future__ import annotations

import time

import pytest

from executorch_lsp.knowledge import runtime_log
from executorch_lsp.knowledge.runtime_log import (
    MAX_LINES,
    explain_log,
    problem_markdown,
    recognise_line,
    report_markdown,
    report_text,
)

PAL = "E 00:00:00.366934 executorch:method.cpp:88] "


def problem(line: str):
    found = recognise_line(line)
    assert found is not None, line
    return found[0]


def codes_of(line: str) -> tuple[str, ...]:
    """The error-code values a line reads as, likeliest first."""
    key = problem(line).key
    assert key[0] == "error-code", key
    return key[2:]


# --- surfaces and readings ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "values"),
    [
        # hex surfaces
        ("RuntimeError: Failed to load method forward, error: 0x:14", ("20",)),
        ("RuntimeError: Failed to load program, error: 0x:23", ("35",)),
        ("Loading of method forward failed with status 0x14", ("20",)),
        ("forward failed: 0x20", ("32",)),
        ("method->execute() failed with error 0x12", ("18",)),
        (
            "F 00:00:00.500000 executorch:executor_runner.cpp:619] In function main(), assert "
            "failed (method.ok()): Loading of method forward failed with status 0x20",
            ("32",),
        ),
        (
            "org.pytorch.executorch.ExecutorchRuntimeException: [ExecuTorch Error 0x14] "
            "Operator missing: Failed to load method: forward",
            ("20",),
        ),
        # decimal surfaces
        ('Error Domain=org.pytorch.executorch.error Code=20 "Operator missing"', ("20",)),
        ('Error Domain=org.pytorch.executorch.error Code=32 "Resource not found"', ("32",)),
        ("Result verification failed with status 18", ("18",)),
        # a bare number after "error": decimal first, hex as the other reading
        ("❌ Failed to load method: error 20", ("20", "32")),
        (PAL + "Failed to set input tensor: error 22", ("22", "34")),
    ],
)
def test_code_reading_follows_the_surface(line: str, values: tuple[str, ...]) -> None:
    assert codes_of(line) == values


def test_ios_code_is_decimal_not_hex() -> None:
    found = problem('Error Domain=org.pytorch.executorch.error Code=20 "Operator missing"')
    assert "OperatorMissing" in found.title and "NotFound" not in found.title
    assert "Printed in decimal" in found.meaning


def test_ambiguous_number_gives_both_readings() -> None:
    found = problem("Failed to load method: error 20")
    assert "Error::OperatorMissing (0x14) if decimal" in found.title
    assert "Error::NotFound (0x20) if hex" in found.title
    assert any("If the number is hex instead" in cause for cause in found.causes)


def test_hex_with_stray_colon_is_hex() -> None:
    found = problem("RuntimeError: Failed to load method forward, error: 0x:14")
    assert found.title.startswith("Error::OperatorMissing (0x14 = 20)")
    assert "Printed in hex" in found.meaning


def test_logcat_and_pal_prefixes_mark_the_message() -> None:
    line = "01-02 03:04:05.678  1234  5678 E ExecuTorch: Backend QnnBackend is not registered."
    found, start, end = recognise_line(line)
    assert line[start:end] == "Backend QnnBackend is not registered."
    found, start, end = recognise_line(PAL + "Backend XnnpackBackend is not registered.  \r")
    assert (start, end) == (len(PAL), len(PAL) + len("Backend XnnpackBackend is not registered."))
    assert found.code == "backend-not-registered"


# --- negatives: not the runtime's lines ---------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "",
        "Processed 20 files in 3 seconds, error rate 0.1",
        "Build finished: exit code 1",
        "Process exited with error code 20",
        "Read 0x20 bytes from the header at offset 0x14",
        "HTTP request failed with status 32",
        "GET /method failed with status 404",
        "make[2]: *** [executorch/CMakeFiles/runner.dir/build.make:76: runner] Error 2",
        "error: executorch/runtime/core/error.h:20: expected ';'",
        "E 00:00:00.100000 executorch:XNNPACKBackend.cpp:55] Failed to initialize, XNNPACK "
        "status: 0x4",
        "E 00:00:00.100000 executorch:runner.cpp:55] Tokenizers error code 2",
        "D 00:00:00.100000 executorch:mmap_data_loader.cpp:227] Ignoring mlock error for file "
        "m.pte (off=0x0): mlock(0x7f00, 12) failed: Out of memory (12)",
        "warning: failed to mlock 1234-byte buffer: Cannot allocate memory",
        "I 00:00:00.000100 executorch:executor_runner.cpp:120] Model file model.pte is loaded.",
        "E 00:00:00.1 executorch:x.cpp:1] Something failed with error 20 (no PAL timestamp)",
        "Failed to open model.pte: error 2",
        "\x00\x01\x02 binary \xff garbage 0x14",
    ],
)
def test_other_lines_are_not_recognised(line: str) -> None:
    assert recognise_line(line) is None


def test_plain_text_log_has_no_problems() -> None:
    text = "\n".join(
        [
            "2024-05-01 10:00:00 INFO Starting server on port 8080",
            "2024-05-01 10:00:01 ERROR Request failed with status 500 (error 20)",
            "Traceback (most recent call last):",
            '  File "train.py", line 20, in <module>',
            "ValueError: expected 20 values, got 0x14",
        ]
    )
    assert explain_log(text).diagnoses == []


# --- specific causes ----------------------------------------------------------------------


def test_backend_maps_to_its_cmake_target() -> None:
    vulkan = problem(PAL + "Backend VulkanBackend is not registered.")
    assert vulkan.key == ("backend-not-registered", "VulkanBackend")
    assert any("-DEXECUTORCH_BUILD_VULKAN=ON" in fix for fix in vulkan.fixes)
    assert any("$<LINK_LIBRARY:WHOLE_ARCHIVE,vulkan_backend>" in fix for fix in vulkan.fixes)
    coreml = problem(PAL + "Backend CoreMLBackend is not registered.")
    assert any("coremldelegate" in fix for fix in coreml.fixes)
    assert any("backend_coreml" in fix for fix in coreml.fixes)
    qnn = problem("Backend QnnBackend is not registered.")
    assert any("qnn_executorch_backend" in fix for fix in qnn.fixes)
    unknown = problem("Backend AcmeBackend is not registered.")
    assert "register_backend" in unknown.fixes[0]


def test_backend_not_available_is_not_a_link_problem() -> None:
    found = problem(PAL + "Backend CoreMLBackend is not available.")
    assert found.code == "backend-not-available"
    assert not any("whole-archive" in fix for fix in found.fixes)


@pytest.mark.parametrize(
    ("line", "advice"),
    [
        ("Missing operator: [3] aten::native_dropout.out", "model.eval()"),
        ("kernel 'aten::_native_batch_norm_legit.out' not found.", "model.eval()"),
        ("Missing operator: [0] executorch_prim::et_view.default", "not `executorch_core`"),
        ("kernel 'aten::sym_size.int' not found.", "WHOLE_ARCHIVE,executorch>"),
        ("kernel 'llama::update_cache.out' not found.", "WHOLE_ARCHIVE,custom_ops>"),
        (
            "Missing operator: [1] quantized_decomposed::quantize_per_tensor.out",
            "XnnpackPartitioner",
        ),
        ("Missing operator: [7] aten::convolution.out", 'ROOT_OPS "aten::convolution.out"'),
        ("kernel 'aten::mm.out' not found.", 'ops = ["aten::mm.out"]'),
        ("kernel 'my_ops::mul3.out' not found.", "WHOLE_ARCHIVE,<lib>>"),
    ],
)
def test_missing_operator_advice_depends_on_the_operator(line: str, advice: str) -> None:
    found = problem(PAL + line)
    assert found.code == "operator-missing"
    assert any(advice in text for text in (*found.causes, *found.fixes)), found


def test_eval_mode_batch_norm_is_not_mistaken_for_training_mode() -> None:
    found = problem("Missing operator: [0] aten::_native_batch_norm_legit_no_training.out")
    assert not any("model.eval()" in fix for fix in found.fixes)


def test_missing_out_variants_of_quantized_ops_means_not_lowered() -> None:
    found = problem(
        "RuntimeError: Missing out variants: {'quantized_decomposed::dequantize_per_tensor', "
        "'quantized_decomposed::quantize_per_tensor'}"
    )
    assert found.code == "missing-out-variants"
    assert "XnnpackPartitioner" in found.fixes[0]
    custom = problem("RuntimeError: Missing out variants: {'my_ops::mul3'}")
    assert any("torch.ops.load_library" in fix for fix in custom.fixes)


@pytest.mark.parametrize(
    ("line", "code"),
    [
        (
            "F 00:00:00.000001 executorch:operator_registry.cpp:103] In function "
            "register_kernels_internal(), assert failed (false): Kernel registration failed "
            "with error 22, Re-registering aten::add.out, from NOT_SUPPORTED",
            "kernel-registered-twice",
        ),
        ("Re-registering aten::add.out, from libportable_ops_lib.so", "kernel-registered-twice"),
        (
            "Kernel registration failed with error 21, see error log for details.",
            "too-many-kernels",
        ),
        (
            "The total number of kernels to be registered is larger than the limit 2000.",
            "too-many-kernels",
        ),
        (
            "Attempted to resize a static tensor. Expected shape (1, 3, 224, 224), but received "
            "(1, 3, 256, 256).",
            "input-shape-mismatch",
        ),
        (
            "Attempted to resize a bounded tensor with a maximum capacity of 512 elements to "
            "1024 elements.",
            "input-shape-mismatch",
        ),
        ("Error resizing tensor at input 0", "input-shape-mismatch"),
        (
            "Input 0 has unexpected scalar type: expected Float but was Double.",
            "input-type-mismatch",
        ),
        (
            "File /data/local/tmp/model.pte (off=0x0): mlock(0x7a5c000000, 104857600) failed: "
            "Out of memory (12)",
            "mlock-failed",
        ),
        (
            "Output 0 is memory planned, or is a constant. Cannot override the existing data "
            "pointer.",
            "output-memory-planned",
        ),
        ("Init failed for backend XnnpackBackend: 0x1", "backend-init-failed"),
        (
            "There are 3 instructions don't have corresponding operator registered. See logs "
            "for details",
            "operator-missing",
        ),
    ],
)
def test_runtime_messages(line: str, code: str) -> None:
    assert problem(PAL + line).code == code
    assert problem(line).code == code  # pasted without the prefix too


def test_registration_codes_are_read_as_decimal() -> None:
    twice = problem("Kernel registration failed with error 22, see error log for details.")
    assert "RegistrationAlreadyRegistered" in twice.title
    assert "AccessFailed" not in twice.title + twice.meaning


def test_xnnpack_init_failure_mentions_per_channel_dynamic_quantization() -> None:
    found = problem(PAL + "Init failed for backend XnnpackBackend: 0x1")
    assert "Error::Internal (0x01)" in found.title
    assert any("is_per_channel=True" in cause for cause in found.causes)


# --- grouping, bounds, rendering ----------------------------------------------------------

LOG = "\n".join(
    [
        "I 00:00:00.000100 executorch:executor_runner.cpp:120] Model file model.pte is loaded.",
        PAL + "Backend XnnpackBackend is not registered.",
        "some unrelated line",
        PAL + "Backend XnnpackBackend is not registered.",
        "E 00:00:00.400000 executorch:operator_registry.cpp:277] kernel 'aten::mm.out' not found.",
        "E 00:00:00.400001 executorch:method.cpp:824] Missing operator: [3] aten::mm.out",
        "RuntimeError: Failed to load method forward, error: 0x:14",
        'Error Domain=org.pytorch.executorch.error Code=20 "Operator missing"',
    ]
)


def test_repeated_lines_are_one_problem_with_every_line() -> None:
    report = explain_log(LOG)
    assert [(d.problem.code, d.line_numbers) for d in report.diagnoses] == [
        ("backend-not-registered", [2, 4]),
        ("operator-missing", [5, 6]),
        ("error-code", [7, 8]),  # 0x:14 and Code=20 are the same error
    ]
    assert report.lines_read == 8 and not report.truncated


def test_report_text_lists_each_problem_once() -> None:
    text = report_text(explain_log(LOG), "app.log")
    assert text.startswith("app.log: 3 ExecuTorch problems\n")
    assert text.count("[backend-not-registered]") == 1
    assert "  lines 2, 4\n" in text
    assert "  fix: Build it: `-DEXECUTORCH_BUILD_XNNPACK=ON`" in text


def test_markdown_report_and_hover_text() -> None:
    report = explain_log(LOG)
    markdown = report_markdown(report)
    assert "Seen on lines 2, 4." in markdown
    hover = problem_markdown(report.diagnoses[0].problem)
    assert hover.startswith("### Backend XnnpackBackend is not registered")
    assert "**Fix**" in hover and "`backend-not-registered`" in hover
    assert report_markdown(explain_log("nothing here")).startswith("No ExecuTorch")


def test_huge_logs_are_read_up_to_the_line_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runtime_log, "MAX_LINES", 3)
    report = explain_log(LOG)
    assert report.lines_read == 3 and report.truncated
    assert [d.line_numbers for d in report.diagnoses] == [[2]]
    assert "Only the first 3 lines were read" in report_text(report, "app.log")


def test_long_lines_and_big_logs_stay_fast() -> None:
    noise = "I 00:00:00.000100 executorch:runner.cpp:1] token " + "x" * 200
    text = "\n".join([noise] * 50_000 + ["method " * 100_000, PAL + "Backend X is not registered."])
    started = time.perf_counter()
    report = explain_log(text)
    assert time.perf_counter() - started < 5
    assert [d.problem.key for d in report.diagnoses] == [("backend-not-registered", "X")]
    assert MAX_LINES >= 100_000


@pytest.mark.parametrize("text", ["", "\n\n", "\x00" * 100, "\ud800 lone surrogate", "\r\n" * 5])
def test_odd_input_does_not_crash(text: str) -> None:
    assert explain_log(text).diagnoses == []
