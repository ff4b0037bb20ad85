"""QIX type name → the class implementing its methods."""

from __future__ import annotations

from openqix.api.base import QixApi
from openqix.api.doc import DocApi
from openqix.api.field import FieldApi
from openqix.api.generic_bookmark import GenericBookmarkApi
from openqix.api.generic_object import GenericObjectApi
from openqix.api.generic_variable import GenericVariableApi
from openqix.api.global_ import GlobalApi
from openqix.api.variable import VariableApi

API_CLASSES: dict[str, type[QixApi]] = {
    "Global": GlobalApi,
    "Doc": DocApi,
    "GenericObject": GenericObjectApi,
    "Field": FieldApi,
    "GenericVariable": GenericVariableApi,
    "GenericBookmark": GenericBookmarkApi,
    "Variable": VariableApi,
}


def api_class(qix_type: str) -> type[QixApi] | None:
    return API_CLASSES.get(qix_type)
