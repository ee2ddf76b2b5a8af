"""Word and PDF documents: render a template, compose a pack, convert, e-mail drafts.

Owns: ``render`` (docxtpl, sandboxed and autoescaped), ``compose`` (docxcompose packs),
``pdf`` (LibreOffice), ``pdf_pack`` (bookmarks and finishing), ``mail`` (.eml drafts) and
``house_style`` (the look every document shares). May import: ``core``, ``contract``.
"""
