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

# Nearest-first search: the earth position of every located place, indexed.
EARTH_INDEX = """
CREATE INDEX resource_location_earth ON referrals_resourcelocation
USING gist (ll_to_earth(latitude, longitude))
WHERE latitude IS NOT NULL AND longitude IS NOT NULL
"""


def seed_sdoh_taxonomy(apps, schema_editor):
    Taxonomy = apps.get_model("referrals", "ResourceTaxonomy")
    Term = apps.get_model("referrals", "ResourceTaxonomyTerm")
    taxonomy, _ = Taxonomy.objects.get_or_create(
        code=SDOH_ID,
        defaults={
            "name": "SDOH categories (HL7 Gravity)",
            "description": "Social determinants of health categories of the HL7 "
            "SDOH Clinical Care implementation guide.",
            "uri": SDOH_URI,
        },
    )
    for code, name in SDOH_TERMS.items():
        Term.objects.get_or_create(
            code=uuid.uuid5(SDOH_ID, code),
            defaults={
                "taxonomy": taxonomy,
                "term_code": code,
                "name": name,
                "description": name,
            },
        )


def remove_sdoh_taxonomy(apps, schema_editor):
    apps.get_model("referrals", "ResourceTaxonomyTerm").objects.filter(
        taxonomy__code=SDOH_ID
    ).delete()
    apps.get_model("referrals", "ResourceTaxonomy").objects.filter(
        code=SDOH_ID
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("referrals", "0024_hsds_directory")]

    operations = [
        CreateExtension("cube"),
        CreateExtension("earthdistance"),
        migrations.RunSQL(
            EARTH_INDEX, "DROP INDEX IF EXISTS resource_location_earth"
        ),
        migrations.RunPython(seed_sdoh_taxonomy, remove_sdoh_taxonomy),
    ]
