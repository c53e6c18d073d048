"""Generate small, real PDFs (for the demo data and the tests) with Pillow; one titled page per image."""

from __future__ import annotations

from io import BytesIO

from PIL import Image, ImageDraw, ImageFont

_PAGE = (612, 792)  # US Letter at 72 dpi
_ACCENT = (32, 96, 168)


def make_pdf(title: str, pages: int = 3, lines_per_page: int = 12) -> bytes:
    if pages < 1:
        raise ValueError("a PDF needs at least one page")
    images = [_page(title, number, pages, lines_per_page) for number in range(1, pages + 1)]
    out = BytesIO()
    images[0].save(out, format="PDF", save_all=True, append_images=images[1:], resolution=72, title=title)
    return out.getvalue()


def _page(title: str, number: int, total: int, lines: int) -> Image.Image:
    image = Image.new("RGB", _PAGE, "white")
    draw = ImageDraw.Draw(image)
    big = _font(28)
    small = _font(14)
    draw.rectangle((0, 0, _PAGE[0], 90), fill=_ACCENT)
    draw.text((40, 30), title[:40], fill="white", font=big)
    draw.text((40, 120), f"Page {number} of {total}", fill=_ACCENT, font=big)
    for line in range(lines):
        y = 190 + line * 40
        width = 420 - (line * 37 + number * 11) % 160
        draw.rectangle((40, y, 40 + width, y + 12), fill=(215, 222, 232))
    draw.text((40, _PAGE[1] - 50), f"{title[:50]} · {number}/{total}", fill="gray", font=small)
    return image


def _font(size: int):
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow built without FreeType
        return ImageFont.load_default()
