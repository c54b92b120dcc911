"""Importing an HSDS 3.0 file into a CBO's directory: read (JSON or a tabular data
package), preview what would be created, updated or refused, then apply.

A file that cannot be read as HSDS (too large, broken JSON, not HSDS records, an
id used twice, a term of a taxonomy neither in the file nor in chwlink) is refused
whole, and nothing is saved. Inside a readable file, each record is matched on its
HSDS id; a record that cannot be taken (an id another directory holds, a missing
name, an unknown status) is refused with its reason and the rest goes ahead.
Preview and apply walk the file with the same code, so the preview says exactly
what applying does; importing the same file again changes nothing.
"""

import datetime
import io
import json
import uuid
import zipfile
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partners.models import User
from referrals.access import may_manage_directory
from referrals.choices import CapacityStatus, ResourceStatus
from referrals.hsds import tabular
from referrals.hsds.emit import hours_schedule_id
from referrals.hsds.taxonomy import (
    CAPACITY_TAXONOMY_ID,
    OWN_TAXONOMIES,
    SDOH_TAXONOMY_ID,
)
from referrals.models import (
    WEEKDAYS,
    HsdsImport,
    ResourceLocation,
    ResourceOrganization,
    ResourceSchedule,
    ResourceService,
    ResourceServiceAtLocation,
    ResourceServiceTerm,
    ResourceTaxonomy,
    ResourceTaxonomyTerm,
)

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
STATUSES = {choice.value for choice in ResourceStatus}
# Keys that make a schedule more than "these days, these hours every week".
RECURRENCE = ("byweekno", "bymonthday", "byyearday", "count", "until")
RECURRENCE += ("valid_from", "valid_to")


# ---------------------------------------------------------------- reading files


def _refuse(message: str):
    raise ValidationError(message, code="refused")


def read_upload(name: str, data: bytes) -> list[dict]:
    """The organization records of an uploaded file, or ``ValidationError``
    saying why the file cannot be imported."""
    if len(data) > MAX_UPLOAD_BYTES:
        _refuse(
            _("The file is larger than %(limit)d MB; split it or send the package.")
            % {"limit": MAX_UPLOAD_BYTES // (1024 * 1024)}
        )
    is_zip = data[:4] == b"PK\x03\x04"
    records = _organizations_of(_read_package(data) if is_zip else _read_json(data))
    _check_ids(records)
    _check_taxonomies(records)
    return records


def _read_json(data: bytes):
    try:
        return json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        _refuse(_("The file is not text in UTF-8: send HSDS JSON or a data package."))
    except json.JSONDecodeError as broken:
        _refuse(
            _("The file is not valid JSON (line %(line)d, column %(column)d: %(msg)s).")
            % {"line": broken.lineno, "column": broken.colno, "msg": broken.msg}
        )


def _read_package(data: bytes) -> list[dict]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = [n for n in archive.namelist() if not n.endswith("/")]
        if sum(archive.getinfo(n).file_size for n in names) > 5 * MAX_UPLOAD_BYTES:
            _refuse(_("The package unpacks to more than 50 MB."))
        if not any(n.rsplit("/", 1)[-1] == "datapackage.json" for n in names):
            _refuse(
                _("The zip file has no datapackage.json: it is not a data package.")
            )
        files = {
            n: archive.read(n).decode("utf-8-sig") for n in names if n.endswith(".csv")
        }
    except (zipfile.BadZipFile, UnicodeDecodeError):
        _refuse(_("The zip file cannot be read as an HSDS data package."))
    try:
        tables = tabular.read_tables(files)
    except ValueError:
        _refuse(_("A number column of the package holds something that is no number."))
    if "organization" not in tables:
        _refuse(_("The package has no organizations.csv."))
    return tabular.unflatten(tables)


def _organizations_of(parsed) -> list[dict]:
    """Organizations with their services: the file may hold organizations or
    services (each naming its organization), alone or as a list or a page."""
    if isinstance(parsed, dict) and isinstance(parsed.get("contents"), list):
        parsed = parsed["contents"]
    items = parsed if isinstance(parsed, list) else [parsed]
    if not items or not all(isinstance(item, dict) for item in items):
        _refuse(_("This is not an HSDS file: it holds no organization or service."))
    organizations: dict[str, dict] = {}
    for item in items:
        if "status" in item and ("organization" in item or "organization_id" in item):
            owner = item.get("organization") or {"id": item["organization_id"]}
            if not isinstance(owner, dict) or "id" not in owner:
                _refuse(_("This is not an HSDS file: a service names no organization."))
            record = organizations.setdefault(
                str(owner["id"]), {**owner, "services": []}
            )
            record.setdefault("services", []).append(item)
        elif "name" in item and "id" in item and "status" not in item:
            organizations[str(item["id"])] = item
        else:
            _refuse(
                _(
                    "This is not an HSDS file: each record must be an organization "
                    "(id, name, description) or a service (id, name, status)."
                )
            )
    return list(organizations.values())


def _entities(records: list[dict]):
    """Every (kind, record) of the file that carries an HSDS id of its own."""
    for organization in records:
        yield "organization", organization
        for location in organization.get("locations") or []:
            yield "location", location
        for service in organization.get("services") or []:
            yield "service", service
            for link in service.get("service_at_locations") or []:
                yield "service_at_location", link


def _check_ids(records: list[dict]) -> None:
    seen: dict[tuple[str, str], dict] = {}
    for kind, record in _entities(records):
        raw = record.get("id")
        try:
            key = (kind, str(uuid.UUID(str(raw))))
        except ValueError:
            _refuse(
                _("The %(kind)s %(name)s has no HSDS id (a UUID); found %(id)s.")
                % {"kind": kind, "name": record.get("name", ""), "id": raw}
            )
        earlier = seen.get(key)
        if earlier is not None and earlier != record:
            _refuse(
                _("The id %(id)s is used twice, by two different %(kind)s records.")
                % {"id": key[1], "kind": kind}
            )
        seen[key] = record


def _terms_in(records: list[dict]):
    for _kind, record in _entities(records):
        yield from record.get("attributes") or []


def _file_taxonomies(records: list[dict]) -> set[str]:
    found = set()
    for attribute in _terms_in(records):
        detail = (attribute.get("taxonomy_term") or {}).get("taxonomy_detail")
        if isinstance(detail, dict) and detail.get("id"):
            found.add(str(detail["id"]))
    return found


def _check_taxonomies(records: list[dict]) -> None:
    """Every term names a taxonomy the file describes or chwlink knows."""
    in_file = _file_taxonomies(records)
    term_ids = {
        str(attribute["taxonomy_term_id"])
        for attribute in _terms_in(records)
        if attribute.get("taxonomy_term_id") and not attribute.get("taxonomy_term")
    }
    known_terms = {
        str(code)
        for code in ResourceTaxonomyTerm.objects.filter(
            code__in=[t for t in term_ids if _is_uuid(t)]
        ).values_list("code", flat=True)
    }
    unknown_terms = sorted(term_ids - known_terms)
    if unknown_terms:
        _refuse(
            _("Unknown taxonomy term %(id)s: it is neither in the file nor in chwlink.")
            % {"id": unknown_terms[0]}
        )
    wanted = set()
    for attribute in _terms_in(records):
        term = attribute.get("taxonomy_term")
        if not term:
            continue
        taxonomy = term.get("taxonomy_id") or (term.get("taxonomy_detail") or {}).get(
            "id"
        )
        if not taxonomy:
            _refuse(
                _("The term %(name)s names no taxonomy (taxonomy_id or detail).")
                % {"name": term.get("name", term.get("id"))}
            )
        wanted.add(str(taxonomy))
    known = in_file | {
        str(code)
        for code in ResourceTaxonomy.objects.filter(
            code__in=[t for t in wanted if _is_uuid(t)]
        ).values_list("code", flat=True)
    }
    unknown = sorted(wanted - known)
    if unknown:
        _refuse(
            _("Unknown taxonomy %(id)s: describe it in the file (taxonomy_detail).")
            % {"id": unknown[0]}
        )


def _is_uuid(value) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


# ---------------------------------------------------------------- the walk


@dataclass
class Plan:
    """What a file does to a directory: one line per record."""

    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)
    refused: list = field(default_factory=list)

    def note(self, action: str, kind: str, name: str, reason: str = ""):
        getattr(self, action).append({"kind": kind, "name": name, "reason": reason})


def _without(record: dict, *keys) -> dict:
    return {k: v for k, v in record.items() if k not in keys}


def _put(model, *, code, fields: dict):
    """Create or update one row by its HSDS id; returns (row, action)."""
    row = model.objects.filter(code=code).first()
    if row is None:
        return model.objects.create(code=code, **fields), "created"
    changed = [name for name, value in fields.items() if getattr(row, name) != value]
    for name in changed:
        setattr(row, name, fields[name])
    if changed:
        row.save()
    return row, "updated" if changed else "unchanged"


class Walk:
    """Writes the file's records into the directory and notes each outcome; the
    preview runs it in a transaction it rolls back."""

    def __init__(self, owner_id: int):
        self.owner_id = owner_id
        self.plan = Plan()

    def run(self, records: list[dict]) -> Plan:
        for organization in records:
            self.organization(organization)
        return self.plan

    def _refused(self, kind, record, reason):
        self.plan.note(
            "refused", kind, str(record.get("name") or record.get("id")), reason
        )

    def organization(self, record: dict) -> None:
        code = uuid.UUID(str(record["id"]))
        name = str(record.get("name") or "").strip()[:200]
        other = ResourceOrganization.objects.filter(code=code).exclude(
            directory_owner_id=self.owner_id
        )
        if other.exists():
            return self._refused(
                "organization", record, _("Another directory holds this id.")
            )
        if not name:
            return self._refused("organization", record, _("It has no name."))
        clash = ResourceOrganization.objects.filter(
            directory_owner_id=self.owner_id, name__iexact=name
        ).exclude(code=code)
        if clash.exists():
            return self._refused(
                "organization",
                record,
                _("Your directory has another organization of this name."),
            )
        phones = record.get("phones") or []
        fields = {
            "directory_owner_id": self.owner_id,
            "name": name,
            "description": str(record.get("description") or ""),
            "email": str(record.get("email") or "")[:254],
            "website": str(record.get("website") or "")[:200],
            "phone": str(phones[0].get("number", ""))[:40] if phones else "",
            "hsds_extra": _without(
                record, "id", "name", "description", "email", "website",
                "services", "locations",
            ),
        }  # fmt: skip
        if fields["email"] and "@" not in fields["email"]:
            return self._refused(
                "organization", record, _("Its e-mail is not an e-mail address.")
            )
        organization, action = _put(ResourceOrganization, code=code, fields=fields)
        self.plan.note(action, "organization", name)
        locations = {}
        for location in record.get("locations") or []:
            placed = self.location(organization, location)
            if placed is not None:
                locations[str(placed.code)] = placed
        for service in record.get("services") or []:
            self.service(organization, service, locations)

    def location(self, organization, record: dict):
        code = uuid.UUID(str(record["id"]))
        held = ResourceLocation.objects.filter(code=code).exclude(
            organization__directory_owner_id=self.owner_id
        )
        if held.exists():
            self._refused("location", record, _("Another directory holds this id."))
            return None
        addresses = record.get("addresses") or []
        address = next(
            (a for a in addresses if a.get("address_type") == "physical"),
            addresses[0] if addresses else {},
        )
        extra = _without(record, "id", "name", "organization_id", "schedules")
        latitude, longitude = record.get("latitude"), record.get("longitude")
        on_earth = (
            isinstance(latitude, int | float)
            and isinstance(longitude, int | float)
            and -90 <= latitude <= 90
            and -180 <= longitude <= 180
        )
        if on_earth:
            extra.pop("latitude", None)
            extra.pop("longitude", None)
        name = str(record.get("name") or address.get("address_1") or "")[:200]
        fields = {
            "organization": organization,
            "name": name or _("Location"),
            "address": str(address.get("address_1") or "")[:200],
            "city": str(address.get("city") or "")[:100],
            "state": str(address.get("state_province") or "")[:40],
            "postal_code": str(address.get("postal_code") or "")[:12],
            "country": str(address.get("country") or "US")[:2].upper(),
            "latitude": latitude if on_earth else None,
            "longitude": longitude if on_earth else None,
            "hsds_extra": extra,
        }
        if address.get("id") and _is_uuid(address["id"]):
            fields["address_code"] = uuid.UUID(str(address["id"]))
        location, action = _put(ResourceLocation, code=code, fields=fields)
        self.plan.note(action, "location", fields["name"])
        self.schedules(record.get("schedules") or [], location=location)
        return location

    def service(self, organization, record: dict, locations: dict) -> None:
        code = uuid.UUID(str(record["id"]))
        name = str(record.get("name") or "").strip()
        held = ResourceService.objects.filter(code=code).exclude(
            organization__directory_owner_id=self.owner_id
        )
        if held.exists():
            return self._refused(
                "service", record, _("Another directory holds this id.")
            )
        if not name:
            return self._refused("service", record, _("It has no name."))
        if record.get("status") not in STATUSES:
            return self._refused(
                "service",
                record,
                _("Its status %(status)s is none of HSDS's.")
                % {"status": record.get("status")},
            )
        needs, capacity, others = self.attributes(record.get("attributes") or [])
        hours_id = str(hours_schedule_id(code))
        schedules = record.get("schedules") or []
        hours = next((s for s in schedules if str(s.get("id")) == hours_id), None)
        fields = {
            "organization": organization,
            "name": name[:200],
            "description": str(record.get("description") or ""),
            "url": str(record.get("url") or "")[:500],
            "email": str(record.get("email") or "")[:254],
            "status": record["status"],
            "interpretation_services": str(
                record.get("interpretation_services") or ""
            )[:300],
            "application_process": str(record.get("application_process") or ""),
            "eligibility": str(record.get("eligibility_description") or ""),
            "fees": str(record.get("fees_description") or ""),
            "languages": [
                str(item["code"])[:8]
                for item in record.get("languages") or []
                if item.get("code")
            ],
            "funding": [
                str(item.get("source") or "") for item in record.get("funding") or []
            ],
            "needs": needs,
            "capacity_status": capacity[0] if capacity else "",
            "capacity_note": capacity[1][:200] if capacity else "",
            "hours": str((hours or {}).get("description") or "")[:200],
            "hsds_extra": _without(
                record, "id", "name", "description", "url", "email", "status",
                "interpretation_services", "application_process",
                "eligibility_description", "fees_description", "languages",
                "funding", "schedules", "service_at_locations", "attributes",
                "organization", "organization_id", "last_modified",
            ) | {
                key: record[key]
                for key in ("languages", "funding")
                if key in record
            },
        }  # fmt: skip
        service, action = _put(ResourceService, code=code, fields=fields)
        if action != "unchanged" and capacity:
            service.capacity_updated_at = timezone.now()
            service.save(update_fields=["capacity_updated_at"])
        changed = self.schedules(
            [s for s in schedules if s is not hours], service=service
        )
        changed |= self.links(
            service, record.get("service_at_locations") or [], locations
        )
        changed |= self.service_terms(service, others)
        if action == "unchanged" and changed:
            action = "updated"
        self.plan.note(action, "service", name)

    def attributes(self, attributes: list[dict]):
        """Needs (SDOH terms), capacity, and the other attributes to keep."""
        needs, capacity, others = [], None, []
        for attribute in attributes:
            term = attribute.get("taxonomy_term") or {}
            term_id = term.get("id") or attribute.get("taxonomy_term_id")
            taxonomy = term.get("taxonomy_id") or (
                term.get("taxonomy_detail") or {}
            ).get("id")
            known = (
                ResourceTaxonomyTerm.objects.filter(code=term_id)
                .select_related("taxonomy")
                .first()
                if _is_uuid(term_id)
                else None
            )
            if known and known.taxonomy and known.taxonomy.code in OWN_TAXONOMIES:
                taxonomy = str(known.taxonomy.code)
            if taxonomy == str(SDOH_TAXONOMY_ID) and known:
                needs.append(known.term_code)
            elif taxonomy == str(CAPACITY_TAXONOMY_ID) and known:
                if known.term_code in CapacityStatus.values:
                    value = attribute.get("value") or ""
                    capacity = (known.term_code, "" if value == known.name else value)
            else:
                others.append(attribute)
        return needs, capacity, others

    def schedules(self, records: list[dict], *, service=None, location=None) -> bool:
        changed = False
        owner = {"service": service} if service is not None else {"location": location}
        for record in records:
            if not _is_uuid(record.get("id")):
                continue
            _row, action = _put(
                ResourceSchedule,
                code=uuid.UUID(str(record["id"])),
                fields={**owner, **_schedule_fields(record)},
            )
            changed |= action != "unchanged"
        return changed

    def links(self, service, records: list[dict], locations: dict) -> bool:
        changed = False
        for record in records:
            if not _is_uuid(record.get("id")):
                continue
            nested = record.get("location")
            location = None
            if isinstance(nested, dict) and _is_uuid(nested.get("id")):
                location = locations.get(str(nested["id"])) or self.location(
                    service.organization, nested
                )
            elif record.get("location_id"):
                location = locations.get(str(record["location_id"])) or (
                    ResourceLocation.objects.filter(
                        code=record["location_id"],
                        organization=service.organization,
                    ).first()
                )
            if location is None:
                continue
            fields = {
                "resourceservice": service,
                "resourcelocation": location,
                "hsds_extra": _without(
                    record, "id", "service_id", "location_id", "location"
                ),
            }
            _row, action = _put(
                ResourceServiceAtLocation,
                code=uuid.UUID(str(record["id"])),
                fields=fields,
            )
            changed |= action != "unchanged"
        return changed

    def service_terms(self, service, attributes: list[dict]) -> bool:
        changed = False
        for attribute in attributes:
            if not _is_uuid(attribute.get("id")):
                continue
            term = self.term(attribute)
            if term is None:
                continue
            _row, action = _put(
                ResourceServiceTerm,
                code=uuid.UUID(str(attribute["id"])),
                fields={
                    "service": service,
                    "term": term,
                    "value": str(attribute.get("value") or "")[:500],
                    "hsds_extra": _without(attribute, "id", "value", "taxonomy_term"),
                },
            )
            changed |= action != "unchanged"
        return changed

    def term(self, attribute: dict):
        record = attribute.get("taxonomy_term")
        if not record:
            return ResourceTaxonomyTerm.objects.filter(
                code=attribute.get("taxonomy_term_id")
            ).first()
        code = uuid.UUID(str(record["id"]))
        existing = ResourceTaxonomyTerm.objects.filter(code=code).first()
        if (
            existing
            and existing.taxonomy_id
            and existing.taxonomy.code in OWN_TAXONOMIES
        ):
            return existing
        detail = record.get("taxonomy_detail")
        taxonomy = None
        if isinstance(detail, dict) and _is_uuid(detail.get("id")):
            taxonomy, _action = _put(
                ResourceTaxonomy,
                code=uuid.UUID(str(detail["id"])),
                fields={
                    "name": str(detail.get("name") or "")[:200],
                    "description": str(detail.get("description") or ""),
                    "uri": str(detail.get("uri") or "")[:500],
                    "version": str(detail.get("version") or "")[:50],
                    "hsds_extra": _without(
                        detail, "id", "name", "description", "uri", "version"
                    ),
                },
            )
        elif record.get("taxonomy_id"):
            taxonomy = ResourceTaxonomy.objects.filter(
                code=record["taxonomy_id"]
            ).first()
        parent = None
        if _is_uuid(record.get("parent_id")):
            parent = ResourceTaxonomyTerm.objects.filter(
                code=record["parent_id"]
            ).first()
        drop = ["id", "code", "name", "description", "taxonomy_detail", "taxonomy_id"]
        if parent is not None:
            drop.append("parent_id")
        term, _action = _put(
            ResourceTaxonomyTerm,
            code=code,
            fields={
                "taxonomy": taxonomy,
                "term_code": str(record.get("code") or "")[:100],
                "name": str(record.get("name") or "")[:200],
                "description": str(record.get("description") or ""),
                "parent": parent,
                "hsds_extra": _without(record, *drop),
            },
        )
        return term


def _time(value):
    if not isinstance(value, str):
        return None
    for pattern in ("%H:%M:%S", "%H:%M"):
        try:
            return datetime.datetime.strptime(value, pattern).time()
        except ValueError:
            continue
    return None


def _schedule_fields(record: dict) -> dict:
    """A plain weekly schedule becomes days and hours chwlink searches; any other
    (monthly, by week number, dated) is kept as received and answers no
    "open now"."""
    days = [d.strip().upper() for d in str(record.get("byday") or "").split(",")]
    opens, closes = _time(record.get("opens_at")), _time(record.get("closes_at"))
    weekly = (
        record.get("freq") in (None, "WEEKLY")
        and record.get("interval") in (None, 1)
        and not any(record.get(key) for key in RECURRENCE)
        and days
        and all(day in WEEKDAYS for day in days)
        and opens
        and closes
        and opens < closes
    )
    keep = ["id", "service_id", "location_id", "description"]
    if weekly:
        keep += ["byday"]
    return {
        "byday": days if weekly else [],
        "opens_at": opens if weekly else None,
        "closes_at": closes if weekly else None,
        "description": str(record.get("description") or ""),
        "hsds_extra": _without(record, *keep),
    }


# ---------------------------------------------------------------- services


def _check_manager(actor: User, owner_id: int) -> None:
    if not may_manage_directory(actor, owner_id):
        raise PermissionDenied


def hsds_import_upload(*, actor: User, file_name: str, data: bytes) -> HsdsImport:
    """Keep a readable HSDS file for preview (nothing of the directory changes);
    an unreadable one is refused with why, and nothing is kept."""
    _check_manager(actor, actor.organization_id)
    records = read_upload(file_name, data)
    return HsdsImport.objects.create(
        directory_owner_id=actor.organization_id,
        file_name=file_name[:200],
        content=records,
        uploaded_by=actor,
    )


def hsds_import_preview(upload: HsdsImport) -> Plan:
    """What applying would do, record by record. Writes nothing."""
    with transaction.atomic():
        plan = Walk(upload.directory_owner_id).run(upload.content)
        transaction.set_rollback(True)
    return plan


def hsds_import_apply(*, actor: User, upload: HsdsImport) -> HsdsImport:
    """Write what the preview showed, once: a second confirmation (or a
    concurrent one) finds the import no longer pending."""
    _check_manager(actor, upload.directory_owner_id)
    with transaction.atomic():
        claimed = HsdsImport.objects.filter(
            pk=upload.pk, status=HsdsImport.Status.PENDING
        ).update(status=HsdsImport.Status.CONFIRMED, confirmed_at=timezone.now())
        if not claimed:
            raise ValidationError(_("This file was already imported or discarded."))
        plan = Walk(upload.directory_owner_id).run(upload.content)
        HsdsImport.objects.filter(pk=upload.pk).update(
            created_count=len(plan.created),
            updated_count=len(plan.updated),
            refused_count=len(plan.refused),
        )
    upload.refresh_from_db()
    return upload


def hsds_import_discard(*, actor: User, upload: HsdsImport) -> None:
    _check_manager(actor, upload.directory_owner_id)
    HsdsImport.objects.filter(pk=upload.pk, status=HsdsImport.Status.PENDING).update(
        status=HsdsImport.Status.DISCARDED
    )
