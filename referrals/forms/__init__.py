"""Forms of the referrals app, one module per area of work."""
