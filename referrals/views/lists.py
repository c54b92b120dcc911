"""The worklists each role starts the day from."""

from django.shortcuts import render
from django.utils import timezone

from chwlink.lib.pagination import page_of
from partners.access import allowed
from partners.selectors import clinic_list_for_user
from referrals import selectors
from referrals.access import navigates, supervises, works_at_clinic
from referrals.forms.referral import ClinicListFilterForm, InboxFilterForm

PAGE_SIZE = 25


@allowed(works_at_clinic)
def clinic_referral_list(request):
    clinics = clinic_list_for_user(request.user)
    form = ClinicListFilterForm(
        request.GET or None, clinics=clinics, default_clinic=request.user.site
    )
    referrals = selectors.clinic_referral_list(
        user=request.user, filters=form.filters()
    )
    page = page_of(referrals, PAGE_SIZE, request.GET.get("page"))
    request.audit_shown = [referral.code for referral in page]
    return render(
        request,
        "referrals/referral_clinic_list.html",
        {"form": form, "page_obj": page},
    )


@allowed(supervises)
def inbox(request):
    clinics = selectors.clinics_referring_to_cbo(cbo_id=request.user.organization_id)
    form = InboxFilterForm(request.GET or None, clinics=clinics)
    cutoffs = selectors.overdue_cutoffs_for_user(request.user)
    referrals = selectors.inbox_for_supervisor(
        user=request.user, filters=form.filters(timezone.now()), cutoffs=cutoffs
    )
    page = page_of(referrals, PAGE_SIZE, request.GET.get("page"))
    request.audit_shown = [referral.code for referral in page]
    return render(
        request,
        "referrals/referral_inbox.html",
        {
            "form": form,
            "page_obj": page,
            "counts": selectors.inbox_counts_for_supervisor(
                user=request.user, cutoffs=cutoffs
            ),
        },
    )


@allowed(navigates)
def caseload(request):
    referrals = selectors.caseload_for_navigator(user=request.user)
    page = page_of(referrals, PAGE_SIZE, request.GET.get("page"))
    request.audit_shown = [referral.code for referral in page]
    return render(request, "referrals/referral_caseload.html", {"page_obj": page})
