import uuid

from django.contrib.postgres.operations import CreateExtension
from django.db import migrations

# The same ids as referrals.hsds.taxonomy (copied: a migration keeps its own data).
SDOH_URI = (
    "http://hl7.org/fhir/us/sdoh-clinicalcare/CodeSystem/SDOHCC-CodeSystemTemporaryCodes"
)
SDOH_ID = uuid.uuid5(uuid.NAMESPACE_URL, SDOH_URI)
SDOH_TERMS = {
    "digital-access": "Digital access",
    "digital-literacy": "Digital literacy",
    "educational-attainment": "Education",
    "elder-abuse": "Elder abuse",
    "employment-status": "Employment",
    "financial-insecurity": "Financial insecurity",
    "food-insecurity": "Food insecurity",
    "health-insurance-coverage-status": "Health insurance",
    "homelessness": "Homelessness",
    "housing-instability": "Housing instability",
    "inadequate-housing": "Inadequate housing",
    "incarceration-status": "Incarceration history",
    "intimate-partner-violence": "Intimate partner violence",
    "language-access": "Language access",
    "material-hardship": "Material hardship",
    "medical-cost-burden": "Medical cost burden",
    "personal-health-literacy": "Health literacy",
    "social-connection": "Social connection",
    "stress": "Stress",
    "transportation-insecurity": "Transportation",
    "utility-insecurity": "Utilities",
    "veteran-status": "Veteran status",
    "sdoh-category-unspecified": "Other social need",
}

# Coded capacity travels as an attribute of this taxonomy (HSDS 3.0 has no field).
CAPACITY_URI = "https://chwlink.org/hsds/service-capacity"
CAPACITY_ID = uuid.uuid5(uuid.NAMESPACE_URL, CAPACITY_URI)
CAPACITY_TERMS = {
    "accepting": "Accepting new clients",
    "waitlist": "Waitlist",
    "not_accepting": "Not accepting new clients",
    "assessment_required": "Assessment required",
}

# Nearest-first search: the earth position of every located place, indexed.
EARTH_INDEX = """
CREATE INDEX resource_location_earth ON referrals_resourcelocation
USING gist (ll_to_earth(latitude, longitude))
WHERE latitude IS NOT NULL AND longitude IS NOT NULL
"""


TAXONOMIES = [
    (
        SDOH_ID,
        "SDOH categories (HL7 Gravity)",
        "Social determinants of health categories of the HL7 SDOH Clinical Care "
        "implementation guide.",
        SDOH_URI,
        SDOH_TERMS,
    ),
    (
        CAPACITY_ID,
        "Service capacity (chwlink)",
        "Whether a service takes new clients now; the attribute's value is the note.",
        CAPACITY_URI,
        CAPACITY_TERMS,
    ),
]


def seed_taxonomies(apps, schema_editor):
    Taxonomy = apps.get_model("referrals", "ResourceTaxonomy")
    Term = apps.get_model("referrals", "ResourceTaxonomyTerm")
    for code, name, description, uri, terms in TAXONOMIES:
        taxonomy, _ = Taxonomy.objects.get_or_create(
            code=code, defaults={"name": name, "description": description, "uri": uri}
        )
        for term_code, term_name in terms.items():
            Term.objects.get_or_create(
                code=uuid.uuid5(code, term_code),
                defaults={
                    "taxonomy": taxonomy,
                    "term_code": term_code,
                    "name": term_name,
                    "description": term_name,
                },
            )


def remove_taxonomies(apps, schema_editor):
    codes = [code for code, *_rest in TAXONOMIES]
    apps.get_model("referrals", "ResourceTaxonomyTerm").objects.filter(
        taxonomy__code__in=codes
    ).delete()
    apps.get_model("referrals", "ResourceTaxonomy").objects.filter(
        code__in=codes
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("referrals", "0027_hsds_directory")]

    operations = [
        CreateExtension("cube"),
        CreateExtension("earthdistance"),
        migrations.RunSQL(
            EARTH_INDEX, "DROP INDEX IF EXISTS resource_location_earth"
        ),
        migrations.RunPython(seed_taxonomies, remove_taxonomies),
    ]
