"""A panel meeting: agenda, circulation pack, minutes, recording and signing.

Owns: ``records`` (the meeting record store: versions, signatures, roll forward),
``agenda``, ``pack``, ``minutes`` (the draft and document contexts), ``recording``
(decisions into the register) and ``signing`` (signed minutes, extracts, verification).
May import: ``cases`` and everything below it.
"""
