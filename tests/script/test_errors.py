"""Script errors: typed, located in the original script text (also after `$(...)`), and a
run that fails returns nothing (the caller keeps its previous model)."""

from __future__ import annotations

import pytest

from openqix.script.errors import (
    DuplicateFieldError,
    FieldNotFoundError,
    ScriptError,
    ScriptSyntaxError,
    UnknownStatementError,
)
from openqix.script.executor import run_script
from openqix.script.sources.connections import ConnectionResolver

NO_CONNECTIONS = ConnectionResolver()


def error_of(text: str) -> ScriptError:
    with pytest.raises(ScriptError) as caught:
        run_script(text, NO_CONNECTIONS)
    return caught.value


def test_unknown_statement_with_exact_line_and_column() -> None:
    error = error_of("SET a = 1;\r\nLOAD * INLINE [\nA\n1\n];\n\n\tBogus x y;\n")
    assert isinstance(error, UnknownStatementError)
    assert error.message == "Unknown statement: Bogus"
    assert (error.line, error.column, error.length) == (7, 2, 5)
    assert error.code == 11002
    assert str(error) == "Unknown statement: Bogus (line 7, column 2)"


def test_unsupported_prefix_is_located() -> None:
    error = error_of("SET a = 1;\n  Bundle LOAD * INLINE [\nA\n];")
    assert isinstance(error, ScriptSyntaxError)
    assert (error.message, error.line, error.column) == (
        "The Bundle prefix is not supported",
        2,
        3,
    )


def test_unterminated_inline_data() -> None:
    error = error_of("SET a = 1;\nT: LOAD * INLINE [\nA\n1\n;\n")
    assert isinstance(error, ScriptSyntaxError)
    assert error.message == "Unterminated bracket name: missing ]"
    assert (error.line, error.column, error.offset) == (2, 18, 28)


def test_missing_semicolon_after_the_last_statement_is_an_error() -> None:
    error = error_of("SET a = 1;\nLOAD * INLINE [\nA\n1\n]  ")
    assert error.message == "Missing ';' at the end of the statement"
    assert (error.line, error.column) == (5, 2)


def test_field_not_found_points_at_the_field() -> None:
    error = error_of("LOAD A,\n     b INLINE [\nA\n1\n];")
    assert isinstance(error, FieldNotFoundError)
    assert (error.message, error.line, error.column, error.length) == (
        "Field 'b' not found",
        2,
        6,
        1,
    )


def test_duplicate_output_fields() -> None:
    error = error_of("LOAD *, A INLINE [\nA\n1\n];")
    assert isinstance(error, DuplicateFieldError)
    assert (error.line, error.column) == (1, 9)
    error = error_of("LOAD * INLINE [\nA,A\n1,2\n];")
    assert isinstance(error, DuplicateFieldError)


def test_a_load_without_fields() -> None:
    error = error_of("\nLOAD * INLINE [];")
    assert (error.message, error.line, error.column) == ("The LOAD has no fields", 2, 1)


def test_errors_inside_expanded_text_point_at_the_dollar() -> None:
    error = error_of('SET v = "\'x";\n\n   LOAD $(v) INLINE [a];')
    assert isinstance(error, ScriptSyntaxError)
    assert error.message.startswith("Unterminated string")
    assert (error.line, error.column, error.offset) == (3, 9, 23)


def test_error_codes_are_qix_codes() -> None:
    assert FieldNotFoundError.code == 11013
    assert ScriptSyntaxError.code == 11003
    assert DuplicateFieldError.code == 11016
