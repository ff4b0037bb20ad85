"""QIX type name → the class implementing its methods."""

from __future__ import annotations

from openqix.api.base import QixApi


def api_class(qix_type: str) -> type[QixApi] | None:
    from openqix.api.doc import DocApi
    from openqix.api.field import FieldApi
    from openqix.api.generic_object import GenericObjectApi
    from openqix.api.global_ import GlobalApi

    classes: dict[str, type[QixApi]] = {
        "Global": GlobalApi,
        "Doc": DocApi,
        "GenericObject": GenericObjectApi,
        "Field": FieldApi,
    }
    return classes.get(qix_type)
