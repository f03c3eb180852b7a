"""CSV of a collection's items: the columns derived from the item schema (a field added to the
schema is a column without any change here; see `csv_columns` for the flattening rules),
cells safe to open in a spreadsheet. Pure functions over lists of item dicts, for a page or
a whole collection streamed chunk by chunk."""

import csv
import datetime as dt
import io
import types
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from functools import cache
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel

# Cells a spreadsheet would read as a formula (OWASP's CSV injection list), and the quote
# that marks a cell as text: such a text cell gets one leading `'` more.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "'")
LIST_SEPARATOR = "; "


CellKind = Literal["text", "number", "other"]


@dataclass(frozen=True)
class Column:
    name: str
    render: Callable[[dict[str, Any]], str]
    description: str


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """(the annotation without `| None`, whether it is a list) ."""
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        args = [arg for arg in get_args(annotation) if arg is not type(None)]
        annotation = args[0] if len(args) == 1 else Any
        origin = get_origin(annotation)
    if origin in (list, tuple, set, frozenset):
        items = get_args(annotation)
        return (items[0] if items else Any), True
    return annotation, False


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _kind_of(annotation: Any) -> CellKind:
    if isinstance(annotation, type) and issubclass(annotation, bool):
        return "other"
    if annotation in (int, float):
        return "number"
    if annotation in (dt.date, dt.datetime):
        return "other"
    return "text"


def _scalar(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        text = repr(value)
        return text[:-2] if text.endswith(".0") else text
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Enum):
        return str(value.value)
    return str(value)


def escape_cell(text: str) -> str:
    """A text cell safe to open in a spreadsheet: one leading `'` more when it starts with
    `=`, `+`, `-`, `@`, a tab, a carriage return or `'` itself."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def unescape_cell(text: str) -> str:
    """The text a cell stands for (`escape_cell` undone)."""
    return text[1:] if text.startswith("'") else text


def _cell(kind: CellKind, text: str) -> str:
    return escape_cell(text) if kind == "text" else text


def _path_get(item: dict[str, Any], path: Sequence[str]) -> Any:
    value: Any = item
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def _scalar_column(name: str, path: Sequence[str], kind: CellKind, what: str) -> Column:
    keys = tuple(path)
    return Column(name, lambda item: _cell(kind, _scalar(_path_get(item, keys))), what)


def _list_column(
    name: str, path: Sequence[str], render: Callable[[Any], str], kind: CellKind, what: str
) -> Column:
    keys = tuple(path)

    def joined(item: dict[str, Any]) -> str:
        values = _path_get(item, keys) or []
        return _cell(kind, LIST_SEPARATOR.join(render(value) for value in values))

    return Column(name, joined, what)


def _field_of_each(key: str) -> Callable[[Any], str]:
    def render(value: dict[str, Any]) -> str:
        return _scalar(value.get(key))

    return render


def _quantity(value: dict[str, Any]) -> str:
    return " ".join(_scalar(value.get(part)) for part in ("value", "unit", "counted"))


def _reference(value: dict[str, Any]) -> str:
    role = value.get("role")
    return _scalar(value.get("id")) + (f" ({_scalar(role)})" if role is not None else "")


QUANTITY_FIELDS = ("value", "unit", "counted")
# A reference's id (and the role it plays here) make its column; its other fields (name,
# kind) follow as columns of their own, in the same order, so a row carries the whole item.
REFERENCE_FIELDS = ("id", "role")


def _columns(model: type[BaseModel], prefix: str, path: tuple[str, ...]) -> list[Column]:
    columns: list[Column] = []
    for name, info in model.model_fields.items():
        inner, many = _unwrap(info.annotation)
        column = prefix + name
        here = (*path, name)
        if _is_model(inner) and not many:
            columns.extend(_columns(inner, column + "_", here))
        elif not many:
            columns.append(_scalar_column(column, here, _kind_of(inner), "the field"))
        elif not _is_model(inner):
            columns.append(_list_column(column, here, _scalar, "text", "the values joined by `; `"))
        else:
            fields = inner.model_fields
            if set(QUANTITY_FIELDS) <= fields.keys():
                covered: tuple[str, ...] = QUANTITY_FIELDS
                columns.append(
                    _list_column(
                        column, here, _quantity, "text", "each as `value unit counted`, by `; `"
                    )
                )
            elif "id" in fields:
                covered = REFERENCE_FIELDS
                role = " (role)" if "role" in fields else ""
                columns.append(
                    _list_column(
                        column, here, _reference, "text", f"each as `id{role}`, joined by `; `"
                    )
                )
            else:
                covered = ()
            for sub, sub_info in fields.items():
                sub_inner, sub_many = _unwrap(sub_info.annotation)
                if sub in covered or sub_many or _is_model(sub_inner):
                    continue
                columns.append(
                    _list_column(
                        f"{column}_{sub}",
                        here,
                        _field_of_each(sub),
                        "text",
                        f"each one's `{sub}`, in the same order, joined by `; `",
                    )
                )
    return columns


@cache
def _columns_of(model: type[BaseModel]) -> tuple[Column, ...]:
    return tuple(_columns(model, "", ()))


def csv_columns(item: type[BaseModel]) -> list[str]:
    """The CSV columns of a collection, derived from its item schema:

    - a scalar field is a column of its name (null: an empty cell; booleans `true`/`false`;
      numbers without a trailing `.0`; dates ISO 8601);
    - a nested object is a column per field, prefixed (`claimant` -> `claimant_id`,
      `claimant_name`, `claimant_kind`; `span` -> `span_start`, `span_end`);
    - a list of values is one column, the values joined by `; `;
    - a list of quantities is one column, each `value unit counted`, joined by `; `, and
      one column per other field (`quantities_qualifier`, `quantities_text`) in the same
      order;
    - a list of references (actors, locations) is one column, each its id, with its role in
      parentheses where it has one (`taliban (subject)`), joined by `; `.
    """
    return [column.name for column in _columns_of(item)]


def csv_column_descriptions(item: type[BaseModel]) -> list[tuple[str, str]]:
    return [(column.name, column.description) for column in _columns_of(item)]


def _csv_text(rows: Iterable[Sequence[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def csv_header(item: type[BaseModel]) -> bytes:
    """The header row (CRLF-terminated, UTF-8) of items of the schema `item`."""
    return _csv_text([csv_columns(item)])


def csv_rows(item: type[BaseModel], items: Iterable[dict[str, Any]]) -> bytes:
    """One CSV row per item (API JSON items of the schema `item`), no header (CRLF-terminated,
    UTF-8)."""
    columns = _columns_of(item)
    return _csv_text([column.render(item) for column in columns] for item in items)
