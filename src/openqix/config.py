"""One Settings object: CLI flags beat OPENQIX_* environment variables beat defaults."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 9076
    data_dir: Path = Path("./data")
    demo: bool = False
    session_ttl: int = 0
    max_session_ttl: int = 1800

    @classmethod
    def load(
        cls, overrides: Mapping[str, object] | None = None, env: Mapping[str, str] | None = None
    ) -> Settings:
        """Defaults, then OPENQIX_<NAME> variables, then explicit (non-None) overrides."""
        env = os.environ if env is None else env
        values: dict[str, object] = {}
        for f in fields(cls):
            raw = env.get(f"OPENQIX_{f.name.upper()}")
            if raw is not None and raw != "":
                values[f.name] = _convert(f.name, raw, cls)
        for name, value in (overrides or {}).items():
            if value is not None:
                values[name] = value
        return cls(**values)  # type: ignore[arg-type]


def _convert(name: str, raw: str, cls: type[Settings]) -> object:
    default = getattr(cls, name)
    if isinstance(default, bool):
        if raw.lower() in ("1", "true", "yes", "on"):
            return True
        if raw.lower() in ("0", "false", "no", "off"):
            return False
        raise ValueError(f"OPENQIX_{name.upper()} must be a boolean, got {raw!r}")
    if isinstance(default, int):
        try:
            return int(raw)
        except ValueError:
            raise ValueError(f"OPENQIX_{name.upper()} must be an integer, got {raw!r}") from None
    if isinstance(default, Path):
        return Path(raw)
    return raw
