"""Small-cell suppression and de-identification rules for what leaves chwlink.

The rule: program managers read exact counts on the dashboard (it is their own
partnership's operational view). Everything that can be shared outside the
partnership, that is every aggregate CSV export and the dashboard's "as shared"
preview, shows counts from 1 to 9 as "<10", and a rate or median whose base is
1–9 as "–", so a small group cannot be recognized; so is a rate whose count (its
``part``) is hidden, else the rate times its base would give the count away. Zero
is shown: it identifies no one. The patient-level dataset carries no direct
identifiers (no names, record numbers, phones, addresses or dates other than years
and day offsets) and a random pseudonym drawn anew for each export, so two exports
cannot be linked.
"""

SUPPRESSED = "<10"
HIDDEN = "–"
THRESHOLD = 10


def is_small(count) -> bool:
    return isinstance(count, int) and 0 < count < THRESHOLD


def shown_value(value, column: dict, row: list, shared: bool):
    """A table cell as displayed or exported: suppressed when shared and small."""
    if not shared or value is None:
        return value
    if column["kind"] in ("count", "number") and is_small(value):
        return SUPPRESSED
    for rests_on in (column.get("base"), column.get("part")):
        if rests_on is not None and is_small(row[rests_on]):
            return HIDDEN
    return value


def table_for_display(table: dict, *, shared: bool) -> dict:
    """The table's visible columns, with the suppression rule applied if shared."""
    visible = [i for i, c in enumerate(table["columns"]) if c["kind"] != "hidden"]
    return {
        "key": table["key"],
        "title": table["title"],
        "headers": [table["columns"][i]["label"] for i in visible],
        "numeric": [table["columns"][i]["kind"] != "text" for i in visible],
        "rows": [
            [shown_value(row[i], table["columns"][i], row, shared) for i in visible]
            for row in table["rows"]
        ],
    }
