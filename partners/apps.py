from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = _("Partners and people")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from chwlink.lib.middleware import stamp_new_session

        user_logged_in.connect(stamp_new_session, dispatch_uid="stamp_new_session")
