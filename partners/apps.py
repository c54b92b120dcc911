from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = _("Partners and people")

    def ready(self):
        from allauth.mfa.models import Authenticator
        from django.contrib.auth.signals import user_logged_in, user_logged_out
        from django.db.models.signals import post_delete

        from chwlink.lib.middleware import stamp_new_session
        from partners import services
        from partners.mfa import (
            mfa_policy_changed_on_authenticator_removed,
            mfa_policy_check_on_login,
        )

        user_logged_in.connect(stamp_new_session, dispatch_uid="stamp_new_session")
        user_logged_in.connect(
            services.user_session_track, dispatch_uid="user_session_track"
        )
        # Checking the two-factor policy at sign-in spares the first page a query.
        user_logged_in.connect(
            mfa_policy_check_on_login, dispatch_uid="mfa_policy_check_on_login"
        )
        # allauth and its admin remove authenticators: whichever way, the person's
        # sessions check the policy again.
        post_delete.connect(
            mfa_policy_changed_on_authenticator_removed,
            sender=Authenticator,
            dispatch_uid="mfa_policy_changed_on_authenticator_removed",
        )
        user_logged_out.connect(
            services.user_sessions_end_on_sign_out,
            dispatch_uid="user_sessions_end_on_sign_out",
        )
