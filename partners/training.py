"""When a required training is due: within N days of joining, then renewed."""

import dataclasses
import datetime

from partners.models import RequiredTraining, TrainingSession, User


def months_after(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later, clamped to the month's last day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    following = datetime.date(year + month // 12, month % 12 + 1, 1)
    last_day = (following - datetime.timedelta(days=1)).day
    return datetime.date(year, month, min(day.day, last_day))


@dataclasses.dataclass
class Standing:
    rule: RequiredTraining
    last_on: datetime.date | None
    due_on: datetime.date | None
    state: str  # "done", "due" or "overdue"

    @property
    def is_overdue(self):
        return self.state == "overdue"


def required_standing(
    *,
    rule: RequiredTraining,
    person: User,
    sessions: list[TrainingSession],
    today: datetime.date,
) -> Standing:
    """``sessions``: the person's sessions in this partnership, newest first."""
    last_on = next((s.held_on for s in sessions if s.kind == rule.kind), None)
    if last_on is None:
        joined = person.date_joined.date()
        due_on = joined + datetime.timedelta(days=rule.due_within_days)
    elif rule.renew_every_months:
        due_on = months_after(last_on, rule.renew_every_months)
    else:
        return Standing(rule, last_on, None, "done")
    if last_on is not None and due_on > today:
        state = "done"
    else:
        state = "overdue" if due_on < today else "due"
    return Standing(rule, last_on, due_on, state)
