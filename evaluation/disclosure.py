"""Small-cell suppression and de-identification rules for what leaves chwlink.

The rule: program managers read exact counts on the dashboard (it is their own
partnership's operational view). Everything that can be shared outside the
partnership, that is every aggregate CSV export, the monthly report's CSV and the
dashboard's "as shared" view, shows counts from 1 to 9 as "<10" (primary
suppression). Zero is shown: it identifies no one.

A hidden count must not be recoverable from what is shown beside it, so:

- a rate, mean, median or interval is shown as "–" when any count it is made of
  (its base, its part, or a count not itself displayed) is hidden, else the rate
  times its base would give the count away;
- where counts add up (months and clinics to the partnership's totals, PAM
  levels to all analysed, a level's row of the follow-up table to its patients),
  more counts are hidden, as "–" (complementary suppression), until no hidden
  count can be derived by adding and subtracting what is shown. The smallest
  shown count of the sum is hidden first, a total only when none is left.

Tables describe their counts as named variables (``cells``: a count's name, or
the names of the counts a figure rests on), the counts its figures are made of
that it does not display (``counts``: name to value) and how counts add up
(``sums``: a total's name and its parts' names). One variable can appear in
several tables, and all tables released together are suppressed together, so a
CSV of one table hides exactly what the page and the other CSVs hide. A table
without ``cells`` is read from its columns: count and number columns hold
counts, and a column's ``base`` and ``part`` (indices into the row) name what
its figures rest on.

The patient-level dataset carries no direct identifiers (no names, record
numbers, phones, addresses or dates other than years and day offsets) and a
random pseudonym drawn anew for each export, so two exports cannot be linked.
"""

import math

SUPPRESSED = "<10"
HIDDEN = "–"
THRESHOLD = 10
PRIMARY, COMPLEMENTARY = "primary", "complementary"


def is_small(count) -> bool:
    return type(count) is int and 0 < count < THRESHOLD


def _auto_cells(table: dict) -> list[list]:
    """Variables of a table that names none: its own counts, cell by cell."""
    key, columns = table["key"], table["columns"]
    cells = []
    for r, row in enumerate(table["rows"]):
        names = []
        for c, value in enumerate(row):
            kind = columns[c]["kind"]
            rests_on = tuple(
                f"{key}:{r}:{i}"
                for i in (columns[c].get("base"), columns[c].get("part"))
                if i is not None
            )
            if kind in ("count", "number", "hidden") and type(value) is int:
                names.append({"count": f"{key}:{r}:{c}", "rests_on": rests_on})
            elif kind in ("rate", "number") and rests_on:
                names.append(rests_on)
            else:
                names.append(None)
        cells.append(names)
    return cells


def _spec(name) -> tuple[str | None, tuple]:
    """A cell's own count (or None) and the counts its figure rests on: a name
    is a count, a tuple of names a figure made of them."""
    if name is None:
        return None, ()
    if isinstance(name, str):
        return name, ()
    if isinstance(name, dict):
        return name.get("count"), tuple(name.get("rests_on", ()))
    return None, tuple(name)


class Release:
    """Tables released together, and which of their counts are hidden."""

    def __init__(self, tables: dict):
        self.tables = tables
        self.values: dict[str, int] = {}
        self.displayed: set[str] = set()
        self.sums: list[tuple[str, list[str]]] = []
        self.cells = {}
        for key, table in tables.items():
            self.cells[key] = table.get("cells") or _auto_cells(table)
            self.sums += table.get("sums", [])
            self._read_values(table, self.cells[key])
            self.values.update(table.get("counts", {}))
        self.hidden = {name: PRIMARY for name, v in self.values.items() if is_small(v)}
        self._complement()

    def _read_values(self, table: dict, cells: list[list]) -> None:
        for row, names in zip(table["rows"], cells, strict=True):
            for c, (value, name) in enumerate(zip(row, names, strict=True)):
                own, _rests = _spec(name)
                if own is None or type(value) is not int:
                    continue
                self.values[own] = value
                if table["columns"][c]["kind"] != "hidden":
                    self.displayed.add(own)

    def _revealed(self) -> set[str]:
        """Counts not displayed that a shown figure gives away (a rate times its
        shown base), taken as known."""
        revealed = set()
        for key, table in self.tables.items():
            for row, names in zip(table["rows"], self.cells[key], strict=True):
                for value, name in zip(row, names, strict=True):
                    own, rests = _spec(name)
                    shown = value is not None and own is None and rests
                    if shown and not any(r in self.hidden for r in rests):
                        revealed.update(rests)
        return revealed

    def intervals(self) -> dict[str, list]:
        """What someone reading the release can tell of each count: shown and
        given-away counts exactly, primary-hidden ones 1 to 9, complementary ones
        10 or more, the rest nothing; narrowed through every sum until nothing
        changes (adding and subtracting what is known)."""
        revealed = self._revealed()
        names = {n for total, parts in self.sums for n in (total, *parts)}
        names |= set(self.values)
        bounds = {}
        for name in names:
            status = self.hidden.get(name)
            if status == PRIMARY:
                bounds[name] = [1, THRESHOLD - 1]
            elif status == COMPLEMENTARY:
                bounds[name] = [THRESHOLD, math.inf]
            elif name in self.values and (name in self.displayed or name in revealed):
                bounds[name] = [self.values[name], self.values[name]]
            else:
                bounds[name] = [0, math.inf]
        for _round in range(100):
            if not any(self._narrow(bounds, t, p) for t, p in self.sums):
                break
        return bounds

    @staticmethod
    def _narrow(bounds: dict, total: str, parts: list[str]) -> bool:
        """Narrow a total and its parts by each other; True if anything changed."""
        low = sum(bounds[p][0] for p in parts)
        finite = sum(bounds[p][1] for p in parts if bounds[p][1] != math.inf)
        unbounded = sum(1 for p in parts if bounds[p][1] == math.inf)
        t = bounds[total]
        new = {total: [max(t[0], low), min(t[1], math.inf if unbounded else finite)]}
        for part in parts:
            lo, hi = bounds[part]
            others_low = low - lo
            if hi == math.inf:
                others_high = math.inf if unbounded > 1 else finite
            else:
                others_high = math.inf if unbounded else finite - hi
            new[part] = [max(lo, t[0] - others_high), min(hi, t[1] - others_low)]
        changed = any(new[name] != bounds[name] for name in new)
        bounds.update(new)
        return changed

    def _pinned(self) -> list[str]:
        bounds = self.intervals()
        return [
            name
            for name, status in self.hidden.items()
            if status == PRIMARY
            and name in bounds
            and bounds[name][0] >= bounds[name][1]
        ]

    def _complement(self) -> None:
        """Hide more counts until no primary-hidden count can be derived."""
        while pinned := self._pinned():
            if not self._hide_one_beside(pinned):
                return

    def _hide_one_beside(self, pinned: list[str]) -> bool:
        """Hide the smallest shown count of the first sum (nearest the pinned
        counts) that has one, a part before a total."""
        seen, frontier = set(pinned), list(pinned)
        while frontier:
            near = [(t, p) for t, p in self.sums if {t, *p} & set(frontier)]
            for total, parts in near:
                choice = self._smallest_shown(parts) or self._smallest_shown([total])
                if choice:
                    self.hidden[choice] = COMPLEMENTARY
                    return True
            frontier = [
                n
                for t, p in near
                for n in (t, *p)
                if n not in seen and n in self.hidden
            ]
            seen.update(frontier)
        return False

    def _smallest_shown(self, names: list[str]) -> str | None:
        shown = [n for n in names if n not in self.hidden and self.values.get(n, 0) > 0]
        return min(shown, key=lambda n: (self.values[n], names.index(n)), default=None)

    def shown(self, key: str) -> dict:
        """One table's visible columns with its hidden counts and the figures
        resting on them replaced."""
        table = self.tables[key]
        visible = [i for i, c in enumerate(table["columns"]) if c["kind"] != "hidden"]
        rows = []
        for row, names in zip(table["rows"], self.cells[key], strict=True):
            rows.append([self._cell(table, row[i], names[i]) for i in visible])
        return {
            "key": table["key"],
            "title": table["title"],
            "headers": [table["columns"][i]["label"] for i in visible],
            "numeric": [table["columns"][i]["kind"] != "text" for i in visible],
            "rows": rows,
        }

    def _cell(self, table: dict, value, name):
        own, rests = _spec(name)
        if value is None:
            return value
        status = self.hidden.get(own) if own else None
        if status == PRIMARY:
            return SUPPRESSED
        if status == COMPLEMENTARY or any(r in self.hidden for r in rests):
            return HIDDEN
        return value


def _exact(table: dict) -> dict:
    visible = [i for i, c in enumerate(table["columns"]) if c["kind"] != "hidden"]
    return {
        "key": table["key"],
        "title": table["title"],
        "headers": [table["columns"][i]["label"] for i in visible],
        "numeric": [table["columns"][i]["kind"] != "text" for i in visible],
        "rows": [[row[i] for i in visible] for row in table["rows"]],
    }


def release_for_display(tables: dict, *, shared: bool) -> dict:
    """Tables released together, each with its visible columns; when shared,
    with small counts and everything they could be derived from hidden."""
    if not shared:
        return {key: _exact(table) for key, table in tables.items()}
    release = Release(tables)
    return {key: release.shown(key) for key in tables}


def table_for_display(table: dict, *, shared: bool) -> dict:
    """One table released on its own (see ``release_for_display``)."""
    return release_for_display({table["key"]: table}, shared=shared)[table["key"]]
