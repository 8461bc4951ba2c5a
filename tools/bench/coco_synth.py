#!/usr/bin/python3
"""A realistic-size synthetic COCO ground truth / detections pair with RLE masks, for COCO-eval benchmarks.

    /usr/bin/python3 tools/bench/coco_synth.py --out DIR [--images 500 --annotations 5000 --detections 10000]

Writes DIR/gt.json (instances: RLE masks, ~1% crowds as uncompressed RLE, areas and boxes from the masks) and
DIR/dt.json (results with bbox, score and compressed-RLE segmentation: jittered copies of the ground truth, some with
the wrong category, plus false positives). Needs numpy only: the RLE string encoding here is maskApi.c's rleToString,
checked against pycocotools by tools/bench/coco_eval_compare.py. Deterministic (seeded).
"""
import argparse
import json
import os

import numpy as np

CATEGORY_IDS = [i for i in range(1, 91) if i not in (12, 26, 29, 30, 45, 66, 68, 69, 71, 83)]  # COCO's 80 ids


def rle_counts(mask):
    """Run lengths of a HxW bool mask in column-major order, starting with background (maskApi rleEncode)."""
    flat = mask.ravel(order="F").astype(np.int8)
    change = np.flatnonzero(np.diff(flat)) + 1
    edges = np.concatenate(([0], change, [flat.size]))
    runs = np.diff(edges)
    if flat.size and flat[0] == 1:
        runs = np.concatenate(([0], runs))
    return runs.astype(np.int64)


def rle_string(counts):
    """maskApi.c rleToString: deltas from the count two back (from the 4th), 5-bit LEB128-ish groups, chars 48..111."""
    out = []
    for i, c in enumerate(counts.tolist()):
        x = c - counts[i - 2] if i > 2 else c
        more = True
        while more:
            ch = x & 0x1F
            x >>= 5
            more = (x != -1) if (ch & 0x10) else (x != 0)
            if more:
                ch |= 0x20
            out.append(chr(ch + 48))
    return "".join(out)


def bbox_of(mask):
    ys = np.flatnonzero(mask.any(1))
    xs = np.flatnonzero(mask.any(0))
    if len(xs) == 0:
        return [0.0, 0.0, 0.0, 0.0]
    return [float(xs[0]), float(ys[0]), float(xs[-1] - xs[0] + 1), float(ys[-1] - ys[0] + 1)]


def ellipse(h, w, cx, cy, rx, ry, angle):
    m = np.zeros((h, w), bool)
    R = max(rx, ry) + 1
    x0, x1 = max(int(cx - R), 0), min(int(cx + R) + 1, w)
    y0, y1 = max(int(cy - R), 0), min(int(cy + R) + 1, h)
    if x0 >= x1 or y0 >= y1:
        return m
    yy, xx = np.mgrid[y0:y1, x0:x1]
    c, s = np.cos(angle), np.sin(angle)
    u = ((xx - cx) * c + (yy - cy) * s) / max(rx, 0.5)
    v = (-(xx - cx) * s + (yy - cy) * c) / max(ry, 0.5)
    m[y0:y1, x0:x1] = u * u + v * v <= 1.0
    return m


def generate(out, images=500, annotations=5000, detections=10000, seed=0):
    rng = np.random.default_rng(seed)
    os.makedirs(out, exist_ok=True)
    sizes = [(int(rng.choice([640, 480, 500, 427])), int(rng.choice([480, 640, 375, 333]))) for _ in range(images)]
    gt_images = [{"id": i + 1, "width": w, "height": h, "file_name": f"{i + 1:012d}.jpg"} for i, (w, h) in enumerate(sizes)]
    gt_anns, dt = [], []
    shapes = []  # (image index, category, cx, cy, rx, ry, angle) of each non-crowd gt, for the detections
    img_of = np.sort(rng.integers(0, images, annotations))
    for k in range(annotations):
        i = int(img_of[k])
        w, h = sizes[i]
        # Sizes spread over COCO's small / medium / large buckets (log-uniform radius).
        r = float(np.exp(rng.uniform(np.log(3), np.log(min(w, h) / 2.5))))
        cx, cy = rng.uniform(0, w), rng.uniform(0, h)
        rx, ry, ang = r * rng.uniform(0.6, 1.4), r * rng.uniform(0.6, 1.4), rng.uniform(0, np.pi)
        m = ellipse(h, w, cx, cy, rx, ry, ang)
        if not m.any():
            m[int(min(cy, h - 1)), int(min(cx, w - 1))] = True
        cat = int(rng.choice(CATEGORY_IDS))
        crowd = rng.random() < 0.01
        counts = rle_counts(m)
        seg = {"size": [h, w], "counts": counts.tolist() if crowd else rle_string(counts)}
        gt_anns.append({"id": k + 1, "image_id": i + 1, "category_id": cat, "segmentation": seg,
                        "area": float(m.sum()), "bbox": bbox_of(m), "iscrowd": int(crowd)})
        if not crowd:
            shapes.append((i, cat, cx, cy, rx, ry, ang))
    # Detections: most gt objects found once or twice with jitter, some with a wrong class; the rest false positives.
    while len(dt) < detections:
        if rng.random() < 0.8 and shapes:
            i, cat, cx, cy, rx, ry, ang = shapes[int(rng.integers(0, len(shapes)))]
            q = rng.uniform(0.0, 0.35)  # localisation error
            cx, cy = cx + rng.normal(0, q * rx), cy + rng.normal(0, q * ry)
            rx, ry, ang = rx * rng.uniform(1 - q, 1 + q), ry * rng.uniform(1 - q, 1 + q), ang + rng.normal(0, q)
            if rng.random() < 0.1:
                cat = int(rng.choice(CATEGORY_IDS))
            score = float(np.clip(rng.normal(0.75 - q, 0.15), 0.01, 1.0))
        else:
            i = int(rng.integers(0, images))
            w, h = sizes[i]
            r = float(np.exp(rng.uniform(np.log(3), np.log(min(w, h) / 3))))
            cx, cy, rx, ry, ang = rng.uniform(0, w), rng.uniform(0, h), r, r * rng.uniform(0.5, 1.5), rng.uniform(0, np.pi)
            cat = int(rng.choice(CATEGORY_IDS))
            score = float(rng.uniform(0.01, 0.6))
        w, h = sizes[i]
        m = ellipse(h, w, cx, cy, rx, ry, ang)
        if not m.any():
            continue
        dt.append({"image_id": i + 1, "category_id": cat, "bbox": bbox_of(m), "score": round(score, 5),
                   "segmentation": {"size": [h, w], "counts": rle_string(rle_counts(m))}})
    cats = [{"id": c, "name": f"class{c}", "supercategory": "thing"} for c in CATEGORY_IDS]
    with open(os.path.join(out, "gt.json"), "w") as f:
        json.dump({"info": {"description": "SegKit synthetic COCO"}, "images": gt_images, "annotations": gt_anns, "categories": cats}, f)
    with open(os.path.join(out, "dt.json"), "w") as f:
        json.dump(dt, f)
    return os.path.join(out, "gt.json"), os.path.join(out, "dt.json")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--images", type=int, default=500)
    ap.add_argument("--annotations", type=int, default=5000)
    ap.add_argument("--detections", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    gt, dt = generate(a.out, a.images, a.annotations, a.detections, a.seed)
    print(f"{gt} ({os.path.getsize(gt) / 1e6:.1f} MB), {dt} ({os.path.getsize(dt) / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
