"""Data connections and the resolution of `lib://Name/sub/file.csv` paths.

A connection name matches case-insensitively. A folder connection's resolved path (symlinks
and `..` resolved) must stay inside its root folder; anything else is a typed `SourceError`,
never a read or a write. An SQL connection (`sqlite`) names a database file: an absolute path
or a `lib://Folder/file.db` path of a folder connection (confined like any other).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from openqix.script.errors import (
    CannotOpenFileError,
    ConnectionNotFoundError,
    NotALibPathError,
    PathOutsideConnectionError,
)

_LIB_PATH = re.compile(r"lib://([^/\\]*)[/\\]?(.*)", re.IGNORECASE | re.DOTALL)
SQL_TYPES = ("sqlite",)


@dataclass(frozen=True)
class FolderConnection:
    """A named folder that `lib://name/...` paths are confined to."""

    name: str
    root: Path


@dataclass(frozen=True)
class SqlConnection:
    """A named SQL database (`kind` sqlite): `database` is the resolved file."""

    name: str
    database: Path
    kind: str = "sqlite"


class ConnectionResolver(Mapping[str, FolderConnection]):
    """The folder connections of one app, by name (case-insensitive), plus its SQL ones."""

    def __init__(
        self,
        connections: Iterable[FolderConnection] = (),
        sql: Iterable[tuple[str, str, str]] = (),
    ) -> None:
        """`sql`: (name, type, connection string) of the app's SQL connections."""
        self._by_key = {c.name.casefold(): c for c in connections}
        self._sql = {name.casefold(): (name, kind, target) for name, kind, target in sql}

    def __getitem__(self, name: str) -> FolderConnection:
        return self._by_key[name.casefold()]

    def __iter__(self) -> Iterator[str]:
        return (c.name for c in self._by_key.values())

    def __len__(self) -> int:
        return len(self._by_key)

    def resolve(self, lib_path: str) -> Path:
        """The existing file that `lib://Name/sub/file` names, confined to Name's root."""
        try:
            target = self._confined(lib_path)
            if target.is_file():
                return target
        except (OSError, RuntimeError, ValueError):  # symlink loops, NUL bytes, permissions
            pass
        raise CannotOpenFileError(f"Cannot open file: '{lib_path}'")

    def resolve_for_write(self, lib_path: str) -> Path:
        """Where STORE may write `lib://Name/sub/file`: inside Name's root, in an existing
        folder, not a directory; an existing symlink must lead inside the root too."""
        try:
            target = self._confined(lib_path)
            if target.parent.is_dir() and not target.is_dir():
                return target
        except (OSError, RuntimeError, ValueError):
            pass
        raise CannotOpenFileError(f"Cannot open file for writing: '{lib_path}'")

    def folder(self, lib_path: str) -> tuple[Path, Path]:
        """(root, the confined directory or file pattern's folder) for FileList-like uses."""
        match = self._match(lib_path)
        root = self._connection(match[0]).root.resolve()
        return root, self._confined(lib_path)

    def sql_connection(self, name: str) -> SqlConnection:
        """The SQL connection `name` with its database file resolved (and confined)."""
        found = self._sql.get(name.casefold())
        if found is None:
            raise ConnectionNotFoundError(f"Connection '{name}' not found")
        display, kind, target = found
        if _LIB_PATH.fullmatch(target.strip()):
            database = self.resolve(target)
        else:
            database = Path(target).expanduser()
            if not database.is_absolute() or not database.is_file():
                raise CannotOpenFileError(f"Cannot open database: '{target}'")
        return SqlConnection(display, database, kind)

    def _match(self, lib_path: str) -> tuple[str, str]:
        match = _LIB_PATH.fullmatch(lib_path.strip())
        if match is None:
            raise NotALibPathError(
                f"This statement only works with lib:// paths in this script mode: '{lib_path}'"
            )
        return match[1], match[2]

    def _connection(self, name: str) -> FolderConnection:
        connection = self._by_key.get(name.casefold())
        if connection is None:
            raise ConnectionNotFoundError(f"Connection '{name}' not found")
        return connection

    def _confined(self, lib_path: str) -> Path:
        """The fully resolved target; PathOutsideConnectionError when it leaves the root."""
        name, rest = self._match(lib_path)
        root = self._connection(name).root.resolve()
        target = (root / rest.replace("\\", "/")).resolve()
        if not target.is_relative_to(root):
            raise PathOutsideConnectionError(
                f"The path '{lib_path}' is outside the folder defined by the connection"
            )
        return target
