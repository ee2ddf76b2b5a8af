"""Take a text out of every XML part of a workbook: shared strings, inline strings,
comments, cached chart values. For erasure: what a cell no longer shows must not linger.
Only text is changed, never an attribute (a sheet's or a font's name stays as it is)."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from lxml import etree

from workflow.xlsx.package import Package, parse_xml, serialise


def pattern_for(needles: Sequence[str]) -> re.Pattern[str]:
    """One pattern finding any of ``needles``, ignoring capitals: a phrase (a full name)
    anywhere, a single word (a local ID) only whole, so "DEMO-12" is not found in
    "DEMO-123" nor "12" in a case ID."""
    parts = []
    for needle in sorted({n.strip() for n in needles if n and n.strip()}, key=len, reverse=True):
        escaped = re.escape(needle)
        parts.append(escaped if any(c.isspace() for c in needle) else rf"(?<!\w){escaped}(?!\w)")
    return re.compile("|".join(parts) or "(?!)", re.IGNORECASE)


def scrub_package(package: Package, needles: Sequence[str], replacement: str) -> list[str]:
    """Replace each of ``needles`` (ignoring capitals) in the text of every XML part with
    ``replacement``; a text split over rich-text runs is joined into the first run. Returns
    the parts changed."""
    wanted = [needle for needle in needles if needle and needle.strip()]
    if not wanted:
        return []
    pattern = pattern_for(wanted)
    changed = []
    names = [*package.names, *package.added]
    for name in names:
        if not package.has(name) or not name.endswith((".xml", ".rels", ".vml")):
            continue
        pending = package.changed.get(name)
        data = package.read(name)
        if pending is not None and not isinstance(pending, bytes):
            # An edit streamed when written: run once here, and its bytes kept, not run again.
            package.put(name, data)
        # As text, unescaped and case-folded: "Élodie & Co" may be stored "&#201;lodie &amp; Co".
        text = html.unescape(data.decode("utf-8", errors="replace"))
        runs = b"<r>" in data or b":r>" in data
        if not runs and not pattern.search(text):
            continue
        root = parse_xml(data, name)
        if _scrub(root, pattern, replacement):
            package.put(name, serialise(root))
            changed.append(name)
    return changed


def _scrub(root: etree._Element, pattern: re.Pattern[str], replacement: str) -> bool:
    touched = False
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        for attribute in ("text", "tail"):
            value = getattr(element, attribute)
            if value and pattern.search(value):
                setattr(element, attribute, pattern.sub(replacement, value))
                touched = True
        if etree.QName(element).localname in ("si", "is"):
            touched |= _join_runs(element, pattern, replacement)
    return touched


def _join_runs(string: etree._Element, pattern: re.Pattern[str], replacement: str) -> bool:
    """A rich text whose runs together spell a needle: its text into the first run."""
    texts = [t for t in string.iter() if isinstance(t.tag, str) and etree.QName(t).localname == "t"]
    whole = "".join(t.text or "" for t in texts)
    if len(texts) < 2 or not pattern.search(whole):
        return False
    texts[0].text = pattern.sub(replacement, whole)
    texts[0].set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    for other in texts[1:]:
        other.text = ""
    return True
