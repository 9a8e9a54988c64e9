"""Tests for autosim.scenario.yamlsource (and its steps): safe, position-aware YAML loading."""

from __future__ import annotations

import math
import os
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from autosim.errors import ScenarioError
from autosim.scenario.yamlsource import MAX_FILE_BYTES, load_yaml_file, load_yaml_text
from autosim.scenario.yamlsource_builder import Locator
from autosim.scenario.yamlsource_loader import MAX_DEPTH, MAX_NODES

SCENARIO = """\
name: Corner bakery
hours:
  open: "07:00"
  close: 17:00
staff:
  - role: baker
    count: 2
  - role: cashier
    shifts:
      - start: 7:30
        end: 13:00
"""


def _error(text: str) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        load_yaml_text(text, source="s.yaml")
    assert info.type is ScenarioError
    assert info.value.source == "s.yaml"
    return info.value


def _file_error(path: Path) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        load_yaml_file(path)
    assert info.value.source == str(path)
    return info.value


def _alias_bomb() -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    previous = "a"
    for name in "bcdefghi":
        refs = ", ".join(f"*{previous}" for _ in range(9))
        lines.append(f"{name}: &{name} [{refs}]")
        previous = name
    return "\n".join(lines) + "\n"


# --- data and positions -------------------------------------------------------------------


def test_loads_plain_data() -> None:
    data, _ = load_yaml_text(SCENARIO)
    assert data == {
        "name": "Corner bakery",
        "hours": {"open": "07:00", "close": "17:00"},
        "staff": [
            {"role": "baker", "count": 2},
            {"role": "cashier", "shifts": [{"start": "7:30", "end": "13:00"}]},
        ],
    }


def test_marks_for_nested_mappings_and_lists() -> None:
    _, loc = load_yaml_text(SCENARIO)
    assert loc.find(()) == (1, 1)
    assert loc.find(("name",)) == (1, 1)
    assert loc.find(("hours",)) == (2, 1)
    assert loc.find(("hours", "close")) == (4, 3)
    assert loc.find(("staff", 0)) == (6, 5)
    assert loc.find(("staff", 0, "count")) == (7, 5)
    assert loc.find(("staff", 1, "shifts", 0)) == (10, 9)
    assert loc.find(("staff", 1, "shifts", 0, "end")) == (11, 9)
    assert loc.where(["staff", 1, "shifts", 0, "start"]) == "line 10, col 9"


def test_flow_list_items_have_their_own_columns() -> None:
    _, loc = load_yaml_text("days: [mon, tue, wed]\n")
    assert loc.find(("days", 0)) == (1, 8)
    assert loc.find(("days", 2)) == (1, 18)


def test_find_falls_back_to_nearest_parent() -> None:
    _, loc = load_yaml_text(SCENARIO)
    assert loc.find(("staff", 0, "wage")) == (6, 5)
    assert loc.find(("staff", 1, "shifts", 3, "x")) == (9, 5)
    assert loc.find(("nothing", "here")) == (1, 1)
    assert loc.where(("staff", 0, "wage", "currency")) == "line 6, col 5"


def test_empty_locator_knows_nothing() -> None:
    loc = Locator()
    assert loc.find(("a", 1)) is None
    assert loc.where(("a", 1)) == ""


def test_alias_use_site_keeps_its_own_mark() -> None:
    data, loc = load_yaml_text("base: &b [1, 2]\ncopy:\n  - *b\n")
    assert data == {"base": [1, 2], "copy": [[1, 2]]}
    assert loc.find(("copy", 0)) == (3, 5)


# --- scalars: YAML 1.2-like ---------------------------------------------------------------


def test_times_stay_strings() -> None:
    data, _ = load_yaml_text("open: 17:00\nbreak: 1:30\nlong: 1:30:15\n")
    assert data == {"open": "17:00", "break": "1:30", "long": "1:30:15"}


@pytest.mark.parametrize("word", ["yes", "no", "on", "off", "y", "n", "Yes", "NO", "On", "OFF"])
def test_yaml11_boolean_words_stay_strings(word: str) -> None:
    data, _ = load_yaml_text(f"flag: {word}\n")
    assert data == {"flag": word}


@pytest.mark.parametrize(
    ("text", "value"),
    [("true", True), ("false", False), ("True", True), ("FALSE", False), ("tRuE", True)],
)
def test_true_false_are_booleans(text: str, value: bool) -> None:
    data, _ = load_yaml_text(f"flag: {text}\n")
    assert data["flag"] is value


def test_nulls() -> None:
    data, _ = load_yaml_text("a:\nb: ~\nc: null\nd: Null\ne: ''\n")
    assert data == {"a": None, "b": None, "c": None, "d": None, "e": ""}


def test_dates_stay_strings() -> None:
    data, _ = load_yaml_text("start: 2027-01-04\nat: 2027-01-04T09:00:00\n")
    assert data == {"start": "2027-01-04", "at": "2027-01-04T09:00:00"}


def test_numbers() -> None:
    data, _ = load_yaml_text("n: [1, -2, +3, 010, 0x1F, 0o17, 1_000, 1e3, 2.5, .5, -1.5e-2]\n")
    assert data["n"] == [1, -2, 3, 10, 31, 15, 1000, 1000.0, 2.5, 0.5, -0.015]
    assert [type(v) for v in data["n"]] == [int] * 7 + [float] * 4


def test_inf_and_nan_stay_floats_for_later_validation() -> None:
    data, _ = load_yaml_text("a: .inf\nb: -.inf\nc: .nan\n")
    assert data["a"] == math.inf
    assert data["b"] == -math.inf
    assert math.isnan(data["c"])


def test_quoted_values_are_strings() -> None:
    data, _ = load_yaml_text("a: '12'\nb: \"true\"\nc: 'null'\n")
    assert data == {"a": "12", "b": "true", "c": "null"}


def test_global_safeloader_is_not_modified() -> None:
    load_yaml_text("a: 17:00\n")
    assert yaml.safe_load("a: 17:00\nb: yes\n") == {"a": 1020, "b": True}


# --- structural problems ------------------------------------------------------------------


def test_duplicate_keys_each_reported_with_both_lines() -> None:
    text = "name: x\ntechnicians: 2\nhours: 8\nnested:\n  a: 1\n  a: 2\ntechnicians: 3\n"
    err = _error(text)
    assert len(err.problems) == 2
    assert err.problems[0] == "line 6, col 3: duplicate key 'a' (first defined at line 5)"
    assert err.problems[1] == (
        "line 7, col 1: duplicate key 'technicians' (first defined at line 2)"
    )


def test_empty_text() -> None:
    err = _error("")
    assert err.problems == ["the file is empty; a scenario is a YAML mapping such as `name: ...`"]


@pytest.mark.parametrize("text", ["# just a comment\n\n   # another\n", "---\n", "\n\n"])
def test_comment_only_or_blank_is_empty(text: str) -> None:
    assert "the file is empty" in _error(text).problems[0]


def test_top_level_list() -> None:
    msg = _error("- a\n- b\n").problems[0]
    assert "line 1, col 1" in msg
    assert "a list" in msg
    assert "mapping" in msg


def test_top_level_scalar() -> None:
    msg = _error("just words\n").problems[0]
    assert "'just words'" in msg
    assert "mapping" in msg


@pytest.mark.parametrize(
    ("text", "where", "fragment"),
    [
        ("a: 1\n1: x\n", "line 2, col 1", "the number 1"),
        ("a: 1\n[a]: b\n", "line 2, col 1", "a list"),
        ("a: 1\nnull: x\n", "line 2, col 1", "empty (null)"),
        ("a: 1\ntrue: x\n", "line 2, col 1", "boolean"),
        ("a: 1\n? {b: 1}\n: x\n", "line 2, col 3", "a mapping"),
    ],
)
def test_non_string_keys_refused(text: str, where: str, fragment: str) -> None:
    err = _error(text)
    assert len(err.problems) == 1
    assert err.problems[0].startswith(f"{where}: a key must be text")
    assert fragment in err.problems[0]


def test_merge_key_refused() -> None:
    err = _error("base: &b {x: 1}\nshop:\n  <<: *b\n  y: 2\n")
    assert err.problems == [
        "line 3, col 3: merge keys ('<<') are not supported; write the shared fields out in "
        "full in each place they are needed"
    ]


def test_quoted_double_angle_is_an_ordinary_key() -> None:
    data, _ = load_yaml_text("'<<': x\n")
    assert data == {"<<": "x"}


@pytest.mark.parametrize(
    "text", ["a: !!python/object/apply:os.system [ls]\n", "a: !!binary aGk=\n", "a: !custom x\n"]
)
def test_tags_refused(text: str) -> None:
    msg = _error(text).problems[0]
    assert msg.startswith("line 1, col 4: the tag ")
    assert "not supported" in msg


def test_recursive_alias_refused() -> None:
    msg = _error("a: &a [1, *a]\n").problems[0]
    assert "line 1, col 11" in msg
    assert "'*a'" in msg


def test_unknown_alias() -> None:
    msg = _error("a: *nope\n").problems[0]
    assert msg.startswith("line 1, col 4: unknown alias 'nope'")


def test_two_documents_refused() -> None:
    msg = _error("a: 1\n---\nb: 2\n").problems[0]
    assert msg.startswith("line 2, col 1: a second YAML document")


# --- syntax errors ------------------------------------------------------------------------


def test_tab_indentation() -> None:
    err = _error("name: x\nhours:\n  open: 1\n\tclose: 2\n")
    assert err.problems == [
        "line 4, col 1: found a tab character where indentation is expected "
        "(YAML indents with spaces)"
    ]


def test_tab_after_colon() -> None:
    msg = _error("name:\tx\n").problems[0]
    assert msg.startswith("line 1, col 6: found a tab character")


def test_unclosed_bracket() -> None:
    msg = _error("name: x\ndays: [mon, tue\nhours: 8\n").problems[0]
    assert msg.startswith("line 3, col 6: ")
    assert "line 2, col 7" in msg
    assert "']' missing" in msg


def test_unclosed_flow_mapping_at_end_of_file() -> None:
    msg = _error("a: {b: 1").problems[0]
    assert msg.startswith("line 1, col 9: ")
    assert "end of the file" in msg


def test_unclosed_quote() -> None:
    msg = _error("name: x\ntitle: 'Corner bakery\nhours: 8\n").problems[0]
    assert "line 2, col 8" in msg
    assert "closing quote missing" in msg


def test_bad_indentation() -> None:
    msg = _error("hours:\n  open: 1\n close: 2\n").problems[0]
    assert msg.startswith("line 3, col 2: ")
    assert "indentation" in msg


def test_colon_inside_plain_value() -> None:
    msg = _error("title: Note: closed\n").problems[0]
    assert msg.startswith("line 1, col 12: ")
    assert "quotes" in msg


def test_control_character_refused() -> None:
    msg = _error("a: b\nc: x\x07y\n").problems[0]
    assert msg.startswith("line 2, col 5: the character U+0007")


# --- limits -------------------------------------------------------------------------------


def test_alias_bomb_refused_fast() -> None:
    start = time.perf_counter()
    err = _error(_alias_bomb())
    assert time.perf_counter() - start < 2.0
    assert f"more than {MAX_NODES:,} values" in err.problems[0]


def test_deep_flow_nesting_refused_fast() -> None:
    start = time.perf_counter()
    err = _error("a: " + "[" * 10_000 + "]" * 10_000 + "\n")
    assert time.perf_counter() - start < 2.0
    assert f"nesting deeper than {MAX_DEPTH} levels" in err.problems[0]


def test_deep_nesting_at_top_level_refused_fast() -> None:
    start = time.perf_counter()
    err = _error("{a: " * 10_000 + "1" + "}" * 10_000)
    assert time.perf_counter() - start < 2.0
    assert "nesting deeper than" in err.problems[0]


def test_nesting_at_the_limit_is_fine() -> None:
    text = "a: " + "[" * (MAX_DEPTH - 1) + "1" + "]" * (MAX_DEPTH - 1) + "\n"
    data, _ = load_yaml_text(text)
    value = data["a"]
    for _ in range(MAX_DEPTH - 1):
        value = value[0]
    assert value == 1
    assert "nesting deeper" in _error("a: " + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "\n").problems[0]


def test_aliases_that_nest_too_deep_when_expanded() -> None:
    inner = "[" * 30 + "1" + "]" * 30
    text = f"a: &x {inner}\nb: {'[' * 20}*x{']' * 20}\n"
    assert "nesting deeper than" in _error(text).problems[0]


def test_oversized_text_refused() -> None:
    msg = _error("a: " + "x" * MAX_FILE_BYTES).problems[0]
    assert "limit is 2,000,000 bytes" in msg


# --- files --------------------------------------------------------------------------------


def test_load_file(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO, encoding="utf-8")
    data, loc = load_yaml_file(path)
    assert data["hours"]["close"] == "17:00"
    assert loc.where(("staff", 1)) == "line 8, col 5"


def test_file_errors_name_the_path_as_given(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("a: 1\na: 2\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_yaml_file(str(path))
    assert info.value.source == str(path)
    assert str(info.value).startswith(f"{path}: line 2, col 1: duplicate key 'a'")


def test_utf8_bom_is_fine(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbfname: caf\xc3\xa9\nopen: 9:00\n")
    data, loc = load_yaml_file(path)
    assert data == {"name": "café", "open": "9:00"}
    assert loc.find(("open",)) == (2, 1)


def test_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    msg = _file_error(path).problems[0]
    assert msg.startswith("not a text file")


def test_latin1_file(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_bytes("name: x\ncity: Zürich\n".encode("latin-1"))
    msg = _file_error(path).problems[0]
    assert msg.startswith("not UTF-8 text: invalid byte 0xfc at offset 15 (line 2)")


def test_utf16_file(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_bytes("name: x\n".encode("utf-16"))
    assert "UTF-16" in _file_error(path).problems[0]


def test_missing_file(tmp_path: Path) -> None:
    assert _file_error(tmp_path / "nope.yaml").problems == ["file not found"]


def test_missing_parent_is_missing_file(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    assert _file_error(tmp_path / "afile" / "s.yaml").problems == ["file not found"]


def test_directory(tmp_path: Path) -> None:
    assert "directory" in _file_error(tmp_path).problems[0]


def test_oversized_file_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"a: [" + b"[" * MAX_FILE_BYTES + b"\n")
    msg = _file_error(path).problems[0]
    assert f"{MAX_FILE_BYTES + 5:,} bytes" in msg
    assert "limit" in msg


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.yaml"
    path.write_bytes(b"")
    assert "the file is empty" in _file_error(path).problems[0]


def test_comment_only_file(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("# TODO: write the scenario\n", encoding="utf-8")
    assert "the file is empty" in _file_error(path).problems[0]


# --- robustness ---------------------------------------------------------------------------


_YAMLISH = st.text(
    alphabet=st.sampled_from([*"ab1:- \n\t[]{},'\"&*!#?|>%@`~.<", "\x00", "é", "\ufeff"]),
    max_size=60,
)


@settings(max_examples=300, deadline=None)
@given(_YAMLISH)
def test_any_text_loads_or_raises_scenario_error(text: str) -> None:
    try:
        data, loc = load_yaml_text(text)
    except ScenarioError as error:
        assert error.problems
        assert all(isinstance(p, str) and p for p in error.problems)
    else:
        assert isinstance(data, dict)
        assert all(isinstance(k, str) for k in data)
        assert loc.find(()) is not None


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs POSIX named pipes")
def test_named_pipe_refused_without_blocking(tmp_path: Path) -> None:
    path = tmp_path / "pipe.yaml"
    os.mkfifo(path)
    assert "not a regular file" in _file_error(path).problems[0]
