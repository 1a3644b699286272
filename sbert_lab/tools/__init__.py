"""Tools around the workbook, outside what a student reads: ``python -m sbert_lab.tools.notebooks``
(the instructor's sync / check / run of the lessons) and ``python -m sbert_lab train`` (``cli``).
"""
