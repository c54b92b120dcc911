"""The project's URLs plus a bare authenticated view: the runner's yardstick, a
``login_required`` view that returns a few bytes after the whole middleware
stack (sessions, idle timeout, MFA policy, audit, CSP)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import include, path

from chwlink.urls import handler403, handler404, handler500


@login_required
def bare(request):
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [
    path("bench/bare/", bare, name="bench-bare"),
    path("", include("chwlink.urls")),
]

__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]
