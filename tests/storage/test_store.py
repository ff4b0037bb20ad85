from pathlib import Path

import pytest

from openqix.storage import store as store_module
from openqix.storage.format import AppDocument, CorruptAppFile, decode, encode
from openqix.storage.store import AppStore


def test_round_trip(tmp_path: Path):
    store = AppStore(tmp_path)
    doc = AppDocument(
        "a1",
        "Sales",
        script="LOAD 1;",
        connections=[{"id": "c", "name": "data", "connectionString": "/x", "type": "folder"}],
    )
    store.save(doc)
    assert store.exists("a1") and store.load("a1") == doc
    assert [d.id for d in store.list()] == ["a1"]
    assert store.delete("a1") and not store.exists("a1") and not store.delete("a1")


@pytest.mark.parametrize(
    "raw", [b"", b"{", b"[]", b'{"formatVersion": 99, "id": "x"}', b'{"formatVersion": 1}']
)
def test_corrupt_documents_are_typed_errors(raw):
    with pytest.raises(CorruptAppFile):
        decode(raw)


def test_a_broken_app_never_hides_the_others(tmp_path: Path):
    store = AppStore(tmp_path)
    store.save(AppDocument("good", "Good"))
    (tmp_path / "apps" / "bad").mkdir()
    (tmp_path / "apps" / "bad" / "app.json").write_text("{broken")
    assert [d.id for d in store.list()] == ["good"]


@pytest.mark.parametrize("app_id", ["..", "a/b", "", "x" * 200, "../../etc"])
def test_unsafe_ids_are_never_paths(tmp_path: Path, app_id: str):
    store = AppStore(tmp_path)
    assert not store.exists(app_id) and store.load(app_id) is None and not store.delete(app_id)
    with pytest.raises(ValueError):
        store.save(AppDocument(app_id, "x"))


def test_a_crash_during_save_keeps_the_previous_version(tmp_path: Path, monkeypatch):
    store = AppStore(tmp_path)
    store.save(AppDocument("a1", "v1"))

    def crash(*args: object) -> None:
        raise OSError("disk on fire")

    monkeypatch.setattr(store_module.os, "replace", crash)
    with pytest.raises(OSError):
        store.save(AppDocument("a1", "v2"))
    assert store.load("a1").title == "v1"  # type: ignore[union-attr]
    assert [p.name for p in (tmp_path / "apps" / "a1").iterdir()] == ["app.json"]


def test_encode_is_versioned_json(tmp_path: Path):
    assert b'"formatVersion": 1' in encode(AppDocument("a", "b"))
