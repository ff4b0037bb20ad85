"""Every setting and every implemented QIX method is documented."""

import dataclasses
import re
from pathlib import Path

from openqix.api.registry import api_class
from openqix.config import Settings
from openqix.protocol.schema import method_table

DOCS = Path(__file__).resolve().parents[1] / "docs"


def implemented() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for qix_type, methods in method_table().items():
        cls = api_class(qix_type)
        if cls is not None:
            found[qix_type] = [m for m in methods if hasattr(cls, m)]
    return found


def test_every_setting_is_documented():
    text = (DOCS / "configuration.md").read_text()
    for f in dataclasses.fields(Settings):
        assert f"OPENQIX_{f.name.upper()}" in text, f.name


def test_methods_doc_lists_exactly_the_implemented_methods():
    text = (DOCS / "methods.md").read_text()
    for qix_type, methods in implemented().items():
        section = re.search(rf"^## {qix_type}\n(.*?)(?=^## |\Z)", text, re.M | re.S)
        assert section is not None, qix_type
        listed = set(re.findall(r"`(\w+)`", section.group(1)))
        assert listed == set(methods), qix_type


def test_api_classes_only_define_schema_methods():
    """A typo in a method name would silently leave the schema method unimplemented."""
    for qix_type, methods in method_table().items():
        cls = api_class(qix_type)
        if cls is None:
            continue
        public = {n for n in vars(cls) if n[:1].isupper()}
        assert public <= set(methods), (qix_type, public - set(methods))
