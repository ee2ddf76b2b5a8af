"""Word documents: docxtpl rendering that keeps typed text exact, and reading text back."""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Callable, Mapping
from datetime import date, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

import jinja2
from docx.opc.exceptions import PackageNotFoundError
from docxtpl import DocxTemplate
from jinja2.sandbox import SandboxedEnvironment, SecurityError
from lxml import etree
from markupsafe import Markup, escape

from workflow.core.dates import uk_date
from workflow.core.errors import TemplateError
from workflow.core.files import PRIVATE_FILE, write_atomic
from workflow.documents.oxml import cell_properties_in_schema_order, rows_kept_whole

# Characters XML 1.0 cannot hold: lxml would refuse them, or docxtpl's recovering parser
# would silently drop them with the rest of the paragraph.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")

# Each kind of Word part, as a reader would name where a template went wrong.
_PART_NAMES = {"document": "body", "header": "header", "footer": "footer"}


# --- rendering ---------------------------------------------------------------------------


def render_docx(
    template: Path,
    context: Mapping[str, Any],
    out: Path,
    *,
    labels: Mapping[str, str],
    mode: int = PRIVATE_FILE,
) -> Path:
    """Render a docxtpl template with `context` into `out`; return `out`.

    Values are data, never markup or template code: autoescaped, sandboxed, undefined
    names are errors, None renders as nothing, dates the British way. `labels` gives the
    words the `words` filter shows for an enumeration code. Nothing is written to `out`
    unless the whole render succeeds.
    """
    template = Path(template)
    out = Path(out)
    if not template.is_file():
        raise TemplateError(f"{template}: Word template not found")
    document = _LocatedTemplate(str(template))
    try:
        document.init_docx()
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as err:
        raise TemplateError(f"{template}: not a Word (.docx) template ({err})") from err
    # docxtpl renders the properties too, but escaped as XML: the title is rendered first
    # as the plain text it is, and put back after.
    title = _document_title(document.docx, context, labels, template.name)

    try:
        # render() switches autoescape on in the environment it is given, so each render
        # gets its own.
        document.render(dict(context), jinja_env=_environment(labels), autoescape=True)
    except jinja2.TemplateError as err:
        raise TemplateError(f"{template.name}: {_describe(err, document)}") from err
    except etree.XMLSyntaxError as err:
        raise TemplateError(
            f"{template.name}: the template produces broken Word XML ({err}); "
            "check that every {%p ...%}, {%tr ...%} tag has its closing tag"
        ) from err

    cell_properties_in_schema_order(document.docx.element.body)
    # A template edited in Word may have rows that split; no row of ccp's papers does.
    rows_kept_whole(document.docx)
    document.docx.core_properties.title = title
    document.docx.core_properties.language = LANGUAGE
    buffer = io.BytesIO()
    document.save(buffer)
    data = buffer.getvalue()
    check_docx(data, out.name)
    return write_atomic(out, lambda handle: handle.write(data), mode=mode)


LANGUAGE = "en-GB"


def _document_title(
    docx: Any, context: Mapping[str, Any], labels: Mapping[str, str], template: str
) -> str:
    """The document's title, for screen readers and the PDF made from it.

    The template's own title may hold tags ("Agenda, {{ meeting.date|uk_date }}"): they
    are filled from the context like the body's, as plain text.
    """
    properties = docx.core_properties
    env = SandboxedEnvironment(
        undefined=jinja2.StrictUndefined, autoescape=False, finalize=_plain_finalize
    )
    env.filters.update(_environment(labels).filters)
    try:
        title = env.from_string(properties.title or "").render(dict(context))
    except jinja2.TemplateError as err:
        raise TemplateError(f"{template}: document title: {err.message or err}") from err
    return " ".join(_XML_ILLEGAL.sub(" ", title).split())


def _plain_finalize(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, date):
        return uk_date(value)
    return value


def check_docx(document: Path | bytes, name: str) -> None:
    """Reopen a written .docx and re-parse every XML part: damaged is an error, not a file.

    The parts are parsed into nothing (a parser target that keeps no element): a long
    meeting's minutes would otherwise be a second tree of tens of MB beside the one just
    rendered."""
    parser = etree.XMLParser(
        target=_Discard(), resolve_entities=False, no_network=True, huge_tree=True
    )
    source = io.BytesIO(document) if isinstance(document, bytes) else document
    member = ""
    try:
        with zipfile.ZipFile(source) as archive:
            members = archive.namelist()
            for needed in ("[Content_Types].xml", "_rels/.rels", "word/document.xml"):
                if needed not in members:
                    raise TemplateError(f"{name}: the Word document made lacks {needed}")
            for member in members:
                if member.lower().endswith((".xml", ".rels")):
                    etree.fromstring(archive.read(member), parser)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as err:
        raise TemplateError(f"{name}: the Word document made is damaged ({err})") from err
    except etree.XMLSyntaxError as err:
        raise TemplateError(
            f"{name}: the Word document made is damaged: {member} is not well-formed ({err})"
        ) from err


class _Discard:
    """A parser target that keeps nothing: the parse only finds whether XML is well-formed."""

    def close(self) -> None:
        return None


def _environment(labels: Mapping[str, str]) -> SandboxedEnvironment:
    env = SandboxedEnvironment(
        undefined=jinja2.StrictUndefined, autoescape=True, finalize=_finalize
    )
    env.filters.update(
        uk_date=_uk_date,
        words=_words_filter(labels),
        yesno=_yesno,
        blank=_blank,
        age=_age,
    )
    return env


def _finalize(value: Any) -> Any:
    """What every {{ ... }} shows: typed text exactly, never Python's spelling of a value."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, date):
        return uk_date(value)
    if hasattr(value, "__html__") and not isinstance(value, Markup):
        return value  # docxtpl's RichText, Listing and Subdoc carry their own Word XML
    # Plain str from here: Markup.replace would escape the character references below.
    text = str(value if isinstance(value, Markup) else escape(str(value)))
    # A carriage return would survive as a second break beside the one for "\n".
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    bad = _XML_ILLEGAL.search(text)
    if bad:
        raise jinja2.TemplateRuntimeError(
            f"a value contains the character U+{ord(bad.group()):04X}, "
            "which a Word document cannot hold"
        )
    # docxtpl turns "{_{", "}_}", "{_%" and "%_}" in its output into template braces;
    # character references keep typed braces out of reach of that replacement.
    return Markup(text.replace("{", "&#123;").replace("}", "&#125;"))


def _uk_date(value: Any) -> str:
    if value is None or isinstance(value, date):
        return uk_date(value)
    if isinstance(value, str):
        try:
            return uk_date(date.fromisoformat(value))
        except ValueError as err:
            raise jinja2.TemplateRuntimeError(f"uk_date needs a date, not {value!r}") from err
    raise jinja2.TemplateRuntimeError(f"uk_date needs a date, not {type(value).__name__}")


def _words_filter(labels: Mapping[str, str]) -> Callable[[Any], str]:
    def words(code: Any) -> str:
        """An enumeration code in words: 'very_high' -> 'Very high'."""
        if code is None:
            return ""
        code = str(code)
        if code in labels:
            return labels[code]
        spaced = code.replace("_", " ")
        return spaced[:1].upper() + spaced[1:]

    return words


def _yesno(value: Any, yes: str = "Yes", no: str = "No", unknown: str = "") -> str:
    if value is None:
        return unknown
    return yes if value else no


def _blank(value: Any, text: str = "Not recorded") -> Any:
    """`text` in place of a value that was not given (None, or only spaces)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return text
    return value


def _age(born: date | None, on: date | None) -> int | str:
    """Whole years from `born` to `on` (the age a child is on a date)."""
    if born is None or on is None:
        return ""
    if isinstance(born, datetime):
        born = born.date()
    if isinstance(on, datetime):
        on = on.date()
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


class _LocatedTemplate(DocxTemplate):
    """Remembers which part (body, header) and XML it was rendering when Jinja failed."""

    failed_part: str | None = None
    failed_source: str | None = None

    def render_xml_part(self, src_xml: str, part: Any, context: Any, jinja_env: Any = None) -> str:
        try:
            return super().render_xml_part(src_xml, part, context, jinja_env)
        except jinja2.TemplateError:
            self.failed_part = str(getattr(part, "partname", "") or "")
            self.failed_source = src_xml
            raise


def _describe(err: jinja2.TemplateError, document: Any) -> str:
    """The Jinja error in words, with where in the document it happened and the tag's text."""
    if isinstance(err, jinja2.UndefinedError):
        what = f"undefined variable: {err.message}"
    elif isinstance(err, jinja2.TemplateSyntaxError):
        what = f"template syntax error: {err.message}"
    elif isinstance(err, SecurityError):
        what = f"not allowed in a template: {err.message}"
    else:
        what = err.message or type(err).__name__
    place = _part_name(getattr(document, "failed_part", None))
    line = err.lineno if isinstance(err, jinja2.TemplateSyntaxError) else None
    line = line or _template_line(err.__traceback__)
    source = getattr(document, "failed_source", None)
    near = _source_text(source, line) if source and line else ""
    where = f"in the {place}" if place else ""
    if near:
        where += f", at: {near}"
    return f"{what} ({where.lstrip(', ')})" if where else what


def _part_name(partname: str | None) -> str:
    if not partname:
        return ""
    stem = re.sub(r"\d*\.xml$", "", partname.rsplit("/", 1)[-1])
    return _PART_NAMES.get(stem, stem)


def _template_line(tb: TracebackType | None) -> int | None:
    """The template line Jinja was running: its rewritten frames carry template lines."""
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _source_text(source: str, line: int) -> str:
    # docxtpl puts each <w:p> on its own line before handing the XML to Jinja.
    lines = re.split(r"\r\n|\r|\n", re.sub(r"<w:p([ >])", r"\n<w:p\1", source))
    if not 0 < line <= len(lines):
        return ""
    visible = re.sub(r"<[^>]+>", "", lines[line - 1]).strip()
    tags = re.findall(r"{{.*?}}|{%.*?%}", visible)
    text = " ".join(tags) if tags else visible
    return text if len(text) <= 160 else text[:157] + "..."


# --- reading -----------------------------------------------------------------------------
