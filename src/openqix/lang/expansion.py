"""Dollar-sign expansion: `$(name)` replaced by a variable's text before a statement is tokenized.

The expansion keeps a map from offsets in the expanded text back to the original text, so
errors found after expansion still point at what the user wrote. Supported: `$(v)`, nested
`$(a$(b))` (innermost first), `$(#v)` (same as `$(v)` for now), `$(v(a,b))` with `$1`, `$2`,
and `$(=expr)` through an `Evaluator` callback the caller passes (the text of the expression
in, the result text out); without one, `$(=...)` is an error. Chart expressions use the same pass.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from openqix.lang.errors import ScriptError, ScriptSyntaxError
from openqix.lang.tokens import Locator, Position

_EVENTS = re.compile(r"\$\(|[()]")
_CALL = re.compile(r"([^()]*)\((.*)\)", re.DOTALL)
_PARAMETER = re.compile(r"\$([0-9]+)")

# `$(=expr)`: the expression text in, its value as text out (raises a located error itself)
Evaluator = Callable[[str], str]
# `$(Include=path)` / `$(Must_Include=path)`: (path, must) in, the file's text out
Includer = Callable[[str, bool], str]
_INCLUDE = re.compile(r"(must_include|include)\s*=(.*)", re.IGNORECASE | re.DOTALL)


@dataclass
class Expansion:
    """The expanded text and, per segment, where it came from in the original text."""

    text: str
    starts: list[int]  # offset in `text` where each segment begins
    origins: list[int]  # original offset of that segment (of the `$` for substitutions)
    literal: list[bool]  # copied text (offsets advance together) or a substituted value
    end_origin: int

    def original_offset(self, offset: int) -> int:
        if offset >= len(self.text) or not self.starts:
            return self.end_origin
        index = max(bisect.bisect_right(self.starts, offset) - 1, 0)
        if self.literal[index]:
            return self.origins[index] + offset - self.starts[index]
        return self.origins[index]


class ExpansionLocator:
    """Locates offsets of an expanded text in the original text."""

    def __init__(self, expansion: Expansion, base: Locator) -> None:
        self.expansion = expansion
        self.base = base

    def locate(self, offset: int, length: int = 0) -> Position:
        return self.base.locate(self.expansion.original_offset(offset), length)


@dataclass
class _Frame:
    dollar: int  # offset of the `$` of `$(`
    depth: int = 0
    pieces: list[str] = field(default_factory=list)


@dataclass
class _Output:
    pieces: list[str] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)
    origins: list[int] = field(default_factory=list)
    literal: list[bool] = field(default_factory=list)
    size: int = 0

    def add(self, piece: str, origin: int, literal: bool) -> None:
        if piece:
            self.pieces.append(piece)
            self.starts.append(self.size)
            self.origins.append(origin)
            self.literal.append(literal)
            self.size += len(piece)


def expand_dollars(
    text: str,
    start: int,
    end: int,
    variables: Mapping[str, str],
    locator: Locator,
    evaluate: Evaluator | None = None,
    include: Includer | None = None,
) -> Expansion:
    """Expand every `$(...)` in `text[start:end]`; one linear pass with a stack of frames."""
    out = _Output()
    frames: list[_Frame] = []
    pos = start
    for event in _EVENTS.finditer(text, start, end):
        mark = event.group()
        if not frames and mark != "$(":
            continue
        chunk = text[pos : event.start()]
        if frames:
            frames[-1].pieces.append(chunk)
        else:
            out.add(chunk, pos, True)
        pos = event.end()
        if mark == "$(":
            frames.append(_Frame(event.start()))
        elif mark == "(":
            frames[-1].depth += 1
            frames[-1].pieces.append(mark)
        elif frames[-1].depth:
            frames[-1].depth -= 1
            frames[-1].pieces.append(mark)
        else:
            frame = frames.pop()
            value = _substitute(
                "".join(frame.pieces), variables, frame.dollar, locator, evaluate, include
            )
            if frames:
                frames[-1].pieces.append(value)
            else:
                out.add(value, frame.dollar, False)
    if frames:
        where = locator.locate(frames[0].dollar, 2)
        raise ScriptSyntaxError(
            "Missing ')' in dollar-sign expansion", where.line, where.column, where.offset, 2
        )
    out.add(text[pos:end], pos, True)
    return Expansion("".join(out.pieces), out.starts, out.origins, out.literal, end)


def _substitute(
    inner: str,
    variables: Mapping[str, str],
    dollar: int,
    locator: Locator,
    evaluate: Evaluator | None,
    include: Includer | None = None,
) -> str:
    """The text of one `$(...)`; an undefined variable expands to empty text."""
    name = inner.strip()
    included = _INCLUDE.fullmatch(name)
    if included is not None:
        where = locator.locate(dollar, len(inner) + 3)
        if include is None:
            raise ScriptError(
                "Include files are not available here",
                where.line,
                where.column,
                where.offset,
                where.length,
            )
        try:
            return include(included.group(2).strip(), included.group(1).lower() == "must_include")
        except ScriptError as error:
            raise error.at(where) from error
    if name.startswith("="):
        where = locator.locate(dollar, len(inner) + 3)
        if evaluate is None:
            raise ScriptError(
                "Dollar-sign expansion of expressions $(=...) is not available here",
                where.line,
                where.column,
                where.offset,
                where.length,
            )
        try:
            return evaluate(name[1:])
        except ScriptError as error:  # positions inside the expression text: point at `$(`
            raise error.at(where) from error
    if name.startswith("#"):
        name = name[1:].strip()
    call = _CALL.fullmatch(name)
    if call is None:
        return variables.get(name, "")
    arguments = [a.strip() for a in call.group(2).split(",")]

    def argument(match: re.Match[str]) -> str:
        number = int(match.group(1))
        return arguments[number - 1] if 0 < number <= len(arguments) else match.group()

    return _PARAMETER.sub(argument, variables.get(call.group(1).strip(), ""))
