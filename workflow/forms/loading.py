"""Reading form files (YAML, JSON) safely and turning every problem into one plain line."""

from __future__ import annotations

import difflib
import json
import math
import re
import typing
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from workflow.core.errors import FileUnreadable, FormInvalid, Problem

ModelT = TypeVar("ModelT", bound=BaseModel)

# A referral is a few pages of text; anything far larger is a mistake or an attack.
MAX_FORM_BYTES = 2 * 1024 * 1024
FORM_SUFFIXES = {".yaml", ".yml", ".json"}
# The deepest form (minutes: cases, actions, fields) nests five levels; hundreds of levels
# would exhaust Python's stack in the parser or validator.
MAX_DEPTH = 40
# No amount, count or number of days in a form comes near this; larger is a typing slip.
MAX_NUMBER = 10**15


# --- parsing -----------------------------------------------------------------------------


# libyaml's parser (PyYAML's wheels carry it on Windows, macOS and Linux) reads a meeting's
# minutes five times faster than the pure-Python one: 0.05 s against 0.25 s for 100 cases.
_Parser = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _refuse_aliases_and_depth(text: str) -> None:
    """Aliases ('billion laughs') and nesting deep enough to exhaust a stack are refused from
    the parser's events, before anything is built from them."""
    depth = 0
    for event in yaml.parse(text, Loader=_Parser):
        if isinstance(event, yaml.AliasEvent):
            raise yaml.MarkedYAMLError(
                problem="aliases (*name) are not allowed in a form; write the value out",
                problem_mark=event.start_mark,
            )
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise yaml.MarkedYAMLError(
                    problem=f"nested more than {MAX_DEPTH} levels deep; "
                    "no form is nested like this",
                    problem_mark=event.start_mark,
                )
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


class _StrictLoader(_Parser):  # type: ignore[misc, valid-type]
    """A safe loader that refuses duplicate keys (aliases and deep nesting are refused
    before it runs, by ``_refuse_aliases_and_depth``)."""

    def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, typing.Hashable):
                raise yaml.MarkedYAMLError(
                    problem="a field name must be plain text, not a list or mapping",
                    problem_mark=key_node.start_mark,
                )
            if key in seen:
                raise yaml.MarkedYAMLError(
                    problem=f"{key!r} is given twice; the second would silently replace the first",
                    problem_mark=key_node.start_mark,
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


class _PlainDumper(yaml.SafeDumper):
    """Writes every value out in full: forms are read back without aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def dump_yaml(data: Any) -> str:
    """YAML a person can read and edit, and that the strict loader reads back."""
    return yaml.dump(data, Dumper=_PlainDumper, sort_keys=False, allow_unicode=True, width=88)


def _json_no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"{key!r} is given twice; the second would silently replace the first")
        result[key] = value
    return result


def read_text(path: Path, *, limit: int = MAX_FORM_BYTES) -> str:
    """The file's text, refusing missing, oversized or non-UTF-8 files by name."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise FileUnreadable(f"{path}: no such file") from None
    except OSError as err:
        raise FileUnreadable(f"{path}: cannot be read ({err.strerror})") from err
    if size > limit:
        raise FileUnreadable(
            f"{path.name}: is {size:,} bytes; a form may be at most {limit:,} bytes"
        )
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as err:
        raise FileUnreadable(
            f"{path.name}: is not UTF-8 text (byte {err.start}); save it as UTF-8"
        ) from None
    except OSError as err:
        raise FileUnreadable(f"{path}: cannot be read ({err.strerror})") from err


def parse_yaml(text: str, name: str) -> Any:
    try:
        _refuse_aliases_and_depth(text)
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a safe loader subclass
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise FileUnreadable(f"{name}: {where}{err.problem}") from None
    except yaml.YAMLError as err:
        raise FileUnreadable(f"{name}: not valid YAML ({err})") from None
    except (ValueError, OverflowError) as err:
        # A value YAML recognises but Python cannot hold: 2027-02-30, a 5,000-digit number.
        raise FileUnreadable(f"{name}: a value cannot be read ({err})") from None
    except RecursionError:
        raise FileUnreadable(f"{name}: nested too deeply to read") from None


def parse_json(text: str, name: str) -> Any:
    _check_json_depth(text, name)
    try:
        return json.loads(
            text, object_pairs_hook=_json_no_duplicates, parse_constant=_json_no_constants
        )
    except json.JSONDecodeError as err:
        raise FileUnreadable(f"{name}: line {err.lineno}, column {err.colno}: {err.msg}") from None
    except ValueError as err:
        raise FileUnreadable(f"{name}: {err}") from None
    except RecursionError:
        raise FileUnreadable(f"{name}: nested too deeply to read") from None


def _json_no_constants(constant: str) -> Any:
    raise ValueError(f"{constant} is not a number a form can hold; write a finite number")


_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


def _check_json_depth(text: str, name: str) -> None:
    """Refuse deep nesting before json.loads, whose recursion it would exhaust."""
    depth = 0
    for char in _JSON_STRING.sub("", text):
        if char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise FileUnreadable(
                    f"{name}: nested more than {MAX_DEPTH} levels deep; no form is nested like this"
                )
        elif char in "]}":
            depth -= 1


def number_problems(data: Any, where: str = "") -> list[Problem]:
    """Infinite, not-a-number and absurdly large numbers anywhere in parsed form data."""
    problems: list[Problem] = []
    stack: list[tuple[str, Any]] = [(where, data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                stack.append((f"{path}.{key}" if path else str(key), item))
        elif isinstance(value, list):
            for index, item in enumerate(value, start=1):
                stack.append((f"{path}[{index}]", item))
        elif isinstance(value, bool):
            continue
        elif isinstance(value, float) and not math.isfinite(value):
            problems.append(Problem(path, f"{value} is not a number a form can hold"))
        elif isinstance(value, int | float) and abs(value) >= MAX_NUMBER:
            problems.append(Problem(path, f"{_shown(value)} is too large (at most {MAX_NUMBER:,})"))
    return sorted(problems, key=lambda problem: problem.field)


def read_data(path: Path) -> dict[str, Any]:
    """Parse a YAML or JSON form into a mapping."""
    suffix = path.suffix.lower()
    if suffix not in FORM_SUFFIXES:
        raise FileUnreadable(
            f"{path.name}: a form must be .yaml, .yml or .json (got {suffix or 'no suffix'})"
        )
    text = read_text(path)
    data = parse_json(text, path.name) if suffix == ".json" else parse_yaml(text, path.name)
    if data is None:
        raise FormInvalid(path, [Problem("", "the file is empty")])
    if not isinstance(data, dict):
        raise FormInvalid(path, [Problem("", "the file must hold a mapping of field: value")])
    problems = number_problems(data)
    if problems:
        raise FormInvalid(path, problems)
    return data


# --- validation --------------------------------------------------------------------------


def validate(
    model: type[ModelT],
    data: dict[str, Any],
    path: Path,
    *,
    rules: Callable[[ModelT], Iterable[Problem]] | None = None,
    labels: Callable[[str], str | None] | None = None,
) -> ModelT:
    """Validate data against model, then the cross-field rules; raise every problem at once."""
    try:
        form = model.model_validate(data)
    except ValidationError as err:
        problems = [_problem(model, error) for error in err.errors()]
        raise FormInvalid(path, _labelled(problems, labels)) from None
    problems = list(rules(form)) if rules else []
    if problems:
        raise FormInvalid(path, _labelled(problems, labels))
    return form


def load_form(
    model: type[ModelT],
    path: Path,
    *,
    rules: Callable[[ModelT], Iterable[Problem]] | None = None,
) -> ModelT:
    return validate(model, read_data(path), path, rules=rules)


def _labelled(problems: list[Problem], labels: Callable[[str], str | None] | None) -> list[Problem]:
    if labels is None:
        return problems
    return [Problem(p.field, p.message, labels(p.field)) for p in problems]


def field_path(loc: Iterable[Any]) -> str:
    """('risks', 1, 'level') -> 'risks[2].level': lists count from 1, as people do."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part + 1}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def _problem(model: type[BaseModel], error: Any) -> Problem:
    loc = tuple(error["loc"])
    kind = error["type"]
    ctx = error.get("ctx") or {}
    value = error.get("input")
    if kind == "extra_forbidden":
        return Problem(field_path(loc), _unknown_field(model, loc))
    if value is None and kind.endswith(("_type", "enum", "literal_error")):
        # A key left blank in YAML arrives as None: to a person that is a missing answer.
        return Problem(field_path(loc), "is required")
    message = _MESSAGES.get(kind)
    if message is None:
        message = str(error["msg"])
        message = message.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    elif callable(message):
        message = message(ctx, value)
    return Problem(field_path(loc), message)


def _choices(ctx: dict[str, Any], value: Any) -> str:
    expected = ctx.get("expected", "")
    options = [part.strip(" '") for part in expected.replace(" or ", ", ").split(",")]
    options = [option for option in options if option]
    message = f"must be one of: {', '.join(options)}"
    if isinstance(value, str):
        close = difflib.get_close_matches(value.lower().replace(" ", "_"), options, n=1)
        if close:
            message += f" (did you mean {close[0]}?)"
    return message


def _must_be_text(ctx: dict[str, Any], value: Any) -> str:
    if isinstance(value, bool | int | float) or hasattr(value, "isoformat"):
        # YAML turned the typing into a number, date or yes/no; quotes keep it exactly.
        return "must be text; put the value in quotes so it is kept exactly as typed"
    return "must be text"


_MESSAGES: dict[str, Any] = {
    "missing": "is required",
    "string_type": _must_be_text,
    "string_too_short": "must not be empty",
    "string_too_long": lambda ctx, _: f"is too long (at most {ctx['max_length']:,} characters)",
    "too_long": lambda ctx, value: (
        f"is too long (at most {ctx['max_length']:,} characters)"
        if isinstance(value, str)
        else f"has too many entries (at most {ctx['max_length']:,})"
    ),
    "enum": _choices,
    "literal_error": _choices,
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "finite_number": "must be a finite number (not infinite, not NaN)",
    "list_type": "must be a list",
    "too_short": lambda ctx, _: (
        "needs at least one entry"
        if ctx.get("min_length") == 1
        else f"needs at least {ctx.get('min_length')} entries"
    ),
    "model_type": "must be a set of fields (name: value), not a single value",
    "model_attributes_type": "must be a set of fields (name: value), not a single value",
    "dict_type": "must be a set of fields (name: value)",
    "greater_than_equal": lambda ctx, _: f"must be at least {ctx.get('ge')}",
    "less_than_equal": lambda ctx, _: f"must be at most {ctx.get('le')}",
}


def _unknown_field(model: type[BaseModel], loc: tuple[Any, ...]) -> str:
    name = str(loc[-1])
    parent = _model_at(model, loc[:-1])
    message = f"unknown field {name!r}"
    if parent is not None:
        close = difflib.get_close_matches(name, list(parent.model_fields), n=1, cutoff=0.6)
        if close:
            return f"{message}; did you mean {close[0]!r}?"
    if " " in name:
        # A flow mapping split the text at a comma: `{detail: a, b}` makes a key of "b".
        return (
            f"{message}: it looks like part of a text split at a comma; "
            "put the whole text in quotes"
        )
    if parent is not None:
        return f"{message}; expected one of: {', '.join(parent.model_fields)}"
    return message


def _model_at(model: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        info = current.model_fields.get(str(part))
        if info is None:
            return None
        current = _inner_model(info.annotation)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _inner_model(annotation: Any) -> Any:
    """The BaseModel inside Optional[...], list[...] and Annotated[...], if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin is None:
        return None
    for arg in typing.get_args(annotation):
        if arg is type(None):
            continue
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def _shown(number: int | float) -> str:
    """A too-large number for a message: a float as %g; a long integer by its length (a
    400-digit integer cannot become a float, and one of 5,000 digits not even a string)."""
    if isinstance(number, float):
        return f"{number:g}"
    try:
        digits = len(str(abs(number)))
    except ValueError:
        return "a number of thousands of digits"
    return f"a {digits:,}-digit number" if digits > 20 else str(number)
