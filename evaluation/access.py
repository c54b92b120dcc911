"""Who may do what with the evaluation: dashboards, reports, PAM, stories and
health care utilization (see ``partners.access`` for how the predicates are used).
"""

from partners.access import has_role, manages_program
from partners.models import User

Role = User.Role


def reads_reports(user) -> bool:
    """Supervisors get the weekly operations summary; program managers the rest."""
    return has_role(user, Role.SUPERVISOR, Role.PROGRAM_MANAGER)


def reads_stories(user) -> bool:
    return has_role(user, Role.NAVIGATOR, Role.SUPERVISOR, Role.PROGRAM_MANAGER)


def manages_consent(user) -> bool:
    """The CBO side records consent and withdraws stories when it is taken back."""
    return has_role(user, Role.NAVIGATOR, Role.SUPERVISOR)


def may_manage_consent(user, story) -> bool:
    """The navigator who recorded the story and the supervisors of its CBO."""
    if has_role(user, Role.NAVIGATOR):
        return story.recorded_by_id == user.pk
    if has_role(user, Role.SUPERVISOR):
        return story.partnership.cbo_id == user.organization_id
    return False


def keeps_data_of(user, organization_id) -> bool:
    """A program manager keeps their own organization's PAM tables, themes and
    utilization data, and no one else's."""
    return manages_program(user) and user.organization_id == organization_id
