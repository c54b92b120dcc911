from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlumbingConfig(AppConfig):
    """The tables no domain rule owns: the e-mail outbox, the access log and the
    periodic-task bookkeeping. The label keeps the admin URLs and table names short."""

    name = "chwlink.lib"
    label = "plumbing"
    verbose_name = _("System records")

    def ready(self):
        from chwlink.lib import audit_guard  # noqa: F401 (registers its check)
