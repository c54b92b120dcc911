"""chwlink's referrals in HL7 FHIR R4, as the Gravity SDOH Clinical Care IG has
them: a ``Task`` (TaskForReferralManagement) whose ``focus`` is a
``ServiceRequest``, with the ``Patient``, the ``Consent`` and, once closed, the
``Procedure`` outputs. ``codes`` holds the code systems and value mappings,
``status`` the referral status mapping, ``emit`` the resources built from rows.
"""
