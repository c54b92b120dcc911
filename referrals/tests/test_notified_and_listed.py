"""Who hears about a closed referral, whose notifications "mark all read" touches,
and what stays on a navigator's caseload."""

import pytest
from django.urls import reverse

from chwlink.lib.models import OutboundEmail
from referrals.models import Notification, Referral
from referrals.selectors import caseload_for_navigator
from referrals.services import assignment, notifications, workflow
from referrals.tests.factories import ReferralFactory
from referrals.tests.states import closing_of, first_contact

Kind = Notification.Kind
Status = Referral.Status
UNREAD = reverse("referrals:notification-unread-count")


@pytest.fixture
def assigned(partnership, clinic, clinic_user, supervisor, navigator):
    referral = ReferralFactory(
        partnership=partnership,
        clinic=clinic,
        referred_by=clinic_user,
        patient__first_name="Rosa",
        patient__last_name="Held",
    )
    return assignment.referral_assign(
        referral=referral, actor=supervisor, navigator=navigator
    )


@pytest.fixture
def in_progress(assigned, navigator):
    return first_contact(assigned, navigator)


def test_the_referring_clinic_staff_member_hears_the_referral_was_completed(
    login, in_progress, clinic_user, navigator, supervisor
):
    workflow.referral_transition(
        referral=in_progress,
        actor=navigator,
        name="complete",
        **closing_of(in_progress),
    )
    closed = Notification.objects.get(kind=Kind.REFERRAL_CLOSED)
    assert closed.recipient == clinic_user
    assert closed.link == f"/referrals/{in_progress.code}/"
    text = (
        f"Referral {in_progress.short_code} from North Clinic is complete: the "
        "navigator closed it with the patient's needs addressed."
    )
    assert notifications.notification_text(closed) == text
    listed = login(clinic_user).get(reverse("referrals:notification-list")).text
    assert text.replace("'", "&#x27;") in listed
    mail = OutboundEmail.objects.get(to=clinic_user.email)
    assert text in mail.body_text
    assert "Rosa" not in mail.body_text
    kinds = Notification.objects.filter(recipient__in=[navigator, supervisor])
    assert not kinds.filter(kind=Kind.REFERRAL_CLOSED).exists()


@pytest.mark.parametrize(
    "name, reason_code", [("close_unable", "unreachable"), ("decline", "duplicate")]
)
def test_the_referring_clinic_hears_of_every_other_closing(
    partnership, clinic_user, supervisor, navigator, name, reason_code
):
    referral = ReferralFactory(partnership=partnership, referred_by=clinic_user)
    actor = supervisor
    if name == "close_unable":
        referral = assignment.referral_assign(
            referral=referral, actor=supervisor, navigator=navigator
        )
        actor = navigator
    workflow.referral_transition(
        referral=referral, actor=actor, name=name, reason_code=reason_code
    )
    assert list(
        Notification.objects.filter(kind=Kind.REFERRAL_CLOSED).values_list(
            "recipient", flat=True
        )
    ) == [clinic_user.pk]


def test_putting_on_hold_tells_the_clinic_nothing(in_progress, navigator):
    workflow.referral_transition(
        referral=in_progress, actor=navigator, name="hold", reason_code="waitlisted"
    )
    assert not Notification.objects.filter(kind=Kind.REFERRAL_CLOSED).exists()


def test_mark_all_read_marks_only_my_notifications(
    login, assigned, navigator, supervisor
):
    # The assignment told the navigator; the supervisor hears of the same referral.
    notifications.notify(
        kind=Kind.NOT_ASSIGNED, recipients=[supervisor], referral=assigned
    )
    client = login(navigator)
    assert client.get(UNREAD).json() == {"unread": 1}
    client.post(reverse("referrals:notification-mark-all-read"))
    assert client.get(UNREAD).json() == {"unread": 0}
    assert login(supervisor).get(UNREAD).json() == {"unread": 1}
    assert Notification.objects.get(recipient=supervisor).read_at is None


def test_mark_all_read_keeps_the_first_read_moment(assigned, navigator):
    first = Notification.objects.get(recipient=navigator)
    notifications.notification_open(user=navigator, notification=first)
    first.refresh_from_db()
    read_at = first.read_at
    assert notifications.notifications_mark_all_read(user=navigator) == 0
    first.refresh_from_db()
    assert first.read_at == read_at


def test_an_on_hold_referral_stays_on_the_navigators_caseload(
    login, in_progress, navigator
):
    workflow.referral_transition(
        referral=in_progress, actor=navigator, name="hold", reason_code="waitlisted"
    )
    caseload = list(caseload_for_navigator(user=navigator))
    assert [(r.code, r.status) for r in caseload] == [
        (in_progress.code, Status.ON_HOLD)
    ]
    assert "Rosa Held" in login(navigator).get(reverse("referrals:caseload")).text


def test_a_closed_referral_leaves_the_caseload(login, in_progress, navigator):
    workflow.referral_transition(
        referral=in_progress,
        actor=navigator,
        name="complete",
        **closing_of(in_progress),
    )
    assert list(caseload_for_navigator(user=navigator)) == []
    assert "Rosa Held" not in login(navigator).get(reverse("referrals:caseload")).text
