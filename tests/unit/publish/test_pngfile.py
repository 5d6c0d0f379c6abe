"""tarwatch's own PNG writer: Pillow reads back the very pixels, size, mode and resolution given,
and a wrong number of bytes is refused."""

from __future__ import annotations

import io
import random

import pytest

from tarwatch.publish.pngfile import rgb_png


def test_pillow_reads_back_the_pixels_size_and_resolution() -> None:
    from PIL import Image

    rng = random.Random(3)
    width, height = 37, 11
    pixels = bytes(rng.randrange(256) for _ in range(width * height * 3))
    image = Image.open(io.BytesIO(rgb_png(width, height, pixels, 100, 3)))
    image.load()
    assert (image.format, image.mode, image.size) == ("PNG", "RGB", (width, height))
    assert image.tobytes() == pixels
    assert [round(d) for d in image.info["dpi"]] == [100, 100]
    assert rgb_png(width, height, pixels, 100, 3) == rgb_png(width, height, pixels, 100, 3)


def test_a_wrong_number_of_bytes_is_refused() -> None:
    with pytest.raises(ValueError, match="not 2 × 2 RGB pixels"):
        rgb_png(2, 2, b"\x00" * 11, 100, 3)
