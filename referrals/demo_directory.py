"""Demo community resource directory for a Latino-serving CBO in Portland, Oregon.

The organizations are invented (phone numbers in the 555-01xx fiction range,
example.org addresses) but shaped like the services navigators refer people to.
Loading twice changes nothing.
"""

import datetime
import json
from pathlib import Path

from django.utils import timezone

from partners.models import User
from referrals.models import (
    ResourceLocation,
    ResourceOrganization,
    ResourceSchedule,
    ResourceService,
    ZipCentroid,
)
from referrals.schedules import parse_opening_hours

# The invented organizations, their locations and services; each service names its
# organization ("cbo" is the CBO's own), its locations and how many days ago it was
# last verified (null: never).
DIRECTORY = json.loads(
    Path(__file__).with_name("demo_directory.json").read_text(encoding="utf-8")
)


def seed_directory(cbo) -> list[ResourceService]:
    """Fill ``cbo``'s directory with the demo services and return them, with the
    centroids of the demo's ZIP codes (approximate, for "near this ZIP")."""
    for zip_code, (latitude, longitude) in DIRECTORY["zip_centroids"].items():
        ZipCentroid.objects.get_or_create(
            zip_code=zip_code, defaults={"latitude": latitude, "longitude": longitude}
        )
    verifier = (
        User.objects.filter(organization=cbo, role=User.Role.SUPERVISOR)
        .order_by("pk")
        .first()
    )
    organizations = {
        "cbo": ResourceOrganization.objects.get_or_create(
            directory_owner=cbo,
            name=cbo.name,
            defaults={
                "description": "Community health workers serving Latino families.",
                "phone": cbo.phone or "503-555-0100",
                "website": "https://familias.example.org",
                "email": "navegacion@familias.example.org",
            },
        )[0]
    }
    for key, fields in DIRECTORY["organizations"].items():
        organizations[key], _ = ResourceOrganization.objects.get_or_create(
            directory_owner=cbo,
            name=fields["name"],
            defaults={k: v for k, v in fields.items() if k != "name"},
        )
    locations = {}
    for key, fields in DIRECTORY["locations"].items():
        fields = dict(fields)
        organization = organizations[fields.pop("organization")]
        locations[key], _ = ResourceLocation.objects.get_or_create(
            organization=organization, name=fields.pop("name"), defaults=fields
        )
    today = timezone.localdate()
    services = []
    for fields in DIRECTORY["services"]:
        fields = dict(fields)
        verified_days_ago = fields.pop("verified_days_ago")
        location_keys = fields.pop("locations")
        openings = parse_opening_hours(fields.pop("opening_hours", ""))
        verified = verified_days_ago is not None
        service, created = ResourceService.objects.get_or_create(
            organization=organizations[fields.pop("organization")],
            name=fields.pop("name"),
            defaults={
                **fields,
                "last_verified_on": today - datetime.timedelta(days=verified_days_ago)
                if verified
                else None,
                "last_verified_by": verifier if verified else None,
                "capacity_updated_at": timezone.now()
                if fields.get("capacity_status")
                else None,
            },
        )
        if created:
            ResourceSchedule.objects.bulk_create(
                ResourceSchedule(
                    service=service,
                    byday=list(opening.days),
                    opens_at=opening.opens_at,
                    closes_at=opening.closes_at,
                )
                for opening in openings
            )
        for key in location_keys:
            locations[key].services.add(service)
        services.append(service)
    return services
