#!/usr/bin/python3
"""PIL 9.4 timings for the work bench/SegKit.Benchmarks/Imaging measures (run with Debian's /usr/bin/python3).

  decode: Image.open(p).convert("RGB") of ../shared/images/{truck,dog,groceries}.jpg
  resize: a 4000x3000 RGB image -> shorter side 520 (693x520), BILINEAR and NEAREST

Prints the median over repeated runs in milliseconds (and MP/s for decode).
"""
import os
import statistics
import sys
import time

import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
IMAGES = os.path.normpath(os.path.join(HERE, "..", "..", "..", "shared", "images"))
REPEATS = int(sys.argv[1]) if len(sys.argv) > 1 else 30


def median_ms(fn, repeats=REPEATS):
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main():
    print(f"PIL {Image.__version__}, median of {REPEATS} runs")
    for name in ("truck.jpg", "dog.jpg", "groceries.jpg"):
        path = os.path.join(IMAGES, name)
        data = open(path, "rb").read()
        import io

        def decode():
            im = Image.open(io.BytesIO(data))
            return im.convert("RGB")

        w, h = Image.open(path).size
        ms = median_ms(decode)
        print(f"decode {name:14s} {w}x{h}: {ms:8.2f} ms  {w * h / 1e6 / (ms / 1000):7.1f} MP/s")

    yy, xx = np.mgrid[0:3000, 0:4000]
    arr = np.stack([(xx * 7 + yy) & 255, (yy * 3 ^ xx) & 255, ((xx + yy) * 5) & 255], -1).astype(np.uint8)
    src = Image.fromarray(arr)
    target = (int(520 * 4000 / 3000), 520)
    for label, filt in (("BILINEAR", Image.BILINEAR), ("NEAREST", Image.NEAREST)):
        ms = median_ms(lambda: src.resize(target, filt))
        print(f"resize 4000x3000 -> {target[0]}x{target[1]} {label:8s}: {ms:8.2f} ms")


if __name__ == "__main__":
    main()
