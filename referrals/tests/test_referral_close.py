"""Closing a referral records what became of each need, and the clinic reads it."""

import pytest
from django.urls import reverse

from partners.tests.factories import UserFactory
from referrals.models import Referral, ReferralNeedOutcome
from referrals.services import pathways, workflow
from referrals.services.workflow import WorkflowError
from referrals.tests.states import in_progress_referral
from referrals.tests.test_workflow_concurrency import run_together

Status = Referral.Status
NEEDS = ["food-insecurity", "housing-instability"]


@pytest.fixture
def working(supervisor, navigator, clinic_user):
    return in_progress_referral(
        supervisor=supervisor,
        navigator=navigator,
        clinic_user=clinic_user,
        social_needs=NEEDS,
    )


def close(referral, navigator, outcomes, note="Food bank every week.", **kwargs):
    return workflow.referral_transition(
        referral=referral,
        actor=navigator,
        name=kwargs.pop("name", "complete"),
        outcomes=outcomes,
        reason=note,
        **kwargs,
    )


def recorded(referral):
    return dict(
        ReferralNeedOutcome.objects.filter(referral=referral).values_list(
            "need", "outcome"
        )
    )


def test_needs_addressed_is_refused_while_a_need_has_no_outcome(working, navigator):
    with pytest.raises(WorkflowError, match="Housing instability"):
        close(working, navigator, {"food-insecurity": "resolved"})
    working.refresh_from_db()
    assert working.status == Status.IN_PROGRESS
    assert recorded(working) == {}


def test_needs_addressed_asks_a_need_met_at_least_in_part(working, navigator):
    with pytest.raises(WorkflowError, match="unable to complete"):
        close(working, navigator, dict.fromkeys(NEEDS, "not_resolved"))
    assert Referral.objects.get(pk=working.pk).status == Status.IN_PROGRESS


def test_needs_addressed_asks_a_closing_note(working, navigator):
    with pytest.raises(WorkflowError, match="closing note"):
        close(working, navigator, dict.fromkeys(NEEDS, "resolved"), note="  ")
    assert Referral.objects.get(pk=working.pk).status == Status.IN_PROGRESS


def test_an_outcome_for_a_need_not_referred_is_refused(working, navigator):
    outcomes = dict.fromkeys(NEEDS, "resolved") | {"stress": "resolved"}
    with pytest.raises(WorkflowError, match="lacks"):
        close(working, navigator, outcomes)
    with pytest.raises(WorkflowError, match="listed outcomes"):
        close(working, navigator, dict.fromkeys(NEEDS, "sorted"))
    assert recorded(working) == {}


def test_a_need_confirmed_by_a_pathway_needs_its_outcome_too(working, navigator):
    pathway = pathways.pathway_open(
        referral=working, actor=navigator, need="transportation-insecurity", goal="Bus"
    )
    with pytest.raises(WorkflowError, match="Close or finish every open pathway"):
        close(working, navigator, dict.fromkeys([*NEEDS, pathway.need], "resolved"))
    pathways.pathway_close(pathway=pathway, actor=navigator, completed=True, note="")
    with pytest.raises(WorkflowError, match="Transportation"):
        close(working, navigator, dict.fromkeys(NEEDS, "resolved"))
    outcomes = {
        "food-insecurity": "resolved",
        "housing-instability": "referred_elsewhere",
        "transportation-insecurity": "partly_resolved",
    }
    closed = close(working, navigator, outcomes)
    assert closed.status == Status.COMPLETED
    assert closed.status_reason == "Food bank every week."
    assert recorded(closed) == outcomes


def test_unable_to_complete_keeps_the_outcomes_the_navigator_knows(working, navigator):
    closed = close(
        working,
        navigator,
        {"housing-instability": "patient_declined"},
        note="Moved to Yakima.",
        name="close_unable",
        reason_code="moved",
    )
    assert closed.status == Status.UNABLE_TO_COMPLETE
    assert recorded(closed) == {"housing-instability": "patient_declined"}


@pytest.mark.django_db(transaction=True)
def test_two_closings_at_once_record_one_set_of_outcomes(
    partnership, supervisor, navigator, clinic_user
):
    referral = in_progress_referral(
        supervisor=supervisor,
        navigator=navigator,
        clinic_user=clinic_user,
        social_needs=NEEDS,
    )

    def closing(outcome, name, reason_code=""):
        def prepare():
            copy = Referral.objects.get(pk=referral.pk)
            return lambda: close(
                copy,
                navigator,
                dict.fromkeys(NEEDS, outcome),
                name=name,
                reason_code=reason_code,
            )

        return prepare

    results = run_together(
        closing("resolved", "complete"),
        closing("not_resolved", "close_unable", "unreachable"),
    )
    winners = [r for r in results if isinstance(r, Referral)]
    assert len(winners) == 1, results
    assert isinstance(next(r for r in results if r not in winners), WorkflowError)
    expected = "resolved" if winners[0].status == Status.COMPLETED else "not_resolved"
    assert recorded(referral) == dict.fromkeys(NEEDS, expected)


# The pages


def close_url(referral, action="complete"):
    return reverse("referrals:referral-transition", args=[referral.code, action])


def form_data(referral, **fields):
    return {
        "version": referral.version,
        "outcome_food-insecurity": "resolved",
        "outcome_housing-instability": "partly_resolved",
        "note": "Pantry on Tuesdays; housing list applied.",
        **fields,
    }


def test_the_referral_page_offers_closing_as_a_link_not_a_one_tap_button(
    login, working, navigator
):
    page = login(navigator).get(
        reverse("referrals:referral-detail", args=[working.code])
    )
    html = page.content.decode()
    assert f'href="{close_url(working)}"' in html
    assert f'action="{close_url(working)}"' not in html


def test_a_missing_outcome_is_shown_beside_the_need_and_the_note_is_kept(
    login, working, navigator
):
    data = form_data(working)
    del data["outcome_housing-instability"]
    page = login(navigator).post(close_url(working), data)
    assert page.status_code == 200
    form = page.context["form"]
    assert form.errors == {
        "outcome_housing-instability": ["Choose what became of this need."]
    }
    assert "Pantry on Tuesdays; housing list applied." in page.content.decode()
    assert Referral.objects.get(pk=working.pk).status == Status.IN_PROGRESS


def test_closing_shows_what_the_clinic_will_read_then_closes(
    login, working, navigator, clinic_user
):
    client = login(navigator)
    review = client.post(close_url(working), form_data(working))
    html = review.content.decode()
    assert "What the clinic will read" in html
    assert "<strong>Housing instability:</strong> Partly resolved" in html
    assert "Pantry on Tuesdays; housing list applied." in html
    assert Referral.objects.get(pk=working.pk).status == Status.IN_PROGRESS

    changed = client.post(close_url(working), form_data(working, change="1"))
    assert changed.context["form"]["note"].value() == (
        "Pantry on Tuesdays; housing list applied."
    )
    assert Referral.objects.get(pk=working.pk).status == Status.IN_PROGRESS

    done = client.post(close_url(working), form_data(working, confirm="1"))
    assert done.status_code == 302
    assert Referral.objects.get(pk=working.pk).status == Status.COMPLETED

    clinic_page = login(clinic_user).get(
        reverse("referrals:referral-detail", args=[working.code])
    )
    html = clinic_page.content.decode()
    assert "<strong>Food insecurity:</strong> Resolved" in html
    assert "<strong>Housing instability:</strong> Partly resolved" in html
    assert "Pantry on Tuesdays; housing list applied." in html


def test_a_closing_someone_else_beat_says_who_and_keeps_the_form(
    login, working, navigator, supervisor
):
    client = login(navigator)
    seen = form_data(working, confirm="1")
    workflow.referral_transition(
        referral=working, actor=supervisor, name="hold", reason_code="waitlisted"
    )
    page = client.post(close_url(working), seen)
    assert page.status_code == 200
    assert "before you" in page.content.decode()
    assert page.context["form"]["note"].value() == seen["note"]
    assert recorded(working) == {}


@pytest.mark.parametrize("role", ["clinic_staff", "supervisor", "navigator"])
def test_users_of_another_partnership_get_404_on_the_closing_pages(
    login, outsiders, working, role
):
    client = login(outsiders[role])
    assert client.get(close_url(working)).status_code == 404
    response = client.post(close_url(working), form_data(working, confirm="1"))
    assert response.status_code == 404
    assert Referral.objects.get(pk=working.pk).status == Status.IN_PROGRESS


def test_clinic_staff_cannot_close_for_the_cbo(login, working, clinic_user):
    response = login(clinic_user).post(
        close_url(working), form_data(working, confirm="1")
    )
    assert response.status_code == 403
    assert Referral.objects.get(pk=working.pk).status == Status.IN_PROGRESS


def test_another_navigator_of_the_cbo_cannot_close_it(login, working, partnership):
    colleague = UserFactory(role="navigator", organization=partnership.cbo)
    response = login(colleague).post(
        close_url(working), form_data(working, confirm="1")
    )
    assert response.status_code == 404
