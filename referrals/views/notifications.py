"""Each person's notifications: the list, opening one, and e-mail settings."""

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chwlink.lib.pagination import page_of
from referrals import selectors
from referrals.forms.referral import NotificationPreferenceForm
from referrals.services import notifications

PAGE_SIZE = 25


def notification_list(request):
    page = page_of(
        selectors.notification_list_for_user(request.user),
        PAGE_SIZE,
        request.GET.get("page"),
    )
    return render(request, "referrals/notification_list.html", {"page_obj": page})


def notification_open(request, code):
    notification = selectors.notification_get_for_user(request.user, code)
    link = notifications.notification_open(user=request.user, notification=notification)
    if not url_has_allowed_host_and_scheme(link, allowed_hosts=None):
        link = "/"
    return redirect(link)


@require_POST
def notification_mark_all_read(request):
    notifications.notifications_mark_all_read(user=request.user)
    return redirect("referrals:notification-list")


def notification_unread_count(request):
    """Polled by the navigation bar as background traffic (never extends a session)."""
    count = selectors.notification_unread_count(request.user)
    return JsonResponse({"unread": count})


def notification_settings(request):
    form = NotificationPreferenceForm(
        request.POST or None,
        initial={"email_mode": selectors.notification_email_mode(request.user)},
    )
    if request.method == "POST" and form.is_valid():
        notifications.notification_preference_set(
            user=request.user, email_mode=form.cleaned_data["email_mode"]
        )
        messages.success(request, _("Your notification settings are saved."))
        return redirect("referrals:notification-list")
    return render(request, "referrals/notification_settings.html", {"form": form})
