"""The CSV reader's quoted lines (src/zhiben/ingest/read.py). A line holding a quote is read by
polars when each of its fields is quoted whole or holds no quote (an export quoting every
field, or every empty one), else by the csv module line by line; either way its cells are the
csv module's. Oracle: the exact path (the csv module over the whole file)."""

from __future__ import annotations

import csv
import io

import numpy as np
import polars as pl
import pytest

from zhiben.ingest.read import _csv_exact, _csv_fast, _newlines

HEADER = "a,b,c,d"
LINES = [
    "1,x,y,z",  # no quote: the vectorised path
    '"2","x, with comma","say ""hi""",""',  # every field quoted, a doubled quote, an empty one
    '3,"",,"q"',  # quoted and unquoted mixed
    '4,a"b"c,mid-field quotes,z',  # quotes inside an unquoted field: literal (csv module)
    '5, "lead",space before the quote,z',  # not quoted whole: literal
    '"6","too","many","fields","here"',  # wrong field count, quoted
    '"7","short"',  # wrong field count, quoted
    '"","","",""',  # a blank row, quoted: dropped as blank
    "8,tail,cr,end\r",  # a CRLF line among LF ones
    '"9","中文，全角","引号""内""",""',
]


def _rows(text: str, fast: bool):
    data = text.encode("utf-8")
    nl = _newlines(data)
    width = len(HEADER.split(","))
    rows = _csv_fast(data, nl, width) if fast else _csv_exact(data, "t.csv", width)
    assert rows is not None
    frame = pl.DataFrame(rows.cells).with_columns(
        rows.lines.alias("line"), rows.reasons.alias("reason")
    )
    # the fast path leaves an unquoted empty cell NULL where the csv module gives ""
    return frame.with_columns(pl.col(f"c{i}").fill_null("") for i in range(width))


@pytest.mark.parametrize("every", [False, True], ids=["as-written", "quote-all"])
def test_quoted_lines_read_as_the_csv_module_reads_them(every: bool) -> None:
    lines = LINES
    if every:  # the same records written by an export that quotes every field
        out = io.StringIO()
        w = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
        for line in LINES:
            w.writerow(next(csv.reader([line.removesuffix("\r")])))
        lines = out.getvalue().splitlines()
    text = "\n".join([HEADER, *lines]) + "\n"
    fast, exact = _rows(text, fast=True), _rows(text, fast=False)
    ok = pl.col("reason").is_null()
    assert fast.filter(ok).equals(exact.filter(ok))
    assert fast["line"].to_list() == exact["line"].to_list()
    assert fast["reason"].to_list() == exact["reason"].to_list()
    # known answers
    by_line = {r["line"]: r for r in fast.iter_rows(named=True)}
    assert by_line[3]["c1"] == "x, with comma" and by_line[3]["c2"] == 'say "hi"'
    assert by_line[5]["c1"] == 'a"b"c'
    assert by_line[6]["c1"] == ' "lead"'
    assert by_line[7]["reason"] == by_line[8]["reason"] == "wrong_field_count"
    assert 9 not in by_line  # the quoted blank row
    assert by_line[10]["c3"] == "end"
    assert by_line[11]["c2"] == '引号"内"'


def test_a_quoted_field_spanning_lines_goes_to_the_exact_path() -> None:
    text = f'{HEADER}\n1,"two\nlines",c,d\n'
    data = text.encode()
    assert _csv_fast(data, _newlines(data), 4) is None
    assert np.asarray(_csv_exact(data, "t.csv", 4).reasons.to_list()).tolist() == [
        "multiline_field"
    ]
