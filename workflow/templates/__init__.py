"""The Word templates users edit: the data each receives, ``templates check`` and ``copy``.

Owns: ``data`` (every variable a template is given, described once) and ``check``.
May import: every package below it (it describes what ``meetings`` and ``reports`` render).
"""
