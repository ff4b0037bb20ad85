"""Reload API of the load script: DoReloadEx results and the script log file,
CheckScriptSyntax positions by tab, partial reloads."""

from __future__ import annotations

from pathlib import Path


def test_reload_ex_writes_a_script_log_in_the_data_dir(loaded, core):
    client, doc = loaded
    result = client.call(doc, "DoReloadEx", [{"qMode": 0, "qPartial": False}])["qResult"]
    assert result["qSuccess"] is True
    path = Path(result["qScriptLogFile"])
    assert path.parent == core.settings.data_dir / "logs" / "SessionApp_test"
    log = path.read_text("utf-8")
    assert "Customers << INLINE01" in log
    assert "4 Lines fetched" in log
    assert log.rstrip().endswith("Execution finished.")


def test_failed_reload_logs_the_error_with_its_line(loaded):
    client, doc = loaded
    client.call(doc, "SetScript", ["SET a = 1;\nT: LOAD * INLINE [\nA\n1\n];\nBogus;"])
    result = client.call(doc, "DoReloadEx", [{}])["qResult"]
    assert result["qSuccess"] is False
    log = Path(result["qScriptLogFile"]).read_text("utf-8")
    assert "T << INLINE01" in log
    assert "Unknown statement: Bogus (line 6, column 1)" in log
    assert log.rstrip().endswith("Execution failed.")
    tables = client.call(doc, "GetTablesAndKeys", [{}, {}, 0, False, False])["qtr"]
    assert [t["qName"] for t in tables] == ["Customers", "Orders"]


def test_check_script_syntax_reports_every_error_per_tab(loaded):
    client, doc = loaded
    script = (
        "///$tab Main\r\nSET a = 1;\r\nLOAD A B INLINE [x];\r\n"
        "///$tab Second\r\nSET b = 2;\r\n  Bogus;\r\nLET c = ;\r\nDROP TABLE;\r\n"
    )
    client.call(doc, "SetScript", [script])
    errors = client.call(doc, "CheckScriptSyntax")["qErrors"]
    assert errors == [
        {"qErrLen": 1, "qTabIx": 0, "qLineInTab": 1, "qColInLine": 7, "qTextPos": 19},
        {"qErrLen": 5, "qTabIx": 1, "qLineInTab": 1, "qColInLine": 2, "qTextPos": 14},
        {"qErrLen": 1, "qTabIx": 1, "qLineInTab": 3, "qColInLine": 10, "qTextPos": 43},
    ]


def test_check_script_syntax_of_a_good_script_is_empty(loaded):
    client, doc = loaded
    assert client.call(doc, "CheckScriptSyntax") == {"qErrors": []}
    empty = client.call(doc, "GetEmptyScript", [""])["qReturn"]
    client.call(doc, "SetScript", [empty])
    assert client.call(doc, "CheckScriptSyntax") == {"qErrors": []}


def test_partial_reload_runs_only_add_and_replace(loaded):
    client, doc = loaded
    script = (
        "Customers:\nLOAD * INLINE [\nCustomerID, Name, Country\n9, Nine, Norway\n];\n"
        "Extra:\nADD ONLY LOAD * INLINE [\nE\nx\n];\n"
    )
    client.call(doc, "SetScript", [script])
    assert client.call(doc, "DoReload", [0, True, False]) == {"qReturn": True}
    tables = client.call(doc, "GetTablesAndKeys", [{}, {}, 0, False, False])["qtr"]
    names = {t["qName"]: t["qNoOfRows"] for t in tables}
    assert names == {"Customers": 3, "Orders": 4, "Extra": 1}
    assert client.call(doc, "DoReload", [0, False, False]) == {"qReturn": True}
    tables = client.call(doc, "GetTablesAndKeys", [{}, {}, 0, False, False])["qtr"]
    assert {t["qName"]: t["qNoOfRows"] for t in tables} == {"Customers": 1}


def test_empty_script_names_its_main_tab(loaded):
    client, doc = loaded
    script = client.call(doc, "GetEmptyScript", ["Principal"])["qReturn"]
    assert script.startswith("///$tab Principal\r\nSET ThousandSep=',';\r\n")
    assert client.call(doc, "GetEmptyScript", [""])["qReturn"].startswith("///$tab Main\r\n")


def test_mode_2_ignores_errors(loaded):
    client, doc = loaded
    client.call(doc, "SetScript", ["Bogus;\nT: LOAD * INLINE [\nA\n1\n];"])
    assert client.call(doc, "DoReload", [2, False, False]) == {"qReturn": True}
    tables = client.call(doc, "GetTablesAndKeys", [{}, {}, 0, False, False])["qtr"]
    assert [t["qName"] for t in tables] == ["T"]
    assert client.call(doc, "DoReload", [0, False, False]) == {"qReturn": False}


def test_failed_reload_progress_names_the_line(loaded):
    client, doc = loaded
    client.call(doc, "SetScript", ["SET a = 1;\n  Bogus x;\n"])
    assert client.call(doc, "DoReload", [0, False, False]) == {"qReturn": False}
    progress = client.call(-1, "GetProgress", [0])["qProgressData"]
    (error,) = progress["qErrorData"]
    assert error["qErrorString"] == "Unknown statement: Bogus (line 2, column 3)"
    assert error["qLine"] == "  Bogus x;"


def test_only_the_newest_script_logs_are_kept(loaded, core):
    client, doc = loaded
    core.apps.script_logs.keep = 3
    paths = [client.call(doc, "DoReloadEx", [{}])["qResult"]["qScriptLogFile"] for _ in range(5)]
    kept = sorted(str(p) for p in Path(paths[-1]).parent.glob("*.log"))
    assert kept == sorted(paths[-3:])
