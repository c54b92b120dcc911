"""Open Referral HSDS 3.0: chwlink's directory as HSDS records, the read API, and
import of other directories' files."""
