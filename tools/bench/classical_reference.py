#!/usr/bin/env python3
"""Times the reference implementations SegKit.Classical follows, on the photos and parameters of
tools/fixtures/classical_reference.py, for comparison with bench/SegKit.Benchmarks/Classical.

    OMP_NUM_THREADS=2 /usr/bin/python3 tools/bench/classical_reference.py [--repeat 5] [--photos truck dog groceries]

Prints the median wall time in milliseconds per (algorithm, photo). scikit-image's felzenszwalb and slic are
single-threaded Cython; OpenCV is limited to 2 threads to match the benchmark machine's budget.
"""
import argparse
import os
import statistics
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "2")

import numpy as np
from PIL import Image
import cv2
from skimage.segmentation import felzenszwalb, slic

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "fixtures"))
from classical_reference import FELZENSZWALB_SETS, SLIC_SETS, GRABCUT_BOXES, GRABCUT_ITERATIONS  # noqa: E402


def median_ms(fn, repeat):
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--photos", nargs="+", default=["truck", "dog", "groceries"])
    ap.add_argument("--shared", default=os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared"))
    args = ap.parse_args()
    cv2.setNumThreads(2)
    print(f"scikit-image felzenszwalb/slic, OpenCV {cv2.__version__} grabCut; median of {args.repeat} runs, ms")
    for photo in args.photos:
        rgb = np.ascontiguousarray(np.asarray(Image.open(os.path.join(args.shared, "images", photo + ".jpg")).convert("RGB")))
        bgr = np.ascontiguousarray(rgb[:, :, ::-1])
        h, w = rgb.shape[:2]
        rows = []
        for key, p in FELZENSZWALB_SETS.items():
            rows.append((f"felzenszwalb.{key}", median_ms(lambda: felzenszwalb(rgb, **p), args.repeat)))
        for key, p in SLIC_SETS.items():
            rows.append((f"slic.{key}", median_ms(lambda: slic(rgb, start_label=0, **p), args.repeat)))

        def grabcut():
            mask = np.zeros((h, w), np.uint8)
            cv2.setRNGSeed(0)
            cv2.grabCut(bgr, mask, GRABCUT_BOXES[photo], np.zeros((1, 65)), np.zeros((1, 65)),
                        GRABCUT_ITERATIONS, cv2.GC_INIT_WITH_RECT)
        rows.append(("grabcut", median_ms(grabcut, args.repeat)))
        for name, ms in rows:
            print(f"{photo:10s} {w}x{h}  {name:16s} {ms:10.1f}")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
