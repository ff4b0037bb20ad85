"""The house rules of ARCHITECTURE.md §1, checked on the import graph of src/openqix."""

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "openqix"
PURE_ROOMS = ("engine", "lang", "calc", "objects", "script", "storage")
UPPER_ROOMS = ("protocol", "session", "api", "server")


def _modules() -> list[tuple[str, set[str]]]:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).with_suffix("")
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imports: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                imports.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                imports.add(node.module)
        found.append((".".join(rel.parts), imports))
    return found


MODULES = _modules()


def _room(module: str) -> str:
    return module.split(".")[0]


def _rooms_imported(imports: set[str]) -> set[str]:
    return {i.split(".")[1] for i in imports if i.startswith("openqix.") and "." in i}


@pytest.mark.parametrize(("module", "imports"), MODULES, ids=[m for m, _ in MODULES])
def test_pure_rooms_never_import_the_upper_layers(module, imports):
    if _room(module) in PURE_ROOMS:
        assert not _rooms_imported(imports) & set(UPPER_ROOMS), module


@pytest.mark.parametrize(("module", "imports"), MODULES, ids=[m for m, _ in MODULES])
def test_only_server_does_io_with_asyncio_and_websockets(module, imports):
    if _room(module) != "server":
        roots = {i.split(".")[0] for i in imports}
        assert not roots & {"asyncio", "websockets", "socket"}, module


@pytest.mark.parametrize(("module", "imports"), MODULES, ids=[m for m, _ in MODULES])
def test_protocol_and_session_stay_sans_io(module, imports):
    if _room(module) == "protocol":
        assert _rooms_imported(imports) <= {"protocol", "errors"}, module
    if _room(module) == "session":
        assert _rooms_imported(imports) <= {"session", "errors"}, module


@pytest.mark.parametrize(("module", "imports"), MODULES, ids=[m for m, _ in MODULES])
def test_only_sources_read_data_files_and_only_the_store_writes_apps(module, imports):
    roots = {i.split(".")[0] for i in imports} | imports
    if not module.startswith("script.sources"):
        assert not roots & {"csv", "pyarrow.csv", "pyarrow.parquet", "openpyxl"}, module
    if module != "storage.store":
        assert not roots & {"tempfile", "shutil"}, module


def test_every_room_exists_with_a_docstring():
    for room in (*PURE_ROOMS, *UPPER_ROOMS):
        init = SRC / room / "__init__.py"
        assert init.is_file(), room
        assert ast.get_docstring(ast.parse(init.read_text())), room
