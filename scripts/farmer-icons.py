#!/usr/bin/env python3
"""The farmer app's icons (web/farmer/icon-192.png, icon-512.png): a white
leaf on the app's green, rounded corners. Standard library only; run from
the repository root after changing the drawing.

The leaf stays inside the central circle of 80 % of the side, so the icon
also works as a maskable one (Android crops to its own shape). Edges are
anti-aliased by sampling each pixel 4 x 4 times; the image is an indexed
PNG (green to white, green to transparent) to stay a few KB.
"""
import math
import struct
import zlib

GREEN = (0x2E, 0x6B, 0x2E)  # web/staff.html's green, the manifest's theme_color
WHITE = (0xFF, 0xFF, 0xFF)
SAMPLES = 4
LEVELS = SAMPLES * SAMPLES  # coverage counts 0..LEVELS

CORNER = 0.12  # corner radius, of the side
# the leaf: where two circles of radius R, D either side of its axis, meet;
# 0.56 long and 0.30 wide, pointing up and to the right
HALF_WIDTH, HALF_LENGTH = 0.15, 0.28
R = (HALF_WIDTH ** 2 + HALF_LENGTH ** 2) / (2 * HALF_WIDTH)
D = R - HALF_WIDTH
AXIS = (1 / math.sqrt(2), -1 / math.sqrt(2))
ACROSS = (1 / math.sqrt(2), 1 / math.sqrt(2))
CENTER = (0.5 + 0.04 * AXIS[0], 0.5 + 0.04 * AXIS[1])
RIB, STEM = 0.012, 0.022  # half widths


def inside_square(x, y):
    cx = min(max(x, CORNER), 1 - CORNER)
    cy = min(max(y, CORNER), 1 - CORNER)
    return (x - cx) ** 2 + (y - cy) ** 2 <= CORNER ** 2


def white(x, y):
    """The leaf less its midrib, and the stem below it."""
    px, py = x - CENTER[0], y - CENTER[1]
    s = px * AXIS[0] + py * AXIS[1]
    t = px * ACROSS[0] + py * ACROSS[1]
    leaf = s * s + (t - D) ** 2 <= R * R and s * s + (t + D) ** 2 <= R * R
    rib = abs(t) < RIB and -0.22 < s < 0.2
    stem = abs(t) < STEM and -0.38 < s <= -0.22
    return (leaf and not rib) or stem


def draw(size):
    """Rows of palette indexes: 0..LEVELS green to white, then green less opaque."""
    rows = []
    for j in range(size):
        row = bytearray()
        for i in range(size):
            square = leaf = 0
            for a in range(SAMPLES):
                for b in range(SAMPLES):
                    x = (i + (a + 0.5) / SAMPLES) / size
                    y = (j + (b + 0.5) / SAMPLES) / size
                    if inside_square(x, y):
                        square += 1
                        leaf += white(x, y)
            row.append(leaf if square == LEVELS else LEVELS + 1 + square)
        rows.append(bytes(row))
    return rows


def palette():
    mix = lambda k: bytes(round(g + (w - g) * k / LEVELS) for g, w in zip(GREEN, WHITE))
    colours = [mix(k) for k in range(LEVELS + 1)] + [bytes(GREEN)] * LEVELS
    alpha = bytes([255] * (LEVELS + 1) + [round(255 * k / LEVELS) for k in range(LEVELS)])
    return b''.join(colours), alpha


def png(rows):
    def chunk(kind, data):
        return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data))
    size = len(rows)
    colours, alpha = palette()
    raw = b''.join(b'\0' + r for r in rows)  # filter "none": indexes compress well as they are
    return (b'\x89PNG\r\n\x1a\n'
            + chunk(b'IHDR', struct.pack('>IIBBBBB', size, size, 8, 3, 0, 0, 0))
            + chunk(b'PLTE', colours) + chunk(b'tRNS', alpha)
            + chunk(b'IDAT', zlib.compress(raw, 9)) + chunk(b'IEND', b''))


if __name__ == '__main__':
    for size in (192, 512):
        path = f'web/farmer/icon-{size}.png'
        with open(path, 'wb') as f:
            f.write(png(draw(size)))
        print(path)
