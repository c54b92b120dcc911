"""Someone trying to recover the hidden counts of what chwlink shares.

It reads the tables as they are shown (strings, from a page or a CSV), knows
what every analyst knows of them (months and clinics add up to the funnel's
totals, the PAM levels to all analysed, a level's follow-up row to its patients,
a rate is a count over its base) and works out, by adding, subtracting and
multiplying, every count it can pin down. It is written apart from
``evaluation.disclosure`` on purpose: it checks that code, it does not share it.
"""

import math

INF = math.inf


def _number(text):
    """A shown cell: a number, or None for a hidden or empty one."""
    if text in ("<10", "–", "", "—", None):
        return None
    try:
        return float(text.replace(",", ""))
    except ValueError:
        return None


class Attacker:
    def __init__(self, tables: dict[str, list[list[str]]]):
        self.tables = tables
        self.bounds: dict[tuple, list] = {}
        self.shown: set[tuple] = set()
        self.sums: list[tuple[tuple, list[tuple]]] = []
        self.rates: list[tuple[tuple, tuple, float]] = []
        self._read()

    # What is shown.
    def count(self, name: tuple, text) -> tuple:
        value = _number(text)
        if text == "<10":
            self.bounds.setdefault(name, [1, 9])
        elif text == "–":
            # Zero is always shown and 1 to 9 says "<10": a hidden count is 10+.
            self.bounds.setdefault(name, [10, INF])
        elif value is not None:
            self.bounds[name] = [int(value), int(value)]
            self.shown.add(name)
        else:
            self.bounds.setdefault(name, [0, INF])
        return name

    def rate(self, part: tuple, base: tuple, text) -> None:
        value = _number(text)
        self.bounds.setdefault(part, [0, INF])
        self.bounds.setdefault(base, [0, INF])
        if value is not None:
            self.rates.append((part, base, value))

    def _read(self):
        t = self.tables
        # The funnel's last step (closed after the work) is not the months' and
        # clinics' closed loop (any final outcome).
        steps = [
            "referred",
            "accepted",
            "assigned",
            "contacted",
            "linked",
            "worked_closed",
        ]
        for i, row in enumerate(t.get("funnel", [])):
            self.count(("total", steps[i]), row[1])
            if i:
                self.rate(("total", steps[i]), ("total", steps[i - 1]), row[2])
        kpis = {row[0]: row for row in t.get("kpis", [])}
        if kpis:
            self.count(("total", "referred"), kpis["New referrals"][1])
            self.count(("total", "referred"), kpis["New referrals"][2])
            self.count(("total", "contacted"), kpis["Median days to first contact"][2])
            self.rate(
                ("total", "closed"),
                ("total", "referred"),
                kpis["Closed-loop rate (%)"][1],
            )
        month_columns = ["referred", "contacted", "closed"]
        for c, name in enumerate(month_columns, start=1):
            parts = [
                self.count(("month", row[0], name), row[c])
                for row in t.get("monthly", [])
            ]
            if parts:
                self.sums.append((("total", name), parts))
        clinic_columns = {1: "referred", 2: "accepted", 3: "closed", 7: "contacted"}
        for c, name in clinic_columns.items():
            parts = [
                self.count(("clinic", row[0], name), row[c])
                for row in t.get("clinics", [])
            ]
            if parts:
                self.sums.append((("total", name), parts))
        for row in t.get("clinics", []):
            self.rate(
                ("clinic", row[0], "closed"), ("clinic", row[0], "referred"), row[5]
            )
        levels = []
        for row in t.get("pam_change", []):
            group = row[0].removeprefix("Baseline level ")
            n = self.count(("pam", group, "n"), row[1])
            self.rate(("pam", group, "gained"), n, row[5])
            self.rate(("pam", group, "moved"), n, row[6])
            if group != "All analysed":
                levels.append(group)
        if levels:
            for name in ("n", "gained", "moved"):
                self.sums.append(
                    (("pam", "All analysed", name), [("pam", g, name) for g in levels])
                )
        for row in t.get("pam_levels", []):
            level = row[0].removeprefix("Baseline level ")
            cells = [
                self.count(("pam_pair", level, f), text)
                for f, text in enumerate(row[1:], start=1)
            ]
            self.bounds.setdefault(("pam", level, "n"), [0, 0])
            self.sums.append((("pam", level, "n"), cells))

    # What can be worked out.
    def _narrow_sum(self, total, parts) -> bool:
        b = self.bounds
        low = sum(b[p][0] for p in parts)
        high = sum(b[p][1] for p in parts)
        changed = self._set(total, max(b[total][0], low), min(b[total][1], high))
        for part in parts:
            others_low = sum(b[p][0] for p in parts if p != part)
            others_high = sum(b[p][1] for p in parts if p != part)
            changed |= self._set(
                part,
                max(b[part][0], b[total][0] - others_high),
                min(b[part][1], b[total][1] - others_low),
            )
        return changed

    def _narrow_rate(self, part, base, rate) -> bool:
        b = self.bounds
        changed = False
        if b[base][1] < 100_000:
            # Every (part, base) pair that rounds to the rate shown.
            fits = [
                (p, n)
                for n in range(max(1, int(b[base][0])), int(b[base][1]) + 1)
                for p in range(int(b[part][0]), int(min(b[part][1], n)) + 1)
                if round(100 * p / n, 1) == rate
            ]
            if fits:
                changed |= self._set(
                    part, min(p for p, _ in fits), max(p for p, _ in fits)
                )
                changed |= self._set(
                    base, min(n for _, n in fits), max(n for _, n in fits)
                )
        return changed

    def _set(self, name, low, high) -> bool:
        if [low, high] != self.bounds[name]:
            self.bounds[name] = [low, high]
            return True
        return False

    def recovered(self) -> dict[tuple, int]:
        """Every count it can pin to one value from 1 to 9 that is not shown."""
        for _round in range(50):
            changed = False
            for total, parts in self.sums:
                changed |= self._narrow_sum(total, parts)
            for part, base, rate in self.rates:
                changed |= self._narrow_rate(part, base, rate)
            if not changed:
                break
        return {
            name: int(low)
            for name, (low, high) in self.bounds.items()
            if low == high and 1 <= low <= 9 and name not in self.shown
        }
