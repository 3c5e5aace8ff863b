#!/usr/bin/env python3
"""Renders report.html files in headless Chromium and checks that each page really rendered: a
screenshot of the requested size, not blank, and no console error. Usage:
`python3 scripts/render_report.py REPORT.html [...]` (needs Debian's `chromium`); screenshots are written
next to each report as `report.png`. Exit 1 on any failure."""
import os
import struct
import subprocess
import sys
import zlib

WIDTH, HEIGHT = 1100, 2400


def png_pixels(path):
    """(width, height, distinct byte values in the decompressed image data) of a PNG."""
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    at, idat = 8, b""
    while at < len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        if kind == b"IDAT":
            idat += data[at + 8:at + 8 + length]
        at += 12 + length
    return width, height, len(set(zlib.decompress(idat)))


def render(report):
    shot = os.path.join(os.path.dirname(os.path.abspath(report)), "report.png")
    if os.path.exists(shot):
        os.remove(shot)
    run = subprocess.run(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--enable-logging=stderr",
         f"--window-size={WIDTH},{HEIGHT}", f"--screenshot={shot}", "file://" + os.path.abspath(report)],
        capture_output=True, text=True, timeout=120)
    errors = [l for l in run.stderr.splitlines() if "CONSOLE" in l and ("ERROR" in l or "Uncaught" in l)]
    if not os.path.exists(shot):
        return f"{report}: no screenshot ({run.stderr.strip()[-300:]})"
    width, height, values = png_pixels(shot)
    size = os.path.getsize(shot)
    print(f"{report}: screenshot {width}x{height}, {size} bytes, {values} distinct byte values, "
          f"{len(errors)} console errors")
    if (width, height) != (WIDTH, HEIGHT):
        return f"{report}: screenshot is {width}x{height}, not {WIDTH}x{HEIGHT}"
    if values < 32:
        return f"{report}: the screenshot is blank ({values} distinct byte values)"
    if errors:
        return f"{report}: console errors: {errors}"
    return None


if __name__ == "__main__":
    failures = [f for f in map(render, sys.argv[1:]) if f]
    for failure in failures:
        print("FAILED", failure)
    sys.exit(1 if failures or len(sys.argv) < 2 else 0)
