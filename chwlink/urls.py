from django.contrib import admin
from django.urls import include, path

from chwlink import errors
from partners import views as partner_views

urlpatterns = [
    path("", partner_views.home, name="home"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("", include("partners.urls")),
    path("referrals/", include("referrals.urls")),
    path("evaluation/", include("evaluation.urls")),
    path("fhir/", include("referrals.fhir.urls")),
    path("hsds/", include("referrals.hsds.urls")),
    path("texting/", include("referrals.texting.urls")),
    path("session/", include("chwlink.lib.session_views")),
]

handler403 = errors.permission_denied
handler404 = errors.page_not_found
handler500 = errors.server_error
