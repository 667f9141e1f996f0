"""Geography: great-circle distance when both firms have coordinates, else country and region."""

from __future__ import annotations

import math

from . import Comparator, ComponentResult

SAME_COUNTRY = 0.7
OTHER_COUNTRY = 0.3


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


def compare(a, b, ctx) -> ComponentResult | None:
    if None not in (a.lat, a.lon, b.lat, b.lon):
        km = distance_km(a.lat, a.lon, b.lat, b.lon)
        return ComponentResult(math.exp(-km / ctx.geography_scale_km), {"km": round(km)})
    if not a.country or not b.country:
        return None
    if a.country == b.country:
        same_region = bool(a.region and a.region == b.region)
        return ComponentResult(1.0 if same_region else SAME_COUNTRY, {"same_country": True, "same_region": same_region})
    return ComponentResult(OTHER_COUNTRY, {"same_country": False})


COMPARATOR = Comparator("geography", compare, description="exp(-distance/scale), or same region/country")
