"""A supervisor reopens a closed referral within the partnership's window."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from referrals.models import Notification, Referral, ReferralNeedOutcome
from referrals.services import workflow
from referrals.services.workflow import WorkflowError
from referrals.tests.states import closed_referral
from referrals.tests.test_workflow_concurrency import run_together

Status = Referral.Status
DAY = datetime.timedelta(days=1)


@pytest.fixture
def closed(supervisor, navigator, clinic_user):
    return closed_referral(
        supervisor=supervisor, navigator=navigator, clinic_user=clinic_user
    )


def reopen(referral, actor, reason_code="need_returned", reason=""):
    return workflow.referral_transition(
        referral=referral,
        actor=actor,
        name="reopen",
        reason_code=reason_code,
        reason=reason,
    )


def test_reopening_returns_the_work_to_its_navigator(closed, supervisor, navigator):
    assert ReferralNeedOutcome.objects.filter(referral=closed).exists()
    reopened = reopen(closed, supervisor, reason="Lost the pantry slot.")
    assert reopened.status == Status.IN_PROGRESS
    assert reopened.navigator == navigator
    assert reopened.closed_at is None
    assert (reopened.status_reason_code, reopened.status_reason) == (
        "need_returned",
        "Lost the pantry slot.",
    )
    # The next closing records what became of the needs then.
    assert not ReferralNeedOutcome.objects.filter(referral=closed).exists()
    assert (
        Notification.objects.filter(
            recipient=navigator, referral=closed, kind=Notification.Kind.ASSIGNED_TO_YOU
        ).count()
        == 2
    )


def test_the_timeline_says_who_reopened_it_and_why(
    login, closed, supervisor, clinic_user, navigator
):
    reopen(closed, supervisor, reason_code="patient_asked_again")
    page = login(clinic_user).get(
        reverse("referrals:referral-detail", args=[closed.code])
    )
    html = page.content.decode()
    name = supervisor.get_full_name()
    assert f"{name} reopened the referral for {navigator.get_full_name()}." in html
    assert "The patient asked for more help" in html


def test_the_window_is_the_partnership_s(closed, supervisor, partnership):
    partnership.reopen_window_days = 10
    partnership.save()
    with time_machine.travel(closed.closed_at + 10 * DAY, tick=False):
        closed = Referral.objects.get(pk=closed.pk)
        assert [
            t.name
            for t in workflow.allowed_transitions(actor=supervisor, referral=closed)
        ] == ["reopen"]
    later = closed.closed_at + 10 * DAY + datetime.timedelta(seconds=1)
    with time_machine.travel(later, tick=False):
        closed = Referral.objects.get(pk=closed.pk)
        assert workflow.allowed_transitions(actor=supervisor, referral=closed) == []
        with pytest.raises(WorkflowError, match="more than 10 days ago"):
            reopen(closed, supervisor)
    assert Referral.objects.get(pk=closed.pk).status == Status.COMPLETED


def test_the_default_window_is_thirty_days(closed, supervisor):
    assert closed.partnership.reopen_window_days == 30
    closed = Referral.objects.get(pk=closed.pk)
    with (
        time_machine.travel(timezone.now() + 31 * DAY, tick=False),
        pytest.raises(WorkflowError, match="more than 30 days ago"),
    ):
        reopen(closed, supervisor)


def test_navigators_and_the_clinic_cannot_reopen(closed, navigator, clinic_user):
    from django.core.exceptions import PermissionDenied

    for actor in (navigator, clinic_user):
        with pytest.raises(PermissionDenied):
            reopen(closed, actor)
    assert Referral.objects.get(pk=closed.pk).status == Status.COMPLETED


def test_a_reason_is_required_and_other_needs_words(login, closed, supervisor):
    url = reverse("referrals:referral-transition", args=[closed.code, "reopen"])
    client = login(supervisor)
    page = client.post(url, {"version": closed.version, "reason": "Typed first"})
    assert "reason_code" in page.context["form"].errors
    assert "Typed first" in page.content.decode()
    page = client.post(url, {"version": closed.version, "reason_code": "other"})
    assert page.context["form"].errors == {"reason": ["Describe the reason."]}
    done = client.post(
        url, {"version": closed.version, "reason_code": "closed_too_early"}
    )
    assert done.status_code == 302
    assert Referral.objects.get(pk=closed.pk).status == Status.IN_PROGRESS


@pytest.mark.parametrize("role", ["supervisor", "clinic_staff"])
def test_supervisors_of_another_partnership_get_404(login, outsiders, closed, role):
    url = reverse("referrals:referral-transition", args=[closed.code, "reopen"])
    client = login(outsiders[role])
    assert client.get(url).status_code == 404
    data = {"version": closed.version, "reason_code": "need_returned"}
    assert client.post(url, data).status_code == 404
    assert Referral.objects.get(pk=closed.pk).status == Status.COMPLETED


@pytest.mark.django_db(transaction=True)
def test_two_supervisors_reopening_at_once_reopen_it_once(
    partnership, supervisor, navigator, clinic_user
):
    from partners.tests.factories import UserFactory

    other = UserFactory(role="supervisor", organization=partnership.cbo)
    referral = closed_referral(
        supervisor=supervisor, navigator=navigator, clinic_user=clinic_user
    )

    def reopening(actor):
        def prepare():
            copy = Referral.objects.select_related("partnership").get(pk=referral.pk)
            return lambda: reopen(copy, actor)

        return prepare

    results = run_together(reopening(supervisor), reopening(other))
    assert sum(isinstance(r, Referral) for r in results) == 1, results
    assert sum(isinstance(r, workflow.ReferralConflict) for r in results) == 1
    assert referral.events.filter(from_status=Status.COMPLETED).count() == 1
