"""A notification says what happened, why and about whom (initials, in the app
only), and one about work since done is marked done by that work."""

import pytest
from django.urls import reverse

from chwlink.lib.models import OutboundEmail
from partners.tests.factories import UserFactory
from referrals.models import Notification
from referrals.services import pathways
from referrals.tests.factories import ReferralFactory
from referrals.tests.states import (
    accepted_referral,
    assigned_referral,
    closed_referral,
    declined_referral,
)

Kind = Notification.Kind


@pytest.fixture
def referral(partnership, clinic, clinic_user):
    return ReferralFactory(
        partnership=partnership,
        clinic=clinic,
        referred_by=clinic_user,
        patient__first_name="Rosa",
        patient__last_name="Mendez",
        social_needs=["food-insecurity"],
    )


def clinic_notice(clinic_user):
    return Notification.objects.get(recipient=clinic_user, kind=Kind.REFERRAL_CLOSED)


def test_a_decline_says_declined_and_why(login, referral, clinic_user, supervisor):
    declined_referral(
        supervisor=supervisor, referral=referral, reason_code="no_capacity"
    )
    content = (
        login(clinic_user).get(reverse("referrals:notification-list")).content.decode()
    )
    assert "Referral declined" in content
    assert (
        f"The CBO declined referral {referral.short_code} from North Clinic. "
        "Reason: No capacity right now."
    ) in content
    assert "Patient R.\u00a0M." in content
    assert "was closed" not in content


def test_a_completion_says_complete_not_just_closed(
    login, referral, clinic_user, supervisor, navigator
):
    closed_referral(supervisor=supervisor, navigator=navigator, referral=referral)
    content = (
        login(clinic_user).get(reverse("referrals:notification-list")).content.decode()
    )
    assert "Referral completed" in content
    assert "with the patient&#x27;s needs addressed" in content
    assert "Reason:" not in content


def test_the_e_mail_says_what_happened_without_the_patient(
    referral, clinic_user, supervisor
):
    declined_referral(supervisor=supervisor, referral=referral, reason_code="duplicate")
    [sent] = OutboundEmail.objects.filter(to=clinic_user.email)
    assert sent.subject == "Referral declined"
    assert "declined referral" in sent.body_text and "Duplicate" in sent.body_text
    for name in ("Rosa", "Mendez", "R.\u00a0M.", "R. M."):
        assert name not in sent.body_text


def test_in_spanish_the_decline_reads_in_spanish(referral, clinic_user, supervisor):
    from django.utils import translation

    from referrals.services.notifications import notification_text, notification_title

    declined_referral(
        supervisor=supervisor, referral=referral, reason_code="no_capacity"
    )
    with translation.override("es"):
        notice = clinic_notice(clinic_user)
        assert notification_title(notice) == "Referido rechazado"
        assert notification_text(notice).startswith("La CBO rechazó el referido")


def test_accepting_marks_every_supervisors_new_referral_notice_done(
    login, partnership, clinic_user, supervisor
):
    colleague = UserFactory(role="supervisor", organization=partnership.cbo)
    referral = accepted_referral(supervisor=supervisor, clinic_user=clinic_user)
    notices = Notification.objects.filter(referral=referral, kind=Kind.NEW_REFERRAL)
    assert {notice.recipient_id for notice in notices} == {supervisor.pk, colleague.pk}
    assert all(notice.done_at and notice.read_at for notice in notices)
    client = login(colleague)
    assert client.get(reverse("referrals:notification-unread-count")).json() == {
        "unread": 0
    }
    content = client.get(reverse("referrals:notification-list")).content.decode()
    assert ">Done<" in content


def test_approving_a_pathway_marks_its_approval_notice_done(
    supervisor, navigator, clinic_user
):
    referral = assigned_referral(
        supervisor=supervisor, navigator=navigator, clinic_user=clinic_user
    )
    pathway = pathways.pathway_open(
        referral=referral, actor=navigator, need="food-insecurity", goal="Food"
    )
    pathways.pathway_close(pathway=pathway, actor=navigator, completed=True, note="ok")
    notice = Notification.objects.get(kind=Kind.PATHWAY_TO_APPROVE)
    assert notice.done_at is None
    pathways.pathway_review(pathway=pathway, actor=supervisor, approve=True)
    notice.refresh_from_db()
    assert notice.done_at is not None


def test_a_notice_not_yet_handled_stays_new(
    login, partnership, clinic_user, supervisor
):
    from referrals.tests.states import submitted_referral

    submitted_referral(clinic_user=clinic_user)
    notice = Notification.objects.get(recipient=supervisor, kind=Kind.NEW_REFERRAL)
    assert notice.done_at is None and notice.read_at is None
