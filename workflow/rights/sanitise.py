"""Strip what a reader of a copy does not see: document properties, hidden and deleted text,
comments (Word); the author, producer and tool (PDF). For copies that leave the panel."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
CP = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
DC = "http://purl.org/dc/elements/1.1/"
DCTERMS = "http://purl.org/dc/terms/"
EP = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"
CUSTOM = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
# The only extended properties kept: what Word needs to open the file as it was.
_APP_KEPT = {"Application", "DocSecurity", "AppVersion"}


def core_properties(title: str) -> bytes:
    """A core properties part holding the title and language only."""
    root = etree.Element(f"{{{CP}}}coreProperties", nsmap={"cp": CP, "dc": DC, "dcterms": DCTERMS})
    etree.SubElement(root, f"{{{DC}}}title").text = title
    etree.SubElement(root, f"{{{DC}}}language").text = "en-GB"
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _app_properties(data: bytes) -> bytes:
    root = etree.fromstring(data, _PARSER)
    for child in list(root):
        if etree.QName(child).localname not in _APP_KEPT:
            root.remove(child)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _word_part(data: bytes) -> bytes:
    """No hidden runs, deleted text or comment marks; inserted text accepted."""
    root = etree.fromstring(data, _PARSER)
    w = f"{{{W}}}"
    for vanish in root.iter(f"{w}vanish", f"{w}specVanish"):
        properties = vanish.getparent()
        holder = properties.getparent() if properties is not None else None
        if holder is not None and etree.QName(holder).localname == "r":
            holder.getparent().remove(holder)
        elif properties is not None:
            properties.remove(vanish)
    for tag in ("del", "moveFrom", "commentRangeStart", "commentRangeEnd"):
        for element in list(root.iter(f"{w}{tag}")):
            element.getparent().remove(element)
    for reference in list(root.iter(f"{w}commentReference")):
        run = reference.getparent()
        run.getparent().remove(run)
    for tag in ("ins", "moveTo"):
        for element in list(root.iter(f"{w}{tag}")):
            parent = element.getparent()
            index = parent.index(element)
            for child in list(element):
                parent.insert(index, child)
                index += 1
            parent.remove(element)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def sanitise_docx(data: bytes, title: str) -> bytes:
    """A copy of a Word document without properties, hidden text, revisions or comments."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            part = source.read(info.filename)
            name = info.filename
            if name == "docProps/core.xml":
                part = core_properties(title)
            elif name == "docProps/app.xml":
                part = _app_properties(part)
            elif name == "docProps/custom.xml":
                part = etree.tostring(
                    etree.Element(f"{{{CUSTOM}}}Properties", nsmap={None: CUSTOM}),
                    xml_declaration=True,
                    encoding="UTF-8",
                    standalone=True,
                )
            elif name in ("word/comments.xml", "word/commentsExtended.xml", "word/people.xml"):
                root = etree.fromstring(part, _PARSER)
                for child in list(root):
                    root.remove(child)
                part = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            elif name.startswith("word/") and name.endswith(".xml") and "/_rels/" not in name:
                part = _word_part(part)
            target.writestr(info.filename, part, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def sanitise_pdf(path: Path, title: str) -> None:
    """Leave only the title (and the PDF/A identification) in a PDF's metadata, in place."""
    import pikepdf

    path = Path(path)
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
            for key in list(meta):
                if "pdfa/ns/id" in key or "pdfaid" in key or key.endswith("}title"):
                    continue
                del meta[key]
            meta["dc:title"] = title
        for key in list(pdf.docinfo.keys()):
            del pdf.docinfo[key]
        pdf.docinfo["/Title"] = title
        for page in pdf.pages:
            if "/PieceInfo" in page.obj:
                del page.obj["/PieceInfo"]
        if "/PieceInfo" in pdf.Root:
            del pdf.Root["/PieceInfo"]
        pdf.save(path)
