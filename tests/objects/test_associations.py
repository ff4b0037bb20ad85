"""Joining the possible rows of the tables that link a set of fields (full outer join)."""

from __future__ import annotations

import numpy as np
import pytest
from objects_testkit import all_possible, hand_inference, model, table

from openqix.calc.errors import DisconnectedFields, UnknownField
from openqix.engine.model import DataModel
from openqix.objects.associations import Associations, associate, full_outer_match, plan_join

ORDERS = table("Orders", CustomerID=[1, 1, 2, 9], Amount=[10, 20, 30, 40])
CUSTOMERS = table("Customers", CustomerID=[1, 2, 3], Country=["SE", "DK", "SE"])
CONTACTS = table("Contacts", CustomerID=[1, 1, 2], Phone=["a", "b", "c"])


def pairs(m: DataModel, assoc: Associations, *names: str) -> list[tuple[str | None, ...]]:
    """Combinations as sorted tuples of value texts (None for NULL)."""
    out: list[tuple[str | None, ...]] = []
    for i in range(assoc.size):
        row: list[str | None] = []
        for name in names:
            symbol = int(assoc.values[name][i])
            row.append(m.fields[name].symbols.texts[symbol] if symbol >= 0 else None)
        out.append(tuple(row))
    return sorted(out, key=repr)


def test_single_table_gives_its_possible_rows() -> None:
    m = model(CUSTOMERS)
    inference = hand_inference(m, rows={"Customers": [True, False, True]})
    assoc = associate(m, inference, ["Country"])
    assert assoc.rows["Customers"].tolist() == [0, 2]
    assert pairs(m, assoc, "Country") == [("SE",), ("SE",)]


def test_full_outer_join_keeps_orphans_on_both_sides() -> None:
    m = model(ORDERS, CUSTOMERS)
    assoc = associate(m, all_possible(m), ["Country", "Amount"])
    assert pairs(m, assoc, "Country", "Amount") == [
        ("DK", "30"),
        ("SE", "10"),
        ("SE", "20"),
        ("SE", None),  # customer 3 has no orders
        (None, "40"),  # order of customer 9 has no customer
    ]
    assert assoc.field_tables == {"Country": "Customers", "Amount": "Orders"}


def test_unrelated_tables_are_not_joined() -> None:
    m = model(ORDERS, CUSTOMERS, CONTACTS)
    steps = plan_join(m, ["Country", "Amount"])
    assert {s.table for s in steps} == {"Orders", "Customers"}
    assert associate(m, all_possible(m), ["Country", "Amount"]).size == 5


def test_dimension_key_field_pulls_in_every_table_holding_it() -> None:
    m = model(ORDERS, CUSTOMERS, CONTACTS)
    steps = plan_join(m, ["CustomerID", "Amount"], complete={"CustomerID"})
    assert {s.table for s in steps} == {"Orders", "Customers", "Contacts"}
    assoc = associate(m, all_possible(m), ["CustomerID"], complete={"CustomerID"})
    assert {v for (v,) in pairs(m, assoc, "CustomerID")} == {"1", "2", "3", "9"}


def test_only_possible_rows_take_part() -> None:
    m = model(ORDERS, CUSTOMERS)
    inference = hand_inference(
        m, rows={"Orders": [True, False, True, False], "Customers": [True, True, False]}
    )
    assoc = associate(m, inference, ["Country", "Amount"])
    assert pairs(m, assoc, "Country", "Amount") == [("DK", "30"), ("SE", "10")]


def test_composite_keys_match_on_all_shared_fields() -> None:
    m = model(
        table("A", K1=[1, 1, 2], K2=["x", "y", "x"], Left=["a", "b", "c"]),
        table("B", K1=[1, 2, 2], K2=["y", "x", "y"], Right=["p", "q", "r"]),
    )
    assoc = associate(m, all_possible(m), ["Left", "Right"])
    assert pairs(m, assoc, "Left", "Right") == [
        ("a", None),
        ("b", "p"),
        ("c", "q"),
        (None, "r"),
    ]


def test_fields_in_unlinked_tables_are_an_error() -> None:
    m = model(ORDERS, table("Island", Label=["x"]))
    with pytest.raises(DisconnectedFields) as caught:
        associate(m, all_possible(m), ["Amount", "Label"])
    assert caught.value.code == 6000


def test_unknown_fields_are_an_error() -> None:
    m = model(ORDERS)
    with pytest.raises(UnknownField):
        associate(m, all_possible(m), ["Nope"])


def test_no_fields_no_combinations() -> None:
    m = model(ORDERS)
    assert associate(m, all_possible(m), []).size == 0


@pytest.mark.parametrize("key_space", [None, 9])  # binary search, direct counting
def test_full_outer_match_with_duplicates_and_nulls(key_space: int | None) -> None:
    left = np.array([5, -1, 7, 5, 3], dtype=np.int64)
    right = np.array([5, 8, 5, -1, 7], dtype=np.int64)
    source, partner, unmatched = full_outer_match(left, right, key_space)
    got = sorted(zip(source.tolist(), partner.tolist(), strict=True))
    assert got == [(0, 0), (0, 2), (1, -1), (2, 4), (3, 0), (3, 2), (4, -1)]
    assert sorted(unmatched.tolist()) == [1, 3]


@pytest.mark.parametrize("key_space", [None, 5])
def test_full_outer_match_with_an_empty_side(key_space: int | None) -> None:
    empty = np.zeros(0, dtype=np.int64)
    two = np.array([1, 2], dtype=np.int64)
    source, partner, unmatched = full_outer_match(two, empty, key_space)
    assert source.tolist() == [0, 1] and partner.tolist() == [-1, -1] and unmatched.size == 0
    source, partner, unmatched = full_outer_match(empty, np.array([4], dtype=np.int64), key_space)
    assert source.size == 0 and unmatched.tolist() == [0]
