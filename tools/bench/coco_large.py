#!/usr/bin/python3
"""Writes a COCO instances file shaped like instances_train2017.json (~450 MB by default) for the streaming-memory check.

    /usr/bin/python3 tools/bench/coco_large.py --out /tmp/coco_large.json [--images 118287 --annotations 860001]

Images are 640x480-ish, annotations mostly polygons (one or two, 3..14 points each, two decimals as COCO writes them),
1% crowds with uncompressed RLE counts, plus the info/licenses blocks and the image fields COCO has (license,
coco_url, date_captured, flickr_url). Deterministic (seeded). Then:

    dotnet run -c Release --project bench/SegKit.Benchmarks -- coco-memory /tmp/coco_large.json
"""
import argparse
import json
import os

import numpy as np


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--images", type=int, default=118287)
    ap.add_argument("--annotations", type=int, default=860001)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    rng = np.random.default_rng(a.seed)
    tmp = a.out + ".part"
    with open(tmp, "w") as f:
        f.write('{"info": {"description": "synthetic COCO-like", "version": "1.0", "year": 2017, "contributor": "SegKit", "date_created": "2017/09/01"}, ')
        f.write('"licenses": [{"url": "http://creativecommons.org/licenses/by-nc-sa/2.0/", "id": 1, "name": "Attribution-NonCommercial-ShareAlike License"}], ')
        f.write('"images": [')
        sizes = []
        for i in range(a.images):
            w, h = (640, int(rng.integers(360, 640))) if rng.random() < 0.7 else (int(rng.integers(360, 640)), 640)
            sizes.append((w, h))
            if i:
                f.write(", ")
            f.write(json.dumps({"license": int(rng.integers(1, 9)), "file_name": f"{i + 1:012d}.jpg",
                                "coco_url": f"http://images.cocodataset.org/train2017/{i + 1:012d}.jpg",
                                "height": h, "width": w, "date_captured": "2013-11-14 11:18:45",
                                "flickr_url": f"http://farm4.staticflickr.com/3153/{i + 1}_3cbbe1d7c2_z.jpg", "id": i + 1}))
        f.write('], "annotations": [')
        img_of = rng.integers(0, a.images, a.annotations)
        for k in range(a.annotations):
            w, h = sizes[img_of[k]]
            crowd = rng.random() < 0.01
            cx, cy = rng.uniform(0, w), rng.uniform(0, h)
            r = rng.uniform(5, min(w, h) / 3)
            if crowd:
                runs = rng.integers(1, 400, int(rng.integers(50, 400))).astype(np.int64)
                runs = runs[np.cumsum(runs) < w * h]
                runs = np.append(runs, w * h - runs.sum())
                seg = {"counts": runs.tolist(), "size": [h, w]}
            else:
                seg = []
                for _ in range(int(rng.choice([1, 1, 1, 1, 2]))):
                    n = int(rng.integers(6, 30))
                    t = np.sort(rng.uniform(0, 2 * np.pi, n))
                    rr = r * rng.uniform(0.6, 1.0, n)
                    xs = np.clip(cx + rr * np.cos(t), 0, w - 1)
                    ys = np.clip(cy + rr * np.sin(t), 0, h - 1)
                    seg.append(np.round(np.stack([xs, ys], 1).ravel(), 2).tolist())
            x0, y0 = max(cx - r, 0.0), max(cy - r, 0.0)
            ann = {"segmentation": seg, "area": round(float(np.pi * r * r * 0.8), 4), "iscrowd": int(crowd),
                   "image_id": int(img_of[k]) + 1, "bbox": [round(x0, 2), round(y0, 2), round(min(2 * r, w - x0), 2), round(min(2 * r, h - y0), 2)],
                   "category_id": int(rng.integers(1, 91)), "id": k + 1}
            if k:
                f.write(", ")
            f.write(json.dumps(ann))
        f.write('], "categories": [')
        f.write(", ".join(json.dumps({"supercategory": "thing", "id": c, "name": f"class{c}"}) for c in range(1, 91)))
        f.write("]}")
    os.replace(tmp, a.out)
    print(f"{a.out}: {os.path.getsize(a.out) / 1e6:.1f} MB, {a.images} images, {a.annotations} annotations")


if __name__ == "__main__":
    main()
