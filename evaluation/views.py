from django.shortcuts import render

from evaluation import selectors
from partners.permissions import Role, role_required
from partners.selectors import partnership_list_for_user


@role_required(Role.PROGRAM_MANAGER)
def dashboard(request):
    context = {
        "partnerships": partnership_list_for_user(request.user),
        "summary": selectors.dashboard_summary_for_user(request.user),
        "status_counts": selectors.status_counts_for_user(request.user),
    }
    return render(request, "evaluation/dashboard.html", context)
