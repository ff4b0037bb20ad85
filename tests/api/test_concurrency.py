import threading

from openqix.testing import InMemoryClient


def test_a_busy_session_does_not_block_another_session(core):
    first = InMemoryClient(core, "/app/SessionApp_one")
    second = InMemoryClient(core, "/app/SessionApp_two")
    replies: list[dict] = []
    with first.attachment.session.lock:  # as if a long reload were running in `first`
        worker = threading.Thread(target=lambda: replies.append(second.request(-1, "GetUniqueID")))
        worker.start()
        worker.join(timeout=10)
        assert replies and "result" in replies[0]
    first.close()
    second.close()


def test_parallel_sessions_answer_correctly(core):
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            client = InMemoryClient(core, f"/app/SessionApp_p{n}")
            doc = client.handle(-1, "GetActiveDoc")
            client.call(doc, "SetScript", [f"T: LOAD * INLINE [A\n{n}\n{n + 100}];"])
            assert client.call(doc, "DoReload") == {"qReturn": True}
            obj = client.handle(
                doc,
                "CreateSessionObject",
                {
                    "qInfo": {"qType": "t"},
                    "qHyperCubeDef": {
                        "qDimensions": [{"qDef": {"qFieldDefs": ["A"]}}],
                        "qInitialDataFetch": [{"qWidth": 1, "qHeight": 5}],
                    },
                },
            )
            for _ in range(20):
                matrix = client.call(obj, "GetLayout")["qLayout"]["qHyperCube"]["qDataPages"][0]
                assert sorted(r[0]["qNum"] for r in matrix["qMatrix"]) == [n, n + 100]
            client.close()
        except BaseException as exc:  # collected and re-raised in the main thread
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
