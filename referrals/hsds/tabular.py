"""HSDS records as the tabular data package (one CSV per table and a
``datapackage.json``), and back: rows point to their parents by ``*_id`` columns,
attributes by ``link_id``."""

import csv
import io
import json
import zipfile

from chwlink.lib import csv_export
from referrals.hsds.tables import TABLES

# Which table a nested list or object of a record goes to.
NESTED = {
    "services": "service",
    "locations": "location",
    "service_at_locations": "service_at_location",
    "phones": "phone",
    "schedules": "schedule",
    "languages": "language",
    "funding": "funding",
    "addresses": "address",
    "attributes": "attribute",
    "contacts": "contact",
    "service_areas": "service_area",
    "required_documents": "required_document",
    "accessibility": "accessibility",
    "cost_options": "cost_option",
    "organization_identifiers": "organization_identifier",
    "programs": "program",
    "metadata": "metadata",
    "location": "location",
    "organization": "organization",
    "program": "program",
    "taxonomy_term": "taxonomy_term",
    "taxonomy_detail": "taxonomy",
}
LIST_OF = {table: key for key, table in NESTED.items() if key.endswith("s")}
LIST_OF |= {"funding": "funding", "accessibility": "accessibility"}


def flatten(organizations: list[dict]) -> dict[str, list[dict]]:
    """The rows of every table, each once (by id), parents' ids filled in."""
    tables: dict[str, dict[str, dict]] = {name: {} for name in TABLES}

    def visit(record: dict, table: str, parent_table: str | None, parent_id):
        columns = TABLES[table]["columns"]
        row = {key: record[key] for key in columns if key in record}
        if parent_table and f"{parent_table}_id" in columns:
            row.setdefault(f"{parent_table}_id", parent_id)
        if table == "attribute" and parent_id:
            row.setdefault("link_id", parent_id)
            row.setdefault("link_entity", parent_table)
        if table == "attribute" and "taxonomy_term" in record:
            row.setdefault("taxonomy_term_id", record["taxonomy_term"].get("id"))
        if table == "taxonomy_term" and "taxonomy_detail" in record:
            row.setdefault("taxonomy_id", record["taxonomy_detail"].get("id"))
        if table == "metadata" and parent_id:
            row.setdefault("resource_id", parent_id)
            row.setdefault("resource_type", parent_table)
        tables[table].setdefault(str(row.get("id")), {}).update(row)
        for key, value in record.items():
            child = NESTED.get(key)
            if child is None:
                continue
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, dict):
                    visit(item, child, table, record.get("id"))

    for organization in organizations:
        visit(organization, "organization", None, None)
    return {name: list(rows.values()) for name, rows in tables.items() if rows}


def _csv(table: str, rows: list[dict]) -> str:
    """Through the one CSV writer: text that starts like a formula gets a leading
    apostrophe, which ``read_tables`` takes off again."""
    columns = TABLES[table]["columns"]
    return csv_export.text(
        [columns, *([row.get(column, "") for column in columns] for row in rows)]
    )


def datapackage(tables: dict[str, list[dict]], *, name: str) -> dict:
    return {
        "name": name,
        "profile": "tabular-data-package",
        "resources": [
            {
                "name": table,
                "path": TABLES[table]["path"],
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": {
                    "fields": [
                        {
                            "name": column,
                            "type": "number"
                            if column in TABLES[table]["numbers"]
                            else "string",
                        }
                        for column in TABLES[table]["columns"]
                    ],
                    "primaryKey": "id",
                },
            }
            for table in tables
        ],
    }


def package_zip(organizations: list[dict], *, name: str) -> bytes:
    """The data package as one zip file: ``datapackage.json`` and the CSVs."""
    tables = flatten(organizations)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "datapackage.json",
            json.dumps(datapackage(tables, name=name), indent=2),
        )
        for table, rows in tables.items():
            archive.writestr(TABLES[table]["path"], _csv(table, rows))
    return buffer.getvalue()


def _unescaped(value: str) -> str:
    if (
        value.startswith("'")
        and value[1:2]
        and value[1:].startswith(csv_export.FORMULA_STARTS)
    ):
        return value[1:]
    return value


def _typed(table: str, row: dict) -> dict:
    numbers = TABLES[table]["numbers"]
    typed = {}
    for key, value in row.items():
        if key not in TABLES[table]["columns"] or value in ("", None):
            continue
        value = _unescaped(value)
        if key in numbers:
            number = float(value)
            value = int(number) if number.is_integer() else number
        typed[key] = value
    return typed


def read_tables(files: dict[str, str]) -> dict[str, list[dict]]:
    """CSV texts by file name → typed rows by table (unknown files ignored;
    a number that is not one raises ``ValueError``)."""
    by_path = {spec["path"]: table for table, spec in TABLES.items()}
    tables = {}
    for path, text in files.items():
        table = by_path.get(path.rsplit("/", 1)[-1])
        if table is None:
            continue
        tables[table] = [
            _typed(table, row) for row in csv.DictReader(io.StringIO(text))
        ]
    return tables


def unflatten(tables: dict[str, list[dict]]) -> list[dict]:
    """Rows back into organization records: children under the row their
    ``*_id`` (or an attribute's ``link_id``) names."""
    rows = {table: [dict(row) for row in items] for table, items in tables.items()}
    by_id = {
        table: {row.get("id"): row for row in items} for table, items in rows.items()
    }

    def children(table: str, parent_table: str, parent_id) -> list[dict]:
        if table == "attribute":
            return [
                row
                for row in rows.get("attribute", [])
                if row.get("link_id") == parent_id
            ]
        key = f"{parent_table}_id"
        return [row for row in rows.get(table, []) if row.get(key) == parent_id]

    def build(table: str, row: dict, depth=0) -> dict:
        record = dict(row)
        if depth > 4:
            return record
        for child_table in (
            "phone",
            "schedule",
            "language",
            "funding",
            "address",
            "contact",
            "service_area",
            "required_document",
            "accessibility",
            "cost_option",
            "organization_identifier",
            "attribute",
        ):
            if f"{table}_id" in TABLES[child_table]["columns"] or (
                child_table == "attribute"
            ):
                found = children(child_table, table, row.get("id"))
                if found:
                    record[LIST_OF[child_table]] = [
                        build(child_table, item, depth + 1) for item in found
                    ]
        if table == "attribute" and row.get("taxonomy_term_id") in by_id.get(
            "taxonomy_term", {}
        ):
            record["taxonomy_term"] = build(
                "taxonomy_term", by_id["taxonomy_term"][row["taxonomy_term_id"]]
            )
        if table == "taxonomy_term" and row.get("taxonomy_id") in by_id.get(
            "taxonomy", {}
        ):
            record["taxonomy_detail"] = dict(by_id["taxonomy"][row["taxonomy_id"]])
        if table == "service_at_location" and row.get("location_id") in by_id.get(
            "location", {}
        ):
            record["location"] = build(
                "location", by_id["location"][row["location_id"]], depth + 1
            )
        if table == "service":
            found = children("service_at_location", "service", row.get("id"))
            if found:
                record["service_at_locations"] = [
                    build("service_at_location", item, depth + 1) for item in found
                ]
        return record

    organizations = []
    for row in rows.get("organization", []):
        record = build("organization", row)
        locations = children("location", "organization", row.get("id"))
        services = children("service", "organization", row.get("id"))
        if locations:
            record["locations"] = [build("location", item, 1) for item in locations]
        if services:
            record["services"] = [build("service", item, 1) for item in services]
        organizations.append(record)
    return organizations
