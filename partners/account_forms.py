"""django-allauth's sign-in and account forms, refusing control characters like
every form of chwlink (``ACCOUNT_FORMS`` in the settings names them)."""

from allauth.account import forms as account

from chwlink.lib.forms import PlainTextMixin


class SignInForm(PlainTextMixin, account.LoginForm):
    pass


class ConfirmPasswordForm(PlainTextMixin, account.ReauthenticateForm):
    pass


class ChangePasswordForm(PlainTextMixin, account.ChangePasswordForm):
    pass


class AddEmailForm(PlainTextMixin, account.AddEmailForm):
    pass


class ResetPasswordForm(PlainTextMixin, account.ResetPasswordForm):
    pass


class ResetPasswordKeyForm(PlainTextMixin, account.ResetPasswordKeyForm):
    pass
