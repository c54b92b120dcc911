"""Two-way text messages with patients: backends, consent, keywords, the outbox,
the webhook and the automatic texts."""
