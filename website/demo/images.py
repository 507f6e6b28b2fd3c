"""Abstract demo pictures drawn with Pillow: a soft gradient, blurred shapes and a small label.

Nothing is downloaded, and the same title always gives the same bytes (the random generator is
seeded from the title), so demo content can be rebuilt without surprises.
"""

import random
import zlib
from io import BytesIO

from PIL import Image, ImageDraw, ImageFilter, ImageFont

# (top colour, bottom colour, accent colours) in RGB: dawn, dusk, river, field, clay, lamplight.
PALETTES = {
    "dawn": ((250, 214, 165), (233, 150, 122), [(255, 241, 214), (244, 180, 140), (255, 205, 178)]),
    "dusk": ((62, 58, 110), (196, 112, 132), [(247, 183, 163), (120, 98, 160), (255, 214, 186)]),
    "river": ((24, 78, 119), (118, 181, 197), [(200, 230, 236), (52, 120, 150), (255, 240, 200)]),
    "field": ((106, 153, 78), (224, 221, 155), [(244, 240, 200), (167, 201, 87), (255, 220, 150)]),
    "clay": ((168, 92, 66), (238, 196, 148), [(250, 226, 196), (200, 120, 90), (120, 70, 60)]),
    "lamplight": ((40, 36, 52), (214, 150, 64), [(255, 214, 120), (240, 170, 80), (90, 70, 90)]),
}

# Shapes are drawn at a quarter of the size and enlarged: smoother, and several times faster.
DRAW_SCALE = 4


def render_jpeg(title, palette, label="", size=(1600, 900), quality=80):
    """The JPEG bytes of an abstract picture for ``title`` in one of PALETTES."""
    width, height = size
    rng = random.Random(zlib.crc32(title.encode("utf-8")))
    top, bottom, accents = PALETTES[palette]
    small = (max(width // DRAW_SCALE, 8), max(height // DRAW_SCALE, 8))

    picture = _gradient(small, top, bottom, tilt=rng.uniform(-0.35, 0.35)).convert("RGBA")
    picture = Image.alpha_composite(picture, _hills(small, rng, accents[-1]))
    for _ in range(rng.randint(9, 14)):
        picture = Image.alpha_composite(picture, _soft_circle(small, rng, rng.choice(accents)))
    picture = picture.convert("RGB").resize((width, height), Image.Resampling.BICUBIC)
    if label:
        _draw_label(picture, label)

    output = BytesIO()
    picture.save(output, "JPEG", quality=quality, optimize=True, progressive=True)
    return output.getvalue()


def _gradient(size, top, bottom, tilt):
    """A vertical blend from ``top`` to ``bottom``, turned slightly by ``tilt``."""
    mask = Image.linear_gradient("L").resize(size).rotate(tilt * 45, resample=Image.BICUBIC)
    mask = mask.filter(ImageFilter.GaussianBlur(max(size) // 20))
    return Image.composite(Image.new("RGB", size, bottom), Image.new("RGB", size, top), mask)


def _hills(size, rng, colour):
    """Two gentle overlapping hills along the bottom edge, so the picture has a horizon."""
    width, height = size
    layer = Image.new("RGBA", size, (*colour, 0))
    draw = ImageDraw.Draw(layer)
    for _ in range(2):
        centre = rng.uniform(0, width)
        half_width = rng.uniform(0.5, 0.9) * width
        crest = height * rng.uniform(0.62, 0.8)
        draw.ellipse(
            (centre - half_width, crest, centre + half_width, crest + height),
            fill=(*colour, rng.randint(70, 120)),
        )
    return layer.filter(ImageFilter.GaussianBlur(max(height // 60, 1)))


def _soft_circle(size, rng, colour):
    """A transparent layer with one softly edged disc, like a lantern out of focus."""
    width, height = size
    radius = rng.uniform(0.04, 0.22) * min(width, height)
    x, y = rng.uniform(0, width), rng.uniform(0, height * 0.75)
    layer = Image.new("RGBA", size, (*colour, 0))
    ImageDraw.Draw(layer).ellipse(
        (x - radius, y - radius, x + radius, y + radius), fill=(*colour, rng.randint(50, 130))
    )
    return layer.filter(ImageFilter.GaussianBlur(radius * rng.uniform(0.08, 0.3)))


def _draw_label(picture, label):
    """A small caption centred near the bottom, on a translucent band so it stays legible.

    Centred, so that the square and portrait crops templates ask for still show it.
    """
    font_size = max(picture.height // 36, 10)
    font = ImageFont.load_default(size=font_size)
    draw = ImageDraw.Draw(picture, "RGBA")
    left, top, right, bottom = draw.textbbox((0, 0), label, font=font)
    padding = font_size // 2
    x0 = (picture.width - (right - left)) // 2 - padding
    y1 = picture.height - font_size
    box = (x0, y1 - (bottom - top) - 2 * padding, x0 + (right - left) + 2 * padding, y1)
    draw.rounded_rectangle(box, radius=padding, fill=(20, 20, 30, 120))
    draw.text((x0 + padding - left, box[1] + padding - top), label, font=font, fill="white")
