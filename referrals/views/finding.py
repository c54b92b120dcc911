"""Finding any referral: *All referrals* and the team board, for supervisors and
(read-only) program managers. Each row links to the referral's page, where
reassigning, sharing and holding are."""

from django.shortcuts import render

from chwlink.lib.pagination import page_of
from partners.access import allowed
from referrals import finding, team
from referrals.access import finds_any_referral, supervises
from referrals.forms.finding import AllReferralsFilterForm

PAGE_SIZE = 25


@allowed(finds_any_referral)
def all_referrals(request):
    scope = finding.finding_scope(request.user)
    form = AllReferralsFilterForm(
        request.GET or None, navigators=scope.navigators(), clinics=scope.clinics()
    )
    referrals = finding.all_referrals_for_user(
        user=request.user, filters=form.filters(), scope=scope
    )
    page = page_of(referrals, PAGE_SIZE, request.GET.get("page"))
    request.audit_shown = [referral.code for referral in page]
    return render(
        request,
        "referrals/referral_all.html",
        {
            "form": form,
            "page_obj": page,
            "works_referrals": supervises(request.user),
        },
    )


@allowed(finds_any_referral)
def team_board(request):
    scope = finding.finding_scope(request.user)
    board = team.team_board_for_user(
        user=request.user, scope=scope, page=request.GET.get("page")
    )
    return render(
        request,
        "referrals/team_board.html",
        {
            "board": board,
            "page_obj": board["page_obj"],
            "works_referrals": supervises(request.user),
        },
    )
