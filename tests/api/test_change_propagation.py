"""Change notifications against what really changed: after random selection calls, every
object whose layout differs is reported (to both sockets of the session), and no object of
another state is."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openqix.api.core import EngineCore
from openqix.testing import InMemoryClient

from .selection_fixtures import install, listbox

STATES = ("$", "A")
FIELDS = ("Name", "Country", "Year", "Amount")
OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(STATES),
        st.sampled_from(FIELDS),
        st.sampled_from(
            ["LowLevelSelect", "ToggleLow", "Clear", "Lock", "Unlock", "SelectAll", "Back"]
        ),
        st.integers(0, 3),
    ),
    min_size=1,
    max_size=8,
)


def _objects(client: InMemoryClient, doc: int) -> dict[int, str]:
    """Handle -> the state its layout reads."""
    made: dict[int, str] = {}
    for state in STATES:
        for name in FIELDS[:2]:
            made[client.handle(doc, "CreateSessionObject", listbox(name, state=state))] = state
        selections = {"qInfo": {"qType": "cs"}, "qSelectionObjectDef": {"qStateName": state}}
        made[client.handle(doc, "CreateSessionObject", selections)] = state
    made[client.handle(doc, "CreateSessionObject", {"qInfo": {"qType": "note"}})] = ""
    return made


def _call(client: InMemoryClient, doc: int, state: str, field: str, op: str, n: int) -> Any:
    handle = client.handle(doc, "GetField", field, state)
    if op == "Back":
        return client.request(doc, "Back") if state == "$" else client.request(handle, "Clear")
    if op == "LowLevelSelect":
        return client.request(handle, "LowLevelSelect", [[n], False])
    if op == "ToggleLow":
        return client.request(handle, "LowLevelSelect", [[n, (n + 1) % 4], True, True])
    return client.request(handle, op, [])


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(steps=OPERATIONS)
def test_reported_handles_cover_every_changed_layout(
    core: EngineCore, steps: list[tuple[str, str, str, int]]
) -> None:
    path = f"/app/SessionApp_{abs(hash(tuple(steps)))}"
    client = InMemoryClient(core, path)
    other = InMemoryClient(core, path)
    try:
        doc = install(client)
        client.call(doc, "AddSessionAlternateState", ["A"])
        objects = _objects(client, doc)
        layouts = {h: client.call(h, "GetLayout") for h in objects}
        for state, field, op, n in steps:
            other.pushed.clear()
            reply = _call(client, doc, state, field, op, n)
            reported = set(reply.get("change", [])) & set(objects)
            now = {h: client.call(h, "GetLayout") for h in objects}
            changed = {h for h in objects if now[h] != layouts[h]}
            assert changed <= reported, (op, state, changed - reported)
            assert all(objects[h] == state for h in reported), (op, state, reported)
            pushed = set().union(*(set(p.get("change", [])) for p in other.pushed))
            assert pushed & set(objects) == reported
            layouts = now
    finally:
        client.close()
        other.close()
