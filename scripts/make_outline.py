"""Extract Kazakhstan's outline from Natural Earth (via the npm package world-atlas) as GeoJSON.

Natural Earth is in the public domain; world-atlas 2.0.2 redistributes its 1:50m countries
(Natural Earth 4.1.0) as TopoJSON under the ISC licence. The output is small enough to embed in
every map, so the report needs no network to draw it.

    npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    python scripts/make_outline.py package/countries-50m.json src/kzunrest/geo/kazakhstan.geojson
"""

import json
import sys

KAZAKHSTAN = "398"  # ISO 3166-1 numeric code, the feature id in world-atlas


def decode_arcs(topology: dict) -> list[list[list[float]]]:
    """Delta-decode and un-quantize every arc of a TopoJSON topology."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append([round(x * sx + tx, 4), round(y * sy + ty, 4)])
        arcs.append(points)
    return arcs


def ring(indexes: list[int], arcs: list) -> list[list[float]]:
    points: list[list[float]] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc[1:] if points else arc)
    return points


def main(source: str, target: str) -> None:
    topology = json.load(open(source, encoding="utf-8"))
    arcs = decode_arcs(topology)
    country = next(g for g in topology["objects"]["countries"]["geometries"]
                   if g.get("id") == KAZAKHSTAN)
    polygons = country["arcs"] if country["type"] == "MultiPolygon" else [country["arcs"]]
    geometry = {"type": "MultiPolygon",
                "coordinates": [[ring(r, arcs) for r in polygon] for polygon in polygons]}
    feature = {"type": "Feature", "id": KAZAKHSTAN, "geometry": geometry,
               "properties": {"name": "Kazakhstan",
                              "source": "Natural Earth 1:50m admin-0 countries v4.1.0 "
                                        "(public domain), via world-atlas 2.0.2"}}
    with open(target, "w", encoding="utf-8") as handle:
        json.dump({"type": "FeatureCollection", "features": [feature]}, handle,
                  separators=(",", ":"))


if __name__ == "__main__":
    main(*sys.argv[1:3])
