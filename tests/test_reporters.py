"""The `check` output formats, on text with non-ASCII characters before the findings."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from executorch_lsp import __version__
from executorch_lsp.engine.findings import Finding, Fix, Related, Severity, Span, TextEdit
from executorch_lsp.engine.text import TextBuffer
from executorch_lsp.reporters import (
    FORMATS,
    FileReport,
    ProblemReport,
    escape_data,
    escape_property,
    locate,
    render,
)
from executorch_lsp.rules import RULES

SCHEMA_PATH = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"

SOURCE = (
    "// café ☕ 🚀 note\n"  # line 1: a two-byte, a three-byte and a four-byte character
    "int main() {\n"
    "  auto é = load(); reset(4);\n"  # line 3: the finding is after an `é`
    "}\n"
)
BUFFER = TextBuffer.from_text(SOURCE)


def span_of(needle: str, occurrence: int = 0) -> Span:
    data = BUFFER.data
    start = -1
    for _ in range(occurrence + 1):
        start = data.index(needle.encode(), start + 1)
    return Span(start, start + len(needle.encode()))


RESET = span_of("reset(4);")
LOAD = span_of("load()")
NOTE = span_of("note")

ET101 = Finding(
    code="ET101",
    message="Thread pool reset after the model was loaded",
    span=RESET,
    severity=Severity.ERROR,
    fix=Fix(
        title="Move the reset before the load",
        edits=(
            TextEdit(Span(RESET.start, RESET.end), ""),
            TextEdit(Span(LOAD.start, LOAD.start), "reset(4); "),
        ),
        safe=False,
    ),
    related=(Related(LOAD, "model loaded here"),),
)
ET900 = Finding(
    code="ET900",
    message="Unused suppression",
    span=NOTE,
    severity=Severity.WARNING,
    fix=Fix(title="Remove the suppression", edits=(TextEdit(NOTE, ""),)),
)
UNKNOWN = Finding(code="ET999", message="Just a note", span=LOAD, severity=Severity.INFO)


def reports(*findings: Finding, path: str = "src/main.cpp") -> list[FileReport]:
    return [FileReport(path=path, buffer=BUFFER, findings=list(findings))]


# --- positions ---------------------------------------------------------------


def test_locate_counts_code_points_not_bytes() -> None:
    # "  auto é = load(); " is 19 characters but 20 bytes.
    assert locate(BUFFER, RESET).row == 3
    assert locate(BUFFER, RESET).column == 20
    assert locate(BUFFER, RESET).end_column == 29
    # "// café ☕ 🚀 " is 12 code points (13 UTF-16 units, 19 bytes).
    note = locate(BUFFER, NOTE)
    assert (note.row, note.column, note.end_row, note.end_column) == (1, 13, 1, 17)


def test_locate_clamps_offsets_past_the_end() -> None:
    loc = locate(BUFFER, Span(len(BUFFER.data) + 5, len(BUFFER.data) + 9))
    assert (loc.row, loc.column) == (5, 1)


# --- text --------------------------------------------------------------------


def test_text_lists_findings_sorted_with_fix_hints_and_summary() -> None:
    output = render("text", reports(ET101, ET900))
    assert output == (
        "src/main.cpp:1:13: ET900 [warning] Unused suppression\n"
        "  fix available: Remove the suppression\n"
        "src/main.cpp:3:20: ET101 [error] Thread pool reset after the model was loaded\n"
        "  fix available: Move the reset before the load (unsafe)\n"
        "\n"
        "Found 2 findings in 1 file (2 fixable).\n"
    )


def test_text_without_fix_has_no_hint() -> None:
    output = render("text", reports(UNKNOWN))
    assert output == (
        "src/main.cpp:3:12: ET999 [info] Just a note\n\nFound 1 finding in 1 file (0 fixable).\n"
    )


def test_text_clean() -> None:
    assert render("text", []) == "All checked files are clean.\n"
    assert render("text", reports()) == "All checked files are clean.\n"


def test_text_problems() -> None:
    problems = [ProblemReport("blob.bin", "binary file, not analysed")]
    output = render("text", reports(), problems)
    assert output == (
        "blob.bin: error: binary file, not analysed\n"
        "\n"
        "All checked files are clean. 1 file could not be fully checked.\n"
    )


def test_text_color_is_opt_in() -> None:
    assert "\x1b[" not in render("text", reports(ET101, ET900))
    colored = render("text", reports(ET101, ET900), color=True)
    assert "\x1b[1;31mET101\x1b[0m" in colored
    assert "\x1b[1;33mET900\x1b[0m" in colored


# --- json --------------------------------------------------------------------


def test_json_has_ruffs_shape_sorted_by_position() -> None:
    entries = json.loads(render("json", reports(ET101, ET900, UNKNOWN)))
    assert [(e["code"], e["location"]["row"]) for e in entries] == [
        ("ET900", 1),
        ("ET999", 3),
        ("ET101", 3),
    ]
    first = entries[2]
    assert first == {
        "filename": "src/main.cpp",
        "code": "ET101",
        "name": "threadpool-reset-after-load",
        "severity": "error",
        "message": "Thread pool reset after the model was loaded",
        "url": RULES[0].docs_url,
        "location": {"row": 3, "column": 20},
        "end_location": {"row": 3, "column": 29},
        "fix": {
            "applicability": "unsafe",
            "message": "Move the reset before the load",
            "edits": [
                {
                    "content": "reset(4); ",
                    "location": {"row": 3, "column": 12},
                    "end_location": {"row": 3, "column": 12},
                },
                {
                    "content": "",
                    "location": {"row": 3, "column": 20},
                    "end_location": {"row": 3, "column": 29},
                },
            ],
        },
        "noqa_row": 3,
    }


def test_json_unknown_rule_and_safe_fix() -> None:
    entries = json.loads(render("json", reports(ET900, UNKNOWN)))
    assert entries[0]["fix"]["applicability"] == "safe"
    assert entries[0]["severity"] == "warning"
    assert entries[1]["fix"] is None
    assert entries[1]["url"] is None and entries[1]["name"] is None


def test_json_empty_and_problems() -> None:
    assert json.loads(render("json", [])) == []
    problems = [ProblemReport("a.cpp", "could not read")]
    (entry,) = json.loads(render("json", [], problems))
    assert entry["code"] is None
    assert entry["filename"] == "a.cpp"
    assert entry["message"] == "could not read"


def test_json_keeps_non_ascii_readable() -> None:
    finding = Finding("ET101", "café ☕", RESET, Severity.ERROR)
    output = render("json", reports(finding))
    assert "café ☕" in output
    assert output.startswith("[\n  {\n")


# --- sarif -------------------------------------------------------------------


@pytest.fixture(scope="module")
def sarif_validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert schema["title"] == "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    assert schema["id"].endswith("/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json")
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)


def sarif(
    validator: jsonschema.protocols.Validator,
    file_reports: list[FileReport],
    problems: list[ProblemReport] | None = None,
) -> dict:
    log = json.loads(render("sarif", file_reports, problems or [], root="/repo"))
    validator.validate(log)
    return log


def test_sarif_is_valid_and_describes_the_tool(sarif_validator) -> None:
    log = sarif(sarif_validator, reports(ET101, ET900, UNKNOWN))
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "executorch-lsp"
    assert driver["version"] == __version__
    assert [rule["id"] for rule in driver["rules"]] == [rule.code for rule in RULES]
    et101 = driver["rules"][0]
    assert et101["name"] == "threadpool-reset-after-load"
    assert et101["shortDescription"]["text"] == RULES[0].title
    assert "`" not in et101["fullDescription"]["text"]
    assert et101["helpUri"] == RULES[0].docs_url
    assert "```cpp" in et101["help"]["markdown"]
    assert et101["defaultConfiguration"]["level"] == "error"
    assert "executorch" in et101["properties"]["tags"]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"].startswith("file:///")
    assert run["columnKind"] == "unicodeCodePoints"
    assert run["invocations"] == [{"executionSuccessful": True}]


def test_sarif_result_locations_fixes_and_related(sarif_validator) -> None:
    results = sarif(sarif_validator, reports(ET101, ET900, UNKNOWN))["runs"][0]["results"]
    assert [(r["ruleId"], r["level"]) for r in results] == [
        ("ET900", "warning"),
        ("ET999", "note"),
        ("ET101", "error"),
    ]
    et101 = results[2]
    assert et101["ruleIndex"] == 0
    assert "ruleIndex" not in results[1]
    assert et101["message"]["text"] == ET101.message
    physical = et101["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"] == {"uri": "src/main.cpp", "uriBaseId": "%SRCROOT%"}
    assert physical["region"] == {"startLine": 3, "startColumn": 20, "endLine": 3, "endColumn": 29}
    (related,) = et101["relatedLocations"]
    assert related["message"]["text"] == "model loaded here"
    assert related["physicalLocation"]["region"]["startColumn"] == 12
    (fix,) = et101["fixes"]
    assert fix["description"]["text"] == "Move the reset before the load"
    (change,) = fix["artifactChanges"]
    insert, delete = change["replacements"]
    assert insert["insertedContent"]["text"] == "reset(4); "
    assert insert["deletedRegion"]["startColumn"] == insert["deletedRegion"]["endColumn"] == 12
    assert "insertedContent" not in delete
    assert "fixes" not in results[1]


def test_sarif_fingerprints_are_stable_and_distinct(sarif_validator) -> None:
    twin = Finding("ET101", "again", span_of("reset(4);"), Severity.ERROR)
    first = sarif(sarif_validator, reports(ET101, twin))["runs"][0]["results"]
    hashes = [r["partialFingerprints"]["primaryLocationLineHash"] for r in first]
    assert len(set(hashes)) == 2
    assert {h.rsplit(":", 1)[0] for h in hashes} == {hashes[0].rsplit(":", 1)[0]}
    # Moving the line down keeps its hash; another file gets another one.
    moved = TextBuffer.from_text("\n\n" + SOURCE)
    shifted = Finding("ET101", "x", Span(RESET.start + 2, RESET.end + 2), Severity.ERROR)
    report = FileReport("src/main.cpp", moved, [shifted])
    (result,) = sarif(sarif_validator, [report])["runs"][0]["results"]
    assert result["partialFingerprints"]["primaryLocationLineHash"] == hashes[0]
    other = sarif(sarif_validator, reports(ET101, path="src/other.cpp"))["runs"][0]["results"]
    assert other[0]["partialFingerprints"]["primaryLocationLineHash"] != hashes[0]


def test_sarif_empty_and_problems(sarif_validator) -> None:
    assert sarif(sarif_validator, [])["runs"][0]["results"] == []
    problems = [ProblemReport("dir with space/x.cpp", "rule ET101 crashed: boom")]
    (invocation,) = sarif(sarif_validator, [], problems)["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is False
    (notification,) = invocation["toolExecutionNotifications"]
    assert notification["level"] == "error"
    assert notification["message"]["text"] == "rule ET101 crashed: boom"
    location = notification["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": "dir%20with%20space/x.cpp", "uriBaseId": "%SRCROOT%"}


def test_sarif_absolute_paths_become_file_uris(sarif_validator) -> None:
    results = sarif(sarif_validator, reports(ET101, path="/abs/main.cpp"))["runs"][0]["results"]
    location = results[0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": "file:///abs/main.cpp"}


# --- github ------------------------------------------------------------------


def test_github_annotations() -> None:
    output = render("github", reports(ET101, ET900, UNKNOWN))
    assert output.splitlines() == [
        "::warning file=src/main.cpp,line=1,col=13,endLine=1,endColumn=17,"
        "title=ET900 (unused-suppression)::Unused suppression",
        "::notice file=src/main.cpp,line=3,col=12,endLine=3,endColumn=18,title=ET999::Just a note",
        "::error file=src/main.cpp,line=3,col=20,endLine=3,endColumn=29,"
        "title=ET101 (threadpool-reset-after-load)::Thread pool reset after the model was loaded",
    ]


def test_github_escaping() -> None:
    finding = Finding("ET101", "100% bad:\r\nsee, here", RESET, Severity.ERROR)
    (line,) = render("github", reports(finding, path="a,b:c%.cpp")).splitlines()
    assert line.startswith("::error file=a%2Cb%3Ac%25.cpp,line=3,")
    assert line.endswith("::100%25 bad:%0D%0Asee, here")
    assert escape_data("a%b\nc,d:e") == "a%25b%0Ac,d:e"
    assert escape_property("a%b\nc,d:e") == "a%25b%0Ac%2Cd%3Ae"


def test_github_empty_and_problems() -> None:
    assert render("github", []) == ""
    output = render("github", [], [ProblemReport("x.cpp", "cannot read\nit")])
    assert output == "::error file=x.cpp,title=executorch-lsp::cannot read%0Ait\n"


# --- dispatch ----------------------------------------------------------------


def test_every_format_renders_and_unknown_format_fails() -> None:
    for fmt in FORMATS:
        assert render(fmt, reports(ET101)).endswith("\n")
    with pytest.raises(ValueError, match="unknown output format 'xml'"):
        render("xml", reports(ET101))


def test_json_writer_matches_the_standard_library_with_an_indent() -> None:
    from executorch_lsp.reporters import _indented_json

    value = [
        {
            "s": 'é "quoted" \\ \n\t\u2028😀',
            "i": -3,
            "b": True,
            "f": False,
            "n": None,
            "x": 1.5,
            "e": {},
            "l": [],
            "nested": {"row": 1, "list": [1, "two", {"deep": [None, True]}], "t": (1, 2)},
        },
        [],
        {},
    ]
    assert _indented_json(value) == json.dumps(value, indent=2, ensure_ascii=False)
