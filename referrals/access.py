"""Who may do what with referrals, patients, pathways and the resource directory.

The role rules of this app, as named predicates (see ``partners.access`` for how
views, services, the navigation and ``referrals.capabilities`` use them). Whether
an action fits the referral's status is the workflow's transitions table, not a
role rule.
"""

from partners.access import has_role, may_edit_partnership
from partners.models import User
from referrals.models import CASELOAD_STATUSES, Screening

Role = User.Role


# Which pages a role works from.


def works_at_clinic(user) -> bool:
    return has_role(user, Role.CLINIC_STAFF)


def supervises(user) -> bool:
    return has_role(user, Role.SUPERVISOR)


def navigates(user) -> bool:
    return has_role(user, Role.NAVIGATOR)


def sets_texting(user, partnership) -> bool:
    """Texting is a setting of the partnership: whoever edits the partnership
    (program managers of either partner, administrators) sets it."""
    return may_edit_partnership(user, partnership)


def works_at_cbo(user) -> bool:
    """Supervisors and navigators: the CBO side that works referrals."""
    return has_role(user, Role.SUPERVISOR, Role.NAVIGATOR)


def finds_any_referral(user) -> bool:
    """Supervisors work every referral of their CBO from *All referrals* and the
    team board; program managers read their partnerships' there (read-only: the
    referral page offers them no action)."""
    return has_role(user, Role.SUPERVISOR, Role.PROGRAM_MANAGER)


def reads_directory(user) -> bool:
    return has_role(
        user, Role.CLINIC_STAFF, Role.SUPERVISOR, Role.NAVIGATOR, Role.PROGRAM_MANAGER
    )


# What a person may do to one referral.


def acts_for(user, referral) -> bool:
    """Is the user on the side of the partnership their role acts for? Clinic staff
    of the health system, supervisors of the CBO, the assigned navigator."""
    partnership = referral.partnership
    if works_at_clinic(user):
        return user.organization_id == partnership.health_system_id
    if supervises(user):
        return user.organization_id == partnership.cbo_id
    if navigates(user):
        return (
            user.organization_id == partnership.cbo_id
            and referral.navigator_id == user.pk
        )
    return False


def may_submit_referrals(user) -> bool:
    """Clinic staff of a health system create patients and referrals."""
    return works_at_clinic(user) and user.organization_id is not None


def may_assign(user, referral) -> bool:
    """Supervisors of the referral's CBO assign and reassign navigators."""
    return supervises(user) and user.organization_id == referral.partnership.cbo_id


def may_reroute(user, referral) -> bool:
    """After a decline, the referring health system's clinic staff, or the
    declining CBO's supervisors, may send the referral on to another CBO."""
    if works_at_clinic(user):
        return user.organization_id == referral.partnership.health_system_id
    return may_assign(user, referral)


def may_be_assigned(navigator, referral) -> bool:
    """Only an active navigator of the referral's CBO is given its referrals."""
    return (
        navigates(navigator)
        and navigator.organization_id == referral.partnership.cbo_id
    )


def is_assigned_navigator(user, referral) -> bool:
    """The navigator working the referral logs contacts, PAM and stories."""
    return navigates(user) and referral.navigator_id == user.pk


def may_work_pathways(user, referral) -> bool:
    """The assigned navigator and the CBO's supervisors open and close pathways."""
    return is_assigned_navigator(user, referral) or may_assign(user, referral)


def may_message(user, referral, *, shared=None) -> bool:
    """Either side of a sent referral writes on its timeline; so does a navigator it
    was shared with. ``shared`` answers that last question when already known."""
    if referral.status == referral.Status.DRAFT:
        return False
    if acts_for(user, referral):
        return True
    if not navigates(user):
        return False
    if shared is None:
        shared = referral.shared_with.filter(pk=user.pk).exists()
    return shared


def sees_contact_notes(user) -> bool:
    """Contact notes are the CBO's working notes: its supervisors and navigators
    read them; clinic staff and program managers see only when, how and how long."""
    return works_at_cbo(user)


def sees_patient_contact(user) -> bool:
    """Program managers evaluate the program: no patient's phone or address."""
    return user.is_authenticated and user.role != Role.PROGRAM_MANAGER


def may_manage_directory(user, directory_owner_id) -> bool:
    """Supervisors of the CBO keeping the directory, and nobody else."""
    return supervises(user) and user.organization_id == directory_owner_id


def may_screen(user, referral, setting: str) -> bool:
    """Clinic staff screen at intake, on their draft; the assigned navigator
    screens at first contact and again at closing, while working the referral."""
    if setting == Screening.Setting.INTAKE:
        return (
            works_at_clinic(user)
            and acts_for(user, referral)
            and referral.status == referral.Status.DRAFT
        )
    return is_assigned_navigator(user, referral) and referral.status in (
        CASELOAD_STATUSES
    )


def may_review_screening_needs(user, screening) -> bool:
    """Whoever may screen in the screening's setting confirms its positives as the
    referral's needs (the clinic before submitting; the navigator with the
    patient)."""
    setting = screening.setting
    if setting == screening.Setting.CLOSURE:
        return False
    return may_screen(user, screening.referral, setting)
