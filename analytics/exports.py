"""CSV and Excel (openpyxl) files of the analytics tables and of the filtered case list."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from openpyxl import Workbook
from openpyxl.styles import Font

from .tables import Cell, Table

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"


def _plain(value: Cell) -> Cell:
    return "" if value is None else value


def _safe_text(value: Cell) -> Cell:
    # A text beginning like a formula would be run by a spreadsheet (CSV injection).
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def table_csv(table: Table) -> bytes:
    """The table as UTF-8 CSV with a byte-order mark (so Excel reads Chinese correctly)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow([_safe_text(_plain(cell)) for cell in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def tables_xlsx(tables: Iterable[Table]) -> bytes:
    """One sheet per table, its title in the first row, the columns in the second."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for table in tables:
        sheet = workbook.create_sheet(_sheet_name(table.key))
        sheet.append([table.title])
        sheet["A1"].font = Font(bold=True)
        sheet.append(table.columns)
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append([_xlsx_value(cell) for cell in row])
        sheet.column_dimensions["A"].width = 40
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_value(value: Cell) -> Cell:
    return _safe_text(value)


def _sheet_name(key: str) -> str:
    # Excel allows 31 characters and none of []:*?/\ in a sheet's name.
    return key[:31]
