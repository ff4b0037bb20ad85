"""Control statements: splitting at end of line, the block tree, header parsing."""

from __future__ import annotations

import pytest

from openqix.lang.errors import ScriptSyntaxError
from openqix.lang.script_ast import FileList, ForEachHeader, ForHeader
from openqix.lang.script_parser import (
    IfBlock,
    Leaf,
    LoopBlock,
    SubBlock,
    SwitchBlock,
    build_program,
    parse_condition,
    parse_for,
    parse_sub,
    split_script,
    statement_word,
)


def words(text: str) -> list[str]:
    return [statement_word(s) or s.tokens[0].upper for s in split_script(text)]


def test_control_statements_end_at_the_end_of_their_line() -> None:
    text = "IF a = 1 THEN\nSET x = 1;\nELSEIF b THEN SET y = 2;\nELSE\nEND IF\n"
    text += "FOR i = 1 TO 3\nNEXT i\n"
    assert words(text) == ["IF", "SET", "ELSEIF", "SET", "ELSE", "END IF", "FOR", "NEXT"]


def test_a_semicolon_after_a_control_statement_is_part_of_it() -> None:
    assert words("if a=1 then; drop table xyz; end if;") == ["IF", "DROP", "END IF"]


def test_a_label_named_like_a_control_word_is_a_label() -> None:
    assert words("Next:\nLOAD * INLINE [a];") == ["NEXT"]  # one statement, not a NEXT
    (statement,) = split_script("Next:\nLOAD * INLINE [a];")
    assert statement_word(statement) == ""


def test_the_block_tree() -> None:
    text = (
        "SUB s(a)\nTRACE $(a);\nEND SUB\n"
        "IF x THEN\nSET a=1;\nELSEIF y THEN\nSET a=2;\nELSE\nSET a=3;\nEND IF\n"
        "DO WHILE n < 3\nLET n = n + 1;\nLOOP\n"
        "SWITCH v\nCASE 1\nSET b=1;\nDEFAULT\nSET b=0;\nEND SWITCH\n"
    )
    program = build_program(split_script(text))
    assert [type(node) for node in program] == [SubBlock, IfBlock, LoopBlock, SwitchBlock]
    if_block = program[1]
    assert isinstance(if_block, IfBlock)
    assert len(if_block.branches) == 2 and if_block.otherwise is not None
    assert all(isinstance(n, Leaf) for _, body in if_block.branches for n in body)
    switch = program[3]
    assert isinstance(switch, SwitchBlock) and len(switch.cases) == 2


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("IF a THEN\nSET b = 1;\n", "'IF' without a matching 'END IF'", 1),
        ("SET a = 1;\nNEXT\n", "Unexpected 'NEXT' here", 2),
        ("FOR i = 1 TO 2\nLOOP\n", "Unexpected 'LOOP' here", 2),
        ("SUB x\nSET a = 1;\n", "'SUB' without a matching 'END SUB'", 1),
    ],
)
def test_unbalanced_blocks_are_located(text: str, message: str, line: int) -> None:
    with pytest.raises(ScriptSyntaxError) as caught:
        build_program(split_script(text))
    assert caught.value.message == message
    assert caught.value.line == line


def test_headers() -> None:
    (if_header,) = split_script("IF a > 1 AND b THEN")
    condition = parse_condition(if_header)
    assert condition.value is not None and condition.value.text == "a > 1 AND b"
    (loop,) = split_script("LOOP UNTIL n >= 3")
    until = parse_condition(loop)
    assert until.until and until.value is not None
    (for_header,) = split_script("FOR i = 1 TO n * 2 STEP -1")
    header = parse_for(for_header)
    assert isinstance(header, ForHeader) and header.step is not None
    assert (header.start.text, header.stop.text, header.step.text) == ("1", "n * 2", "-1")
    (each,) = split_script("FOR EACH f IN 'a', FileList('lib://x/*.csv')")
    each_header = parse_for(each)
    assert isinstance(each_header, ForEachHeader)
    assert isinstance(each_header.items[1], FileList)
    (sub,) = split_script("SUB Load(a, b)")
    assert parse_sub(sub).parameters == ("a", "b")


def test_header_errors_are_located() -> None:
    (statement,) = split_script("FOR i = 1 UNTIL 3")
    with pytest.raises(ScriptSyntaxError) as caught:
        parse_for(statement)
    assert (caught.value.line, caught.value.column) == (1, 11)
