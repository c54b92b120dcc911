from django.urls import path

from referrals.hsds import api

app_name = "hsds"

urlpatterns = [
    path("", api.root, name="root"),
    path("services", api.service_list, name="service-list"),
    path("services/<uuid:code>", api.service_detail, name="service-detail"),
    path("organizations", api.organization_list, name="organization-list"),
    path(
        "organizations/<uuid:code>",
        api.organization_detail,
        name="organization-detail",
    ),
    path("locations", api.location_list, name="location-list"),
    path("locations/<uuid:code>", api.location_detail, name="location-detail"),
    path("taxonomies", api.taxonomy_list, name="taxonomy-list"),
    path("taxonomies/<uuid:code>", api.taxonomy_detail, name="taxonomy-detail"),
    path("taxonomy_terms", api.taxonomy_term_list, name="taxonomy-term-list"),
    path(
        "taxonomy_terms/<uuid:code>",
        api.taxonomy_term_detail,
        name="taxonomy-term-detail",
    ),
]
