"""Weekly opening hours: typed as lines like ``MO-FR 09:00-17:00``, stored as
HSDS schedules (``byday``, ``opens_at``, ``closes_at``), and asked "open now?"
in the partnership's time zone."""

import datetime
import re
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from referrals.models import WEEKDAYS, ResourceSchedule

LINE = re.compile(
    r"^\s*(?P<days>[A-Za-z,\s-]+?)\s+"
    r"(?P<opens>\d{1,2}:\d{2})\s*[-–]\s*(?P<closes>\d{1,2}:\d{2})\s*$"
)


@dataclass(frozen=True)
class Opening:
    days: tuple[str, ...]
    opens_at: datetime.time
    closes_at: datetime.time


def _days(text: str) -> tuple[str, ...]:
    days: list[str] = []
    for part in text.upper().replace(" ", "").split(","):
        first, _dash, last = part.partition("-")
        if first not in WEEKDAYS or (last and last not in WEEKDAYS):
            raise ValueError(
                _("%(part)s is not a day: use MO TU WE TH FR SA SU.") % {"part": part}
            )
        start = WEEKDAYS.index(first)
        end = WEEKDAYS.index(last) if last else start
        if end < start:
            raise ValueError(
                _("%(part)s runs backwards: write the earlier day first.")
                % {"part": part}
            )
        days.extend(day for day in WEEKDAYS[start : end + 1] if day not in days)
    return tuple(sorted(days, key=WEEKDAYS.index))


def _time(text: str) -> datetime.time:
    try:
        return datetime.datetime.strptime(text, "%H:%M").time()
    except ValueError:
        raise ValueError(
            _("%(time)s is not a time of day (00:00 to 23:59).") % {"time": text}
        ) from None


def parse_opening_hours(text: str) -> list[Opening]:
    """The openings typed, one a line; a line that cannot be read is refused
    with what is wrong in it."""
    openings = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        match = LINE.match(line)
        if not match:
            raise ValueError(
                _("Line %(number)s: write days then times, e.g. MO-FR 09:00-17:00.")
                % {"number": number}
            )
        try:
            opening = Opening(
                _days(match["days"]), _time(match["opens"]), _time(match["closes"])
            )
        except ValueError as problem:
            raise ValueError(
                _("Line %(number)s: %(problem)s")
                % {"number": number, "problem": problem}
            ) from None
        if opening.closes_at <= opening.opens_at:
            raise ValueError(
                _("Line %(number)s: the closing time must come after the opening time.")
                % {"number": number}
            )
        openings.append(opening)
    return openings


def opening_hours_text(schedules) -> str:
    """The schedules with days and times as the form's lines."""
    return "\n".join(
        f"{','.join(row.byday)} {row.opens_at:%H:%M}-{row.closes_at:%H:%M}"
        for row in schedules
        if row.byday and row.opens_at and row.closes_at
    )


def open_at(moment: datetime.datetime) -> Q:
    """Services with a schedule open at ``moment`` (an aware datetime already in
    the partnership's time zone)."""
    day = WEEKDAYS[moment.weekday()]
    clock = moment.time().replace(tzinfo=None)
    return Q(
        Exists(
            ResourceSchedule.objects.filter(
                service=OuterRef("pk"),
                byday__contains=[day],
                opens_at__lte=clock,
                closes_at__gt=clock,
            )
        )
    )
