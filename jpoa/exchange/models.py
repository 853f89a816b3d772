"""Imports of spreadsheets and IATI XML, exports of the matrix."""
