"""One date format per language (FORMAT_MODULE_PATH): the same in pages, reports and charts.

English "30 November 2011", Russian "30 ноября 2011" (E: the month in the genitive).
Data files (CSV, XLSX cells, JSON) keep ISO 8601 dates, which programs read.
"""
