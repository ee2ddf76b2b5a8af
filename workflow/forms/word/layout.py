"""What a Word form holds, walked from its model: sections, parts, answer boxes, labels."""

from __future__ import annotations

import functools
import hashlib
import re
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic.fields import FieldInfo

from workflow.contract import LABELS, Referral
from workflow.forms.blank import _is_enum, _is_model, _unwrap

LONG_TEXT = 20_000  # max_length of models.LongText: those answers get a tall box
DATE_EXAMPLE = "14/01/2027"  # the one way a date is shown typed, on every form


@dataclass(frozen=True)
class FormSpec:
    """One kind of Word form generated from a model, and how it departs from the model.

    The model says what is valid; the form says it to a practitioner on paper: sections
    numbered as the document the answers become, wording for a person rather than a YAML
    file, "required" where the terms of reference ask for something the model lets pass
    (a missing paper is a readiness warning, not an error), and none of the fields that
    are someone else's to fill in.
    """

    kind: str  # the marker's first word: 'referral v1'
    model: Any
    title: str
    command: str  # writes a blank one, e.g. `ccp referral template --format docx`
    version: int = 1
    # (title, model fields) per numbered section; empty: a section per field
    sections: tuple[tuple[str, tuple[str, ...]], ...] = ()
    front: tuple[str, ...] = ()  # answered in the title block, before section 1
    omitted: tuple[str, ...] = ()  # not on this form: another person's to fill in
    required: tuple[str, ...] = ()  # required on the form though the model lets them be empty
    conditions: tuple[tuple[str, str], ...] = ()  # (field, when it is needed)
    hints: tuple[tuple[str, str], ...] = ()  # (field path, the words on the form)
    office_use: tuple[str, ...] = ()  # what the office writes in the box on the first page
    # Tables ccp fills with one row per item (the progress form's actions): no spare rows
    # and no "copy a row" hint, for the person adds none.
    fixed_rows: tuple[str, ...] = ()
    column_cm: tuple[tuple[str, float], ...] = ()  # (column path, width) where one needs more

    @property
    def hint(self) -> str:
        return f"fill in the form from `{self.command}`"


REFERRAL_FORM = FormSpec(
    kind="referral",
    model=Referral,
    title="Complex Child Panel referral",
    command="ccp referral template --format docx",
    # As templates/referral.docx numbers them (scripts/template_builders/referral.py).
    sections=(
        ("The child and family", ("child", "family")),
        ("Relevant history", ("history",)),
        ("Assessments", ("assessments",)),
        ("Professionals involved", ("professionals",)),
        ("Current risks", ("risks",)),
        ("Obstacles to effective planning", ("obstacles",)),
        ("Criteria met", ("criteria", "criteria_detail")),
        ("Processes already tried", ("processes_tried",)),
        ("Benefits sought from the panel", ("benefits",)),
        ("Outcomes sought", ("outcomes_sought",)),
        ("The child's views", ("child_views",)),
        (
            "Consultation and authorisation",
            ("referrer", "key_social_worker", "iro", "authorised_by", "family_aware"),
        ),
        ("Special invitations", ("special_invitations",)),
        ("Papers for circulation", ("attachments",)),
    ),
    front=("meeting",),
    # The chair accepts a late referral: the administrator records it, not the referrer.
    omitted=("late_accepted_by",),
    # ToR 13.ii: the referral sets out the obstacles, and the chronology, risk assessment
    # and last review report are prepared for circulation.
    required=("obstacles", "attachments"),
    conditions=(("iro", "if the child has a protection plan or is looked after"),),
    hints=(
        ("meeting", "The date of the panel meeting this referral is for"),
        ("criteria", "Which of the panel's criteria the child meets (terms of reference, 10)."),
        (
            "iro",
            "The independent reviewing officer or child protection chair you discussed "
            "the referral with (terms of reference, 13.i).",
        ),
        (
            "attachments",
            "Send these papers with this form, as Word or PDF files: they go to panel "
            "members before the meeting (terms of reference, 13.ii).",
        ),
        (
            "attachments.chronology",
            "Attach the chronology when you send this form; write its file name here.",
        ),
        (
            "attachments.risk_assessment",
            "Attach the current risk assessment when you send this form; write its file name here.",
        ),
        (
            "attachments.last_review_report",
            "Attach the last case review report (e.g. the review conference report) when "
            "you send this form; write its file name here.",
        ),
    ),
    office_use=("Case ID", "Received on"),
)


@dataclass(frozen=True)
class Field:
    """One answer box: its tag (field path) and how it is shown and read."""

    path: str  # 'child.name', 'risks[].level', 'outcomes_sought[]', 'criteria[]=high_risk'
    key: str  # its key in the mapping it belongs to ('' for an entry of a list of text)
    title: str
    help: str
    kind: str  # text, long, date, choice or bool
    choices: tuple[str, ...] = ()
    optional: bool = False
    in_table: bool = False  # a column of a table: the column title says what it is
    condition: str = ""  # when an optional answer is needed, e.g. 'while open'

    @property
    def is_column(self) -> bool:
        return "[]" in self.path and "=" not in self.path

    @property
    def list_name(self) -> str:
        return self.path.split("[]", 1)[0]

    @property
    def placeholder(self) -> str:
        """The hint in the empty box: grey and italic, gone when a person types."""
        if self.kind == "choice":
            words = [LABELS[code] for code in self.choices]
            listed = ", ".join(words[:-1]) + f" or {words[-1]}"
            if self.in_table:
                return f"Choose {listed}."
            return f"{self.help.rstrip('.')}: choose {listed}."
        if self.kind == "date":
            return f"{self.help.rstrip('.')}, like {DATE_EXAMPLE}."
        return self.help

    @property
    def shown_title(self) -> str:
        """The label, with when it is needed: "(optional)" never beside "required while"."""
        if self.condition:
            return f"{self.title} ({self.condition})"
        return f"{self.title} (optional)" if self.optional else self.title

    @property
    def bookmark(self) -> str:
        # LibreOffice drops w:tag but keeps bookmarks, so every box is also bookmarked.
        # A leading underscore hides it from Word's bookmark list; Word allows 40 characters.
        name = "_ccp_" + re.sub(r"\W+", "_", self.path).strip("_")
        if len(name) > 40:
            name = f"{name[:31]}_{hashlib.sha1(self.path.encode()).hexdigest()[:8]}"
        return name


@dataclass(frozen=True)
class Part:
    """The answers to one top-level field of the model: a box, a group, a table or options."""

    name: str
    title: str
    help: str
    layout: str  # single, group, table or options
    fields: tuple[Field, ...]
    note: str = ""  # '(optional)', '(if any)' or when it is needed; '' when required
    item: str = ""  # what one table row is, e.g. 'Risk'


@dataclass(frozen=True)
class Section:
    """A numbered heading of the form (0: the title block), holding one or more parts."""

    number: int
    title: str
    parts: tuple[Part, ...]

    @property
    def labelled(self) -> tuple[Part, ...]:
        """The parts shown under their own label: all but a first part the heading names."""
        first = self.parts[0]
        if self.number and first.title.casefold() in self.title.casefold():
            return self.parts[1:]
        return self.parts

    @property
    def note(self) -> str:
        """The heading's note: its first part's, when that part has no label of its own."""
        return "" if self.parts[0] in self.labelled else self.parts[0].note


def _kind(info: FieldInfo) -> tuple[str, tuple[str, ...]]:
    inner, _ = _unwrap(info.annotation)
    if inner is bool:
        return "bool", ()
    if inner is date:
        return "date", ()
    if _is_enum(inner):
        return "choice", tuple(member.value for member in inner)
    if inner is str:
        return ("long" if _max_length(info) >= LONG_TEXT else "text"), ()
    raise TypeError(f"the Word form has no answer box for {info.annotation!r}")


def _max_length(info: FieldInfo) -> int:
    """The longest text allowed, from the field's constraints or inside its Annotated type."""
    found = [getattr(item, "max_length", None) for item in info.metadata]
    stack: list[Any] = [info.annotation]
    while stack:
        annotation = stack.pop()
        found += [
            getattr(item, "max_length", None) for item in getattr(annotation, "__metadata__", ())
        ]
        stack.extend(typing.get_args(annotation))
    return max((n for n in found if isinstance(n, int)), default=0)


# The model's help is written for YAML: on a form a box is ticked and a date typed.
_WORDING: list[tuple[re.Pattern[str], Any]] = [
    (re.compile(r"\bISO date(?:, e\.g\. \d{4}-\d{2}-\d{2})?"), "Date"),
    (re.compile(r",? e\.g\. \d{4}-\d{2}-\d{2}"), ""),
    (re.compile(r"\btrue (if|for)\b"), r"Tick \1"),
    (re.compile(r";\s*false if [^.;]*"), ""),
]


def _word_help(text: str, columns: dict[str, str] | None = None) -> str:
    for pattern, replacement in _WORDING:
        text = pattern.sub(replacement, text)
    for name, title in (columns or {}).items():
        text = re.sub(
            rf"\bmark exactly one {name}: true\b", f"tick {title} in exactly one row", text
        )
    return text


def _item_name(kind: Any, title: str) -> str:
    """'Risk' for list[Risk], 'Process tried' for list[ProcessTried]; 'Outcome sought'."""
    if _is_model(kind):
        words = re.findall(r"[A-Z][a-z]*", kind.__name__)
        return " ".join([words[0], *(word.lower() for word in words[1:])])
    first, _, rest = title.partition(" ")
    if first.endswith("s") and not first.endswith("ss"):
        first = first[:-1]
    return f"{first} {rest}".strip()


def _leaf(spec: FormSpec, path: str, key: str, info: FieldInfo, **kwargs: Any) -> Field:
    kind, choices = _kind(info)
    hints = dict(spec.hints)
    columns = kwargs.pop("columns", None)
    required = kwargs.pop("required", False)
    return Field(
        path=path,
        key=key,
        title=str(info.title),
        help=hints.get(path) or _word_help(str(info.description), columns),
        kind=kind,
        choices=choices,
        optional=not (required or info.is_required()),
        condition=dict(spec.conditions).get(path, ""),
        **kwargs,
    )


def _part(spec: FormSpec, name: str, info: FieldInfo) -> Part:
    """One top-level field of the model as the form lays it out."""
    inner, is_list = _unwrap(info.annotation)
    required = name in spec.required or info.is_required()
    conditions = dict(spec.conditions)
    if name in conditions:
        note = f"({conditions[name]})"
    elif required:
        note = ""
    else:
        note = "(if any)" if is_list else "(optional)"
    title = str(info.title)
    help_text = dict(spec.hints).get(name) or _word_help(str(info.description))
    if is_list and _is_model(inner):
        titles = {key: str(sub.title) for key, sub in inner.model_fields.items()}
        fields = tuple(
            _leaf(spec, f"{name}[].{key}", key, sub, columns=titles, in_table=True)
            for key, sub in inner.model_fields.items()
        )
        help_text = dict(spec.hints).get(name) or _word_help(str(info.description), titles)
        return Part(name, title, help_text, "table", fields, note, _item_name(inner, title))
    if is_list and _is_enum(inner):
        fields = tuple(
            Field(f"{name}[]={member.value}", member.value, LABELS[member.value], "", "bool")
            for member in inner
        )
        return Part(name, title, help_text, "options", fields, note)
    if is_list:
        item = _item_name(inner, title)
        leaf = _leaf(spec, f"{name}[]", "", info, in_table=True)
        fields = (Field(leaf.path, "", item, leaf.help, leaf.kind, in_table=True),)
        return Part(name, title, help_text, "table", fields, note, item)
    if _is_model(inner):
        fields = tuple(
            _leaf(spec, f"{name}.{key}", key, sub, required=name in spec.required)
            for key, sub in inner.model_fields.items()
        )
        for leaf in fields:
            if _unwrap(inner.model_fields[leaf.key].annotation)[1]:
                raise TypeError(f"the Word form has no layout for a list in {leaf.path}")
        return Part(name, title, help_text, "group", fields, note)
    return Part(name, title, help_text, "single", (_leaf(spec, name, name, info),), note)


@functools.cache
def sections(spec: FormSpec = REFERRAL_FORM) -> tuple[Section, ...]:
    """The title block (number 0) and the numbered sections, each with its parts."""
    model_fields = spec.model.model_fields
    plan = list(spec.sections) or [
        (str(info.title), (name,))
        for name, info in model_fields.items()
        if name not in spec.front and name not in spec.omitted
    ]
    placed = [*spec.front, *spec.omitted, *(name for _, names in plan for name in names)]
    missing = [name for name in model_fields if name not in placed]
    repeated = sorted({name for name in placed if placed.count(name) > 1})
    if missing or repeated:
        raise ValueError(f"{spec.kind} form: fields not placed {missing}, twice {repeated}")
    result = [Section(0, spec.title, tuple(_part(spec, n, model_fields[n]) for n in spec.front))]
    for number, (title, names) in enumerate(plan, start=1):
        parts = tuple(_part(spec, name, model_fields[name]) for name in names)
        result.append(Section(number, title, parts))
    return tuple(result)


def parts(spec: FormSpec = REFERRAL_FORM) -> Iterator[Part]:
    for section in sections(spec):
        yield from section.parts


@functools.cache
def fields_by_name(spec: FormSpec = REFERRAL_FORM) -> dict[str, Field]:
    """Every answer box by its tag and by its bookmark name."""
    found: dict[str, Field] = {}
    for part in parts(spec):
        for leaf in part.fields:
            for name in (leaf.path, leaf.bookmark):
                if found.setdefault(name, leaf) is not leaf:
                    raise ValueError(f"{leaf.path} and {found[name].path} share the name {name}")
    return found


@functools.cache
def _labels(spec: FormSpec = REFERRAL_FORM) -> dict[str, str]:
    """The label a practitioner saw, by field path pattern ('risks[].level' for a cell)."""
    single_titles = [
        leaf.title
        for part in parts(spec)
        if part.layout in ("single", "group")
        for leaf in part.fields
    ]
    labels: dict[str, str] = {}
    for part in parts(spec):
        labels[part.name] = part.title
        for leaf in part.fields:
            if part.layout == "table":
                labels[leaf.path] = f"{part.item} {{n}}" + (f": {leaf.title}" if leaf.key else "")
            elif part.layout == "group":
                ambiguous = single_titles.count(leaf.title) > 1
                labels[leaf.path] = f"{part.title}: {leaf.title}" if ambiguous else leaf.title
        if part.layout == "table":
            labels[f"{part.name}[]"] = f"{part.item} {{n}}"
        elif part.layout == "options":
            labels[f"{part.name}[]"] = part.title
    return labels


def form_label(field: str, spec: FormSpec = REFERRAL_FORM) -> str | None:
    """The Word form's label for a field path: 'risks[2].level' -> 'Risk 2: Level'."""
    match = re.fullmatch(r"([a-z_]+)(?:\[(\d+)\])?(?:\.([a-z_]+))?", field)
    if not match:
        return None
    name, number, key = match.groups()
    pattern = name + ("[]" if number else "") + (f".{key}" if key else "")
    label = _labels(spec).get(pattern)
    if label is None and number and key is None:
        label = _labels(spec).get(f"{name}[]")
    return label.replace("{n}", number or "") if label else None
