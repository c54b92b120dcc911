"""A declined referral is sent on to another CBO of the same health system."""

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from partners.models import Partnership, User
from partners.tests.factories import (
    OrganizationFactory,
    PartnershipFactory,
    UserFactory,
)
from referrals.models import Notification, Referral, ReferralEvent
from referrals.services import intake, rerouting
from referrals.services.workflow import WorkflowError
from referrals.tests.states import declined_referral, submitted_referral
from referrals.tests.test_workflow_concurrency import run_together

Status = Referral.Status
Role = User.Role


@pytest.fixture
def second(partnership):
    """Another active partnership of the same health system, with a supervisor."""
    other = PartnershipFactory(
        name="Second partnership",
        health_system=partnership.health_system,
        cbo=OrganizationFactory(kind="cbo", name="Second CBO"),
    )
    UserFactory(role=Role.SUPERVISOR, organization=other.cbo, first_name="Sol")
    return other


@pytest.fixture
def declined(partnership, supervisor, clinic_user, second):
    return declined_referral(
        supervisor=supervisor,
        clinic_user=clinic_user,
        partnership=partnership,
        reason_code="no_capacity",
        social_needs=["food-insecurity", "stress"],
        notes_for_navigator="Calls after 5 pm.",
    )


def send_on(referral, actor, partnership, **kwargs):
    return rerouting.referral_reroute(
        referral=referral,
        actor=actor,
        partnership=partnership,
        note=kwargs.pop("note", "Pantry list is full there."),
        consent=kwargs.pop("consent", True),
        **kwargs,
    )


def test_the_new_referral_keeps_the_patient_and_links_back(
    declined, clinic_user, second
):
    new = send_on(declined, clinic_user, second)
    assert new.status == Status.SUBMITTED
    assert new.partnership == second
    assert new.rerouted_from == declined
    assert (new.patient_id, new.clinic_id, new.referred_by_id) == (
        declined.patient_id,
        declined.clinic_id,
        declined.referred_by_id,
    )
    assert new.social_needs == ["food-insecurity", "stress"]
    assert new.notes_for_navigator == "Calls after 5 pm."
    assert new.consent_recorded_by == clinic_user
    assert Referral.objects.filter(patient=declined.patient).count() == 2
    # The new CBO's supervisors find it in their inbox.
    assert Notification.objects.filter(
        referral=new,
        kind=Notification.Kind.NEW_REFERRAL,
        recipient__organization=second.cbo,
    ).exists()


def test_both_timelines_show_the_hand_off(login, declined, clinic_user, second):
    new = send_on(declined, clinic_user, second)
    name = clinic_user.get_full_name()
    old_page = login(clinic_user).get(
        reverse("referrals:referral-detail", args=[declined.code])
    )
    html = old_page.content.decode()
    assert f"{name} sent the referral on to another organization." in html
    assert "Pantry list is full there." in html
    assert f"As referral {new.short_code} to Second CBO" in html
    new_page = login(clinic_user).get(
        reverse("referrals:referral-detail", args=[new.code])
    )
    html = new_page.content.decode()
    assert (
        f"{name} sent this referral on after Home CBO declined referral "
        f"{declined.short_code}." in html
    )
    assert "declined by Home CBO" in html


def test_the_new_cbo_reads_where_it_came_from_without_a_link(
    login, declined, clinic_user, second
):
    new = send_on(declined, clinic_user, second)
    sol = User.objects.get(organization=second.cbo, role=Role.SUPERVISOR)
    page = login(sol).get(reverse("referrals:referral-detail", args=[new.code]))
    html = page.content.decode()
    assert "declined by Home CBO (No capacity right now)" in html
    assert reverse("referrals:referral-detail", args=[declined.code]) not in html
    assert (
        login(sol)
        .get(reverse("referrals:referral-detail", args=[declined.code]))
        .status_code
        == 404
    )


def test_a_supervisor_of_the_declining_cbo_may_send_it_on(declined, supervisor, second):
    new = send_on(declined, supervisor, second)
    assert new.consent_recorded_by == supervisor


def test_the_navigator_and_other_organizations_may_not(
    declined, navigator, outsiders, second
):
    for actor in [navigator, *outsiders.values()]:
        with pytest.raises(PermissionDenied):
            send_on(declined, actor, second)
    assert not Referral.objects.filter(rerouted_from=declined).exists()


def test_only_active_partnerships_of_the_clinic_other_than_the_declining_one(
    declined, clinic_user, partnership, second, other_partnership
):
    assert rerouting.reroute_choices(declined) == [second]
    for wrong in (partnership, other_partnership):
        with pytest.raises(WorkflowError, match="other organizations this clinic"):
            send_on(declined, clinic_user, wrong)
    second.status = Partnership.Status.PAUSED
    second.save()
    assert rerouting.reroute_choices(declined) == []
    with pytest.raises(WorkflowError):
        send_on(declined, clinic_user, second)


def test_consent_for_the_new_organization_is_required(declined, clinic_user, second):
    with pytest.raises(WorkflowError, match="agrees to share"):
        send_on(declined, clinic_user, second, consent=False)


def test_sent_on_once_and_only_after_a_decline(
    declined, clinic_user, second, supervisor
):
    send_on(declined, clinic_user, second)
    with pytest.raises(WorkflowError, match="already sent on"):
        send_on(declined, clinic_user, second)
    waiting = submitted_referral(
        clinic_user=clinic_user, partnership=declined.partnership
    )
    with pytest.raises(WorkflowError, match="Only a declined referral"):
        send_on(waiting, clinic_user, second)


def test_a_duplicate_is_not_sent_on(partnership, supervisor, clinic_user, second):
    duplicate = declined_referral(
        supervisor=supervisor,
        clinic_user=clinic_user,
        partnership=partnership,
        reason_code="duplicate",
    )
    assert rerouting.after_decline(duplicate).send_on is False
    with pytest.raises(WorkflowError, match="nothing to send on"):
        send_on(duplicate, clinic_user, second)


def test_not_eligible_keeps_the_patient_from_that_cbo_for_a_while(
    partnership, supervisor, clinic_user, second, settings
):
    settings.REFERRAL_NOT_ELIGIBLE_RESEND_DAYS = 90
    refused = declined_referral(
        supervisor=supervisor,
        clinic_user=clinic_user,
        partnership=partnership,
        reason_code="not_eligible",
    )
    # Sent on elsewhere is fine; sending the same patient back is refused.
    send_on(refused, clinic_user, second)
    again = intake.referral_save_draft(
        actor=clinic_user,
        patient=refused.patient,
        data={
            "clinic": refused.clinic,
            "partnership": refused.partnership,
            "medical_reasons": [],
            "medical_reason_other": "",
            "social_needs": ["food-insecurity"],
            "urgency": "routine",
            "notes_for_navigator": "",
            "consent_given": True,
        },
    )
    with pytest.raises(WorkflowError, match="not eligible"):
        intake.referral_submit(actor=clinic_user, referral=again)
    with time_machine.travel(timezone.now() + timezone.timedelta(days=91)):
        assert intake.referral_submit(actor=clinic_user, referral=again).status == (
            Status.SUBMITTED
        )


def test_not_eligible_elsewhere_leaves_that_cbo_out_of_the_choices(
    partnership, supervisor, clinic_user, second
):
    third = PartnershipFactory(
        health_system=partnership.health_system,
        cbo=OrganizationFactory(kind="cbo", name="Third CBO"),
    )
    first = declined_referral(
        supervisor=supervisor,
        clinic_user=clinic_user,
        partnership=partnership,
        reason_code="no_capacity",
    )
    moved = send_on(first, clinic_user, second)
    sol = User.objects.get(organization=second.cbo, role=Role.SUPERVISOR)
    from referrals.services import workflow

    workflow.referral_transition(
        referral=moved, actor=sol, name="decline", reason_code="not_eligible"
    )
    moved.refresh_from_db()
    # Home CBO only lacked room; Second CBO found the patient not eligible.
    assert rerouting.reroute_choices(moved) == [partnership, third]


@pytest.mark.django_db(transaction=True)
def test_two_people_sending_it_on_at_once_make_one_referral(
    partnership, supervisor, clinic_user
):
    second = PartnershipFactory(
        health_system=partnership.health_system,
        cbo=OrganizationFactory(kind="cbo", name="Second CBO"),
    )
    referral = declined_referral(
        supervisor=supervisor,
        clinic_user=clinic_user,
        partnership=partnership,
        reason_code="no_capacity",
    )

    def sending(actor):
        def prepare():
            copy = Referral.objects.select_related("partnership", "clinic").get(
                pk=referral.pk
            )
            return lambda: send_on(copy, actor, second)

        return prepare

    results = run_together(sending(clinic_user), sending(supervisor))
    assert sum(isinstance(r, Referral) for r in results) == 1, results
    assert sum(isinstance(r, WorkflowError) for r in results) == 1, results
    assert Referral.objects.filter(rerouted_from=referral).count() == 1
    assert (
        ReferralEvent.objects.filter(
            referral=referral, kind=ReferralEvent.Kind.REROUTE
        ).count()
        == 1
    )


# The page


def reroute_url(referral):
    return reverse("referrals:referral-reroute", args=[referral.code])


def test_the_declined_referral_offers_sending_it_on(login, declined, clinic_user):
    page = login(clinic_user).get(
        reverse("referrals:referral-detail", args=[declined.code])
    )
    html = page.content.decode()
    assert reroute_url(declined) in html
    assert "The CBO has no room right now" in html


def test_a_missing_consent_is_shown_beside_the_box_and_the_note_is_kept(
    login, declined, clinic_user, second
):
    client = login(clinic_user)
    page = client.post(
        reroute_url(declined), {"partnership": second.pk, "note": "Typed note"}
    )
    assert page.context["form"].errors == {
        "consent": ["Ask the patient first: tick this once they agree."]
    }
    assert "Typed note" in page.content.decode()
    done = client.post(
        reroute_url(declined),
        {"partnership": second.pk, "note": "Typed note", "consent": "on"},
    )
    new = Referral.objects.get(rerouted_from=declined)
    assert done.status_code == 302
    assert done["Location"] == reverse("referrals:referral-detail", args=[new.code])


def test_the_same_form_sent_twice_makes_one_referral(
    login, declined, clinic_user, second
):
    client = login(clinic_user)
    form = client.get(reroute_url(declined)).context["form"]
    data = {
        "partnership": second.pk,
        "consent": "on",
        "form_token": form["form_token"].value(),
    }
    client.post(reroute_url(declined), data)
    again = client.post(reroute_url(declined), data)
    assert again.status_code == 302
    assert Referral.objects.filter(rerouted_from=declined).count() == 1


@pytest.mark.parametrize("role", ["clinic_staff", "supervisor", "navigator"])
def test_users_of_another_partnership_get_404(login, outsiders, declined, role, second):
    client = login(outsiders[role])
    assert client.get(reroute_url(declined)).status_code == 404
    data = {"partnership": second.pk, "consent": "on"}
    assert client.post(reroute_url(declined), data).status_code == 404
    assert not Referral.objects.filter(rerouted_from=declined).exists()


def test_a_navigator_of_the_cbo_gets_403(login, declined, navigator):
    assert login(navigator).get(reroute_url(declined)).status_code in (403, 404)
