"""Interactive searches: in one field (list-object search) and across fields (Doc.Search*).

A term matches a value when the value has a word starting with the term, case-insensitively
("normal" search: `swe` finds `Sweden`, `new y` finds `New York`). Terms with `*`/`?`
or starting with `<`, `>`, `=` are search strings, matched as Field.Select does
(engine/search.py). Matching runs over the symbol texts with pyarrow, not per row.

Cross-field search groups the matches into associations: a group assigns each of some terms
a field in which it matched; it exists when selecting every term's matches in its field
leaves each of them with a possible value (the data is associated). Groups with more terms
come first; their ids (`qId`) are what SelectAssociations' `qMatchIx` refers to.
"""

from __future__ import annotations

import itertools
import re
import shlex
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from openqix.engine.inference import infer, possible_rows, possible_symbols, selection_masks
from openqix.engine.model import DataModel
from openqix.engine.search import match_symbols
from openqix.engine.selection import SelectionState
from openqix.engine.states import ValueState
from openqix.engine.symbols import SymbolTable

BoolMask = npt.NDArray[np.bool_]
MAX_GROUPS = 200
_SEARCH_STRING = re.compile(r"[*?]|^\s*[<>=]")


def split_terms(text: str) -> list[str]:
    """Search terms: whitespace separated, "double quoted" phrases kept whole."""
    try:
        terms = shlex.split(text, posix=True)
    except ValueError:
        terms = text.split()
    return [t for t in terms if t]


def term_matches(symbols: SymbolTable, term: str) -> BoolMask:
    """Mask of the symbols matching one term (word-prefix, or a search string)."""
    if not len(symbols) or not term:
        return np.zeros(len(symbols), dtype=np.bool_)
    if _SEARCH_STRING.search(term):
        mask = np.zeros(len(symbols), dtype=np.bool_)
        mask[match_symbols(symbols, term)] = True
        return mask
    if symbols.is_range and not term.lstrip("-").isdigit():
        return np.zeros(len(symbols), dtype=np.bool_)  # integer texts hold digits only
    # RE2's \w is ASCII only: spell the Unicode word characters out, as Python's \w has them.
    pattern = r"(^|[^\p{L}\p{N}\p{M}_])" + re.escape(term)
    found = pc.match_substring_regex(symbols.text_array(), pattern, ignore_case=True)
    return np.asarray(found.to_numpy(zero_copy_only=False), dtype=np.bool_)


def highlight(text: str, terms: Sequence[str]) -> list[dict[str, int]]:
    """SearchCharRange-like ranges of the terms' word-prefix occurrences in `text`."""
    ranges: list[dict[str, int]] = []
    for number, term in enumerate(terms):
        if not term or _SEARCH_STRING.search(term):
            continue
        for found in re.finditer(r"(?:^|(?<=[^\w]))" + re.escape(term), text, re.IGNORECASE):
            ranges.append({"qCharPos": found.start(), "qCharCount": len(term), "qTerm": number})
    return sorted(ranges, key=lambda r: r["qCharPos"])


# --- list-object search ---------------------------------------------------------------------


def list_search_mask(symbols: SymbolTable, text: str) -> BoolMask:
    """SearchListObjectFor: a value matches when it matches every term of `text`; a search
    string (wildcards, `>10`) is used whole."""
    if _SEARCH_STRING.search(text):
        return term_matches(symbols, text.strip())
    terms = split_terms(text)
    mask = np.ones(len(symbols), dtype=np.bool_) if terms else np.zeros(len(symbols), bool)
    for term in terms:
        mask &= term_matches(symbols, term)
    return mask


# --- cross-field search (Doc.SearchResults / SearchAssociations / SelectAssociations) ---------


@dataclass(frozen=True)
class Assignment:
    """One term matched in one field: the matching symbols there."""

    term: int
    field: str
    matches: BoolMask


@dataclass(frozen=True)
class SearchGroup:
    """An association of terms to fields; `values[field]` = its matches that stay possible."""

    id: int
    assignments: tuple[Assignment, ...]
    values: Mapping[str, BoolMask]

    @property
    def terms(self) -> list[int]:
        return sorted({a.term for a in self.assignments})

    @property
    def fields(self) -> list[str]:
        return list(dict.fromkeys(a.field for a in self.assignments))


CONTEXTS = {
    0: "Cleared",
    1: "LockedFieldsOnly",
    2: "CurrentSelections",
    "CONTEXT_CLEARED": "Cleared",
    "CONTEXT_LOCKED_FIELDS_ONLY": "LockedFieldsOnly",
    "CONTEXT_CURRENT_SELECTIONS": "CurrentSelections",
}
_NOT_SELECTABLE = (ValueState.EXCLUDED, ValueState.EXCL_SELECTED, ValueState.EXCL_LOCKED)


def search_context(value: Any) -> str:
    """SearchCombinationOptions.qContext as its short name (default LockedFieldsOnly)."""
    if isinstance(value, bool):
        return "LockedFieldsOnly"
    if value in ("Cleared", "LockedFieldsOnly", "CurrentSelections"):
        return str(value)
    return (
        CONTEXTS.get(value, "LockedFieldsOnly")
        if isinstance(value, int | str)
        else ("LockedFieldsOnly")
    )


def search_scope(
    model: DataModel, state: SelectionState, context: str
) -> tuple[dict[str, BoolMask], Callable[[str], BoolMask]]:
    """The selections a search builds on under `context`, and per field the values a term may
    match there: all (Cleared), those possible under the locked fields (LockedFieldsOnly),
    or every value not excluded by the current selections (CurrentSelections)."""
    kept = {
        name: selection
        for name, selection in state.fields.items()
        if context == "CurrentSelections" or (context == "LockedFieldsOnly" and selection.locked)
    }
    base = selection_masks(model, kept)
    if not base:
        return base, lambda name: np.ones(model.fields[name].cardinal, dtype=np.bool_)
    if context == "CurrentSelections":
        inference = infer(model, state)
        return base, lambda name: ~np.isin(inference.states[name], _NOT_SELECTABLE)
    rows = possible_rows(model, base)
    return base, lambda name: possible_symbols(model, rows, name)


def search_fields(model: DataModel, requested: Sequence[Any]) -> list[str]:
    """The fields to search: the requested ones that exist, or every field."""
    names = [f for f in requested if isinstance(f, str) and f]
    if not names:
        return [f for f in model.fields if not f.startswith("$")]
    return [f for f in names if f in model.fields]


def find_groups(
    model: DataModel,
    terms: Sequence[str],
    fields: Sequence[str],
    base: Mapping[str, BoolMask],
    allowed: Callable[[str], BoolMask],
) -> list[SearchGroup]:
    """Association groups of `terms` over `fields`, most terms first.

    `base` holds the selections the search builds on (by context); `allowed(field)` the values
    a term may match in that field (possible under `base`).
    """
    per_term: list[list[Assignment]] = []
    for number, term in enumerate(terms):
        found = []
        for name in fields:
            mask = term_matches(model.fields[name].symbols, term) & allowed(name)
            if mask.any():
                found.append(Assignment(number, name, mask))
        per_term.append(found)
    groups: list[SearchGroup] = []
    for size in range(len(terms), 0, -1):
        for chosen in itertools.combinations(range(len(terms)), size):
            if any(not per_term[t] for t in chosen):
                continue
            for combo in itertools.product(*(per_term[t] for t in chosen)):
                values = _associated(model, base, combo)
                if values is not None:
                    groups.append(SearchGroup(len(groups), tuple(combo), values))
                    if len(groups) >= MAX_GROUPS:
                        return groups
    return groups


def _associated(
    model: DataModel, base: Mapping[str, BoolMask], combo: Sequence[Assignment]
) -> dict[str, BoolMask] | None:
    """Per field of the combination the matched values still possible when all the
    combination's matches are selected together (on top of `base`), or None if one is empty.

    Two terms in one field must both match the same value."""
    selections = dict(base)
    assigned: set[str] = set()
    for assignment in combo:
        name = assignment.field
        if name in assigned:
            selections[name] = selections[name] & assignment.matches
        else:  # a term's matches replace the field's own selection
            selections[name] = assignment.matches
            assigned.add(name)
    rows = possible_rows(model, selections)
    values: dict[str, BoolMask] = {}
    for assignment in combo:
        possible = possible_symbols(model, rows, assignment.field)
        kept = possible & selections[assignment.field]
        if not kept.any():
            return None
        values[assignment.field] = kept
    return values


def search_result(
    model: DataModel,
    terms: Sequence[str],
    groups: Sequence[SearchGroup],
    page: Mapping[str, Any],
    with_number: bool,
    with_elem: bool,
) -> dict[str, Any]:
    """SearchResult: `qSearchGroupArray` paged by qOffset/qCount (groups) and the first
    qGroupOptions/qGroupItemOptions (items, matches)."""
    offset, count = _window(page, "qOffset", "qCount", len(groups))
    item_offset, item_count = _window(_first(page.get("qGroupOptions")), "qOffset", "qCount", None)
    match_offset, match_count = _window(
        _first(page.get("qGroupItemOptions")), "qOffset", "qCount", None
    )
    out = []
    for group in groups[offset : offset + count]:
        items = []
        for name in group.fields[item_offset : item_offset + item_count]:
            symbols = model.fields[name].symbols
            matched = np.flatnonzero(group.values[name])
            field_terms = sorted({a.term for a in group.assignments if a.field == name})
            texts = [terms[t] for t in field_terms]
            window = matched[match_offset : match_offset + match_count].tolist()
            matches = [
                _item_match(symbols, int(i), texts, field_terms, with_number, with_elem)
                for i in window
            ]
            items.append(
                {
                    "qItemType": "Field",
                    "qTotalNumberOfMatches": len(matched),
                    "qIdentifier": name,
                    "qItemMatches": matches,
                    "qSearchTermsMatched": field_terms,
                }
            )
        out.append(
            {
                "qId": group.id,
                "qGroupType": "DatasetType",
                "qSearchTermsMatched": group.terms,
                "qTotalNumberOfItems": len(group.fields),
                "qItems": items,
            }
        )
    return {
        "qSearchTerms": list(terms),
        "qTotalNumberOfGroups": len(groups),
        "qSearchGroupArray": out,
    }


def _item_match(
    symbols: SymbolTable,
    index: int,
    texts: Sequence[str],
    term_numbers: Sequence[int],
    with_number: bool,
    with_elem: bool,
) -> dict[str, Any]:
    text = symbols.text(index)
    attributes: list[dict[str, str]] = []
    number = symbols.number(index)
    if with_number and number == number:
        attributes.append({"qKey": "qNum", "qValue": repr(number)})
    if with_elem:
        attributes.append({"qKey": "qElemNum", "qValue": str(index)})
    ranges = highlight(text, texts)
    for r in ranges:
        r["qTerm"] = term_numbers[r["qTerm"]]
    return {"qText": text, "qAttributes": attributes, "qRanges": ranges}


def association_result(
    model: DataModel, terms: Sequence[str], groups: Sequence[SearchGroup], page: Mapping[str, Any]
) -> dict[str, Any]:
    """SearchAssociationResult: field dictionaries of every matched value, and the groups
    (paged by qOffset/qCount, values cut at qMaxNbrFieldMatches) pointing into them."""
    names = list(dict.fromkeys(name for g in groups for name in g.fields))
    union: dict[str, BoolMask] = {}
    for group in groups:
        for name, mask in group.values.items():
            union[name] = union[name] | mask if name in union else mask.copy()
    positions = {name: np.cumsum(union[name]) - 1 for name in names}
    offset, count = _window(page, "qOffset", "qCount", len(groups))
    max_values = _int(page.get("qMaxNbrFieldMatches"), -1)
    combinations = []
    for group in groups[offset : offset + count]:
        matches = []
        for name in group.fields:
            values = positions[name][np.flatnonzero(group.values[name])].tolist()
            matches.append(
                {
                    "qField": names.index(name),
                    "qValues": values if max_values < 0 else values[:max_values],
                    "qTerms": sorted({a.term for a in group.assignments if a.field == name}),
                    "qNoOfMatches": len(values),
                }
            )
        combinations.append(
            {"qSearchMatchCombinations": [{"qId": group.id, "qFieldMatches": matches}]}
        )
    dictionaries = []
    for number, name in enumerate(names):
        symbols = model.fields[name].symbols
        dictionaries.append(
            {
                "qField": number,
                "qResult": [
                    {
                        "qText": symbols.text(i),
                        "qElemNumber": i,
                        "qRanges": highlight(symbols.text(i), terms),
                    }
                    for i in np.flatnonzero(union[name]).tolist()
                ],
            }
        )
    return {
        "qFieldNames": names,
        "qSearchTerms": list(terms),
        "qFieldDictionaries": dictionaries,
        "qSearchTermsMatched": combinations,
        "qTotalSearchResults": len(groups),
    }


def suggestions(
    model: DataModel,
    terms: Sequence[str],
    fields: Sequence[str],
    allowed: Callable[[str], BoolMask],
) -> dict[str, Any]:
    """SearchSuggestionResult: completions of the last term, the words of matching values that
    start with it (most frequent first), and the fields where it matched."""
    if not terms:
        return {"qSuggestions": [], "qFieldNames": []}
    last = len(terms) - 1
    term = terms[last].casefold()
    counts: dict[str, int] = {}
    matched_fields = []
    for name in fields:
        symbols = model.fields[name].symbols
        mask = term_matches(symbols, terms[last]) & allowed(name)
        if not mask.any():
            continue
        matched_fields.append(name)
        matching = pa.array(symbols.text_array()).filter(pa.array(mask)).to_pylist()
        for text in matching[:10_000]:
            for word in re.findall(r"\w[\w'.-]*", text):
                if word.casefold().startswith(term):
                    counts[word] = counts.get(word, 0) + 1
    ranked = sorted(counts, key=lambda w: (-counts[w], w.casefold()))[:10]
    return {
        "qSuggestions": [{"qValue": word, "qTerm": last} for word in ranked],
        "qFieldNames": matched_fields,
    }


def _first(options: Any) -> Mapping[str, Any]:
    if isinstance(options, list) and options and isinstance(options[0], Mapping):
        return options[0]
    return {}


def _int(value: Any, default: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return default
    return int(value)


def _window(
    options: Mapping[str, Any], offset_key: str, count_key: str, total: int | None
) -> tuple[int, int]:
    """(offset, count) of a paging option; a missing or negative count means all."""
    offset = max(0, _int(options.get(offset_key), 0))
    count = _int(options.get(count_key), -1)
    if count < 0:
        count = total if total is not None else 1 << 30
    return offset, count
