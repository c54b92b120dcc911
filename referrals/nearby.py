"""Finding resources near a place: a ZIP code's centroid (the Census ZCTA table
admins load) or a typed point, measured to each service's nearest located place
with PostgreSQL's ``earthdistance`` (great-circle metres on a spherical earth).
No external geocoder: places without coordinates are not measured."""

from django.db.models import FloatField, QuerySet
from django.db.models.expressions import RawSQL

from referrals.models import ZipCentroid

METRES_PER_MILE = 1609.344

# The nearest of the service's located places; ``earth_box`` lets the GiST index
# on ``ll_to_earth(latitude, longitude)`` pick candidates before measuring.
NEAREST_SQL = """
SELECT min(earth_distance(ll_to_earth(l.latitude, l.longitude), ll_to_earth(%s, %s)))
FROM referrals_resourcelocation l
JOIN referrals_resourcelocation_services sl ON sl.resourcelocation_id = l.id
WHERE sl.resourceservice_id = referrals_resourceservice.id
  AND l.latitude IS NOT NULL AND l.longitude IS NOT NULL
  AND earth_box(ll_to_earth(%s, %s), %s) @> ll_to_earth(l.latitude, l.longitude)
"""
# The services with a place in the box: found through the index first, so only
# they are measured.
IN_BOX_SQL = """
SELECT sl.resourceservice_id
FROM referrals_resourcelocation l
JOIN referrals_resourcelocation_services sl ON sl.resourcelocation_id = l.id
WHERE l.latitude IS NOT NULL AND l.longitude IS NOT NULL
  AND earth_box(ll_to_earth(%s, %s), %s) @> ll_to_earth(l.latitude, l.longitude)
"""


def zip_point(postal_code: str) -> tuple[float, float] | None:
    """The centroid of a US ZIP code (its first five digits), if loaded."""
    digits = (postal_code or "").strip()[:5]
    if len(digits) != 5 or not digits.isdigit():
        return None
    centroid = ZipCentroid.objects.filter(zip_code=digits).first()
    return (centroid.latitude, centroid.longitude) if centroid else None


def nearest_first(services: QuerySet, point: tuple[float, float], miles: float):
    """Services with a place within ``miles`` of ``point``, nearest first; each
    carries ``distance_miles``."""
    latitude, longitude = point
    radius = miles * METRES_PER_MILE
    # Fixed SQL, every value a parameter (the ORM has no earthdistance functions).
    distance = RawSQL(  # noqa: S611
        NEAREST_SQL,
        (latitude, longitude, latitude, longitude, radius),
        output_field=FloatField(),
    )
    in_box = RawSQL(IN_BOX_SQL, (latitude, longitude, radius))  # noqa: S611
    return (
        services.filter(pk__in=in_box)
        .annotate(distance_metres=distance)
        .filter(distance_metres__lte=radius)
        .order_by("distance_metres", "name", "pk")
    )


def miles(metres: float | None) -> float | None:
    return None if metres is None else metres / METRES_PER_MILE
