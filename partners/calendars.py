"""The days a partnership does not work: the public holidays of its country and
state (the ``holidays`` package) and the closed days its managers add."""

import datetime
import functools

import holidays

from partners.models import ClosedDay


@functools.lru_cache(maxsize=512)
def public_holidays(country: str, subdivision: str, year: int) -> frozenset:
    """A country's (and state's) public holidays in ``year``, observed days
    included; none without a country."""
    if not country:
        return frozenset()
    return frozenset(
        holidays.country_holidays(country, subdiv=subdivision or None, years=year)
    )


def subdivisions(country: str) -> tuple[str, ...]:
    """The state or province codes the country's calendar knows."""
    if not country:
        return ()
    return tuple(holidays.country_holidays(country).subdivisions)


def closed_days_by_partnership(partnerships, *, around: datetime.date) -> dict:
    """Per partnership id, the days it does not work from the year before
    ``around`` to the year after (service levels count a few business days), in
    one query for the days the partnerships added."""
    partnerships = list(partnerships)
    years = range(around.year - 1, around.year + 2)
    added = {}
    for partnership_id, day in ClosedDay.objects.filter(
        partnership_id__in=[p.pk for p in partnerships],
        day__gte=datetime.date(years[0], 1, 1),
        day__lte=datetime.date(years[-1], 12, 31),
    ).values_list("partnership_id", "day"):
        added.setdefault(partnership_id, set()).add(day)
    return {
        p.pk: frozenset(added.get(p.pk, ())).union(
            *(
                public_holidays(p.holiday_country, p.holiday_subdivision, year)
                for year in years
            )
        )
        for p in partnerships
    }
