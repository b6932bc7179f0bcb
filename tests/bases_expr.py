"""A small interpreter for the part of Obsidian's Bases expression language Clients.base uses.

Written from Obsidian's documentation (help.obsidian.md/bases/syntax and bases/functions), not
from salesnotes: literals (numbers, "text", 'text', true, false), note properties (bare or
`note.x`), `formula.x`, `file.name`/`file.ext`/`file.inFolder(...)`, the global functions
`if(c, a, b?)`, `today()`, `date("YYYY-MM-DD")`, the operators `! && || == != < <= > >= + -`
and parentheses. Date arithmetic: a date plus or minus a duration string ("14d", "1w") is a
date; comparisons follow JavaScript, where null compares as 0. Bases functions "follow
JavaScript behavior", so truthiness is JavaScript's too: null, false, 0 and "" are false.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

TOKEN = re.compile(r"""\s*(?:(\d+(?:\.\d+)?)|("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')|"""
                   r"""(&&|\|\||==|!=|<=|>=|[<>!+\-(),.])|([A-Za-z_][A-Za-z0-9_]*))""")
UNITS = {"d": 1, "day": 1, "days": 1, "w": 7, "week": 7, "weeks": 7}


def tokens(text: str) -> list[tuple[str, str]]:
    out, at = [], 0
    text = text.strip()
    while at < len(text):
        m = TOKEN.match(text, at)
        if not m or m.end() == at:
            raise SyntaxError(f"cannot read {text[at:]!r}")
        number, string, op, name = m.groups()
        if number is not None:
            out.append(("num", number))
        elif string is not None:
            out.append(("str", bytes(string[1:-1], "utf-8").decode("unicode_escape")))
        elif op is not None:
            out.append(("op", op))
        else:
            out.append(("name", name))
        at = m.end()
    return out


@dataclass
class Row:
    """What a base sees of one file: its front-matter properties and its path."""

    path: str
    properties: dict[str, Any]


class Evaluator:
    def __init__(self, formulas: dict[str, str], today: date) -> None:
        self.formulas = formulas
        self.today = today

    def formula(self, name: str, row: Row) -> Any:
        return self.eval(self.formulas[name], row)

    def eval(self, text: str, row: Row) -> Any:
        parser = _Parser(tokens(text), self, row)
        value = parser.expression()
        if parser.at < len(parser.toks):
            raise SyntaxError(f"unexpected {parser.toks[parser.at]} in {text!r}")
        return value


def truthy(v: Any) -> bool:
    return v not in (None, False, 0, "") and not (isinstance(v, list) and v == [])


def _number(v: Any) -> float:
    if v is None:
        return 0.0
    if isinstance(v, date):
        return datetime(v.year, v.month, v.day).timestamp() * 1000
    return float(v)


def _compare(op: str, a: Any, b: Any) -> bool:
    if op in ("==", "!="):
        return (a == b) == (op == "==")
    x, y = _number(a), _number(b)
    return {"<": x < y, "<=": x <= y, ">": x > y, ">=": x >= y}[op]


def _plus(a: Any, b: Any, sign: int) -> Any:
    if isinstance(a, date) and isinstance(b, str):
        m = re.fullmatch(r"\s*(\d+)\s*([a-z]+)\s*", b)
        if not m or m[2] not in UNITS:
            raise ValueError(f"duration {b!r} not in this subset")
        return a + sign * timedelta(days=int(m[1]) * UNITS[m[2]])
    if sign > 0 and (isinstance(a, str) or isinstance(b, str)):
        return f"{'' if a is None else a}{'' if b is None else b}"
    return _number(a) + sign * _number(b) if None in (a, b) else a + sign * b


class _Parser:
    """Recursive descent, JavaScript's precedence: || < && < equality < relational < + - < !"""

    def __init__(self, toks: list[tuple[str, str]], ev: Evaluator, row: Row) -> None:
        self.toks, self.at, self.ev, self.row = toks, 0, ev, row

    def peek(self) -> tuple[str, str] | None:
        return self.toks[self.at] if self.at < len(self.toks) else None

    def take(self, value: str | None = None) -> tuple[str, str]:
        tok = self.peek()
        if tok is None or (value is not None and tok[1] != value):
            raise SyntaxError(f"expected {value!r}, got {tok}")
        self.at += 1
        return tok

    def binary(self, ops: tuple[str, ...], lower: Callable[[], Any],
               apply: Callable[[str, Any, Any], Any]) -> Any:
        left = lower()
        while (tok := self.peek()) and tok[0] == "op" and tok[1] in ops:
            self.take()
            left = apply(tok[1], left, lower())
        return left

    def expression(self) -> Any:
        return self.binary(("||",), self.conjunction,
                           lambda _, a, b: a if truthy(a) else b)

    def conjunction(self) -> Any:
        return self.binary(("&&",), self.equality, lambda _, a, b: b if truthy(a) else a)

    def equality(self) -> Any:
        return self.binary(("==", "!="), self.relational, _compare)

    def relational(self) -> Any:
        return self.binary(("<", "<=", ">", ">="), self.additive, _compare)

    def additive(self) -> Any:
        return self.binary(("+", "-"), self.unary,
                           lambda op, a, b: _plus(a, b, 1 if op == "+" else -1))

    def unary(self) -> Any:
        tok = self.peek()
        if tok == ("op", "!"):
            self.take()
            return not truthy(self.unary())
        if tok == ("op", "-"):
            self.take()
            return -self.unary()
        return self.postfix()

    def postfix(self) -> Any:
        kind, value = self.take()
        if kind == "num":
            return Decimal(value)
        if kind == "str":
            return value
        if (kind, value) == ("op", "("):
            inner = self.expression()
            self.take(")")
            return inner
        if kind != "name":
            raise SyntaxError(f"unexpected {value!r}")
        if value in ("true", "false"):
            return value == "true"
        if value == "null":
            return None
        if self.peek() == ("op", "("):
            return self.call(value)
        if value in ("note", "formula", "file") and self.peek() == ("op", "."):
            self.take(".")
            _, member = self.take()
            return self.member(value, member)
        return self.row.properties.get(value)

    def args(self) -> list[Callable[[], Any]]:
        """Arguments as thunks: `if` evaluates only the branch it returns."""
        self.take("(")
        thunks: list[Callable[[], Any]] = []
        while self.peek() != ("op", ")"):
            start = self.at
            self.skip_argument()
            thunks.append(self.thunk(start, self.at))
            if self.peek() == ("op", ","):
                self.take(",")
        self.take(")")
        return thunks

    def skip_argument(self) -> None:
        depth = 0
        while (tok := self.peek()) is not None:
            if tok[0] == "op" and tok[1] in (",", ")") and depth == 0:
                return
            depth += {"(": 1, ")": -1}.get(tok[1], 0) if tok[0] == "op" else 0
            self.at += 1

    def thunk(self, start: int, end: int) -> Callable[[], Any]:
        def run() -> Any:
            sub = _Parser(self.toks[start:end], self.ev, self.row)
            return sub.expression()
        return run

    def call(self, name: str) -> Any:
        args = self.args()
        if name == "if":
            cond = args[0]()
            if truthy(cond):
                return args[1]()
            return args[2]() if len(args) > 2 else None
        if name == "today":
            return self.ev.today
        if name == "date":
            return date.fromisoformat(str(args[0]())[:10])
        raise NameError(f"function {name}() is not in this subset")

    def member(self, space: str, name: str) -> Any:
        if space == "note":
            return self.row.properties.get(name)
        if space == "formula":
            return self.ev.formula(name, self.row)
        if name == "inFolder":
            (folder,) = [a() for a in self.args()]
            return self.row.path.startswith(f"{folder}/")
        if name == "ext":
            return self.row.path.rsplit(".", 1)[-1]
        if name == "name":
            return self.row.path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        raise NameError(f"file.{name} is not in this subset")


def passes(ev: Evaluator, flt: Any, row: Row) -> bool:
    """A base's `filters`: a statement string, or {and|or|not: [...]}, recursively."""
    if flt is None:
        return True
    if isinstance(flt, str):
        return truthy(ev.eval(flt, row))
    ((kind, items),) = flt.items()
    results = [passes(ev, f, row) for f in items]
    return {"and": all, "or": any}[kind](results) if kind != "not" else not any(results)
