"""When a required training is due: within N days of joining, then renewed."""

import dataclasses
import datetime
import enum

from partners.models import RequiredTraining, TrainingSession, User


def months_after(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later, clamped to the month's last day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    following = datetime.date(year + month // 12, month % 12 + 1, 1)
    last_day = (following - datetime.timedelta(days=1)).day
    return datetime.date(year, month, min(day.day, last_day))


class State(enum.StrEnum):
    DONE = "done"
    DUE = "due"
    OVERDUE = "overdue"


@dataclasses.dataclass
class Standing:
    rule: RequiredTraining
    last_on: datetime.date | None
    due_on: datetime.date | None
    state: State

    @property
    def is_done(self) -> bool:
        return self.state == State.DONE

    @property
    def is_due(self) -> bool:
        return self.state == State.DUE

    @property
    def is_overdue(self) -> bool:
        return self.state == State.OVERDUE


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
        return Standing(rule, last_on, None, State.DONE)
    if last_on is not None and due_on > today:
        state = State.DONE
    else:
        state = State.OVERDUE if due_on < today else State.DUE
    return Standing(rule, last_on, due_on, state)
