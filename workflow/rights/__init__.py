"""Data subjects' rights and records management: subject access and retention.

``export`` builds a subject access bundle from ``holdings`` (what is held about one child),
laid out by ``bundle_document``; ``redaction`` flags third parties' data and ``sanitise``
strips hidden text and metadata. ``retention`` reports what is due and keeps legal holds;
``disposal`` destroys a case's files and personal data, leaving a tombstone; ``scan`` finds
every file that holds a given text. Imports: meetings, cases and everything below.
"""
