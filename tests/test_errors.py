"""Every typed error carries a code of the QIX error table."""

import importlib
import pkgutil

import openqix
from openqix.errors import QixError
from openqix.protocol.codes import error_name


def _all_subclasses(cls: type) -> set[type]:
    found = set(cls.__subclasses__())
    for sub in list(found):
        found |= _all_subclasses(sub)
    return found


def test_every_error_code_is_a_qix_code():
    for info in pkgutil.walk_packages(openqix.__path__, "openqix."):
        if not info.name.endswith("__main__"):
            importlib.import_module(info.name)
    classes = _all_subclasses(QixError) | {QixError}
    assert len(classes) > 20
    for cls in classes:
        assert error_name(cls.code) is not None, (cls.__name__, cls.code)
