from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "evaluation"
    verbose_name = _("Evaluation")

    def ready(self):
        from evaluation.reminders import PAM_FOLLOW_UP_RULE
        from referrals.services.reminders import register

        register(PAM_FOLLOW_UP_RULE)
