"""The PNG chart of the results, drawn with Pillow (already in Odoo's requirements).

One bar per scenario, in "share of the target": every target sits on the same dashed line, so
ratio targets (≤ 1.3×) and absolute ones (< 50 ms) read alike. Green: met, red: missed, grey: n/a.
For ratio rows a thin tick marks standard Odoo (1×).
"""
from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from .spec import BY_KEY

FONTS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
)
ODOO_FONT = "addons/web/static/fonts/sign/NotoSans-Reg.ttf"
WIDTH, ROW, LABEL, TRACK, TOP = 1200, 34, 560, 420, 70
GREEN, RED, GREY, INK = (46, 160, 67), (207, 34, 46), (170, 170, 170), (36, 41, 47)


def _font(size: int, odoo_root: str | None):
    candidates = list(FONTS) + ([str(Path(odoo_root) / ODOO_FONT)] if odoo_root else [])
    for path in candidates:
        if Path(path).is_file():
            return ImageFont.truetype(path, size), True
    return ImageFont.load_default(), False


def _value(row: dict) -> tuple[float | None, str]:
    """(value / target, label) of a row."""
    scenario = BY_KEY[row["key"]]
    other = row.get(row["side"])
    if row.get("na") or row.get("error") or not other:
        return None, "n/a" if row.get("na") else "error"
    if scenario.absolute:
        ms = other["seconds"] * 1000
        return ms / scenario.target, f"{ms:.1f} ms ({scenario.target_text()})"
    if row.get("ratio") is None:
        return None, "n/a"
    return row["ratio"] / scenario.target, f"{row['ratio']:.2f}× ({scenario.target_text()})"


def draw(path: Path, rows: list[dict], title: str, odoo_root: str | None = None) -> None:
    font, unicode_ok = _font(15, odoo_root)
    small, _ = _font(12, odoo_root)
    height = TOP + ROW * len(rows) + 50
    image = Image.new("RGB", (WIDTH, height), "white")
    pen = ImageDraw.Draw(image)

    def text(xy, value, fnt=font, fill=INK):
        if not unicode_ok:
            value = value.replace("×", "x").replace("≤", "<=").replace("—", "-").replace("→", "->")
        pen.text(xy, value, font=fnt, fill=fill)

    text((16, 14), title)
    text((16, 38), "bar = measured / target; dashed line = target; tick = standard Odoo (1×)", small, GREY)
    left = LABEL + 10
    target_x = left + TRACK // 2
    for index, row in enumerate(rows):
        y = TOP + index * ROW
        label = row["title"] if len(row["title"]) <= 62 else row["title"][:60] + "…"
        text((16, y + 8), label, small)
        share, caption = _value(row)
        pen.rectangle([left, y + 6, left + TRACK, y + ROW - 6], fill=(246, 248, 250))
        if share is not None:
            color = GREEN if row.get("met") else RED if row.get("met") is False else GREY
            length = min(share, 2.0) / 2.0 * TRACK
            pen.rectangle([left, y + 8, left + max(2, int(length)), y + ROW - 8], fill=color)
            scenario = BY_KEY[row["key"]]
            if not scenario.absolute:
                tick = left + int(min(1 / scenario.target, 2.0) / 2.0 * TRACK)
                pen.line([tick, y + 4, tick, y + ROW - 4], fill=INK, width=1)
        text((left + TRACK + 12, y + 8), caption, small, INK if share is not None else GREY)
    for y in range(TOP - 4, TOP + ROW * len(rows), 8):
        pen.line([target_x, y, target_x, y + 4], fill=INK, width=1)
    image.save(path)
