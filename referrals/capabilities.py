"""What a user may do on a referral's page: one place the templates ask."""

from partners.models import User
from referrals.models import Pathway, Referral
from referrals.services.workflow import WORKING, actor_may_act_on, allowed_transitions

Role = User.Role
Status = Referral.Status


def referral_capabilities(user, referral: Referral) -> dict:
    acts = actor_may_act_on(user, referral)
    supervisor = acts and user.role == Role.SUPERVISOR
    clinic = acts and user.role == Role.CLINIC_STAFF
    working_navigator = acts and user.role == Role.NAVIGATOR
    draft = referral.status == Status.DRAFT
    return {
        "transitions": allowed_transitions(user, referral),
        "can_edit_draft": clinic and draft,
        "can_submit": clinic and draft,
        "can_message": (acts or user.role == Role.NAVIGATOR) and not draft,
        "can_assign": supervisor
        and referral.status in {Status.SUBMITTED, Status.ACCEPTED},
        "can_reassign": supervisor and referral.status in WORKING,
        "can_log_contact": working_navigator and referral.status in WORKING,
        "can_open_pathway": (working_navigator or supervisor)
        and referral.status in WORKING,
        "sees_patient_contact": user.role != Role.PROGRAM_MANAGER,
        "can_record_evaluation": working_navigator and referral.status in WORKING,
        "can_read_evaluation": supervisor or working_navigator,
        "complete_blocked": acts
        and user.role in {Role.NAVIGATOR, Role.SUPERVISOR}
        and referral.status == Status.IN_PROGRESS
        and any(p.status == Pathway.Status.OPEN for p in referral.pathways.all()),
    }
