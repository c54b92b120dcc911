"""The six implementation steps of the Community Partnership Model, with the tasks a
new partnership's plan starts from."""

from django.utils.translation import gettext_lazy as _

from partners.models import PlanTask

Step = PlanTask.Step

DEFAULT_TASKS = {
    Step.PLANNING: [
        _("Identify the need and the patients to serve"),
        _("Select patients whose social needs impede their use of care"),
        _("Secure administrative support and readiness"),
    ],
    Step.FIND: [
        _("Choose a CBO trusted by and serving the population"),
        _("Confirm the CBO employs and supervises the navigators"),
    ],
    Step.FORMALIZE: [
        _("Refine the population to be referred"),
        _("Develop partnership and business contracts"),
        _("Negotiate payment agreements (Pathways or another method)"),
    ],
    Step.TEAM: [
        _("Define the referral process and work flow"),
        _("Clarify roles and job descriptions"),
        _("Embed navigators in the clinic care teams"),
    ],
    Step.TRAINING: [
        _("Orient navigators on clinic protocols"),
        _("Plan ongoing clinic protocol training"),
        _("Train health-system staff on cultural competence"),
        _("Train health-system staff on working with navigators"),
    ],
    Step.EVALUATION: [
        _("Collect health care data"),
        _("Collect narrative data (patient stories)"),
        _("Measure patient activation (PAM)"),
    ],
}
