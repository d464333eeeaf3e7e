"""Kazakhstan's regions as they stood in January 2022, and which region a point lies in.

The outlines (``geo/regions_2022.geojson``, made by ``scripts/make_regions.py``; provenance in
``geo/README.md``) come from an older Natural Earth admin-1 layer: 14 regions and the cities of
Almaty and Nur-Sultan (Astana). Shymkent, a city of republican significance since 2018, has no
outline of its own there: it lies inside Turkistan Region's.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

# Regions of the data with no outline of their own, and the outline that contains them.
DRAWN_INSIDE = {"Shymkent city": "Turkistan Region"}


@lru_cache(maxsize=1)
def regions() -> dict:
    """The GeoJSON FeatureCollection of the regions, one feature per region with an outline."""
    text = resources.files("kzunrest").joinpath("geo/regions_2022.geojson").read_text("utf-8")
    return json.loads(text)


def outline_of(region: str) -> str:
    """The name of the outline a region is drawn with (its own, or the one containing it)."""
    return DRAWN_INSIDE.get(region, region)


def _in_ring(x: float, y: float, ring: list) -> bool:
    """Even-odd rule: does a ray from (x, y) cross the ring an odd number of times?"""
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1]):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def _in_polygon(x: float, y: float, polygon: list) -> bool:
    return _in_ring(x, y, polygon[0]) and not any(_in_ring(x, y, hole) for hole in polygon[1:])


def regions_at(longitude: float, latitude: float) -> list[str]:
    """Every region outline containing the point (cities lie inside their surrounding region)."""
    return [feature["properties"]["region"] for feature in regions()["features"]
            if any(_in_polygon(longitude, latitude, p) for p in feature["geometry"]["coordinates"])]
