"""Folder data connections and the resolution of `lib://Name/sub/file.csv` paths.

A connection name matches case-insensitively. The resolved path (symlinks and `..` resolved)
must stay inside the connection's root folder; anything else is a typed `SourceError`.
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


@dataclass(frozen=True)
class FolderConnection:
    """A named folder that `lib://name/...` paths are confined to."""

    name: str
    root: Path


class ConnectionResolver(Mapping[str, FolderConnection]):
    """The folder connections of one app, by name (case-insensitive)."""

    def __init__(self, connections: Iterable[FolderConnection] = ()) -> None:
        self._by_key = {c.name.casefold(): c for c in connections}

    def __getitem__(self, name: str) -> FolderConnection:
        return self._by_key[name.casefold()]

    def __iter__(self) -> Iterator[str]:
        return (c.name for c in self._by_key.values())

    def __len__(self) -> int:
        return len(self._by_key)

    def resolve(self, lib_path: str) -> Path:
        """The existing file that `lib://Name/sub/file` names, confined to Name's root."""
        match = _LIB_PATH.fullmatch(lib_path.strip())
        if match is None:
            raise NotALibPathError(
                f"This statement only works with lib:// paths in this script mode: '{lib_path}'"
            )
        name, rest = match.groups()
        connection = self._by_key.get(name.casefold())
        if connection is None:
            raise ConnectionNotFoundError(f"Connection '{name}' not found")
        try:
            root = connection.root.resolve()
            target = (root / rest.replace("\\", "/")).resolve()
            if not target.is_relative_to(root):
                raise PathOutsideConnectionError(
                    f"The path '{lib_path}' is outside the folder defined by the connection"
                )
            if target.is_file():
                return target
        except (OSError, RuntimeError, ValueError):  # symlink loops, NUL bytes, permissions
            pass
        raise CannotOpenFileError(f"Cannot open file: '{lib_path}'")
