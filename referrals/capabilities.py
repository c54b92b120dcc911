"""What a user may do on a referral's page: one place the templates ask.

Who may act comes from ``referrals.access``; when (in which status) from the
workflow's transitions table.
"""

from referrals.access import (
    acts_for,
    is_assigned_navigator,
    may_assign,
    may_message,
    may_reroute,
    may_submit_referrals,
    may_work_pathways,
    sees_patient_contact,
    works_at_cbo,
    works_at_clinic,
)
from referrals.models import CASELOAD_STATUSES, Pathway, Referral
from referrals.screening.selectors import screening_offers
from referrals.services.rerouting import after_decline, reroute_refusal
from referrals.services.workflow import allowed_transitions

Status = Referral.Status


def referral_capabilities(user, referral: Referral) -> dict:
    acts = acts_for(user, referral)
    supervisor = may_assign(user, referral)
    clinic = acts and may_submit_referrals(user)
    working_navigator = acts and is_assigned_navigator(user, referral)
    draft = referral.status == Status.DRAFT
    working = referral.status in CASELOAD_STATUSES
    # Only a declined referral asks whether it may be sent on (one query).
    declined = after_decline(referral)
    return {
        "transitions": allowed_transitions(actor=user, referral=referral),
        "after_decline": declined,
        "can_reroute": declined is not None
        and may_reroute(user, referral)
        and reroute_refusal(referral) is None,
        # The clinic follows a referral to where it was sent; each CBO sees only
        # that it came from, or went to, another organization.
        "sees_reroute_links": acts and works_at_clinic(user),
        "can_edit_draft": clinic and draft,
        "can_submit": clinic and draft,
        # The page is scoped already: a navigator reading it was assigned or shared.
        "can_message": may_message(user, referral, shared=True),
        "can_assign": supervisor
        and referral.status in {Status.SUBMITTED, Status.ACCEPTED},
        "can_reassign": supervisor and working,
        "can_log_contact": working_navigator and working,
        "can_open_pathway": may_work_pathways(user, referral) and working,
        "sees_patient_contact": sees_patient_contact(user),
        "can_record_evaluation": working_navigator and working,
        "can_read_evaluation": supervisor or working_navigator,
        "complete_blocked": acts
        and works_at_cbo(user)
        and referral.status == Status.IN_PROGRESS
        and any(p.status == Pathway.Status.OPEN for p in referral.pathways.all()),
        # The screenings are prefetched with the referral's page.
        **screening_offers(user, referral, list(referral.screenings.all())),
    }
