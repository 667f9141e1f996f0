"""Geography: great-circle distance when both firms have coordinates, else country and region."""

from __future__ import annotations

import math

import numpy as np

from ..features import ProfileFeatures
from .base import ArrayResult, BatchContext, Component, ComponentResult, PairContext

EARTH_RADIUS_KM = 6371.0
SAME_COUNTRY = 0.7
OTHER_COUNTRY = 0.3


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def compare(a: ProfileFeatures, b: ProfileFeatures, ctx: PairContext) -> ComponentResult | None:
    if a.lat is not None and a.lon is not None and b.lat is not None and b.lon is not None:
        km = distance_km(a.lat, a.lon, b.lat, b.lon)
        return ComponentResult(math.exp(-km / ctx.geography_scale_km), {"km": round(km)})
    if not a.country or not b.country:
        return None
    if a.country == b.country:
        same_region = bool(a.region and a.region == b.region)
        return ComponentResult(1.0 if same_region else SAME_COUNTRY, {"same_country": True, "same_region": same_region})
    return ComponentResult(OTHER_COUNTRY, {"same_country": False})


def batch(ctx: BatchContext) -> ArrayResult:
    a, left, right = ctx.arrays, ctx.left, ctx.right
    coords = ~np.isnan(a.lat[left]) & ~np.isnan(a.lat[right])  # lat is NaN where either coordinate is
    p1, p2 = np.radians(a.lat[left]), np.radians(a.lat[right])
    dl = np.radians(a.lon[right] - a.lon[left])
    h = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    km = 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(np.nan_to_num(h))))
    same_country = (a.country[left] == a.country[right]) & (a.country[left] >= 0)
    same_region = same_country & (a.region[left] == a.region[right]) & (a.region[left] >= 0)
    by_country = np.where(same_region, 1.0, np.where(same_country, SAME_COUNTRY, OTHER_COUNTRY))
    values = np.where(coords, np.exp(-km / ctx.scale_km), by_country)
    return values, coords | ((a.country[left] >= 0) & (a.country[right] >= 0))


COMPONENT = Component(
    "geography",
    compare,
    batch,
    label="close by",
    description="exp(-distance/scale), or same region/country",
)
