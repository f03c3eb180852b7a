"""CQL2 filters (OGC API - Features Part 3), parsed by `cql2` (Development Seed's parser,
checked against the standard's examples) to CQL2 JSON and translated here to the
collection's own filters: each comparison names a queryable, which says the filter
parameters it stands for, and the collection's filter function turns those into conditions.
`AND`, `OR` and `NOT` join those conditions. Nothing of the text reaches SQL but values, as
bound parameters, through the same code the `/v1` filters run.

(pygeofilter, the other maintained parser, reads `NOT (a OR b)` as a syntax error and
`a OR b AND c` as `(a OR b) AND c`; CQL2 binds AND tighter.)

Supported: `=`, `<>`, `<`, `<=`, `>`, `>=`, `BETWEEN`, `IN`, `NOT IN` (each as its queryable
allows), `AND`, `OR`, `NOT`, parentheses and `true` / `false`, in CQL2 text or CQL2 JSON.
Anything else (`LIKE`, `IS NULL`, spatial and temporal functions, arithmetic) is a 400
naming `filter`.
"""

import datetime as dt
import re
from collections.abc import Callable
from enum import StrEnum
from typing import Any

import cql2
from pydantic import ValidationError
from sqlalchemy import ColumnElement, and_, false, func, not_, or_, true
from sqlalchemy.orm import Session

from app.core.collection import Collection
from app.core.http.errors import BadParameter
from app.core.query.queryables import Operator, Refused

# Longer filters are refused before parsing; so are deeper ones (the parser recurses, and so
# do SQLAlchemy's compiler and SQLite's parser on the conditions a filter becomes).
# 2,000 characters: percent-encoded, even four-byte ones stay under the query string's
# 32 KB (app.core.http.guard), so a filter of any length allowed is answered, not a 414.
MAX_FILTER_LENGTH = 2000
MAX_DEPTH = 12
# Text literals, which may hold anything (brackets, signs, the word NOT), in each language.
_TEXT_STRING = re.compile(r"'(?:[^']|'')*'")
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_SIGNS = re.compile(r"(?:[-+]\s*){3,}")
_NOT = re.compile(r"\bNOT\b", re.IGNORECASE)

SUPPORTED = (
    "comparisons of queryables with values (=, <>, <, <=, >, >=, BETWEEN, IN) joined by "
    "AND, OR, NOT and parentheses"
)


class FilterLang(StrEnum):
    """The language of `filter`."""

    cql2_text = "cql2-text"
    cql2_json = "cql2-json"


def parse(text: str, lang: FilterLang) -> Any:
    """The filter as CQL2 JSON (a tree of `{"op", "args"}`); a 400 naming `filter` if it
    does not parse, or nests deeper than MAX_DEPTH."""
    if len(text) > MAX_FILTER_LENGTH:
        raise BadParameter("filter", f"is {len(text)} characters; at most {MAX_FILTER_LENGTH}")
    # What makes the parser recurse, counted before it runs: brackets, NOTs and runs of signs
    # outside text literals (thousands of `-` in a row overflow its stack).
    literals = _JSON_STRING if lang is FilterLang.cql2_json else _TEXT_STRING
    bare = literals.sub("''", text)
    # CQL2 JSON nests two brackets per operation (`{"op": …, "args": [ … ]}`) and one more
    # for a list of values.
    brackets = MAX_DEPTH * (3 if lang is FilterLang.cql2_json else 1)
    if _depth(bare) > brackets or len(_NOT.findall(bare)) > MAX_DEPTH:
        raise BadParameter("filter", f"nests more than {MAX_DEPTH} levels deep")
    if _SIGNS.search(bare):
        raise BadParameter("filter", "has a run of signs (`---1`): write a number's sign once")
    language = "CQL2 JSON" if lang is FilterLang.cql2_json else "CQL2 text"
    try:
        if lang is FilterLang.cql2_json:
            tree = cql2.parse_json(text).to_json()
        else:
            tree = cql2.parse_text(text).to_json()
    except Exception as exc:  # cql2.ParseError, and whatever else the parser raises
        raise BadParameter("filter", f"is not {language}: {_where(str(exc))}") from None
    if _tree_depth(tree) > MAX_DEPTH:
        raise BadParameter("filter", f"nests more than {MAX_DEPTH} levels deep")
    return tree


def _tree_depth(node: Any, depth: int = 0) -> int:
    """How deep the conditions nest (an operation inside an operation's arguments)."""
    if depth > MAX_DEPTH:
        return depth
    if isinstance(node, dict) and "op" in node:
        return max(
            (_tree_depth(arg, depth + 1) for arg in node.get("args") or []), default=depth + 1
        )
    if isinstance(node, list):
        return max((_tree_depth(value, depth) for value in node), default=depth)
    return depth


def _depth(text: str) -> int:
    deepest = depth = 0
    for char in text:
        if char in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in ")]}":
            depth -= 1
    return deepest


_POSITION = re.compile(r"-->\s*(\d+):(\d+)")


def _where(message: str) -> str:
    found = _POSITION.search(message)
    if found is not None:
        expected = [line.strip(" =") for line in message.splitlines() if "expected" in line]
        hint = f"; {expected[0]}" if expected else ""
        return f"unexpected input at column {found.group(2)}{hint}"
    return message.splitlines()[0] if message else "the expression is incomplete"


Comparison = Callable[[str, Operator, Any], ColumnElement[bool]]

_COMPARISONS: dict[str, Operator] = {"=": "=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
# `5 < x` is `x > 5`.
_FLIPPED: dict[Operator, Operator] = {"=": "=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}


def conditions(session: Session, collection: Collection, tree: Any) -> ColumnElement[bool]:
    """The condition the filter stands for, on the collection's table."""
    try:
        return _condition(tree, lambda name, op, value: _leaf(session, collection, name, op, value))
    except Refused as exc:
        raise BadParameter("filter", str(exc)) from None


def _condition(node: Any, leaf: Comparison) -> ColumnElement[bool]:
    if isinstance(node, bool):
        return true() if node else false()
    if not isinstance(node, dict) or "op" not in node:
        raise Refused(f"{_shown(node)} is not a condition; {SUPPORTED}")
    op, args = str(node["op"]).lower(), list(node.get("args") or [])
    if op in ("and", "or") and args:
        joined = [_condition(arg, leaf) for arg in args]
        return and_(*joined) if op == "and" else or_(*joined)
    if op == "not" and len(args) == 1:
        return _negated(_condition(args[0], leaf))
    if op == "<>" and len(args) == 2:
        return _negated(_compared("=", args, leaf))
    if op in _COMPARISONS and len(args) == 2:
        return _compared(_COMPARISONS[op], args, leaf)
    if op == "between" and len(args) == 3:
        name = _attribute(args[0], op)
        low, high = _value(args[1]), _value(args[2])
        return and_(leaf(name, ">=", low), leaf(name, "<=", high))
    if op == "in" and len(args) == 2 and isinstance(args[1], list):
        name = _attribute(args[0], op)
        values = [_value(value) for value in args[1]]
        if not values:
            raise Refused("IN needs at least one value")
        return or_(*(leaf(name, "=", value) for value in values))
    raise Refused(f"{op.upper()} is not supported; {SUPPORTED}")


def _negated(condition: ColumnElement[bool]) -> ColumnElement[bool]:
    # A comparison with an unknown value (an undated claim) is false, so its NOT is true:
    # two-valued, as a reader expects, rather than SQL's unknown.
    return not_(func.coalesce(condition, false()))


def _compared(operator: Operator, args: list[Any], leaf: Comparison) -> ColumnElement[bool]:
    left, right = args
    if _is_property(left) and not _is_property(right):
        return leaf(str(left["property"]), operator, _value(right))
    if _is_property(right) and not _is_property(left):
        return leaf(str(right["property"]), _FLIPPED[operator], _value(left))
    raise Refused("a comparison names a queryable on one side and a value on the other")


def _is_property(node: Any) -> bool:
    return isinstance(node, dict) and "property" in node


def _attribute(node: Any, op: str) -> str:
    if not _is_property(node):
        raise Refused(f"{op.upper()} applies to a queryable")
    return str(node["property"])


def _value(node: Any) -> Any:
    """A literal: text, a number, true or false, DATE(…) or TIMESTAMP(…)."""
    if isinstance(node, str):
        if "\x00" in node:
            raise Refused("a text value contains a NUL character")
        return node
    if isinstance(node, bool | int | float):
        return node
    if isinstance(node, dict) and set(node) == {"date"}:
        try:
            return dt.date.fromisoformat(str(node["date"]))
        except ValueError:
            raise Refused(f"DATE('{node['date']}') is not a day of the calendar") from None
    if isinstance(node, dict) and set(node) == {"timestamp"}:
        try:
            return dt.datetime.fromisoformat(str(node["timestamp"]).replace("Z", "+00:00"))
        except ValueError:
            raise Refused(f"TIMESTAMP('{node['timestamp']}') is not an RFC 3339 time") from None
    raise Refused(f"{_shown(node)} is not a value; {SUPPORTED}")


def _shown(node: Any) -> str:
    if _is_property(node):
        return f"the queryable {node['property']}"
    if isinstance(node, dict) and "op" in node:
        return f"{str(node['op']).upper()}(…)"
    if isinstance(node, dict) and node:
        return f"a {next(iter(node))}"
    return "a list" if isinstance(node, list) else repr(node)


def _leaf(
    session: Session, collection: Collection, name: str, operator: Operator, value: Any
) -> ColumnElement[bool]:
    queryable = collection.queryables.get(name)
    if queryable is None:
        known = ", ".join(collection.queryables)
        raise Refused(f"{name} is not a queryable of {collection.name}; queryables: {known}")
    parameters = queryable.parameters(operator, value, name)
    assert collection.filter_params is not None
    assert collection.filters is not None
    try:
        params = collection.filter_params.model_validate(parameters)
    except ValidationError as exc:
        problem = exc.errors()[0]
        raise Refused(f"{name}: {value!r}: {problem['msg']}") from None
    where = collection.filters(session, params)
    return and_(*where) if where else true()
