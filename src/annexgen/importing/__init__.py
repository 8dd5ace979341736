"""`annexgen import`: Word submissions (.docx, and .doc/.wps through LibreOffice) back into department-year data.

Beside the pipeline, not part of it: `grid` reads a document body as paragraphs and
tables whose cells sit on the table's grid (gridSpan, vMerge, hMerge, gridBefore
resolved), the ground every later step reads labels and figures from.
"""
