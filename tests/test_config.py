from pathlib import Path

import pytest

from openqix.cli import build_parser
from openqix.config import Settings


def test_defaults():
    s = Settings.load(env={})
    assert (s.host, s.port, s.data_dir, s.demo) == ("127.0.0.1", 9076, Path("./data"), False)


def test_env_then_flags():
    env = {"OPENQIX_PORT": "9000", "OPENQIX_DEMO": "yes", "OPENQIX_DATA_DIR": "/tmp/x"}
    s = Settings.load(env=env)
    assert (s.port, s.demo, s.data_dir) == (9000, True, Path("/tmp/x"))
    s = Settings.load({"port": 1234, "demo": None}, env=env)
    assert (s.port, s.demo) == (1234, True)


@pytest.mark.parametrize(("name", "value"), [("OPENQIX_PORT", "x"), ("OPENQIX_DEMO", "maybe")])
def test_bad_env_values_are_clear_errors(name, value):
    with pytest.raises(ValueError, match=name):
        Settings.load(env={name: value})


def test_cli_flags():
    args = build_parser().parse_args(["serve", "--port", "0", "--demo", "--data-dir", "d"])
    assert (args.port, args.demo, args.data_dir) == (0, True, Path("d"))
    args = build_parser().parse_args(["serve"])
    assert args.demo is None and args.port is None
