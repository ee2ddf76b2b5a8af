"""Reports built from the register and the recorded minutes.

Owns: ``annual`` (the figures of the annual report), ``suppression`` (small numbers),
``charts``, ``files`` (the Word, PDF and workbook of the report) and ``case_history``
(``ccp case show``). May import: ``meetings`` and everything below it.
"""
