#!/usr/bin/python3
"""PIL 9.4 timings for the work bench/SegKit.Benchmarks/Imaging measures (run with Debian's /usr/bin/python3).

  decode: Image.open(p).convert("RGB") of ../shared/images/{truck,dog,groceries}.jpg
  resize: a 4000x3000 RGB image -> shorter side 520 (693x520), BILINEAR and NEAREST

Prints the median over repeated runs in milliseconds (and MP/s for decode), then runs the matching
BenchmarkDotNet benchmarks (JpegDecodeBenchmarks, ResizeBenchmarks; --job short) in the same run and
prints SegKit / PIL side by side with the ratio. `--pil-only` skips the .NET side.

    /usr/bin/python3 tools/bench/pil_imaging.py [repeats] [--pil-only]
"""
import os
import statistics
import sys
import time

import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
IMAGES = os.path.normpath(os.path.join(HERE, "..", "..", "..", "shared", "images"))
ARGS = [a for a in sys.argv[1:] if not a.startswith("--")]
REPEATS = int(ARGS[0]) if ARGS else 30
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))


def median_ms(fn, repeats=REPEATS):
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def segkit_medians():
    """Runs the .NET benchmarks and returns {(method, photo-or-None): median ms}."""
    import glob, json, subprocess, tempfile
    artifacts = tempfile.mkdtemp(prefix="segkit-bench-")
    cmd = ["dotnet", "run", "-c", "Release", "--project", os.path.join(ROOT, "bench", "SegKit.Benchmarks"), "--",
           "--filter", "*JpegDecodeBenchmarks*", "*ResizeBenchmarks*", "--job", "short", "--exporters", "json",
           "--artifacts", artifacts]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    out = {}
    for f in glob.glob(os.path.join(artifacts, "results", "*-report-full*.json")):
        for b in json.load(open(f))["Benchmarks"]:
            photo = b.get("Parameters", "").replace("Photo=", "") or None
            out[(b["Method"], photo)] = b["Statistics"]["Median"] / 1e6
    return out


def main():
    pil = {}
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
        pil[("DecodeRgb", name)] = (ms, w * h)
        print(f"decode {name:14s} {w}x{h}: {ms:8.2f} ms  {w * h / 1e6 / (ms / 1000):7.1f} MP/s")

    yy, xx = np.mgrid[0:3000, 0:4000]
    arr = np.stack([(xx * 7 + yy) & 255, (yy * 3 ^ xx) & 255, ((xx + yy) * 5) & 255], -1).astype(np.uint8)
    src = Image.fromarray(arr)
    target = (int(520 * 4000 / 3000), 520)
    for label, filt in (("BILINEAR", Image.BILINEAR), ("NEAREST", Image.NEAREST)):
        ms = median_ms(lambda: src.resize(target, filt))
        pil[("BilinearShorterSide520" if filt == Image.BILINEAR else "NearestShorterSide520", None)] = (ms, None)
        print(f"resize 4000x3000 -> {target[0]}x{target[1]} {label:8s}: {ms:8.2f} ms")

    if "--pil-only" in sys.argv:
        return
    print("\nrunning the SegKit benchmarks (BenchmarkDotNet, --job short) ...")
    sk = segkit_medians()
    print(f"{'work':40s} {'SegKit ms':>10s} {'PIL ms':>9s} {'PIL/SegKit':>11s}")
    for (method, photo), (pil_ms, pixels) in pil.items():
        if (method, photo) not in sk:
            continue
        ms = sk[(method, photo)]
        label = f"decode {photo}" if photo else method
        extra = f"  ({pixels / 1e6 / (ms / 1000):.0f} MP/s)" if pixels else ""
        print(f"{label:40s} {ms:10.2f} {pil_ms:9.2f} {pil_ms / ms:10.2f}x{extra}")


if __name__ == "__main__":
    main()
