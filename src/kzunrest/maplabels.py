"""Where a map's city labels go: beside their dot, on a side where the label covers no other
label, no other city's dot and does not leave the map.

Vega-Lite draws text where it is told and does not move labels apart, so cities close together
(Uralsk and Aksay, Semey and Ust-Kamenogorsk) printed over each other, in every language. Here
each label is given one of eight places around its dot, chosen greedily: the most crowded cities
first, each taking the first place in :data:`PLACES` that is free, or else the place it overlaps
least. Labels are measured by an estimate of their width from classes of letters (no font file
is read), generous enough that a label never takes more room than estimated.

Positions are in the map's pixels under its Mercator projection (the one ``charts`` passes to
Vega-Lite); the chosen anchor is turned back into a longitude and latitude, so the chart needs
no pixel offsets per label.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# Widths in em of DejaVu Sans, the charts' font, by class of letter, each at least the widest
# advance of its class in Latin, Russian and Kazakh (measured from the font: Щ 1.09, ы 0.79,
# O 0.79, ң 0.66, r 0.41), so a name never takes more room than estimated.
WIDE_LETTERS, WIDE_EM = set("ЖШЩЮЫФЪМWMmшщжюwф"), 1.1
NARROW_LETTERS, NARROW_EM = set("iljtfrIі-.,'’ "), 0.45
BROAD_LETTERS = set("ымцъд")  # lower-case, as wide as capitals
CAPITAL_EM, SMALL_EM = 0.8, 0.67
LINE_HEIGHT = 1.2  # of the font size
GAP = 2.0  # px between a dot's edge and its label
NEIGHBOURHOOD = 60.0  # px: a dot with more dots within this distance is placed earlier

# (name, Vega text align, Vega baseline, horizontal and vertical direction from the dot), in the
# order a label tries them: beside, then above or below, then on a diagonal.
PLACES = (("right", "left", "middle", 1, 0), ("left", "right", "middle", -1, 0),
          ("above", "center", "bottom", 0, -1), ("below", "center", "top", 0, 1),
          ("above-right", "left", "bottom", 1, -1), ("above-left", "right", "bottom", -1, -1),
          ("below-right", "left", "top", 1, 1), ("below-left", "right", "top", -1, 1))
ALIGN = {name: (align, baseline) for name, align, baseline, _, _ in PLACES}


@dataclass(frozen=True)
class Box:
    left: float
    top: float
    right: float
    bottom: float

    def overlap(self, other: Box) -> float:
        """The area this box shares with ``other``."""
        width = min(self.right, other.right) - max(self.left, other.left)
        height = min(self.bottom, other.bottom) - max(self.top, other.top)
        return width * height if width > 0 and height > 0 else 0.0

    def outside(self, width: float, height: float) -> float:
        """The area of this box beyond a ``width`` by ``height`` map."""
        inside = Box(max(self.left, 0), max(self.top, 0), min(self.right, width),
                     min(self.bottom, height))
        kept = max(inside.right - inside.left, 0) * max(inside.bottom - inside.top, 0)
        return (self.right - self.left) * (self.bottom - self.top) - kept


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    radius: float
    text: str


@dataclass(frozen=True)
class Label:
    place: str  # a name in PLACES
    x: float  # the anchor Vega aligns the text on, in pixels
    y: float
    box: Box


def mercator_y(lat: float) -> float:
    """A latitude's height on a Mercator map of scale 1 (radians)."""
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def mercator(projection: dict):
    """Longitude and latitude to pixels, and back, under a Vega ``mercator`` projection given by
    scale, center and translate (as ``charts`` builds it)."""
    scale = projection["scale"]
    centre_lon, centre_lat = projection["center"]
    tx, ty = projection["translate"]

    def forward(lon: float, lat: float) -> tuple[float, float]:
        return (tx + scale * math.radians(lon - centre_lon),
                ty - scale * (mercator_y(lat) - mercator_y(centre_lat)))

    def inverse(x: float, y: float) -> tuple[float, float]:
        lat = 2 * math.atan(math.exp(mercator_y(centre_lat) - (y - ty) / scale)) - math.pi / 2
        return centre_lon + math.degrees((x - tx) / scale), math.degrees(lat)

    return forward, inverse


def text_width(text: str, font_size: float) -> float:
    """At least the width ``text`` takes in DejaVu Sans at ``font_size`` px."""
    return font_size * sum(WIDE_EM if c in WIDE_LETTERS else NARROW_EM if c in NARROW_LETTERS
                           else CAPITAL_EM if c.isupper() or c in BROAD_LETTERS else SMALL_EM
                           for c in text)


def label_at(dot: Dot, place: tuple, font_size: float) -> Label:
    """The label of ``dot`` at one of :data:`PLACES`."""
    name, _, _, across, down = place
    width = text_width(dot.text, font_size)
    height = LINE_HEIGHT * font_size
    # On a diagonal the text starts at the dot's edge along 45°, not at the corner of its square.
    reach = dot.radius + GAP if across == 0 or down == 0 else dot.radius * math.sqrt(0.5) + GAP
    x, y = dot.x + across * reach, dot.y + down * reach
    left = x if across > 0 else x - width if across < 0 else x - width / 2
    top = y if down > 0 else y - height if down < 0 else y - height / 2
    return Label(name, x, y, Box(left, top, left + width, top + height))


def _square(dot: Dot) -> Box:
    return Box(dot.x - dot.radius, dot.y - dot.radius, dot.x + dot.radius, dot.y + dot.radius)


def place_labels(dots: list[Dot], width: float, height: float, font_size: float) -> list[Label]:
    """A label for each dot, in the order of ``dots``. Two labels overlap, or a label covers
    another dot or leaves the map, only where no place around the dot is free."""
    crowd = [sum(math.hypot(d.x - o.x, d.y - o.y) < NEIGHBOURHOOD for o in dots) for d in dots]
    # The most crowded first (they have the fewest free places), west to east within a crowd:
    # the order does not depend on the language of the labels.
    order = sorted(range(len(dots)), key=lambda i: (-crowd[i], dots[i].x, dots[i].y))
    squares = [_square(dot) for dot in dots]
    taken: list[Box] = []
    chosen: dict[int, Label] = {}
    for i in order:
        best, best_cost = None, math.inf
        for place in PLACES:
            label = label_at(dots[i], place, font_size)
            cost = (sum(label.box.overlap(box) for box in taken)
                    + sum(label.box.overlap(sq) for j, sq in enumerate(squares) if j != i)
                    + label.box.outside(width, height))
            if cost < best_cost:  # the first free place wins; PLACES is in order of preference
                best, best_cost = label, cost
            if cost == 0:
                break
        chosen[i] = best
        taken.append(best.box)
    return [chosen[i] for i in range(len(dots))]
