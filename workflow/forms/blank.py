"""Blank forms generated from the models: a commented YAML file a practitioner fills in."""

from __future__ import annotations

import typing
from enum import Enum
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from workflow import __version__

_INDENT = "  "


def yaml_template(model: type[BaseModel], title: str, intro: list[str]) -> str:
    """Every field of model, with a comment saying what to write, values left blank."""
    lines = [f"# {title} (ccp {__version__})"]
    lines += [f"# {line}" if line else "#" for line in intro]
    lines.append("")
    for name, info in model.model_fields.items():
        lines += _field_lines(name, info, depth=0)
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _field_lines(name: str, info: FieldInfo, depth: int) -> list[str]:
    pad = _INDENT * depth
    annotation = info.annotation
    optional = not info.is_required()
    inner, is_list = _unwrap(annotation)
    lines = [f"{pad}# {_comment(info, inner, is_list, optional)}"]
    if is_list and _is_model(inner):
        if optional:
            lines.append(f"{pad}{name}: []  # or entries like the one below, without the #")
            lines += [f"{pad}# {line}" for line in _list_item(inner, depth=0)]
        else:
            lines.append(f"{pad}{name}:")
            lines += _list_item(inner, depth + 1)
    elif is_list:
        if _is_enum(inner):
            lines.append(f"{pad}{name}: []")
        else:
            lines.append(f"{pad}{name}:")
            lines.append(f"{pad}{_INDENT}-")
    elif _is_model(inner):
        lines.append(f"{pad}{name}:")
        for child_name, child_info in inner.model_fields.items():
            lines += _field_lines(child_name, child_info, depth + 1)
    else:
        lines.append(f"{pad}{name}:")
    return lines


def _list_item(model: type[BaseModel], depth: int) -> list[str]:
    pad = _INDENT * depth
    lines = [f"{pad}-"]
    for child_name, child_info in model.model_fields.items():
        lines += _field_lines(child_name, child_info, depth + 1)
    return lines


def _comment(info: FieldInfo, inner: Any, is_list: bool, optional: bool) -> str:
    parts = [f"{info.title}: {info.description}"]
    if _is_enum(inner):
        choices = ", ".join(member.value for member in inner)
        parts.append(f"{'One or more' if is_list else 'One'} of: {choices}.")
    elif inner is bool:
        parts.append("true or false.")
    if is_list and not _is_model(inner) and not _is_enum(inner):
        parts.append("One entry per line, each starting '- '.")
    if optional:
        parts.append("(optional)")
    return " ".join(parts)


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """(the innermost type, whether it is a list) through Optional, list and Annotated."""
    is_list = False
    while True:
        origin = typing.get_origin(annotation)
        args = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        if origin is list:
            is_list = True
            annotation = args[0]
        elif origin is not None and args:  # Annotated[X, ...] or X | None
            annotation = args[0]
        else:
            return annotation, is_list


def _is_model(kind: Any) -> bool:
    return isinstance(kind, type) and issubclass(kind, BaseModel)


def _is_enum(kind: Any) -> bool:
    return isinstance(kind, type) and issubclass(kind, Enum)
