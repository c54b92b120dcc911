"""Assigning, reassigning and sharing: who may receive a referral, who may give it,
and how the assignment page ranks the CBO's navigators."""

import datetime
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from partners.tests.factories import UserFactory
from referrals import selectors
from referrals.models import Notification, Referral, ReferralEvent
from referrals.services import assignment, contacts, workflow
from referrals.services.workflow import ReferralConflict, WorkflowError
from referrals.tests.factories import ReferralFactory
from referrals.tests.states import closing_of

Status = Referral.Status
UTC = datetime.UTC
REFUSED_NAVIGATOR = r"^Choose an active navigator of this CBO\.$"


def exactly(message: str) -> str:
    return f"^{re.escape(message)}$"


@pytest.fixture
def referral(partnership, clinic, clinic_user):
    return ReferralFactory(
        partnership=partnership,
        clinic=clinic,
        referred_by=clinic_user,
        patient__first_name="Rosa",
        patient__last_name="Mendez",
        patient__preferred_language="es",
    )


@pytest.fixture
def inactive_navigator(partnership):
    return UserFactory(
        role="navigator",
        organization=partnership.cbo,
        first_name="Inés",
        last_name="Gone",
        languages=["es"],
        is_active=False,
    )


def navigator_of(partnership, first_name, languages=("es",), **extra):
    return UserFactory(
        role="navigator",
        organization=partnership.cbo,
        first_name=first_name,
        last_name="Navigator",
        languages=list(languages),
        **extra,
    )


def give(partnership, supervisor, navigator, count):
    for _ in range(count):
        assignment.referral_assign(
            referral=ReferralFactory(partnership=partnership),
            actor=supervisor,
            navigator=navigator,
        )


def working(referral, supervisor, navigator, status=Status.ASSIGNED):
    assignment.referral_assign(referral=referral, actor=supervisor, navigator=navigator)
    if status in {Status.IN_PROGRESS, Status.ON_HOLD}:
        contacts.encounter_log(
            referral=referral,
            actor=navigator,
            occurred_at=timezone.now(),
            mode="phone",
            reached=True,
            minutes=10,
        )
        referral.refresh_from_db()
    if status == Status.ON_HOLD:
        workflow.referral_transition(
            referral=referral, actor=navigator, name="hold", reason_code="waitlisted"
        )
    assert referral.status == status
    return referral


def ranked(referral):
    return [n.first_name for n in selectors.navigator_suggestions(referral=referral)]


def assert_untouched(referral, *, status, navigator=None, events=0):
    referral.refresh_from_db()
    assert (referral.status, referral.navigator) == (status, navigator)
    assert referral.events.count() == events


class TestInactiveNavigator:
    def test_cannot_be_assigned(self, referral, supervisor, inactive_navigator):
        with pytest.raises(WorkflowError, match=REFUSED_NAVIGATOR):
            assignment.referral_assign(
                referral=referral, actor=supervisor, navigator=inactive_navigator
            )
        assert_untouched(referral, status=Status.SUBMITTED)
        assert not Notification.objects.filter(recipient=inactive_navigator).exists()

    def test_cannot_receive_a_reassigned_referral(
        self, referral, supervisor, navigator, inactive_navigator
    ):
        working(referral, supervisor, navigator)
        with pytest.raises(WorkflowError, match=REFUSED_NAVIGATOR):
            assignment.referral_reassign(
                referral=referral,
                actor=supervisor,
                navigator=inactive_navigator,
                reason="Covering leave",
            )
        assert_untouched(
            referral, status=Status.ASSIGNED, navigator=navigator, events=1
        )

    def test_cannot_be_shared_with(
        self, referral, supervisor, navigator, inactive_navigator
    ):
        working(referral, supervisor, navigator)
        with pytest.raises(WorkflowError, match=REFUSED_NAVIGATOR):
            assignment.referral_share(
                referral=referral, actor=supervisor, navigator=inactive_navigator
            )
        assert not referral.shared_with.exists()

    def test_is_not_suggested_even_speaking_the_language_with_no_caseload(
        self, referral, supervisor, navigator, inactive_navigator
    ):
        give(referral.partnership, supervisor, navigator, 3)
        assert ranked(referral) == ["Nadia"]

    def test_is_not_on_the_assignment_page_and_cannot_be_posted(
        self, login, referral, supervisor, navigator, inactive_navigator
    ):
        client = login(supervisor)
        page = reverse("referrals:referral-assign", args=[referral.code])
        html = client.get(page).content.decode()
        assert "Nadia" in html
        assert "Inés" not in html
        response = client.post(
            page, {"navigator": inactive_navigator.pk, "version": referral.version}
        )
        assert response.status_code == 200
        assert "Select a valid choice" in response.content.decode()
        assert_untouched(referral, status=Status.SUBMITTED)

    def test_is_not_offered_for_sharing(
        self, login, referral, supervisor, navigator, inactive_navigator
    ):
        working(referral, supervisor, navigator)
        colleague = navigator_of(referral.partnership, "Paula")
        form = (
            login(supervisor)
            .get(reverse("referrals:referral-share", args=[referral.code]))
            .context["form"]
        )
        offered = {n.first_name for n in form.fields["navigator"].queryset}
        assert offered == {colleague.first_name}

    def test_a_navigator_deactivated_after_the_page_loaded_is_refused(
        self, login, referral, supervisor, navigator
    ):
        client = login(supervisor)
        page = reverse("referrals:referral-assign", args=[referral.code])
        assert "Nadia" in client.get(page).content.decode()
        navigator.is_active = False
        navigator.save()
        client.post(page, {"navigator": navigator.pk, "version": referral.version})
        assert_untouched(referral, status=Status.SUBMITTED)


class TestWhoMayBeAssigned:
    @pytest.mark.parametrize("who", ["supervisor", "clinic_user", "manager"])
    def test_only_navigators_receive_referrals(
        self, referral, supervisor, who, request
    ):
        person = request.getfixturevalue(who)
        with pytest.raises(WorkflowError, match=REFUSED_NAVIGATOR):
            assignment.referral_assign(
                referral=referral, actor=supervisor, navigator=person
            )
        assert_untouched(referral, status=Status.SUBMITTED)

    def test_a_navigator_of_another_cbo_is_refused_everywhere(
        self, referral, supervisor, navigator, outsiders
    ):
        stranger = outsiders["navigator"]
        with pytest.raises(WorkflowError, match=REFUSED_NAVIGATOR):
            assignment.referral_assign(
                referral=referral, actor=supervisor, navigator=stranger
            )
        working(referral, supervisor, navigator)
        with pytest.raises(WorkflowError, match=REFUSED_NAVIGATOR):
            assignment.referral_reassign(
                referral=referral, actor=supervisor, navigator=stranger, reason="x"
            )
        with pytest.raises(WorkflowError, match=REFUSED_NAVIGATOR):
            assignment.referral_share(
                referral=referral, actor=supervisor, navigator=stranger
            )
        assert "Nadia" in ranked(referral)
        assert stranger.first_name not in ranked(referral)

    def test_assignment_tells_the_navigator(self, referral, supervisor, navigator):
        working(referral, supervisor, navigator)
        note = Notification.objects.get(recipient=navigator)
        assert (note.kind, note.referral) == (
            Notification.Kind.ASSIGNED_TO_YOU,
            referral,
        )

    def test_a_stale_assignment_page_names_who_acted(
        self, referral, supervisor, navigator, clinic_user
    ):
        seen = referral.version
        workflow.referral_transition(
            referral=referral,
            actor=clinic_user,
            name="cancel",
            reason_code="duplicate",
        )
        with pytest.raises(ReferralConflict, match=clinic_user.get_full_name()):
            assignment.referral_assign(
                referral=referral,
                actor=supervisor,
                navigator=navigator,
                expected_version=seen,
            )
        assert_untouched(referral, status=Status.CANCELLED, events=1)


class TestReassign:
    @pytest.mark.parametrize(
        "status", [Status.ASSIGNED, Status.IN_PROGRESS, Status.ON_HOLD]
    )
    def test_moves_a_worked_referral_and_keeps_its_status(
        self, referral, supervisor, navigator, status, time_machine
    ):
        time_machine.move_to(
            datetime.datetime(2027, 3, 2, 17, 0, tzinfo=UTC), tick=False
        )
        working(referral, supervisor, navigator, status)
        before = referral.version
        other = navigator_of(referral.partnership, "Olga")
        time_machine.shift(datetime.timedelta(days=2))
        moved = assignment.referral_reassign(
            referral=referral,
            actor=supervisor,
            navigator=other,
            reason="  Covering leave  ",
            expected_version=before,
        )
        assert (moved.status, moved.navigator) == (status, other)
        assert moved.assigned_at == moved.updated == timezone.now()
        assert moved.version == before + 1
        event = moved.events.order_by("-pk").first()
        assert (event.kind, event.actor, event.navigator, event.reason) == (
            ReferralEvent.Kind.ASSIGNMENT,
            supervisor,
            other,
            "Covering leave",
        )
        assert (event.from_status, event.to_status) == (status, status)
        note = Notification.objects.get(recipient=other)
        assert (note.kind, note.referral) == (
            Notification.Kind.ASSIGNED_TO_YOU,
            referral,
        )
        # The old navigator's caseload no longer holds it; the new one's does.
        assert list(selectors.caseload_for_navigator(user=navigator)) == []
        assert list(selectors.caseload_for_navigator(user=other)) == [referral]

    @pytest.mark.parametrize("reason", ["", "   "])
    def test_needs_a_reason(self, referral, supervisor, navigator, reason):
        working(referral, supervisor, navigator)
        other = navigator_of(referral.partnership, "Olga")
        with pytest.raises(
            WorkflowError,
            match=exactly("Say why the referral moves to another navigator."),
        ):
            assignment.referral_reassign(
                referral=referral, actor=supervisor, navigator=other, reason=reason
            )
        assert_untouched(
            referral, status=Status.ASSIGNED, navigator=navigator, events=1
        )

    def test_to_the_same_navigator_is_refused(self, referral, supervisor, navigator):
        working(referral, supervisor, navigator)
        with pytest.raises(
            WorkflowError, match=exactly("This navigator already has the referral.")
        ):
            assignment.referral_reassign(
                referral=referral, actor=supervisor, navigator=navigator, reason="x"
            )
        assert referral.events.count() == 1

    @pytest.mark.parametrize("closing", ["complete", "close_unable", "cancel"])
    def test_only_worked_referrals_move(
        self, referral, supervisor, navigator, clinic_user, closing
    ):
        working(referral, supervisor, navigator, Status.IN_PROGRESS)
        actor = clinic_user if closing == "cancel" else navigator
        workflow.referral_transition(
            referral=referral,
            actor=actor,
            name=closing,
            reason_code="other",
            **(closing_of(referral) if closing == "complete" else {}),
        )
        other = navigator_of(referral.partnership, "Olga")
        with pytest.raises(
            WorkflowError,
            match=exactly("Only referrals being worked can be reassigned."),
        ):
            assignment.referral_reassign(
                referral=referral, actor=supervisor, navigator=other, reason="x"
            )
        referral.refresh_from_db()
        assert referral.navigator == navigator

    @pytest.mark.parametrize("status", [Status.SUBMITTED, Status.ACCEPTED])
    def test_before_assignment_it_is_not_a_reassignment(
        self, referral, supervisor, navigator, status
    ):
        if status == Status.ACCEPTED:
            workflow.referral_transition(
                referral=referral, actor=supervisor, name="accept"
            )
        with pytest.raises(WorkflowError, match="Only referrals being worked"):
            assignment.referral_reassign(
                referral=referral, actor=supervisor, navigator=navigator, reason="x"
            )
        referral.refresh_from_db()
        assert referral.navigator is None

    @pytest.mark.parametrize("who", ["navigator", "clinic_user", "manager"])
    def test_only_a_supervisor_of_the_cbo_reassigns(
        self, referral, supervisor, navigator, who, request
    ):
        working(referral, supervisor, navigator)
        other = navigator_of(referral.partnership, "Olga")
        with pytest.raises(PermissionDenied):
            assignment.referral_reassign(
                referral=referral,
                actor=request.getfixturevalue(who),
                navigator=other,
                reason="x",
            )
        referral.refresh_from_db()
        assert referral.navigator == navigator

    def test_a_supervisor_of_another_cbo_cannot_reassign_nor_share(
        self, referral, supervisor, navigator, outsiders
    ):
        working(referral, supervisor, navigator)
        other = navigator_of(referral.partnership, "Olga")
        with pytest.raises(PermissionDenied):
            assignment.referral_reassign(
                referral=referral,
                actor=outsiders["supervisor"],
                navigator=other,
                reason="x",
            )
        with pytest.raises(PermissionDenied):
            assignment.referral_share(
                referral=referral, actor=outsiders["supervisor"], navigator=other
            )
        assert not referral.shared_with.exists()
        assert referral.events.count() == 1

    def test_a_stale_page_is_told_who_acted_first(
        self, referral, supervisor, navigator
    ):
        working(referral, supervisor, navigator)
        seen = referral.version
        stale = Referral.objects.get(pk=referral.pk)
        workflow.referral_transition(
            referral=referral, actor=navigator, name="hold", reason_code="other"
        )
        other = navigator_of(referral.partnership, "Olga")
        # The page posts the version it showed; a copy read before the hold
        # loses at the conditional update.
        for copy, kwargs in [(referral, {"expected_version": seen}), (stale, {})]:
            with pytest.raises(ReferralConflict, match=navigator.get_full_name()):
                assignment.referral_reassign(
                    referral=copy,
                    actor=supervisor,
                    navigator=other,
                    reason="Leave",
                    **kwargs,
                )
        referral.refresh_from_db()
        assert (referral.navigator, referral.status) == (navigator, Status.ON_HOLD)
        assert not Notification.objects.filter(recipient=other).exists()

    def test_two_supervisors_reassigning_at_once_one_wins(
        self, referral, supervisor, navigator
    ):
        working(referral, supervisor, navigator)
        stale = Referral.objects.get(pk=referral.pk)
        colleague = UserFactory(
            role="supervisor", organization=referral.partnership.cbo, first_name="Vera"
        )
        olga = navigator_of(referral.partnership, "Olga")
        paula = navigator_of(referral.partnership, "Paula")
        assignment.referral_reassign(
            referral=referral, actor=colleague, navigator=olga, reason="Leave"
        )
        with pytest.raises(ReferralConflict, match=colleague.get_full_name()):
            assignment.referral_reassign(
                referral=stale, actor=supervisor, navigator=paula, reason="Leave"
            )
        referral.refresh_from_db()
        assert referral.navigator == olga
        assert not Notification.objects.filter(recipient=paula).exists()

    def test_reassigning_one_referral_leaves_the_others_alone(
        self, referral, supervisor, navigator
    ):
        working(referral, supervisor, navigator)
        twin = working(
            ReferralFactory(partnership=referral.partnership), supervisor, navigator
        )
        assert (twin.status, twin.version) == (referral.status, referral.version)
        olga = navigator_of(referral.partnership, "Olga")
        assignment.referral_reassign(
            referral=referral, actor=supervisor, navigator=olga, reason="Leave"
        )
        twin.refresh_from_db()
        assert twin.navigator == navigator


class TestShare:
    def test_shares_and_records_it(self, referral, supervisor, navigator):
        working(referral, supervisor, navigator)
        helper = navigator_of(referral.partnership, "Paula")
        assignment.referral_share(referral=referral, actor=supervisor, navigator=helper)
        assert list(referral.shared_with.all()) == [helper]
        event = referral.events.get(kind=ReferralEvent.Kind.SHARE)
        assert (event.actor, event.navigator) == (supervisor, helper)
        referral.refresh_from_db()
        assert referral.navigator == navigator

    def test_not_with_the_navigator_who_has_it(self, referral, supervisor, navigator):
        working(referral, supervisor, navigator)
        with pytest.raises(
            WorkflowError, match=exactly("This navigator already has the referral.")
        ):
            assignment.referral_share(
                referral=referral, actor=supervisor, navigator=navigator
            )
        assert not referral.shared_with.exists()

    @pytest.mark.parametrize("who", ["navigator", "clinic_user"])
    def test_only_a_supervisor_shares(
        self, referral, supervisor, navigator, who, request
    ):
        working(referral, supervisor, navigator)
        helper = navigator_of(referral.partnership, "Paula")
        with pytest.raises(PermissionDenied):
            assignment.referral_share(
                referral=referral,
                actor=request.getfixturevalue(who),
                navigator=helper,
            )
        assert not referral.shared_with.exists()


class TestRanking:
    def test_a_speaker_of_the_language_beats_a_lighter_caseload(
        self, referral, supervisor
    ):
        partnership = referral.partnership
        busy = navigator_of(partnership, "Busy", ["es"])
        free = navigator_of(partnership, "Free", ["en"])
        give(partnership, supervisor, busy, 3)
        assert ranked(referral) == ["Busy", "Free"]
        suggestions = list(selectors.navigator_suggestions(referral=referral))
        assert [(n.speaks_language, n.active_caseload) for n in suggestions] == [
            (1, 3),
            (0, 0),
        ]
        assert free.first_name == "Free"

    def test_among_speakers_the_lighter_caseload_comes_first(
        self, referral, supervisor
    ):
        partnership = referral.partnership
        anna = navigator_of(partnership, "Anna", ["es"])
        navigator_of(partnership, "Zoe", ["en", "es"])
        give(partnership, supervisor, anna, 1)
        assert ranked(referral) == ["Zoe", "Anna"]

    def test_a_caseload_tie_goes_by_first_name(self, referral, supervisor):
        partnership = referral.partnership
        for name in ["Marta", "Bea", "Lucia"]:
            give(partnership, supervisor, navigator_of(partnership, name), 1)
        navigator_of(partnership, "Ana", ["en"])
        assert ranked(referral) == ["Bea", "Lucia", "Marta", "Ana"]

    def test_only_open_work_counts_in_the_caseload(self, referral, supervisor):
        partnership = referral.partnership
        closer = navigator_of(partnership, "Closer")
        holder = navigator_of(partnership, "Holder")
        for _ in range(2):
            done = working(
                ReferralFactory(partnership=partnership),
                supervisor,
                closer,
                Status.IN_PROGRESS,
            )
            workflow.referral_transition(
                referral=done,
                actor=closer,
                name="complete",
                **closing_of(done),
            )
        working(
            ReferralFactory(partnership=partnership),
            supervisor,
            holder,
            Status.ON_HOLD,
        )
        suggestions = list(selectors.navigator_suggestions(referral=referral))
        assert [(n.first_name, n.active_caseload) for n in suggestions] == [
            ("Closer", 0),
            ("Holder", 1),
        ]

    def test_only_navigators_of_this_cbo_are_suggested(
        self, referral, supervisor, navigator, outsiders, clinic_user
    ):
        assert ranked(referral) == ["Nadia"]

    def test_the_page_shows_the_ranking_and_caseloads(
        self, login, referral, supervisor, navigator
    ):
        partnership = referral.partnership
        english = navigator_of(partnership, "Edith", ["en"])
        give(partnership, supervisor, navigator, 2)
        response = login(supervisor).get(
            reverse("referrals:referral-assign", args=[referral.code])
        )
        assert [n.first_name for n in response.context["navigators"]] == [
            "Nadia",
            "Edith",
        ]
        html = response.content.decode()
        assert html.index("Nadia") < html.index(english.get_full_name())
        assert html.count("Speaks the patient") == 1
