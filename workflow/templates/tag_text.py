"""Names and text read out of Jinja's parse tree and a template's XML, for messages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jinja2 import nodes

from workflow.templates.data import Var
from workflow.templates.parts import W_NS, Paragraph

# Blocks and what closes them; "else" and "elif" sit inside if (and for: else).
BLOCKS = {
    "for": "endfor",
    "if": "endif",
    "with": "endwith",
    "macro": "endmacro",
    "call": "endcall",
    "filter": "endfilter",
    "raw": "endraw",
    "autoescape": "endautoescape",
    "block": "endblock",
}


@dataclass
class TagAt:
    paragraph: Paragraph
    start: int
    end: int
    raw: str
    kind: str  # "", "tr", "tc", "p", "r"
    opener: str  # "{{", "{%", "{#"
    inner: str

    @property
    def place(self) -> str:
        return f"{self.paragraph.part}, {self.paragraph.where}"

    @property
    def near(self) -> str:
        return self.paragraph.near(self.start, self.end)


@dataclass
class OpenBlock:
    keyword: str
    tag: TagAt
    scope: dict[str, Var | None]


def _closing(opened: OpenBlock) -> str:
    prefix = opened.tag.kind
    return (
        f"{{%{prefix} {BLOCKS[opened.keyword]} %}}"
        if prefix
        else f"{{% {BLOCKS[opened.keyword]} %}}"
    )


def _is_chain(node: Any) -> bool:
    while isinstance(node, nodes.Getattr | nodes.Getitem):
        if isinstance(node, nodes.Getitem) and not isinstance(node.arg, nodes.Const):
            return False
        node = node.node
    return isinstance(node, nodes.Name)


def _chain(node: Any) -> list[str]:
    names: list[str] = []
    while not isinstance(node, nodes.Name):
        if isinstance(node, nodes.Getattr):
            names.append(node.attr)
        else:
            value = node.arg.value
            names.append(value if isinstance(value, str) else "[]")
        node = node.node
    return [node.name, *reversed(names)]


def _chain_text(node: Any) -> str:
    return ".".join(_chain(node)) if _is_chain(node) else "it"


def _names(target: Any) -> list[str]:
    if isinstance(target, nodes.Name):
        return [target.name]
    if isinstance(target, nodes.Tuple):
        return [name for item in target.items for name in _names(item)]
    return []


def _all_text(element: Any) -> str:
    return "".join(node.text or "" for node in element.iter(f"{W_NS}t"))


def _short(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
