"""Variables: the store of an app's (or a session's) variables, their properties and layouts.

A variable has a name (unique, case sensitive), a definition (a value, or `=expression`) and
the GenericVariable properties around them. Its value is the definition read as a number when
it is one, the evaluated expression when the definition starts with `=`, or a dual set
explicitly (SetDualValue / ForceContent) until the definition changes again.

Pure: evaluation of `=` definitions is a callable handed in by the caller.
"""

from __future__ import annotations

import copy
import math
import re
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

from openqix.calc.format import FORMAT_VARIABLES
from openqix.calc.interpret import NUMBER_PATTERN
from openqix.calc.values import NULL, Dual
from openqix.errors import InvalidParameterValue, QixError
from openqix.objects.generic import PRIVILEGES

VARIABLE_TYPE = "variable"
DEFAULT_NUMBER_PRESENTATION: dict[str, Any] = {"qType": "U", "qnDec": 10, "qUseThou": 0}

# Variables with a meaning to the engine or the script (qIsReserved): number interpretation,
# error handling and value handling. Hidden from variable lists unless qShowReserved.
RESERVED_NAMES = FORMAT_VARIABLES | frozenset(
    {
        "CreateSearchIndexOnReload",
        "NumericalAbbreviation",
        "ErrorMode",
        "ScriptError",
        "ScriptErrorCount",
        "ScriptErrorList",
        "ScriptErrorDetails",
        "NullDisplay",
        "NullValue",
        "OtherSymbol",
        "HidePrefix",
        "HideSuffix",
        "Verbatim",
        "StripComments",
        "SearchIndexOnReload",
    }
)
# System variables the engine itself sets (qIsConfig); openqix defines none of them yet.
CONFIG_NAMES = frozenset({"QvPath", "QvRoot", "QvWorkPath", "QvWorkRoot", "WinPath", "WinRoot"})

_NUMBER = re.compile(NUMBER_PATTERN)

Evaluator = Callable[[str], Dual]


class VariableNameTaken(QixError):
    code = 3  # LOCERR_GENERIC_ALREADY_EXISTS


class VariableNotFound(QixError):
    code = 2  # LOCERR_GENERIC_NOT_FOUND


def read_definition(definition: str) -> Dual:
    """The value of a definition that is not an expression: a plain number is a dual."""
    text = definition.strip()
    if _NUMBER.match(text):
        number = float(text)
        if math.isfinite(number):
            return Dual(definition, number + 0.0)
    return Dual(definition, math.nan)


def is_expression(definition: str) -> bool:
    return definition.lstrip().startswith("=")


def number_text(value: float) -> str:
    """The definition text a number is stored as: integers without decimals, else 14 digits."""
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.14g}"


@dataclass
class Variable:
    id: str
    properties: dict[str, Any]
    script_created: bool = False
    session: bool = False
    dual: Dual | None = None  # a value set as a dual, kept until the definition changes
    legacy: dict[str, Any] = field(default_factory=dict)  # Variable.SetNxProperties extras

    @property
    def name(self) -> str:
        return str(self.properties["qName"])

    @property
    def definition(self) -> str:
        return str(self.properties.get("qDefinition", ""))

    @property
    def reserved(self) -> bool:
        return self.name in RESERVED_NAMES

    @property
    def config(self) -> bool:
        return self.name in CONFIG_NAMES

    def set_definition(self, definition: str, dual: Dual | None = None) -> None:
        self.properties["qDefinition"] = definition
        self.dual = dual

    def value(self, evaluate: Evaluator) -> Dual:
        """The variable's current value; `evaluate` computes `=expression` definitions."""
        if self.dual is not None:
            return self.dual
        definition = self.definition
        if is_expression(definition):
            return evaluate(definition)
        return read_definition(definition)

    def layout(self, evaluate: Evaluator) -> dict[str, Any]:
        """GenericVariableLayout: qInfo, qMeta, qText/qNum of the value, qIsScriptCreated."""
        props = self.properties
        out: dict[str, Any] = {"qInfo": copy.deepcopy(props["qInfo"])}
        out["qMeta"] = meta_of(props.get("qMetaDef"))
        value = self.value(evaluate)
        text = value.display()
        if text is not None:
            out["qText"] = text
        if value.is_numeric:
            out["qNum"] = value.num
        if self.script_created:
            out["qIsScriptCreated"] = True
        out.update({k: copy.deepcopy(v) for k, v in props.items() if not k.startswith("q")})
        return out

    def list_item(self, data_paths: Mapping[str, Any]) -> dict[str, Any]:
        """NxVariableListItem: the variable as a variable list shows it."""
        props = self.properties
        item: dict[str, Any] = {"qName": self.name, "qDefinition": self.definition}
        if props.get("qComment"):
            item["qDescription"] = props["qComment"]
        if self.config:
            item["qIsConfig"] = True
        if self.reserved:
            item["qIsReserved"] = True
        if self.script_created:
            item["qIsScriptCreated"] = True
        item["qInfo"] = copy.deepcopy(props["qInfo"])
        item["qMeta"] = meta_of(props.get("qMetaDef"))
        item["qData"] = {key: json_pointer(props, path) for key, path in data_paths.items()}
        return item


def meta_of(meta_def: Any) -> dict[str, Any]:
    meta = copy.deepcopy(dict(meta_def)) if isinstance(meta_def, Mapping) else {}
    meta["privileges"] = list(PRIVILEGES)
    return meta


def json_pointer(document: Any, path: Any) -> Any:
    """The value at a JSON pointer ("/qMetaDef/title") inside `document`; None when absent."""
    if not isinstance(path, str) or not path.startswith("/"):
        return None
    node = document
    for raw in path[1:].split("/"):
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, Mapping):
            node = node.get(part)
        elif isinstance(node, list) and part.isascii() and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return copy.deepcopy(node)


def normalize_properties(prop: Mapping[str, Any], variable_id: str) -> dict[str, Any]:
    """GenericVariableProperties as stored: defaults filled, empty strings and false left out."""
    if not isinstance(prop, Mapping):
        raise InvalidParameterValue("variable properties must be an object")
    name = prop.get("qName")
    if not isinstance(name, str) or not name.strip():
        raise InvalidParameterValue("qName is required and must be a non-empty string")
    definition = prop.get("qDefinition", "")
    if not isinstance(definition, str):
        raise InvalidParameterValue("qDefinition must be a string")
    info = prop.get("qInfo") if isinstance(prop.get("qInfo"), Mapping) else {}
    assert isinstance(info, Mapping)
    others = {k: v for k, v in info.items() if k not in ("qId", "qType")}
    out: dict[str, Any] = {"qInfo": {"qId": variable_id, "qType": VARIABLE_TYPE, **others}}
    meta_def = prop.get("qMetaDef")
    out["qMetaDef"] = copy.deepcopy(dict(meta_def)) if isinstance(meta_def, Mapping) else {}
    out["qName"] = name
    comment = prop.get("qComment")
    if isinstance(comment, str) and comment:
        out["qComment"] = comment
    presentation = prop.get("qNumberPresentation")
    out["qNumberPresentation"] = (
        copy.deepcopy(dict(presentation))
        if isinstance(presentation, Mapping) and presentation
        else dict(DEFAULT_NUMBER_PRESENTATION)
    )
    if prop.get("qIncludeInBookmark") is True:
        out["qIncludeInBookmark"] = True
    out["qDefinition"] = definition
    if isinstance(prop.get("qConstraints"), Mapping):
        out["qConstraints"] = copy.deepcopy(dict(prop["qConstraints"]))
    out.update({k: copy.deepcopy(v) for k, v in prop.items() if not k.startswith("q")})
    return out


@dataclass
class VariableStore:
    """Variables by id, in creation order, with a name index (names are case sensitive)."""

    session: bool = False
    _by_id: dict[str, Variable] = field(default_factory=dict)
    _by_name: dict[str, Variable] = field(default_factory=dict)

    def __iter__(self) -> Iterator[Variable]:
        return iter(list(self._by_id.values()))

    def __len__(self) -> int:
        return len(self._by_id)

    def by_id(self, variable_id: str) -> Variable | None:
        return self._by_id.get(variable_id)

    def by_name(self, name: str) -> Variable | None:
        return self._by_name.get(name)

    def create(
        self,
        prop: Mapping[str, Any],
        script_created: bool = False,
        taken: Callable[[str], bool] | None = None,
    ) -> Variable:
        """A new variable from properties; `taken` also reserves names and ids held elsewhere."""
        if not isinstance(prop, Mapping):
            raise InvalidParameterValue("variable properties must be an object")
        info = prop.get("qInfo")
        wanted = info.get("qId") if isinstance(info, Mapping) else None
        in_use = taken or (lambda _key: False)
        if not isinstance(wanted, str) or not wanted or wanted in self._by_id or in_use(wanted):
            wanted = uuid.uuid4().hex[:12]
        properties = normalize_properties(prop, wanted)
        name = properties["qName"]
        if name in self._by_name or in_use(name):
            raise VariableNameTaken(name)
        variable = Variable(wanted, properties, script_created, self.session)
        self._by_id[wanted] = variable
        self._by_name[name] = variable
        return variable

    def set_properties(
        self,
        variable: Variable,
        prop: Mapping[str, Any],
        taken: Callable[[str], bool] | None = None,
    ) -> None:
        """Replace a variable's properties (a new name must be free; the id never changes)."""
        properties = normalize_properties(prop, variable.id)
        new_name = properties["qName"]
        if new_name != variable.name and (
            new_name in self._by_name or (taken is not None and taken(new_name))
        ):
            raise VariableNameTaken(new_name)
        del self._by_name[variable.name]
        changed = properties["qDefinition"] != variable.definition
        variable.properties = properties
        if changed:
            variable.dual = None
        self._by_name[new_name] = variable

    def remove(self, variable: Variable) -> bool:
        if self._by_id.get(variable.id) is not variable:
            return False
        del self._by_id[variable.id]
        del self._by_name[variable.name]
        return True

    def apply_script(
        self, variables: Mapping[str, str], before: Mapping[str, str] | None = None
    ) -> list[Variable]:
        """Take the final variables of a reload that started with `before`: variables the
        script created or changed get its definition and are flagged script-created (one it
        set to the value it already had can't be told apart and keeps its flag). Variables
        the script no longer sets are kept (as in Qlik). Returns the changed variables."""
        changed: list[Variable] = []
        for name, definition in variables.items():
            if before is not None and before.get(name) == definition:
                continue
            variable = self._by_name.get(name)
            if variable is None:
                prop = {"qName": name, "qDefinition": definition}
                changed.append(self.create(prop, script_created=True))
                continue
            if variable.definition != definition or variable.dual is not None:
                variable.set_definition(definition)
                changed.append(variable)
            variable.script_created = True
        return changed

    def definitions(self) -> dict[str, str]:
        return {v.name: v.definition for v in self._by_id.values()}

    # -- persistence -------------------------------------------------------------------------
    def to_records(self) -> list[dict[str, Any]]:
        """The variables as JSON records for the app document."""
        records: list[dict[str, Any]] = []
        for variable in self._by_id.values():
            record: dict[str, Any] = {"properties": copy.deepcopy(variable.properties)}
            if variable.script_created:
                record["scriptCreated"] = True
            if variable.dual is not None:
                num = variable.dual.num
                record["dual"] = {"text": variable.dual.text, "num": num if num == num else None}
            records.append(record)
        return records

    @classmethod
    def from_records(cls, records: Iterable[Any]) -> VariableStore:
        store = cls()
        for record in records:
            if not isinstance(record, Mapping) or not isinstance(record.get("properties"), Mapping):
                raise InvalidParameterValue(f"malformed variable record: {record!r:.80}")
            variable = store.create(record["properties"], bool(record.get("scriptCreated")))
            dual = record.get("dual")
            if isinstance(dual, Mapping):
                num = dual.get("num")
                text = dual.get("text")
                variable.dual = Dual(
                    text if isinstance(text, str) else None,
                    float(num) if isinstance(num, int | float) else math.nan,
                )
        return store


@dataclass(frozen=True)
class VariableScope:
    """The variables an expression sees: a session's own variables over the app's."""

    app: VariableStore
    session: VariableStore | None = None

    def stores(self) -> list[VariableStore]:
        return [self.app] if self.session is None else [self.session, self.app]

    def by_name(self, name: str) -> Variable | None:
        for store in self.stores():
            found = store.by_name(name)
            if found is not None:
                return found
        return None

    def by_id(self, variable_id: str) -> Variable | None:
        for store in self.stores():
            found = store.by_id(variable_id)
            if found is not None:
                return found
        return None

    def taken(self, key: str) -> bool:
        """A name or id already used by some variable of the scope."""
        return self.by_name(key) is not None or self.by_id(key) is not None

    def definitions(self) -> dict[str, str]:
        """name -> definition text, session variables winning (for $-expansion)."""
        out: dict[str, str] = {}
        for store in reversed(self.stores()):
            out.update(store.definitions())
        return out

    def variable_list(self, list_def: Mapping[str, Any]) -> list[dict[str, Any]]:
        """The items of a VariableListDef (GetVariables, qVariableListDef)."""
        if not isinstance(list_def, Mapping):
            raise InvalidParameterValue("a variable list definition must be an object")
        wanted_type = list_def.get("qType")
        if wanted_type not in (None, "", VARIABLE_TYPE):
            return []
        data = list_def.get("qData")
        paths = data if isinstance(data, Mapping) else {}
        items: list[dict[str, Any]] = []
        for variable in self.app:
            if variable.reserved and not list_def.get("qShowReserved"):
                continue
            if variable.config and not list_def.get("qShowConfig"):
                continue
            items.append(variable.list_item(paths))
        if self.session is not None and list_def.get("qShowSession"):
            items.extend(v.list_item(paths) for v in self.session)
        return items


def no_evaluation(definition: str) -> Dual:
    """An evaluator for contexts without a data model: expressions evaluate to NULL."""
    return NULL


def affected_names(scope: VariableScope, names: Iterable[str]) -> set[str]:
    """`names` and, transitively, every variable whose definition mentions one of them: the
    variables whose value may change with theirs (a textual, conservative test)."""
    affected = set(names)
    definitions = scope.definitions()
    grown = True
    while grown:
        grown = False
        for name, definition in definitions.items():
            if name not in affected and mentions(definition, affected):
                affected.add(name)
                grown = True
    return affected


def mentions(text: str, names: Iterable[str]) -> bool:
    return any(name in text for name in names)


def patched(document: Mapping[str, Any], patches: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """A copy of `document` with NxPatch operations applied: `qOp` add/replace/remove at the
    JSON pointer `qPath`, `qValue` a JSON text. Raises InvalidParameterValue on a bad patch."""
    out = copy.deepcopy(dict(document))
    for patch in patches:
        raw_op = patch.get("qOp", "")
        op = _PATCH_OPS.get(raw_op, "") if isinstance(raw_op, int) else str(raw_op).lower()
        path = patch.get("qPath", "")
        if not isinstance(path, str) or not path.startswith("/") or path == "/":
            raise InvalidParameterValue(f"bad patch path: {path!r}")
        *parents, last = [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]
        node: Any = out
        for part in parents:
            node = node.get(part) if isinstance(node, dict) else None
            if not isinstance(node, dict):
                raise InvalidParameterValue(f"bad patch path: {path}")
        if op == "remove":
            node.pop(last, None)
        elif op in ("add", "replace"):
            node[last] = _json_value(patch.get("qValue", ""), path)
        else:
            raise InvalidParameterValue(f"bad patch operation: {patch.get('qOp')!r}")
    return out


_PATCH_OPS = {0: "add", 1: "remove", 2: "replace"}  # PatchOperationType as integers


def _json_value(text: Any, path: str) -> Any:
    try:
        return orjson.loads(text) if isinstance(text, str) else text
    except orjson.JSONDecodeError:
        raise InvalidParameterValue(f"qValue at {path} is not JSON: {text!r}") from None
