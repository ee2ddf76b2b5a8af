"""Reading what people send: YAML, JSON and filled Word forms; writing the blank forms.

Owns: ``loading`` (size-limited YAML/JSON into the contract's models), ``blank`` (commented
YAML templates), ``docx_safety`` (limits for untrusted Word files) and ``word`` (the Word
form: layout, writer, reader, content controls, pre-filling). May import: ``core``,
``contract``, ``documents``.
"""
