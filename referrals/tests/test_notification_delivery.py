"""What a notification says, who gets it, and how it is e-mailed: now or in a digest."""

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from chwlink.lib.models import OutboundEmail
from partners.tests.factories import UserFactory
from referrals import selectors
from referrals.models import Notification, NotificationPreference, Referral
from referrals.services import assignment, intake, notifications
from referrals.tests.factories import ReferralFactory

Kind = Notification.Kind
Email = Notification.Email
# One person's digest; a missing select_related adds queries per notification.
QUERIES_PER_DIGEST = 12


@pytest.fixture
def referral(partnership, clinic, clinic_user):
    return ReferralFactory(
        partnership=partnership, clinic=clinic, referred_by=clinic_user
    )


SENTENCES = {
    Kind.NEW_REFERRAL: "A new referral from North Clinic is waiting in the inbox.",
    Kind.ASSIGNED_TO_YOU: "Referral {code} from North Clinic is now yours.",
    Kind.REFERRAL_CLOSED: "Referral {code} from North Clinic was closed.",
    Kind.PATHWAY_TO_APPROVE: (
        "A completed pathway on referral {code} waits for your approval."
    ),
    Kind.NOT_ACCEPTED: (
        "Referral {code} from North Clinic has not been accepted in time."
    ),
    Kind.NOT_ASSIGNED: (
        "Referral {code} from North Clinic was accepted but has no navigator yet."
    ),
    Kind.NO_FIRST_CONTACT: "Referral {code}: the first contact attempt is overdue.",
    Kind.NO_FIRST_CONTACT_ESCALATION: (
        "Referral {code}: still no contact attempt a day after it was due."
    ),
    Kind.INACTIVE: "Referral {code} has had no activity for 14 days.",
}


@pytest.mark.parametrize("kind", list(SENTENCES))
def test_each_referral_notification_says_what_needs_attention(
    referral, supervisor, kind
):
    [note] = notifications.notify(kind=kind, recipients=[supervisor], referral=referral)
    expected = SENTENCES[kind].format(code=referral.short_code)
    assert notifications.notification_text(note) == expected
    assert expected in OutboundEmail.objects.get(to=supervisor.email).body_text


def test_partnership_notifications_say_what_is_due(manager):
    def text(kind, **context):
        [note] = notifications.notify(kind=kind, recipients=[manager], context=context)
        return notifications.notification_text(note)

    assert text(Kind.PAM_FOLLOW_UP_DUE, due="2026-11-10") == (
        "A PAM follow-up is due since 2026-11-10 for a patient on your caseload."
    )
    assert text(
        Kind.CONTRACT_ENDING,
        contract="Services 2026",
        partnership="Home partnership",
        ends="2026-12-31",
    ) == (
        "Services 2026 of Home partnership ends on 2026-12-31: its renewal notice "
        "period has started."
    )
    assert text(
        Kind.TRAINING_OVERDUE,
        person="Nadia Moreno",
        training_kind="chw_orientation",
        due="2026-11-01",
    ) == (
        "Nadia Moreno is overdue for the required training “CHW orientation on "
        "clinic protocols” (due 2026-11-01)."
    )


def test_the_e_mail_links_to_the_page_and_the_settings(referral, supervisor, settings):
    settings.SITE_URL = "https://chw.example/"
    notifications.notify(
        kind=Kind.NOT_ACCEPTED, recipients=[supervisor], referral=referral
    )
    mail = OutboundEmail.objects.get(to=supervisor.email)
    assert mail.subject == "Referral not accepted in time"
    assert mail.body_text.split("\n\n") == [
        f"Referral {referral.short_code} from North Clinic has not been accepted "
        "in time.",
        f"Open it in chwlink: https://chw.example/referrals/{referral.code}/",
        "You get these e-mails because of your notification settings: "
        "https://chw.example/referrals/notifications/settings/",
    ]


def test_the_e_mail_is_in_the_recipients_language(referral, supervisor):
    supervisor.language = "es"
    supervisor.save(update_fields=["language"])
    [note] = notifications.notify(
        kind=Kind.NEW_REFERRAL, recipients=[supervisor], referral=referral
    )
    mail = OutboundEmail.objects.get(to=supervisor.email)
    assert "Un nuevo referido de North Clinic" in mail.body_text
    assert "waiting in the inbox" not in mail.body_text
    with translation.override("es"):
        assert mail.subject == str(note.get_kind_display())


def test_inactive_people_get_no_notification(referral, partnership):
    former = UserFactory(
        role="supervisor", organization=partnership.cbo, is_active=False
    )
    assert (
        notifications.notify(
            kind=Kind.NOT_ACCEPTED, recipients=[former], referral=referral
        )
        == []
    )
    assert not Notification.objects.exists()
    assert not OutboundEmail.objects.exists()


def test_a_link_is_kept_and_without_a_referral_defaults_to_home(manager):
    due = {"due": "2026-11-10"}
    [home] = notifications.notify(
        kind=Kind.PAM_FOLLOW_UP_DUE, recipients=[manager], context=due
    )
    assert home.link == "/"
    [given] = notifications.notify(
        kind=Kind.PAM_FOLLOW_UP_DUE,
        recipients=[manager],
        link="/evaluation/x/",
        context=due,
    )
    assert given.link == "/evaluation/x/"


def test_each_person_is_e_mailed_as_they_chose(referral, partnership, supervisor):
    digest = UserFactory(role="supervisor", organization=partnership.cbo)
    silent = UserFactory(role="supervisor", organization=partnership.cbo)
    notifications.notification_preference_set(user=digest, email_mode="digest")
    notifications.notification_preference_set(user=silent, email_mode="none")
    notes = notifications.notify(
        kind=Kind.NOT_ACCEPTED,
        recipients=[supervisor, digest, silent],
        referral=referral,
    )
    assert [(n.recipient, n.email) for n in notes] == [
        (supervisor, Email.QUEUED),
        (digest, Email.DIGEST),
        (silent, Email.NONE),
    ]
    assert list(OutboundEmail.objects.values_list("to", flat=True)) == [
        supervisor.email
    ]
    assert NotificationPreference.objects.get(user=silent).email_mode == "none"


def test_changing_the_preference_replaces_it(navigator):
    notifications.notification_preference_set(user=navigator, email_mode="digest")
    notifications.notification_preference_set(user=navigator, email_mode="immediate")
    assert NotificationPreference.objects.get(user=navigator).email_mode == "immediate"


def test_a_submitted_referral_tells_the_cbos_active_supervisors_only(
    partnership, other_partnership, clinic, clinic_user, supervisor, navigator
):
    colleague = UserFactory(role="supervisor", organization=partnership.cbo)
    UserFactory(role="supervisor", organization=partnership.cbo, is_active=False)
    stranger = UserFactory(role="supervisor", organization=other_partnership.cbo)
    draft = ReferralFactory(
        partnership=partnership,
        clinic=clinic,
        referred_by=clinic_user,
        status=Referral.Status.DRAFT,
        submitted_at=None,
    )
    intake.referral_submit(actor=clinic_user, referral=draft)
    told = set(
        Notification.objects.filter(kind=Kind.NEW_REFERRAL).values_list(
            "recipient", flat=True
        )
    )
    assert told == {supervisor.pk, colleague.pk}
    note = Notification.objects.filter(recipient=supervisor).get()
    assert note.referral == draft
    assert note.link == f"/referrals/{draft.code}/"
    assert notifications.notification_text(note) == (
        "A new referral from North Clinic is waiting in the inbox."
    )
    assert stranger.pk not in told and navigator.pk not in told


def test_assignment_tells_the_navigator_only(referral, supervisor, navigator):
    assignment.referral_assign(referral=referral, actor=supervisor, navigator=navigator)
    assert list(Notification.objects.values_list("recipient", "kind")) == [
        (navigator.pk, Kind.ASSIGNED_TO_YOU)
    ]


def test_opening_someone_elses_notification_is_refused(referral, supervisor, navigator):
    [note] = notifications.notify(
        kind=Kind.NOT_ACCEPTED, recipients=[supervisor], referral=referral
    )
    with pytest.raises(PermissionDenied):
        notifications.notification_open(user=navigator, notification=note)
    note.refresh_from_db()
    assert note.read_at is None
    assert notifications.notification_open(user=supervisor, notification=note) == (
        f"/referrals/{referral.code}/"
    )


def test_the_digest_gathers_each_persons_notifications_once(
    referral, partnership, supervisor, navigator, settings
):
    settings.SITE_URL = "https://chw.example"
    for person in (supervisor, navigator):
        notifications.notification_preference_set(user=person, email_mode="digest")
    notifications.notify(
        kind=Kind.NOT_ACCEPTED, recipients=[supervisor, navigator], referral=referral
    )
    notifications.notify(
        kind=Kind.NOT_ASSIGNED, recipients=[supervisor], referral=referral
    )
    assert notifications.digests_send() == 2
    mail = OutboundEmail.objects.get(to=supervisor.email)
    assert mail.subject == "Your chwlink digest: 2 to look at"
    link = f"https://chw.example/referrals/{referral.code}/"
    assert mail.body_text.splitlines() == [
        f"- Referral {referral.short_code} from North Clinic has not been accepted "
        f"in time. {link}",
        f"- Referral {referral.short_code} from North Clinic was accepted but has no "
        f"navigator yet. {link}",
    ]
    assert "1 to look at" in OutboundEmail.objects.get(to=navigator.email).subject
    assert set(Notification.objects.values_list("email", flat=True)) == {
        Email.IN_DIGEST
    }
    assert notifications.digests_send() == 0


def test_the_digest_is_in_the_recipients_language(referral, supervisor):
    supervisor.language = "es"
    supervisor.save(update_fields=["language"])
    notifications.notification_preference_set(user=supervisor, email_mode="digest")
    notifications.notify(
        kind=Kind.NEW_REFERRAL, recipients=[supervisor], referral=referral
    )
    notifications.digests_send()
    mail = OutboundEmail.objects.get(to=supervisor.email)
    assert "Un nuevo referido de North Clinic" in mail.body_text
    assert "digest" not in mail.subject


def test_opening_one_notification_leaves_the_others_unread(
    referral, supervisor, navigator
):
    first, second = notifications.notify(
        kind=Kind.NOT_ACCEPTED, recipients=[supervisor, navigator], referral=referral
    )
    [third] = notifications.notify(
        kind=Kind.NOT_ASSIGNED, recipients=[supervisor], referral=referral
    )
    notifications.notification_open(user=supervisor, notification=first)
    assert selectors.notification_unread_count(supervisor) == 1
    assert selectors.notification_unread_count(navigator) == 1
    first.refresh_from_db()
    read_at = first.read_at
    notifications.notification_open(user=supervisor, notification=first)
    first.refresh_from_db()
    assert first.read_at == read_at  # the first opening is what counts


def test_the_digest_takes_a_fixed_number_of_queries_per_person(
    referral, supervisor, django_assert_num_queries
):
    notifications.notification_preference_set(user=supervisor, email_mode="digest")
    for kind in (Kind.NOT_ACCEPTED, Kind.NOT_ASSIGNED, Kind.NEW_REFERRAL):
        notifications.notify(kind=kind, recipients=[supervisor], referral=referral)
    with django_assert_num_queries(QUERIES_PER_DIGEST):
        assert notifications.digests_send() == 1
