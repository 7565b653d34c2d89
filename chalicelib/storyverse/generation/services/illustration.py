"""The offline generator's illustration: a scene drawn from a page's words as a real PNG, in pure
Python and zlib (no imaging library in the Lambda bundle: cold start).

The setting comes from the page (the sea, a forest, space, a castle, night or day), the figures
from the story's characters (one each, up to four, coloured after their names), the palette from
the child's band (soft for the youngest). The same page of the same story draws the same picture.

A picture is drawn as rows of spans: every shape is a set of (row, first column, last column)
fills, so drawing costs a few operations per row and shape, not per pixel.
"""
from __future__ import annotations

import hashlib
import math
import struct
import zlib
from collections.abc import Sequence

WIDTH = 320
HEIGHT = 240
HORIZON = 160
Color = tuple[int, int, int]

# Settings a page may name, by the words that name them; the first found decides.
SETTINGS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("space", ("space", "planet", "star ship", "rocket", "moon base", "galaxy")),
    ("sea", ("sea", "ocean", "beach", "wave", "island", "boat", "harbour", "harbor", "shore")),
    ("forest", ("forest", "wood", "woods", "tree", "trees", "jungle", "garden", "meadow")),
    ("castle", ("castle", "palace", "tower", "kingdom", "king", "queen", "prince", "princess")),
)
NIGHT_WORDS = ("night", "moon", "stars", "sleep", "asleep", "bed", "bedtime", "dream", "evening", "goodnight")
# Sky top, sky bottom and ground, by time of day; the youngest band's are softer.
PALETTES: dict[str, dict[str, tuple[Color, Color, Color]]] = {
    "simple": {"day": ((150, 205, 250), (225, 240, 255), (150, 215, 140)),
               "night": ((40, 50, 110), (110, 110, 170), (70, 120, 100))},
    "intermediate": {"day": ((80, 160, 235), (200, 230, 255), (90, 180, 90)),
                     "night": ((20, 30, 80), (80, 70, 140), (40, 90, 70))},
    "advanced": {"day": ((50, 110, 200), (190, 215, 240), (70, 140, 70)),
                 "night": ((10, 15, 45), (60, 50, 110), (30, 60, 50))},
}  # fmt: skip
WATER = (60, 130, 210)
SAND = (235, 215, 160)
SPACE_GROUND = (150, 150, 165)


def scene_of(page_text: str) -> tuple[str, bool]:
    """The page's setting (space, sea, forest, castle or meadow) and whether it is night."""
    words = " " + " ".join(page_text.lower().replace(".", " ").replace(",", " ").split()) + " "
    setting = next((name for name, names in SETTINGS if any(f" {word} " in words for word in names)), "meadow")
    return setting, any(f" {word} " in words for word in NIGHT_WORDS)


class Canvas:
    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.rows = [bytearray(3 * width) for _ in range(height)]

    def span(self, y: int, x0: int, x1: int, color: Color) -> None:
        if not 0 <= y < self.height:
            return
        x0, x1 = max(0, x0), min(self.width - 1, x1)
        if x0 <= x1:
            self.rows[y][3 * x0 : 3 * (x1 + 1)] = bytes(color) * (x1 - x0 + 1)

    def rectangle(self, x0: int, y0: int, x1: int, y1: int, color: Color) -> None:
        for y in range(y0, y1 + 1):
            self.span(y, x0, x1, color)

    def ellipse(self, cx: int, cy: int, rx: int, ry: int, color: Color) -> None:
        for y in range(cy - ry, cy + ry + 1):
            half = rx * math.sqrt(max(0.0, 1 - ((y - cy) / ry) ** 2)) if ry else rx
            self.span(y, round(cx - half), round(cx + half), color)

    def triangle(self, apex_x: int, apex_y: int, half_base: int, base_y: int, color: Color) -> None:
        for y in range(apex_y, base_y + 1):
            half = half_base * (y - apex_y) // max(1, base_y - apex_y)
            self.span(y, apex_x - half, apex_x + half, color)

    def png(self, description: str) -> bytes:
        raw = b"".join(b"\x00" + bytes(row) for row in self.rows)  # filter type 0 on every row
        return b"".join((
            b"\x89PNG\r\n\x1a\n",
            _chunk(b"IHDR", struct.pack(">IIBBBBB", self.width, self.height, 8, 2, 0, 0, 0)),  # 8-bit RGB
            _chunk(b"tEXt", b"Description\x00" + description.encode("latin-1", "replace")[:500]),
            _chunk(b"IDAT", zlib.compress(raw, 9)),
            _chunk(b"IEND", b""),
        ))  # fmt: skip


def draw(page_text: str, character_names: Sequence[str], vocabulary_level: str, seed: str) -> bytes:
    """The PNG of a page: its setting and time of day, the characters standing in it."""
    setting, night = scene_of(page_text)
    palette = PALETTES.get(vocabulary_level, PALETTES["simple"])["night" if night else "day"]
    noise = _numbers(seed)
    canvas = Canvas(WIDTH, HEIGHT)
    sky_top, sky_bottom, ground = palette
    for y in range(HORIZON):
        canvas.span(y, 0, WIDTH - 1, _blend(sky_top, sky_bottom, y / HORIZON))
    if night or setting == "space":
        for star in range(60):
            x, y, size = next(noise) % WIDTH, next(noise) % (HORIZON - 20), star % 2
            canvas.rectangle(x, y, x + size, y + size, (255, 250, 210))
        canvas.ellipse(260, 40, 18, 18, (245, 240, 200))
        canvas.ellipse(268, 34, 15, 15, sky_top)  # the crescent's shadow
    else:
        canvas.ellipse(50, 42, 22, 22, (255, 220, 90))
        for cloud in range(3):
            cx, cy = 110 + cloud * 70 + next(noise) % 20, 30 + next(noise) % 40
            canvas.ellipse(cx, cy, 26, 10, (250, 250, 255))
            canvas.ellipse(cx + 14, cy - 6, 16, 9, (250, 250, 255))
    _ground(canvas, setting, ground, noise)
    for index, name in enumerate(character_names[:4] or ("",)):
        _figure(canvas, 60 + index * 65, HORIZON + 60, _name_color(name))
    return canvas.png(page_text)


def _ground(canvas: Canvas, setting: str, ground: Color, noise) -> None:
    if setting == "sea":
        canvas.rectangle(0, HORIZON, WIDTH - 1, HEIGHT - 1, WATER)
        for y in range(HORIZON, HEIGHT):
            shore = WIDTH // 2 + int(20 * math.sin(y / 9)) - (y - HORIZON)
            canvas.span(y, 0, shore, SAND)
        canvas.triangle(255, 110, 22, 150, (250, 250, 250))  # a sail
        canvas.rectangle(230, 150, 282, 160, (150, 90, 50))
        return
    color = SPACE_GROUND if setting == "space" else ground
    for y in range(HORIZON - 20, HEIGHT):
        for x0 in range(0, WIDTH, 8):
            hill = HORIZON - 12 + int(10 * math.sin((x0 + 30) / 37.0))
            if y >= hill:
                canvas.span(y, x0, x0 + 7, color)
    if setting == "forest":
        for tree in range(5):
            x = 20 + tree * 70 + next(noise) % 20
            canvas.rectangle(x - 4, HORIZON - 10, x + 4, HORIZON + 15, (120, 80, 40))
            canvas.triangle(x, HORIZON - 70, 26, HORIZON - 5, (40, 120, 60))
    elif setting == "castle":
        stone = (185, 180, 190)
        canvas.rectangle(200, 70, 300, HORIZON, stone)
        for tower_x in (192, 292):
            canvas.rectangle(tower_x - 12, 50, tower_x + 12, HORIZON, stone)
            canvas.triangle(tower_x, 25, 15, 50, (200, 70, 90))
        canvas.ellipse(250, HORIZON - 18, 14, 20, (90, 60, 40))
    elif setting == "space":
        canvas.ellipse(70, 60, 30, 30, (230, 140, 90))
        canvas.ellipse(70, 60, 45, 5, (240, 200, 150))
    else:
        house = (235, 200, 160)
        canvas.rectangle(230, 105, 290, HORIZON, house)
        canvas.triangle(260, 75, 36, 105, (190, 70, 60))
        canvas.rectangle(252, 130, 268, HORIZON, (120, 80, 50))


def _figure(canvas: Canvas, x: int, feet: int, color: Color) -> None:
    canvas.rectangle(x - 12, feet - 40, x + 12, feet - 5, color)
    canvas.rectangle(x - 10, feet - 5, x - 4, feet, (60, 60, 60))
    canvas.rectangle(x + 4, feet - 5, x + 10, feet, (60, 60, 60))
    canvas.ellipse(x, feet - 52, 12, 12, (250, 215, 180))
    canvas.rectangle(x - 5, feet - 55, x - 3, feet - 53, (40, 40, 40))
    canvas.rectangle(x + 3, feet - 55, x + 5, feet - 53, (40, 40, 40))
    canvas.span(feet - 47, x - 4, x + 4, (180, 60, 60))


def _name_color(name: str) -> Color:
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    return (80 + digest[0] % 160, 80 + digest[1] % 160, 80 + digest[2] % 160)


def _blend(top: Color, bottom: Color, share: float) -> Color:
    return tuple(round(a + (b - a) * share) for a, b in zip(top, bottom))  # type: ignore[return-value]


def _numbers(seed: str):
    """Deterministic numbers from `seed` (stars, clouds, trees): the same page draws the same."""
    counter = 0
    while True:
        block = hashlib.sha256(f"{seed}#{counter}".encode("utf-8")).digest()
        yield from struct.unpack(">16H", block)
        counter += 1


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
