"""A large community directory for the benchmark: N services (50,000 by default
from ``bench.generate``) in the measured navigator's CBO directory, each at a
located place around Salem, Oregon, with weekly hours and coded capacity, so the
directory search (by need, language, capacity, open now and distance) and the
HSDS API are measured at that size."""

import datetime
import random

from referrals.choices import CapacityStatus, SocialNeed
from referrals.models import (
    ResourceLocation,
    ResourceOrganization,
    ResourceSchedule,
    ResourceService,
    ResourceServiceAtLocation,
    ZipCentroid,
)

SERVICES_PER_ORGANIZATION = 5
SALEM = (44.9429, -123.0351)  # the 97301 centroid the search starts from
BATCH = 5000
DAYS = [["MO", "TU", "WE", "TH", "FR"], ["TU", "TH"], ["MO", "WE", "FR"], ["SA"]]


def busiest_cbo() -> int | None:
    """The CBO of the navigator the runner measures (``find_cast``)."""
    from bench.pages import find_cast

    navigator = find_cast().users.get("navigator")
    return navigator.organization_id if navigator else None


def build_large_directory(*, services: int, rng: random.Random) -> int:
    """Add ``services`` services to the busiest CBO's directory; returns how many."""
    if services <= 0:
        return 0
    owner = busiest_cbo()
    if owner is None:
        return 0
    ZipCentroid.objects.update_or_create(
        zip_code="97301", defaults={"latitude": SALEM[0], "longitude": SALEM[1]}
    )
    needs = [need for need in SocialNeed.values if need != "sdoh-category-unspecified"]
    capacity = [*CapacityStatus.values, ""]
    made = 0
    organizations_needed = -(-services // SERVICES_PER_ORGANIZATION)
    for start in range(0, organizations_needed, BATCH // SERVICES_PER_ORGANIZATION):
        count = min(BATCH // SERVICES_PER_ORGANIZATION, organizations_needed - start)
        organizations = ResourceOrganization.objects.bulk_create(
            ResourceOrganization(
                directory_owner_id=owner,
                name=f"Bench directory organization {start + k:06d}",
                description="A listed organization of the large bench directory.",
                phone=f"503-555-{(start + k) % 10000:04d}",
                is_public=k % 2 == 0,
            )
            for k in range(count)
        )
        locations = ResourceLocation.objects.bulk_create(
            ResourceLocation(
                organization=organization,
                name=f"{organization.name} office",
                address=f"{100 + k} Center St NE",
                city="Salem",
                state="OR",
                postal_code="97301",
                latitude=SALEM[0] + rng.uniform(-0.6, 0.6),
                longitude=SALEM[1] + rng.uniform(-0.8, 0.8),
            )
            for k, organization in enumerate(organizations)
        )
        batch = []
        for organization in organizations:
            for number in range(SERVICES_PER_ORGANIZATION):
                if made + len(batch) >= services:
                    break
                batch.append(
                    ResourceService(
                        organization=organization,
                        name=f"Service {number} of {organization.name}",
                        description="Help for residents; call first.",
                        needs=rng.sample(needs, 2),
                        languages=["en", "es"] if number % 2 else ["en"],
                        capacity_status=rng.choice(capacity),
                        status="active",
                    )
                )
        ResourceService.objects.bulk_create(batch)
        place = {location.organization_id: location for location in locations}
        ResourceServiceAtLocation.objects.bulk_create(
            ResourceServiceAtLocation(
                resourceservice=service,
                resourcelocation=place[service.organization_id],
            )
            for service in batch
        )
        ResourceSchedule.objects.bulk_create(
            ResourceSchedule(
                service=service,
                byday=DAYS[k % len(DAYS)],
                opens_at=datetime.time(8 + k % 3, 0),
                closes_at=datetime.time(16 + k % 4, 30),
            )
            for k, service in enumerate(batch)
        )
        made += len(batch)
    return made
