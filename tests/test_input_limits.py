"""Input hygiene: doubled columns, open quotes, zip bombs and oversized sheets are refused before harm."""

from __future__ import annotations

import struct
import time
import tracemalloc
import zlib
from pathlib import Path

import pytest

from moralbank.domain.limits import MAX_SHEET_BYTES, MAX_SHEET_ROWS
from moralbank.errors import InputError, SheetError
from moralbank.services.sheets import read_kind
from tests.runner import Run, failed, one_line
from tests.town import build_register

MB = 1 << 20


def deflate_bomb(size: int) -> bytes:
    """A raw deflate stream of ``size`` bytes of "A", built in a moment: after a full flush the
    compressor starts afresh, so every further megabyte compresses to the same 1 KB."""
    chunk, pack = b"A" * MB, zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    first = pack.compress(chunk) + pack.flush(zlib.Z_FULL_FLUSH)
    again = pack.compress(chunk) + pack.flush(zlib.Z_FULL_FLUSH)
    return first + again * (size // MB - 1) + pack.flush()


def write_zip(path: Path, entries: list[tuple[str, bytes, int]]) -> Path:
    """A zip of raw deflated ``entries`` (name, data, stated size): the stated size may lie."""
    body, central = b"", b""
    for name, data, stated in entries:
        raw = name.encode()
        local = struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0x21, 0, len(data), stated, len(raw), 0)
        central += struct.pack(
            "<4s6H3L5H2L",
            b"PK\x01\x02",
            20,
            20,
            0,
            8,
            0,
            0x21,
            0,
            len(data),
            stated,
            len(raw),
            0,
            0,
            0,
            0,
            0,
            len(body),
        )
        central += raw
        body += local + raw + data
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(entries), len(entries), len(central), len(body), 0)
    path.write_bytes(body + central + end)
    return path


def types_xml() -> tuple[str, bytes, int]:
    text = b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'
    pack = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    return "[Content_Types].xml", pack.compress(text) + pack.flush(), len(text)


@pytest.mark.parametrize("stated", ["honest", "lying"])
def test_a_workbook_bomb_is_refused_quickly_with_little_memory(tmp_path: Path, stated: str) -> None:
    bomb = deflate_bomb(1536 * MB)  # a 1.5 GB cell
    size = 1536 * MB if stated == "honest" else 4096  # a forged central directory claims 4 KB
    path = write_zip(tmp_path / "decisions.xlsx", [types_xml(), ("xl/worksheets/sheet1.xml", bomb, size)])
    assert path.stat().st_size < 2 * MB
    tracemalloc.start()
    started = time.monotonic()
    try:
        with pytest.raises(InputError) as refused:
            read_kind(path, "decisions")
        took = time.monotonic() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert refused.value.message("en") == (
        "decisions.xlsx holds more than 50 MB and was not read: split it by village or by month"
    )
    assert refused.value.message("zh") == "decisions.xlsx 内容超过 50 MB，未读取：请按村或按月分成几个文件"
    assert took < 10 and peak < 8 * MB, (took, peak)


def test_a_workbook_just_under_the_limit_is_read_as_a_workbook(tmp_path: Path) -> None:
    # Under the limit the file goes on to the workbook reader, which says it is no workbook.
    path = write_zip(tmp_path / "small.xlsx", [types_xml(), ("xl/worksheets/sheet1.xml", deflate_bomb(2 * MB), 4096)])
    with pytest.raises(InputError) as refused:
        read_kind(path, "decisions")
    assert "not a valid workbook" in refused.value.message("en")
    assert MAX_SHEET_BYTES == 50_000_000


def test_an_oversized_csv_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    with path.open("wb") as stream:
        stream.write(b"household,standard\n")
        stream.truncate(MAX_SHEET_BYTES + 1)
    with pytest.raises(InputError) as refused:
        read_kind(path, "decisions")
    assert refused.value.message("en").startswith("big.csv holds more than 50 MB")


def test_a_csv_with_too_many_rows_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    path.write_text("code,village\n" + "NL001,NL\n" * (MAX_SHEET_ROWS + 1), encoding="utf-8")
    with pytest.raises(InputError) as refused:
        read_kind(path, "households")  # a sheet read whole; a decisions CSV streams (issue 16)
    assert refused.value.message("en") == (
        f"long.csv has more than {MAX_SHEET_ROWS} rows and was not read: split it by village or by month"
    )


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("household,standard,qty,qty", "row 1, field qty: column 4 is the same column as column 3 (qty)"),
        ("household,standard,户编号", "row 1, field 户编号: column 3 is the same column as column 1 (household)"),
        ("户编号,标准编号,Household", "row 1, field Household: column 3 is the same column as column 1 (household)"),
    ],
)
def test_a_doubly_named_column_is_refused(tmp_path: Path, header: str, expected: str) -> None:
    path = tmp_path / "d.csv"
    path.write_text(header + "\nNL001,ZY01,1,2\n", encoding="utf-8")
    with pytest.raises(SheetError) as refused:
        read_kind(path, "decisions")
    assert expected in one_line(refused.value.message("en"))
    assert "是同一列" in refused.value.message("zh")


def test_an_unterminated_quote_is_refused_naming_the_line(run: Run, engine: object, tmp_path: Path) -> None:
    build_register(engine)  # type: ignore[arg-type]
    path = tmp_path / "d.csv"
    path.write_text('household,standard,note\nNL001,ZY01,"open quote\nNL002,ZY01,ok\n', encoding="utf-8")
    message = one_line(failed(run("import", "decisions", str(path))))
    assert message == (
        "Error: Cannot read d.csv: a quote is left open (or followed by other text) near line 3; "
        "save it again as CSV in Excel or WPS"
    )
    trailing = tmp_path / "t.csv"
    trailing.write_text('household,standard,note\nNL001,ZY01,"ok"x\n', encoding="utf-8")
    assert "a quote is left open" in one_line(failed(run("import", "decisions", str(trailing))))
