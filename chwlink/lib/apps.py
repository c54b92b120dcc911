from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlumbingConfig(AppConfig):
    """The tables no domain rule owns: the e-mail outbox, the access log and the
    periodic-task bookkeeping. The label keeps the admin URLs and table names short."""

    name = "chwlink.lib"
    label = "plumbing"
    verbose_name = _("System records")

    def ready(self):
        from django.contrib.admin.options import BaseModelAdmin

        from chwlink.lib import audit_guard  # noqa: F401 (registers its check)
        from chwlink.lib.forms import PlainTextModelForm

        # Every admin page's form refuses control characters like the app's own
        # forms, the admins of other packages and those still to come included
        # (an admin that names a form of its own must derive it from the mixin:
        # chwlink/tests/test_admin_control_characters.py checks them all).
        BaseModelAdmin.form = PlainTextModelForm
