"""The checks run over one template's tags: Jinja syntax, docxtpl's row and cell tags,
and names against the data the template receives."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import jinja2
from jinja2 import nodes

from workflow.contract import LABELS
from workflow.documents.render import _environment  # the very filters a render has
from workflow.templates.data import BUILTINS, Var
from workflow.templates.parts import W_NS, Paragraph, Part
from workflow.templates.tag_text import (
    BLOCKS,
    OpenBlock,
    TagAt,
    _all_text,
    _chain,
    _chain_text,
    _closing,
    _is_chain,
    _names,
    _short,
)


@dataclass
class Finding:
    template: str
    place: str  # "body, paragraph 4" or "" for the whole template
    message: str
    near: str = ""
    error: bool = True

    def line(self) -> str:
        where = f" {self.place}:" if self.place else ""
        near = f' (at: "{self.near}")' if self.near else ""
        prefix = "" if self.error else "warning: "
        return f"{self.template}:{where} {prefix}{self.message}{near}"


CURLY_QUOTES = "\u201c\u201d\u2018\u2019\u201e\u201a\u2032\u2033"


TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}")


DOCXTPL_PREFIX = re.compile(r"^\{([{%#])(tr|tc|p|r) ")


MANGLED = re.compile(r"^\{([{%])-?\s+(tr|tc|p|r)\s+\S")


CELL_TAGS = re.compile(r"^\{%-?\s*(cellbg|colspan|hm|vm)\b\s*(.*?)\s*-?%\}$", re.DOTALL)


PLACES = {"tr": "table row", "tc": "table cell", "p": "paragraph", "r": "run"}


PERSONAL = ("child", "date_of_birth", "preferred_name")


DICT_METHODS = frozenset({"items", "keys", "values", "get"})


class Checker:
    def __init__(self, template: str, variables: dict[str, Var]):
        self.template = template
        self.variables = variables
        self.env = _environment(LABELS)
        self.findings: list[Finding] = []
        self.used: dict[str, set[str]] = {"body": set(), "header": set(), "footer": set()}
        self.first_use: dict[tuple[str, str], TagAt] = {}

    def error(self, tag: TagAt | Paragraph | None, message: str, *, error: bool = True) -> None:
        if isinstance(tag, TagAt):
            place, near = tag.place, tag.near
        elif isinstance(tag, Paragraph):
            place, near = f"{tag.part}, {tag.where}", tag.near(0, len(tag.text))
        else:
            place, near = "", ""
        self.findings.append(Finding(self.template, place, message, near, error))

    # --- one part ---

    def check_part(self, part: Part) -> None:
        stack: list[OpenBlock] = []
        scope: dict[str, Var | None] = {}
        for paragraph in part.paragraphs:
            for tag in self._tags(paragraph):
                self._check_tag_text(tag)
                if tag.opener == "{#":
                    continue
                if tag.opener == "{{":
                    self._print(tag, scope)
                else:
                    scope = self._statement(tag, stack, scope)
        for still_open in stack:
            self.error(
                still_open.tag,
                f"{still_open.tag.raw} is never closed in the {part.kind}: add "
                f"{_closing(still_open)} where the repeated or optional part ends",
            )
        if part.kind == "body":
            return
        for root, tag in list(self.first_use.items()):
            if root[0] == part.kind and root[1] not in self.used["body"]:
                self.error(
                    tag,
                    f"{root[1]} is used only in the {part.kind}: docxtpl's own variable list "
                    "leaves headers and footers out, so check it is meant to be here",
                    error=False,
                )
                del self.first_use[root]

    def _tags(self, paragraph: Paragraph) -> Iterator[TagAt]:
        text = paragraph.text
        covered = [False] * len(text)
        for match in TAG.finditer(text):
            for index in range(match.start(), match.end()):
                covered[index] = True
            raw = match.group()
            prefixed = DOCXTPL_PREFIX.match(raw)
            opener = raw[:2]
            if prefixed:
                kind = prefixed.group(2)
                inner = raw[len(prefixed.group()) : -2]
            else:
                kind, inner = "", raw[2:-2]
            inner = inner.strip().removeprefix("-").removesuffix("-").strip()
            yield TagAt(paragraph, match.start(), match.end(), raw, kind, opener, inner)
        rest = "".join(" " if covered[i] else ch for i, ch in enumerate(text))
        for opener in ("{{", "{%", "{#"):
            index = rest.find(opener)
            if index >= 0:
                closer = {"{{": "}}", "{%": "%}", "{#": "#}"}[opener]
                self.error(
                    TagAt(paragraph, index, len(text), text[index:], "", opener, ""),
                    f"{opener} is not closed by {closer} in the same paragraph: a tag must "
                    "open and close in one paragraph (or table cell)",
                )

    def _check_tag_text(self, tag: TagAt) -> None:
        runs = {
            id(run)
            for start, end, run in tag.paragraph.runs
            if start < tag.end and end > tag.start and end > start
        }
        if len(runs) > 1:
            self.error(
                tag,
                f"{tag.raw} is split across {len(runs)} pieces of Word formatting (runs): "
                "select the whole tag, clear its formatting (Ctrl+Space) and type it again "
                "in one go",
            )
        quotes = sorted({ch for ch in tag.raw if ch in CURLY_QUOTES})
        if quotes:
            self.error(
                tag,
                f"{tag.raw} has Word's curly quotes ({' '.join(quotes)}): turn off "
                '"straight quotes with smart quotes" in AutoCorrect and retype them as \' or "',
            )
        mangled = MANGLED.match(tag.raw)
        if mangled and not tag.kind:
            wanted = mangled.group(1) + mangled.group(2)
            self.error(
                tag,
                f"{tag.raw} looks like docxtpl's {{{wanted} ...}} tag with a space after "
                f"{{{mangled.group(1)}: write {{{wanted} with no space, or docxtpl will not "
                f"treat it as a {PLACES[mangled.group(2)]} tag",
            )
            tag.inner = "\x00mangled"

    # --- {{ ... }} ---

    def _print(self, tag: TagAt, scope: dict[str, Var | None]) -> None:
        if tag.kind in ("tr", "tc", "p"):
            self.error(
                tag,
                f"{{{{{tag.kind} ...}}}} is not a docxtpl tag: {tag.kind} goes with {{%{tag.kind} "
                "... %}, and a value is printed with {{ ... }}",
            )
            return
        parsed = self._parse(tag, "{{ " + tag.inner + " }}")
        if parsed is None:
            return
        [output] = parsed.body
        for expression in output.nodes:
            var = self._expression(tag, expression, scope)
            if tag.kind == "r" and (var is None or not var.rich):
                self.error(
                    tag,
                    f"{{{{r {tag.inner} }}}} needs a docxtpl RichText value and ccp passes "
                    f"plain text, so Word would lose it: write {{{{ {tag.inner} }}}}",
                )

    # --- {% ... %} ---

    def _statement(
        self, tag: TagAt, stack: list[OpenBlock], scope: dict[str, Var | None]
    ) -> dict[str, Var | None]:
        if tag.inner == "\x00mangled":
            return scope
        cell_tag = CELL_TAGS.match(tag.raw)
        if cell_tag:
            self._cell_tag(tag, cell_tag.group(1), cell_tag.group(2), scope)
            return scope
        self._placement(tag)
        keyword = (tag.inner.split(None, 1) or [""])[0]
        if keyword in BLOCKS:
            return self._open_block(tag, keyword, stack, scope)
        if keyword in ("else", "elif"):
            self._middle(tag, keyword, stack, scope)
            return scope
        if keyword.startswith("end"):
            return self._close_block(tag, keyword, stack, scope)
        if keyword == "set":
            parsed = self._parse(tag, "{% " + tag.inner + " %}")
            if parsed is not None and parsed.body and isinstance(parsed.body[0], nodes.Assign):
                assign = parsed.body[0]
                var = self._expression(tag, assign.node, scope)
                return {**scope, **dict.fromkeys(_names(assign.target), var)}
            return scope
        if keyword in ("include", "import", "from", "extends"):
            self.error(
                tag,
                f"{{% {keyword} %}} cannot work in a Word template (there is nothing to "
                f"{keyword}); copy the text in instead",
            )
            return scope
        parsed = self._parse(tag, "{% " + tag.inner + " %}")
        if parsed is not None:  # pragma: no cover - every other statement is a block
            for node in parsed.body:
                self._expression(tag, node, scope)
        return scope

    def _placement(self, tag: TagAt) -> None:
        paragraph = tag.paragraph
        element = paragraph.element
        if tag.kind in ("tr", "tc"):
            container = next(element.iterancestors(f"{W_NS}{tag.kind}"), None)
            if container is None:
                self.error(
                    tag,
                    f"{{%{tag.kind} ...%}} works only inside a {PLACES[tag.kind]} "
                    "(docxtpl repeats or removes the whole row or cell); here use {%p ...%}",
                )
                return
            rest = _all_text(container).replace(tag.raw, "", 1).strip()
            if rest:
                self.error(
                    tag,
                    f"docxtpl replaces this whole {PLACES[tag.kind]} with {tag.raw}, so the "
                    f'rest of it ("{_short(rest)}") is lost: move it to a row of its own',
                )
        elif tag.kind == "p":
            rest = paragraph.text.replace(tag.raw, "", 1).strip()
            if rest:
                self.error(
                    tag,
                    f"docxtpl replaces this whole paragraph with {tag.raw}, so the rest of it "
                    f'("{_short(rest)}") is lost: put the tag in a paragraph of its own',
                )

    def _open_block(
        self, tag: TagAt, keyword: str, stack: list[OpenBlock], scope: dict[str, Var | None]
    ) -> dict[str, Var | None]:
        stack.append(OpenBlock(keyword, tag, scope))
        inner = scope
        parsed = self._parse(tag, "{% " + tag.inner + " %}{% " + BLOCKS[keyword] + " %}")
        if parsed is None or not parsed.body:
            return inner
        node = parsed.body[0]
        if isinstance(node, nodes.For):
            items = self._expression(tag, node.iter, scope)
            item: Var | None = None
            if isinstance(node.iter, nodes.List) and node.iter.items:
                found = [self._resolve_quiet(entry, scope) for entry in node.iter.items]
                item = found[0] if all(var == found[0] for var in found) else None
            elif items is not None and items.is_list:
                item = items.items
            elif items is not None and items.fields is not None and _is_chain(node.iter):
                self.error(
                    tag,
                    f"{_chain_text(node.iter)} is not a list: a for loop repeats a list",
                )
            names = _names(node.target)
            inner = {
                **scope,
                "loop": None,
                **dict.fromkeys(names, item if len(names) == 1 else None),
            }
            if node.test is not None:
                self._expression(tag, node.test, inner)
        elif isinstance(node, nodes.If):
            self._expression(tag, node.test, scope)
        elif isinstance(node, nodes.With):
            bound = {}
            for target, value in zip(node.targets, node.values, strict=False):
                var = self._expression(tag, value, scope)
                bound.update(dict.fromkeys(_names(target), var))
            inner = {**scope, **bound}
        elif isinstance(node, nodes.Macro | nodes.CallBlock | nodes.FilterBlock):
            inner = {**scope, **{arg.name: None for arg in getattr(node, "args", [])}}
        return inner

    def _middle(
        self, tag: TagAt, keyword: str, stack: list[OpenBlock], scope: dict[str, Var | None]
    ) -> None:
        if not stack or stack[-1].keyword not in ("if", "for"):
            self.error(tag, f"{{% {keyword} %}} has no {{% if %}} to belong to: remove it")
            return
        self._same_place(stack[-1], tag)
        if keyword == "elif":
            parsed = self._parse(tag, "{% if " + tag.inner[4:] + " %}{% endif %}")
            if parsed is not None and parsed.body:
                self._expression(tag, parsed.body[0].test, stack[-1].scope)

    def _close_block(
        self, tag: TagAt, keyword: str, stack: list[OpenBlock], scope: dict[str, Var | None]
    ) -> dict[str, Var | None]:
        opened = keyword[3:]
        if opened not in BLOCKS:
            self._parse(tag, "{% " + tag.inner + " %}")
            return scope
        if not stack:
            self.error(tag, f"{{% {keyword} %}} closes nothing: no {{% {opened} %}} is open here")
            return scope
        top = stack[-1]
        if top.keyword != opened:
            self.error(
                tag,
                f"{{% {keyword} %}} cannot close {top.tag.raw} (opened at {top.tag.place}): "
                f"close it first with {_closing(top)}",
            )
            if not any(entry.keyword == opened for entry in stack):
                return scope
            while stack and stack[-1].keyword != opened:
                stack.pop()
        top = stack.pop()
        self._same_place(top, tag)
        return top.scope

    def _same_place(self, opened: OpenBlock, tag: TagAt) -> None:
        """An opening and its closing (or else) must be of one kind and in one container."""
        first, other = opened.tag, tag
        if first.kind != other.kind:
            shown = {"": "{% %}", "tr": "{%tr %}", "tc": "{%tc %}", "p": "{%p %}", "r": "{%r %}"}
            self.error(
                tag,
                f"{tag.raw} is a {shown[tag.kind]} tag but its {first.raw} (at {first.place}) is "
                f"a {shown[first.kind]} tag: use the same kind for both, or Word's XML breaks",
            )
            return
        if first.kind == "":
            same = first.paragraph.element is other.paragraph.element
            where = "the same paragraph"
            hint = " (to repeat or hide whole paragraphs use {%p ...%})"
        elif first.kind == "p":
            same = first.paragraph.element.getparent() is other.paragraph.element.getparent()
            where = "the same table cell, or both outside tables"
            hint = ""
        else:
            level = {"tr": "tbl", "tc": "tr", "r": "p"}[first.kind]
            mine = next(first.paragraph.element.iterancestors(f"{W_NS}{level}"), None)
            theirs = next(other.paragraph.element.iterancestors(f"{W_NS}{level}"), None)
            same = mine is not None and mine is theirs
            where = {"tbl": "the same table", "tr": "the same row", "p": "the same paragraph"}[
                level
            ]
            hint = ""
        if not same:
            self.error(
                tag,
                f"{tag.raw} must be in {where} as {first.raw} (at {first.place}){hint}",
            )

    def _cell_tag(self, tag: TagAt, name: str, argument: str, scope: dict[str, Var | None]) -> None:
        if next(tag.paragraph.element.iterancestors(f"{W_NS}tc"), None) is None:
            self.error(tag, f"{{% {name} %}} works only in a table cell: move it into the cell")
            return
        if name in ("cellbg", "colspan"):
            if not argument:
                self.error(tag, f'{{% {name} %}} needs a value, e.g. {{% {name} "FF0000" %}}')
                return
            parsed = self._parse(tag, "{{ " + argument + " }}")
            if parsed is not None:
                for expression in parsed.body[0].nodes:
                    self._expression(tag, expression, scope)

    # --- expressions ---

    def _parse(self, tag: TagAt, source: str) -> Any:
        try:
            return self.env.parse(source)
        except jinja2.TemplateSyntaxError as err:
            message = err.message or "syntax error"
            unknown = re.match(r"Encountered unknown tag '(\w+)'", message)
            if unknown:
                message = f"{{% {unknown.group(1)} %}} is not a template statement"
                close = difflib.get_close_matches(
                    unknown.group(1), [*BLOCKS, *BLOCKS.values(), "else", "elif", "set"], n=1
                )
                if close:
                    message += f"; did you mean {{% {close[0]} %}}?"
            self.error(tag, f"template syntax error in {tag.raw}: {message}")
            return None

    def _expression(self, tag: TagAt, node: Any, scope: dict[str, Var | None]) -> Var | None:
        """Check every name, field and filter in an expression; the Var it yields if known."""
        if _is_chain(node):
            return self._resolve(tag, node, scope)
        if isinstance(node, nodes.Filter | nodes.Test):
            kind = "filter" if isinstance(node, nodes.Filter) else "test"
            known = self.env.filters if kind == "filter" else self.env.tests
            if node.name not in known:
                close = difflib.get_close_matches(node.name, list(known), n=1)
                hint = f"; did you mean |{close[0]}?" if close and kind == "filter" else ""
                own = ", ".join(("uk_date", "words", "yesno", "blank", "age"))
                self.error(
                    tag,
                    f"there is no {kind} called {node.name}{hint} (ccp's filters: {own}; "
                    "and Jinja's own)",
                )
            if node.node is not None:
                self._expression(tag, node.node, scope)
            for child in [*node.args, *[kw.value for kw in node.kwargs]]:
                self._expression(tag, child, scope)
            return None
        if isinstance(node, nodes.Call) and isinstance(node.node, nodes.Getattr):
            base = node.node.node
            var = self._expression(tag, base, scope)
            method = node.node.attr
            if var is not None and var.fields is not None and method not in DICT_METHODS:
                self._no_field(tag, _chain_text(base), method, var)
            for child in [*node.args, *[kw.value for kw in node.kwargs]]:
                self._expression(tag, child, scope)
            return None
        for child in node.iter_child_nodes():
            self._expression(tag, child, scope)
        return None

    def _resolve_quiet(self, node: Any, scope: dict[str, Var | None]) -> Var | None:
        if not _is_chain(node):
            return None
        chain = _chain(node)
        var = scope.get(chain[0]) if chain[0] in scope else self.variables.get(chain[0])
        for name in chain[1:]:
            if var is None or var.fields is None or name not in var.fields:
                return None
            var = var.fields[name]
        return var

    def _resolve(self, tag: TagAt, node: Any, scope: dict[str, Var | None]) -> Var | None:
        chain = _chain(node)
        root = chain[0]
        if root in scope:
            var = scope[root]
        elif root in self.variables:
            var = self.variables[root]
            self._note_use(tag, root, chain)
        elif root in BUILTINS:
            return None
        else:
            known = [*scope, *self.variables]
            close = difflib.get_close_matches(root, known, n=1, cutoff=0.6)
            hint = f"did you mean {close[0]}?" if close else f"it has: {', '.join(self.variables)}"
            self.error(
                tag,
                f"{root} is not in the data {self.template} receives; {hint} "
                "(docs/templates.md lists it all)",
            )
            return None
        path = [root]
        for name in chain[1:]:
            if var is None:
                return None
            if var.is_list:
                if name == "[]":
                    var = var.items
                    continue
                self.error(
                    tag,
                    f"{'.'.join(path)} is a list, so it has no field {name}: loop over it "
                    f"({{%p for item in {'.'.join(path)} %}}) and use item.{name}",
                )
                return None
            if var.fields is None:
                return None  # a plain value: a date's .year, a text's .upper are fine
            if name not in var.fields:
                self._no_field(tag, ".".join(path), name, var)
                return None
            var = var.fields[name]
            path.append(name)
        return var

    def _no_field(self, tag: TagAt, path: str, name: str, var: Var) -> None:
        fields = list(var.fields or {})
        close = difflib.get_close_matches(name, fields, n=1, cutoff=0.6)
        hint = f"did you mean {path}.{close[0]}?" if close else f"its fields: {', '.join(fields)}"
        self.error(tag, f"{path} has no field {name}; {hint}")

    def _note_use(self, tag: TagAt, root: str, chain: list[str]) -> None:
        part = tag.paragraph.part
        name = ".".join(name for name in chain if name != "[]")
        self.used[part].add(name)
        # The panel's own data is what headers and footers are for.
        if part != "body" and root != "panel":
            self.first_use.setdefault((part, name), tag)
            if any(name in PERSONAL for name in chain):
                self.error(
                    tag,
                    f"{'.'.join(chain)} would print a child's details in the {part}, which "
                    "repeats on every page and in every extract: only panel, meeting and "
                    "case-reference data belong there; move it into the body",
                )

    # --- the whole template ---

    def check_header_footer(self, parts: list[Part]) -> None:
        edges = [part for part in parts if part.kind in ("header", "footer")]
        text = " ".join(p.text for part in edges for p in part.paragraphs)
        fields = " ".join(
            [
                " ".join(node.text or "" for node in part.root.iter(f"{W_NS}instrText"))
                + " ".join(
                    node.get(f"{W_NS}instr", "") for node in part.root.iter(f"{W_NS}fldSimple")
                )
                for part in edges
            ]
        )
        target = edges[0].paragraphs[0] if edges and edges[0].paragraphs else None
        if not re.search(r"\{\{[^}]*protective_marking[^}]*\}\}|OFFICIAL", text):
            self._edge_error(
                target,
                "no protective marking in the header or footer: add "
                "{{ panel.protective_marking }} to the header (every page must carry it)",
            )
        if not re.search(r"\bPAGE\b", fields):
            self._edge_error(
                target,
                "no page numbers in the header or footer: insert Word's page number field "
                "(Insert > Page Number), e.g. Page X of Y",
            )
        if not re.search(r"\{\{[^}]*panel\.name[^}]*\}\}", text):
            self._edge_error(
                target, "no panel name in the header or footer: add {{ panel.name }} to it"
            )

    def _edge_error(self, paragraph: Paragraph | None, message: str) -> None:
        if paragraph is None:
            self.findings.append(Finding(self.template, "header and footer", message))
        else:
            self.error(paragraph, message)
