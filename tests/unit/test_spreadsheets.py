"""Reading what people export from spreadsheets: CSV in its local dialects, and XLSX."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from smsgate.domain.errors import DomainError
from smsgate.services.spreadsheets import read_table


@pytest.mark.parametrize("separator", [",", ";", "\t"])
def test_a_csv_is_read_with_the_separator_its_header_uses(separator: str) -> None:
    data = separator.join(["phone", "name"]) + "\n" + separator.join(["+48500600700", "Anna Nowak"])
    table = read_table(data.encode())
    assert table.header == ["phone", "name"]
    assert list(table.rows) == [["+48500600700", "Anna Nowak"]]


def test_a_csv_with_a_byte_order_mark_has_a_clean_header() -> None:
    assert read_table("\ufeffphone\n1\n".encode()).header == ["phone"]


def test_a_csv_not_in_utf8_is_read_as_windows_1250() -> None:
    table = read_table("phone;imię\n1;Łukasz\n".encode("cp1250"))
    assert (table.header, list(table.rows)) == (["phone", "imię"], [["1", "Łukasz"]])


def test_an_xlsx_first_sheet_is_read_with_numbers_as_typed() -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Phone", "Name", None])
    sheet.append([48500600700, "Anna", None])
    out = io.BytesIO()
    book.save(out)
    table = read_table(out.getvalue())
    assert table.header == ["Phone", "Name", ""]
    assert list(table.rows) == [["48500600700", "Anna", ""]]


@pytest.mark.parametrize("data", [b"", b"\x00\x01\x02garbage", b"PK\x03\x04not really a zip"])
def test_what_is_not_a_table_is_refused(data: bytes) -> None:
    with pytest.raises(DomainError):
        read_table(data)
