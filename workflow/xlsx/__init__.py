"""Editing an .xlsx in place: change a sheet's rows, copy every other part unchanged.

Owns: ``workbook`` (the editor), ``stream``/``segments`` (sheets edited piece by piece),
``scan`` (finding rows by value without reading the sheet) and ``values`` (column letters,
number formats, what a cell can hold). Knows nothing of the register's sheets.
May import: ``core``.
"""
