"""The ground floor: errors, dates, file writing, and where shipped files live.

Owns: ``errors`` (every ``CcpError``), ``dates`` (today, the British date), ``files`` (every
write: atomic, owner-only, staged then published), ``resources`` (shipped templates and
schemas, and the template names). May import: nothing of ours.
"""
