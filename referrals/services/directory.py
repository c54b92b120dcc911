"""The community resource directory: each CBO's supervisors keep its list current.

Only a supervisor of the CBO that keeps a directory may add, change or verify its
services; everyone else reads it through the selectors.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chwlink.lib.submissions import claims_form_token
from partners.models import User
from referrals.access import may_manage_directory
from referrals.models import (
    ResourceLocation,
    ResourceOrganization,
    ResourceSchedule,
    ResourceService,
)

# Older than this (or never verified), a service is flagged for re-checking.
RECHECK_AFTER = datetime.timedelta(days=180)

SERVICE_FIELDS = (
    "name",
    "description",
    "needs",
    "languages",
    "interpretation_services",
    "eligibility",
    "application_process",
    "fees",
    "hours",
    "status",
)
CAPACITY_FIELDS = {"capacity_status": "", "capacity_note": "", "open_slots": None}
ORGANIZATION_DETAILS = ("phone", "website", "email", "is_public")
ADDRESS_FIELDS = (
    "address",
    "city",
    "state",
    "postal_code",
    "country",
    "latitude",
    "longitude",
)


def recheck_before(today: datetime.date | None = None) -> datetime.date:
    """Services last verified before this date need re-checking."""
    return (today or timezone.localdate()) - RECHECK_AFTER


def primary_location(service: ResourceService) -> ResourceLocation | None:
    """The location the service form edits: the first by name (uses a prefetch)."""
    if service.pk is None:
        return None
    locations = sorted(
        service.locations.all(), key=lambda place: (place.name, place.pk)
    )
    return locations[0] if locations else None


def _check_manager(actor: User, directory_owner_id) -> None:
    if not may_manage_directory(actor, directory_owner_id):
        raise PermissionDenied


def _organization_for(directory_owner_id, data) -> ResourceOrganization:
    chosen = data.get("organization")
    details = data.get("organization_details") or {}
    if chosen is not None:
        if chosen.directory_owner_id != directory_owner_id:
            raise PermissionDenied
        if details:
            for field, value in details.items():
                setattr(chosen, field, value)
            chosen.save(update_fields=[*details, "updated"])
        return chosen
    name = data["new_organization_name"].strip()
    taken = ValidationError(
        {
            "new_organization_name": _(
                "%(name)s is already in your directory: choose it from the list."
            )
            % {"name": name}
        }
    )
    if ResourceOrganization.objects.filter(
        directory_owner_id=directory_owner_id, name__iexact=name
    ).exists():
        raise taken
    try:
        with transaction.atomic():
            return ResourceOrganization.objects.create(
                directory_owner_id=directory_owner_id, name=name, **details
            )
    except IntegrityError as clash:
        raise taken from clash


def _place_service(service: ResourceService, location_data, previous) -> None:
    """Offer the service at the location typed in the form.

    A location only this service uses is corrected in place; a location shared
    with other services is left alone, and the typed place is found by name in
    the organization or created. Locations of a former organization are dropped.
    """
    organization = service.organization
    to_remove = list(service.locations.exclude(organization=organization))
    if previous is not None and previous.organization_id != organization.pk:
        previous = None
    if not location_data:
        if previous is not None:
            to_remove.append(previous)
        service.locations.remove(*to_remove)
        return
    if previous is not None and not previous.services.exclude(pk=service.pk).exists():
        location = previous
        for field, value in location_data.items():
            setattr(location, field, value)
        location.save()
    else:
        location = ResourceLocation.objects.filter(
            organization=organization, name__iexact=location_data["name"]
        ).first()
        if location is None:
            location = ResourceLocation.objects.create(
                organization=organization, **location_data
            )
        else:
            for field in ADDRESS_FIELDS:
                if location_data.get(field) not in ("", None):
                    setattr(location, field, location_data[field])
            location.save()
    if previous is not None and previous.pk != location.pk:
        to_remove.append(previous)
    service.locations.remove(*to_remove)
    service.locations.add(location)


@claims_form_token
def resource_service_save(
    *, actor: User, data: dict, service: ResourceService | None = None
) -> ResourceService:
    """Add a service to the actor's CBO directory, or change one of its services.

    ``data`` is the cleaned service form: the service fields, ``organization`` (one
    of the directory's organizations) or ``new_organization_name`` (created here),
    ``organization_details`` (contact fields to set on that organization),
    ``location`` (a dict of name and address, or None) and ``verified_today``.
    Only a supervisor of the CBO keeping the directory may do it.
    """
    directory_owner_id = (
        service.organization.directory_owner_id if service else actor.organization_id
    )
    _check_manager(actor, directory_owner_id)
    previous = primary_location(service) if service else None
    service = service or ResourceService()
    with transaction.atomic():
        service.organization = _organization_for(directory_owner_id, data)
        for field in SERVICE_FIELDS:
            setattr(service, field, data[field])
        _set_capacity(service, data)
        if data.get("verified_today"):
            service.last_verified_on = timezone.localdate()
            service.last_verified_by = actor
        service.save()
        _place_service(service, data.get("location"), previous)
        if "opening_hours" in data:
            _set_opening_hours(service, data["opening_hours"])
    return service


def _set_capacity(service: ResourceService, data: dict) -> None:
    """Capacity changes carry the moment they were told."""
    told = {field: data.get(field, empty) for field, empty in CAPACITY_FIELDS.items()}
    changed = service.pk is None or any(
        getattr(service, field) != value for field, value in told.items()
    )
    for field, value in told.items():
        setattr(service, field, value)
    if changed:
        service.capacity_updated_at = (
            timezone.now() if service.capacity_status else None
        )


def _set_opening_hours(service: ResourceService, openings) -> None:
    """The service's weekly schedule becomes the typed openings; schedules that
    stay the same keep their HSDS ids."""
    kept = {
        (tuple(row.byday), row.opens_at, row.closes_at): row
        for row in service.schedules.all()
    }
    wanted = {(tuple(o.days), o.opens_at, o.closes_at) for o in openings}
    service.schedules.exclude(
        pk__in=[row.pk for key, row in kept.items() if key in wanted]
    ).delete()
    for opening in openings:
        if (tuple(opening.days), opening.opens_at, opening.closes_at) not in kept:
            ResourceSchedule.objects.create(
                service=service,
                byday=list(opening.days),
                opens_at=opening.opens_at,
                closes_at=opening.closes_at,
            )


def resource_service_verify(
    *, actor: User, service: ResourceService
) -> ResourceService:
    """Record that a supervisor of the owning CBO confirmed the details today."""
    _check_manager(actor, service.organization.directory_owner_id)
    with transaction.atomic():
        service.last_verified_on = timezone.localdate()
        service.last_verified_by = actor
        service.save(update_fields=["last_verified_on", "last_verified_by", "updated"])
    return service
