"""GetProgress and CancelReload answer while a reload of the same session is running."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import orjson
import pytest

import openqix.app
from openqix.testing import InMemoryClient

from .conftest import TWO_TABLES

WAIT = 10.0


@pytest.fixture
def blocked_reload(monkeypatch: pytest.MonkeyPatch) -> tuple[threading.Event, threading.Event]:
    """Make the next reloads wait, after running the script, until `release` is set."""
    started, release = threading.Event(), threading.Event()
    real = openqix.app.run_script

    def slow(*args: Any, **kwargs: Any) -> Any:
        result = real(*args, **kwargs)
        started.set()
        assert release.wait(WAIT)
        return result

    monkeypatch.setattr(openqix.app, "run_script", slow)
    return started, release


def _reload_in_thread(client: InMemoryClient, doc: int) -> tuple[threading.Thread, list[Any]]:
    out: list[Any] = []
    thread = threading.Thread(target=lambda: out.append(client.call(doc, "DoReload")))
    thread.start()
    return thread, out


def test_get_progress_answers_during_a_reload(
    connect: Callable[..., InMemoryClient], blocked_reload: tuple[threading.Event, threading.Event]
) -> None:
    started, release = blocked_reload
    client = connect()
    doc = client.handle(-1, "GetActiveDoc")
    client.call(doc, "SetScript", [TWO_TABLES])
    thread, out = _reload_in_thread(client, doc)
    assert started.wait(WAIT)
    during = client.call(-1, "GetProgress", [0])["qProgressData"]
    assert during["qStarted"] is True and during["qFinished"] is False
    release.set()
    thread.join(WAIT)
    assert out == [{"qReturn": True}]
    after = client.call(-1, "GetProgress", [0])["qProgressData"]
    assert after["qFinished"] is True
    assert "Customers" in during["qPersistentProgress"] + after["qPersistentProgress"]
    # each persistent line is reported once
    assert client.call(-1, "GetProgress", [0])["qProgressData"]["qPersistentProgress"] == ""


@pytest.mark.parametrize("cancel", [("CancelReload", ["user"]), ("AbortAll", [])])
def test_cancel_during_a_reload_keeps_the_previous_data(
    loaded: tuple[InMemoryClient, int],
    blocked_reload: tuple[threading.Event, threading.Event],
    cancel: tuple[str, list[Any]],
) -> None:
    client, doc = loaded
    started, release = blocked_reload
    client.call(doc, "SetScript", ["T: LOAD * INLINE [X\n1\n2];"])
    thread, out = _reload_in_thread(client, doc)
    assert started.wait(WAIT)
    assert client.call(-1, cancel[0], cancel[1]) == {}
    release.set()
    thread.join(WAIT)
    assert out == [{"qReturn": False}]
    tables = client.call(doc, "GetTablesAndKeys", [{}, {}, 0, False, False])
    assert sorted(t["qName"] for t in tables["qtr"]) == ["Customers", "Orders"]
    progress = client.call(-1, "GetProgress", [0])["qProgressData"]
    assert progress["qFinished"] is True
    assert progress["qErrorData"][0]["qErrorDataCode"] == "EDC_ERROR"


def test_abort_request_of_another_request_leaves_the_reload_alone(
    loaded: tuple[InMemoryClient, int],
    blocked_reload: tuple[threading.Event, threading.Event],
) -> None:
    client, doc = loaded
    started, release = blocked_reload
    thread, out = _reload_in_thread(client, doc)
    assert started.wait(WAIT)
    client.call(-1, "AbortRequest", [987654])
    release.set()
    thread.join(WAIT)
    assert out == [{"qReturn": True}]


def test_get_progress_before_any_reload_is_idle(connect: Callable[..., InMemoryClient]) -> None:
    progress = connect().call(-1, "GetProgress", [0])["qProgressData"]
    assert progress["qStarted"] is False and progress["qPersistentProgress"] == ""


def test_a_queued_reload_is_reported_as_not_started(loaded: tuple[InMemoryClient, int]) -> None:
    """A DoReload frame waiting behind earlier calls is not the previous, finished reload."""
    client, doc = loaded
    frame = orjson.dumps(
        {"jsonrpc": "2.0", "id": 77, "handle": doc, "method": "DoReload", "params": []}
    )
    client.attachment.queue(frame)
    waiting = client.call(-1, "GetProgress", [0])["qProgressData"]
    assert waiting["qStarted"] is False and waiting["qFinished"] is False
    assert orjson.loads(client.attachment.receive(frame))["result"] == {"qReturn": True}
    client.attachment.idle()
    done = client.call(-1, "GetProgress", [77])["qProgressData"]
    assert done["qStarted"] is True and done["qFinished"] is True


def test_a_queued_reload_that_fails_to_start_ends(loaded: tuple[InMemoryClient, int]) -> None:
    client, _ = loaded
    frame = orjson.dumps(
        {"jsonrpc": "2.0", "id": 78, "handle": 999, "method": "DoReload", "params": []}
    )
    client.attachment.queue(frame)
    assert "error" in orjson.loads(client.attachment.receive(frame))
    client.attachment.idle()
    assert client.call(-1, "GetProgress", [0])["qProgressData"]["qFinished"] is True
