"""Social-needs screening: instruments as data, scoring, records and FHIR."""
