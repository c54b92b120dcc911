from django.urls import path

from referrals.views import lists

app_name = "referrals"

urlpatterns = [
    path("", lists.clinic_referral_list, name="clinic-referral-list"),
    path("inbox/", lists.inbox, name="inbox"),
    path("caseload/", lists.caseload, name="caseload"),
]
