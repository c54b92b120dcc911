"""The one CSV writer of chwlink: every export (dashboard tables, datasets, stories,
program reports, statements, audit logs) writes through it.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or
carriage return) as a formula; text typed by anyone (a theme name, a story title, a
record number) could then fetch data or run commands on the reader's computer.
Such text gets a leading apostrophe, which spreadsheets show as text (OWASP's advice
on CSV injection). Numbers stay numbers: an ``int``, ``float`` or ``Decimal`` (a
negative amount, a fall in a score) is written as is, since a spreadsheet reads it
as that number and cannot run it; everything else is written as text, so a record
number typed as ``-3`` comes out as ``'-3``. Exports keep their figures as numbers.
"""

import csv
import io
from collections.abc import Iterable, Iterator
from decimal import Decimal

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NUMBERS = (int, float, Decimal)


def safe_cell(value):
    """The value as a spreadsheet shows it, never as a formula it runs."""
    if value is None or isinstance(value, NUMBERS):
        return value
    value = str(value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value


class SafeWriter:
    """``csv.writer`` with every cell made safe first."""

    def __init__(self, out):
        self._writer = csv.writer(out)

    def writerow(self, row: Iterable):
        return self._writer.writerow([safe_cell(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable]) -> None:
        for row in rows:
            self.writerow(row)


def writer(out) -> SafeWriter:
    """A CSV writer on a file-like object (an ``HttpResponse``, a ``StringIO``)."""
    return SafeWriter(out)


class _Line:
    """What the writer writes to when streaming: each row comes back as its line."""

    def write(self, line: str) -> str:
        return line


def lines(rows: Iterable[Iterable]) -> Iterator[str]:
    """Each row as its line of CSV text, as they come: for a streaming response."""
    line_writer = SafeWriter(_Line())
    return (line_writer.writerow(row) for row in rows)


def text(rows: Iterable[Iterable]) -> str:
    """All the rows as one CSV text (a stored report, an e-mail attachment)."""
    buffer = io.StringIO()
    SafeWriter(buffer).writerows(rows)
    return buffer.getvalue()
