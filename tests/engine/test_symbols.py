import numpy as np

from openqix.engine.model import Column, DataModel, LoadedTable
from openqix.engine.symbols import encode_column


def test_numbers_identify_values_and_the_first_text_is_kept():
    symbols, index = encode_column(
        ["1.0", "a", None, "1", "b", "a", "2"], np.array([1, np.nan, np.nan, 1, np.nan, np.nan, 2])
    )
    assert symbols.texts == ("1.0", "a", "b", "2")
    assert index.tolist() == [0, 1, -1, 0, 2, 1, 3]
    assert symbols.find_number(1) == 0 and symbols.find_number(2.0) == 3
    assert symbols.find_text("a") == 1 and symbols.find_text("1.0") == 0
    assert symbols.find_text("1") is None and symbols.find_number(5) is None


def test_a_text_symbol_wins_over_a_number_with_the_same_text():
    symbols, _ = encode_column(["7", "7x", "7"], np.array([7, np.nan, np.nan]))
    assert symbols.texts == ("7", "7x", "7")
    assert symbols.find_text("7") == 2 and symbols.find_number(7) == 0


def test_shared_field_names_make_one_field_and_tags():
    model = DataModel.build(
        [
            LoadedTable(
                "A", ("K", "X"), (Column.from_values([1, 2]), Column.from_values(["a", "é"]))
            ),
            LoadedTable(
                "B", ("K", "Y"), (Column.from_values([2, 3]), Column.from_values([1.5, 2]))
            ),
        ]
    )
    assert model.fields["K"].tables == ("A", "B")
    assert model.fields["K"].tags == ("$key", "$numeric", "$integer")
    assert model.fields["X"].tags == ("$text",)
    assert model.fields["Y"].tags == ("$numeric",)
    assert model.tables["B"].columns["K"].tolist() == [1, 2]
    assert [e.field for e in model.edges()] == ["K"]
