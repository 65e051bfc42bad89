"""Tables people export from spreadsheets and CRMs: CSV (comma, semicolon or tab separated, in
UTF-8 or, failing that, Windows-1250) and XLSX (the first sheet), read as a header and rows of
text."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import AsyncIterable, AsyncIterator, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from smsgate.domain.errors import DomainError, ErrorCode

_XLSX_MAGIC = b"PK\x03\x04"
_DELIMITERS = ",;\t"


@dataclass(frozen=True, slots=True)
class Table:
    header: list[str]
    rows: Iterator[list[str]]


def read_table(data: bytes) -> Table:
    """The header and rows of a CSV or XLSX file (told apart by their first bytes)."""
    if data.startswith(_XLSX_MAGIC):
        return _xlsx(data)
    return _csv(data)


def _csv(data: bytes) -> Table:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1250", errors="replace")
    if "\x00" in text:
        raise DomainError(ErrorCode.INVALID_REQUEST, "the file is not CSV or XLSX", "file")
    first_line = text.split("\n", 1)[0]
    # The separator is the one the header uses most: Sniffer guesses wrong on short files.
    delimiter = max(_DELIMITERS, key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, None)
    if not header or not any(h.strip() for h in header):
        raise DomainError(ErrorCode.INVALID_REQUEST, "the file has no header row", "file")
    return Table([h.strip() for h in header], reader)


def _xlsx(data: bytes) -> Table:
    from openpyxl import load_workbook  # imported here: most deployments never read XLSX

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise DomainError(
            ErrorCode.INVALID_REQUEST, "the file is not a readable XLSX", "file"
        ) from None
    sheet = book.worksheets[0] if book.worksheets else None
    rows = sheet.iter_rows(values_only=True) if sheet is not None else iter(())
    header = next(rows, None)
    if not header or not any(h is not None for h in header):
        raise DomainError(ErrorCode.INVALID_REQUEST, "the file has no header row", "file")
    return Table([_cell(h).strip() for h in header], ([_cell(v) for v in row] for row in rows))


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a number typed into a cell: 48500600700, not 48500600700.0
    return str(value)


async def csv_stream(
    header: Sequence[str], rows: AsyncIterable[Sequence[str]]
) -> AsyncIterator[str]:
    """A CSV file, line by line, as its rows come."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    yield _line(writer, out, header)
    async for row in rows:
        yield _line(writer, out, row)


def _line(writer: Any, out: io.StringIO, row: Sequence[str]) -> str:
    writer.writerow(row)
    line = out.getvalue()
    out.seek(0)
    out.truncate()
    return line
