from openqix.session.registry import SessionRegistry
from openqix.session.session import Session


def test_same_key_attaches_to_the_same_session():
    registry = SessionRegistry()
    s1, c1, created1 = registry.attach(("/app/a", "u"), None)
    s2, c2, created2 = registry.attach(("/app/a", "u"), None)
    assert s1 is s2 and created1 and not created2 and c1.id != c2.id
    s3, _, created3 = registry.attach(("/app/a", "other"), None)
    assert s3 is not s1 and created3


def test_session_without_ttl_ends_with_its_last_socket():
    registry = SessionRegistry()
    ended = []
    session, conn, _ = registry.attach(("/app/a", "u"), None)
    session.on_close(lambda: ended.append(True))
    registry.detach(session, conn, now=0.0)
    assert ended == [True] and len(registry) == 0


def test_ttl_keeps_the_session_until_swept():
    registry = SessionRegistry()
    session, conn, _ = registry.attach(("/app/a", "u"), ttl=10)
    session.add_handle("Doc", object(), "a", "Doc")
    registry.detach(session, conn, now=100.0)
    assert registry.sweep(now=105.0) == [] and len(registry) == 1
    again, conn2, created = registry.attach(("/app/a", "u"), ttl=10)
    assert again is session and not created
    assert again.handles == {}  # a reconnecting client gets new handles
    assert again.add_handle("Doc", object(), "a", "Doc") == 2  # never a reused number
    registry.detach(again, conn2, now=200.0)
    assert registry.sweep(now=209.0) == []
    assert registry.sweep(now=210.0) == [session] and len(registry) == 0


def test_ttl_is_capped():
    registry = SessionRegistry(max_ttl=60)
    session, _, _ = registry.attach(("/app/a", "u"), ttl=10_000)
    assert session.ttl == 60


def test_handles_start_at_one_and_are_reused_per_target():
    session = Session(("k", "u"))
    target = object()
    h1 = session.add_handle("GenericObject", target, "id1", "listbox")
    h2 = session.add_handle("GenericObject", object(), "id2", "listbox")
    assert (h1, h2) == (1, 2)
    assert session.add_handle("GenericObject", target, "id1", "listbox") == h1
    assert session.entry(h1).interface() == {  # type: ignore[union-attr]
        "qType": "GenericObject",
        "qHandle": 1,
        "qGenericType": "listbox",
        "qGenericId": "id1",
    }
    assert session.remove_handles([h1, 99]) == [h1] and session.entry(h1) is None


def test_broadcast_pushes_to_idle_and_queues_for_busy_connections():
    registry = SessionRegistry()
    session, origin, _ = registry.attach(("/app/a", "u"), None)
    _, idle, _ = registry.attach(("/app/a", "u"), None)
    _, busy, _ = registry.attach(("/app/a", "u"), None)
    pushed: list[tuple[set[int], set[int]]] = []
    for conn in (origin, idle, busy):
        conn.on_push = lambda change, close, sink=pushed: sink.append((change, close))
    busy.busy = True
    session.broadcast(origin.id, [1, 2], [3])
    assert pushed == [({1, 2}, {3})]  # only the idle one
    assert busy.take_pending() == ({1, 2}, {3})
    assert origin.take_pending() == (set(), set())
