"""The "Next step" of a caseload row: the first open step of the earliest open
pathway; finished steps and closed pathways are passed over."""

import datetime
import zoneinfo

from django.urls import reverse

from referrals.services import pathways
from referrals.tests.factories import ReferralFactory
from referrals.tests.states import at, in_progress_referral

PORTLAND = zoneinfo.ZoneInfo("America/Los_Angeles")
CASELOAD = reverse("referrals:caseload")


def local(day, hour):
    return datetime.datetime(2026, 12, day, hour, tzinfo=PORTLAND)


def next_step(login, navigator):
    page = login(navigator).get(CASELOAD).content.decode()
    return page.split("Next step")[1].split("</div>")[0]


def open_pathway(moment, referral, navigator, need):
    return at(
        moment,
        pathways.pathway_open,
        referral=referral,
        actor=navigator,
        need=need,
        goal="Need met",
    )


def test_the_next_step_is_the_first_open_step_of_the_earliest_open_pathway(
    login, partnership, supervisor, navigator
):
    referral = in_progress_referral(
        supervisor=supervisor,
        navigator=navigator,
        referral=ReferralFactory(partnership=partnership),
    )
    housing = open_pathway(local(3, 10), referral, navigator, "housing-instability")
    food = open_pathway(local(2, 10), referral, navigator, "food-insecurity")
    first = food.steps.order_by("position").first()
    pathways.pathway_step_toggle(pathway=food, actor=navigator, step=first)
    assert "Check eligibility for SNAP or WIC and help apply" in next_step(
        login, navigator
    )

    for step in food.steps.all():
        if step.done_at is None and step.pk != first.pk:
            pathways.pathway_step_toggle(pathway=food, actor=navigator, step=step)
    assert "Confirm the housing situation with the patient" in next_step(
        login, navigator
    )

    pathways.pathway_close(pathway=food, actor=navigator, completed=True, note="")
    pathways.pathway_close(
        pathway=housing, actor=navigator, completed=False, note="Moved away"
    )
    assert "Open a pathway for each confirmed need" in next_step(login, navigator)


def test_open_pathways_without_open_steps_are_to_be_closed(
    login, partnership, supervisor, navigator
):
    referral = in_progress_referral(
        supervisor=supervisor,
        navigator=navigator,
        referral=ReferralFactory(partnership=partnership),
    )
    food = open_pathway(local(2, 10), referral, navigator, "food-insecurity")
    for step in food.steps.all():
        pathways.pathway_step_toggle(pathway=food, actor=navigator, step=step)
    assert "Close the finished pathways" in next_step(login, navigator)
