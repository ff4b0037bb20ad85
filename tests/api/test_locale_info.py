"""GetLocaleInfo and qLocaleInfo follow the script's format variables."""

from __future__ import annotations

from collections.abc import Callable

from openqix.testing import InMemoryClient


def test_locale_info_defaults_then_follows_the_script(
    connect: Callable[..., InMemoryClient],
) -> None:
    client = connect()
    doc = client.handle(-1, "GetActiveDoc")
    default = client.call(doc, "GetLocaleInfo")["qReturn"]
    assert (default["qDecimalSep"], default["qThousandSep"], default["qListSep"]) == (".", ",", ";")
    assert default["qCalendarStrings"]["qMonthNames"][0] == "Jan"
    script = (
        "SET DecimalSep=',';\nSET ThousandSep='.';\nSET DateFormat='DD.MM.YYYY';\n"
        "SET MonthNames='jan;feb;mar;apr;maj;jun;jul;aug;sep;okt;nov;dec';\n"
        "SET FirstWeekDay=0;\nT: LOAD 1 as X AUTOGENERATE 1;"
    )
    client.call(doc, "SetScript", [script])
    assert client.call(doc, "DoReload") == {"qReturn": True}
    info = client.call(doc, "GetLocaleInfo")["qReturn"]
    assert (info["qDecimalSep"], info["qThousandSep"], info["qDateFmt"]) == (",", ".", "DD.MM.YYYY")
    assert info["qCalendarStrings"]["qMonthNames"][4] == "maj"
    assert info["qFirstWeekDay"] == 0
    assert client.call(doc, "GetAppLayout")["qLayout"]["qLocaleInfo"] == info
