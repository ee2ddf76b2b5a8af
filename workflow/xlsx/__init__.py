"""Editing an .xlsx in place: change a sheet's rows, copy every other part unchanged.

Owns: ``package`` (the zip), ``styles``, ``values`` (cell values and dates), ``rows`` (row
writing), ``ranges`` (ranges and defined names that grow with rows), ``formulas``
(recalculation), ``workbook`` (the workbook opened for editing, reading a sheet's head) and
``scan`` (finding rows by value without reading the sheet). Knows nothing of the register's
sheets. May import: ``core``.
"""
