"""Skip logic (``relevant``) in a small, safe grammar: parsed, never evaluated as Python.

Grammar (whitespace is free; keywords are lower case)::

    expr       := or_expr
    or_expr    := and_expr ("or" and_expr)*
    and_expr   := not_expr ("and" not_expr)*
    not_expr   := "not" not_expr | atom
    atom       := "(" expr ")" | selected | comparison
    selected   := "selected" "(" ITEM "," STRING ")"
    comparison := ITEM OP literal          OP is one of  =  ==  !=  <  <=  >  >=
    literal    := NUMBER | STRING          STRING is 'single' or "double" quoted

Examples: ``mode = 'virtual' or mode = 'hybrid_remote'``,
``selected(next_step_types, 'visit') and not new_contacts > 10``.

Expressions are bounded (:mod:`evalkit.limits`): at most ``EVALKIT_MAX_EXPRESSION_DEPTH``
(50) levels of parentheses and ``not``, and ``EVALKIT_MAX_EXPRESSION_TERMS`` (500)
comparisons and ``selected()`` calls; past that the error says which variable raises it
(300 nested parentheses were a RecursionError, a 20,000-term rule took 31 s for 50 rows).

The parse result is a tree of frozen dataclasses that other stages translate: to XPath for
XLSForm (:func:`to_xpath`), to REDCap branching logic, or to a boolean mask over a response
frame in validation (:func:`evaluate`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from evalkit import limits

Literal_ = int | float | str
_OPS = ("==", "!=", "<=", ">=", "<", ">")
_TOKEN = re.compile(
    r"""\s*(?:
        (?P<number>-?\d+(?:\.\d+)?)
      | (?P<string>'[^']*'|"[^"]*")
      | (?P<op>==|!=|<=|>=|=|<|>)
      | (?P<punct>[(),])
      | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
    )""",
    re.VERBOSE,
)
_KEYWORDS = frozenset({"and", "or", "not", "selected"})


class RelevantSyntaxError(ValueError):
    """The expression does not fit the grammar; ``position`` is the 0-based character offset."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(f"{message} (at character {position + 1})")
        self.position = position


@dataclass(frozen=True)
class Compare:
    item: str
    op: str
    value: Literal_


@dataclass(frozen=True)
class Selected:
    item: str
    choice: str


@dataclass(frozen=True)
class Not:
    operand: Expr


@dataclass(frozen=True)
class And:
    operands: tuple[Expr, ...]


@dataclass(frozen=True)
class Or:
    operands: tuple[Expr, ...]


Expr = Compare | Selected | Not | And | Or


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    position: int


_BLANK_TO_END = re.compile(r"\s*\Z")
_TOKENS_PER_TERM = 8  # item op value, a joiner, parentheses and not: generous


def _tokenize(source: str, max_terms: int) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while position < len(source):
        if _BLANK_TO_END.match(source, position):
            break
        if len(tokens) > _TOKENS_PER_TERM * max_terms:
            raise _too_many_terms(max_terms, position)
        match = _TOKEN.match(source, position)
        if match is None or match.end() == position:
            offset = len(source[position:]) - len(source[position:].lstrip())
            raise RelevantSyntaxError(
                f"unexpected character {source[position + offset]!r}", position + offset
            )
        kind = match.lastgroup or ""
        text = match.group(kind)
        tokens.append(_Token(kind, text, match.start(kind)))
        position = match.end()
    tokens.append(_Token("end", "", len(source)))
    return tokens


def _too_many_terms(max_terms: int, position: int) -> RelevantSyntaxError:
    return RelevantSyntaxError(
        f"the expression has more than {max_terms} terms; split the rule, or "
        + limits.EXPRESSION_TERMS.raise_hint(),
        position,
    )


class _Parser:
    def __init__(self, source: str) -> None:
        self.max_terms = limits.EXPRESSION_TERMS.value()
        self.max_depth = limits.EXPRESSION_DEPTH.value()
        self.tokens = _tokenize(source, self.max_terms)
        self.index = 0
        self.terms = 0
        self.depth = 0

    def enter(self, position: int) -> None:
        """One level deeper (a parenthesis or a ``not``); refuse past the depth limit."""
        self.depth += 1
        if self.depth > self.max_depth:
            raise RelevantSyntaxError(
                f"the expression nests more than {self.max_depth} levels deep; write it "
                f"flatter, or {limits.EXPRESSION_DEPTH.raise_hint()}",
                position,
            )

    def term(self, position: int) -> None:
        """One more comparison or ``selected()``; refuse past the terms limit."""
        self.terms += 1
        if self.terms > self.max_terms:
            raise _too_many_terms(self.max_terms, position)

    @property
    def current(self) -> _Token:
        return self.tokens[self.index]

    def take(self) -> _Token:
        token = self.current
        self.index += 1
        return token

    def expect(self, text: str) -> _Token:
        if self.current.text != text:
            found = self.current.text or "the end of the expression"
            raise RelevantSyntaxError(f"expected {text!r}, found {found!r}", self.current.position)
        return self.take()

    def parse(self) -> Expr:
        expr = self.or_expr()
        if self.current.kind != "end":
            raise RelevantSyntaxError(
                f"unexpected {self.current.text!r}; join conditions with 'and' or 'or'",
                self.current.position,
            )
        return expr

    def or_expr(self) -> Expr:
        operands = [self.and_expr()]
        while self.current.kind == "word" and self.current.text == "or":
            self.take()
            operands.append(self.and_expr())
        return operands[0] if len(operands) == 1 else Or(tuple(operands))

    def and_expr(self) -> Expr:
        operands = [self.not_expr()]
        while self.current.kind == "word" and self.current.text == "and":
            self.take()
            operands.append(self.not_expr())
        return operands[0] if len(operands) == 1 else And(tuple(operands))

    def not_expr(self) -> Expr:
        if self.current.kind == "word" and self.current.text == "not":
            self.enter(self.take().position)
            operand = self.not_expr()
            self.depth -= 1
            return Not(operand)
        return self.atom()

    def atom(self) -> Expr:
        token = self.current
        if token.text == "(":
            self.enter(self.take().position)
            expr = self.or_expr()
            self.expect(")")
            self.depth -= 1
            return expr
        if token.kind == "word" and token.text == "selected":
            self.term(token.position)
            return self.selected()
        if token.kind == "word" and token.text not in _KEYWORDS:
            self.term(token.position)
            return self.comparison()
        found = token.text or "the end of the expression"
        raise RelevantSyntaxError(
            f"expected an item id, 'selected(...)', 'not' or '(', found {found!r}", token.position
        )

    def selected(self) -> Selected:
        self.take()
        self.expect("(")
        item = self.item_name()
        self.expect(",")
        token = self.current
        if token.kind not in ("string", "number"):
            raise RelevantSyntaxError("selected() needs a quoted choice value", token.position)
        self.take()
        self.expect(")")
        return Selected(item, str(_literal(token)))

    def comparison(self) -> Compare:
        item = self.item_name()
        token = self.current
        if token.kind != "op":
            found = token.text or "the end of the expression"
            raise RelevantSyntaxError(
                f"expected a comparison (= != < <= > >=) after {item!r}, found {found!r}",
                token.position,
            )
        self.take()
        value_token = self.current
        if value_token.kind not in ("string", "number"):
            raise RelevantSyntaxError(
                "compare an item with a number or a quoted value, not with another item",
                value_token.position,
            )
        self.take()
        op = "==" if token.text == "=" else token.text
        return Compare(item, op, _literal(value_token))

    def item_name(self) -> str:
        token = self.current
        if token.kind != "word" or token.text in _KEYWORDS:
            found = token.text or "the end of the expression"
            raise RelevantSyntaxError(f"expected an item id, found {found!r}", token.position)
        self.take()
        return token.text


def _literal(token: _Token) -> Literal_:
    if token.kind == "string":
        return token.text[1:-1]
    return float(token.text) if "." in token.text else int(token.text)


def shown(source: str, width: int = 60) -> str:
    """``source`` quoted for a message, cut to ``width`` characters (a rule can be huge).

    Examples
    --------
    >>> shown("a = 1"), shown("a = 1 or " * 20, width=12)
    ("'a = 1'", "'a = 1 or...' (180 characters)")
    """
    if len(source) <= width:
        return repr(source)
    return f"{source[: width - 3].rstrip()!r}"[:-1] + f"...' ({len(source):,} characters)"


def parse_relevant(source: str) -> Expr:
    """Parse a ``relevant`` expression into a tree; raise :class:`RelevantSyntaxError` if invalid.

    Examples
    --------
    >>> parse_relevant("m = 'v' or selected(t, 'visit')")
    Or(operands=(Compare(item='m', op='==', value='v'), Selected(item='t', choice='visit')))
    >>> sorted(referenced_items(parse_relevant("not (a > 2 and b != 'x')")))
    ['a', 'b']
    """
    if not isinstance(source, str) or not source.strip():
        raise RelevantSyntaxError("the expression is empty", 0)
    try:
        return _Parser(source).parse()
    except RecursionError:  # only where EVALKIT_MAX_EXPRESSION_DEPTH was raised very high
        raise RelevantSyntaxError("the expression nests too deeply for Python", 0) from None


def walk(expr: Expr) -> Iterator[Expr]:
    """Every node of the tree, depth first."""
    yield expr
    if isinstance(expr, Not):
        yield from walk(expr.operand)
    elif isinstance(expr, And | Or):
        for operand in expr.operands:
            yield from walk(operand)


def referenced_items(expr: Expr) -> set[str]:
    """The ids of the items an expression reads."""
    return {node.item for node in walk(expr) if isinstance(node, Compare | Selected)}


def _quote(value: Literal_) -> str:
    if isinstance(value, str):
        return "'" + value.replace("'", "") + "'"
    return repr(value)


def to_text(expr: Expr, *, item_format: str = "{item}", top: bool = True) -> str:
    """Render the tree back in evalkit's grammar (or XPath with ``item_format='${{{item}}}'``)."""
    if isinstance(expr, Compare):
        op = "=" if expr.op == "==" else expr.op
        return f"{item_format.format(item=expr.item)} {op} {_quote(expr.value)}"
    if isinstance(expr, Selected):
        return f"selected({item_format.format(item=expr.item)}, {_quote(expr.choice)})"
    if isinstance(expr, Not):
        return f"not({to_text(expr.operand, item_format=item_format, top=True)})"
    joiner = " and " if isinstance(expr, And) else " or "
    inner = joiner.join(to_text(op, item_format=item_format, top=False) for op in expr.operands)
    return inner if top else f"({inner})"


def to_xpath(expr: Expr) -> str:
    """The expression as XLSForm/XPath ``relevant`` text.

    Examples
    --------
    >>> to_xpath(parse_relevant("mode = 'virtual' and not selected(types, 'none')"))
    "${mode} = 'virtual' and not(selected(${types}, 'none'))"
    """
    return to_text(expr, item_format="${{{item}}}")


def _compare(series: Any, expr: Compare) -> Any:
    """``series <op> value`` as a numpy bool array (missing: false, except for ``!=``)."""
    target = expr.value
    if isinstance(target, str):
        series = series.astype("string")
    elif series.dtype.kind not in "iufb":
        import pandas as pd

        series = pd.to_numeric(series.astype("string"), errors="coerce")
    result = {
        "==": lambda s: s == target,
        "!=": lambda s: s != target,
        "<": lambda s: s < target,
        "<=": lambda s: s <= target,
        ">": lambda s: s > target,
        ">=": lambda s: s >= target,
    }[expr.op](series)
    return result.fillna(expr.op == "!=").to_numpy(dtype=bool)


def evaluate(
    expr: Expr,
    value: Callable[[str], Any],
    selected: Callable[[str, str], Any],
) -> Any:
    """Evaluate the tree over whole columns at once (vectorised; no Python ``eval``).

    ``value(item)`` returns a pandas Series of an item's answers; ``selected(item, choice)``
    returns a boolean Series. Like XPath on an empty answer, a comparison with a missing
    value is false, except ``!=``, which is true. Returns a boolean Series (no NA).
    """
    if isinstance(expr, Selected):
        return selected(expr.item, expr.choice).fillna(False).astype(bool)
    if isinstance(expr, Compare):
        import numpy as np
        import pandas as pd

        series = value(expr.item)
        if isinstance(series.dtype, pd.CategoricalDtype):
            # compare each category once, then take by code (-1, a missing answer, is false
            # except for !=): no string per row
            per_category = _compare(pd.Series(series.cat.categories, dtype=object), expr)
            missing = np.array([expr.op == "!="])
            codes = series.cat.codes.to_numpy()
            return pd.Series(np.concatenate([per_category, missing])[codes], index=series.index)
        return pd.Series(_compare(series, expr), index=series.index)
    if isinstance(expr, Not):
        return ~evaluate(expr.operand, value, selected)
    results = [evaluate(operand, value, selected) for operand in expr.operands]
    combined = results[0]
    for result in results[1:]:
        combined = (combined & result) if isinstance(expr, And) else (combined | result)
    return combined
