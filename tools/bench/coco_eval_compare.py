#!/usr/bin/python3
"""`segkit eval coco` side by side with pycocotools' COCOeval on the same synthetic files.

    /usr/bin/python3 tools/bench/coco_eval_compare.py --pycocotools /path/to/cocoapi/PythonAPI [--repeat 3]

pycocotools cannot be installed from the registries these machines reach; build it from its public source outside the
repository (never commit it):

    git clone https://github.com/cocodataset/cocoapi /tmp/cocoapi   # or any copy of PythonAPI/ and common/
    apt-get install cython3 python3-dev
    cd /tmp/cocoapi/PythonAPI && /usr/bin/python3 setup.py build_ext --inplace

and pass that PythonAPI folder. The data (500 images, 5,000 RLE annotations, 10,000 detections by default) is made by
tools/bench/coco_synth.py into .cache/bench/coco_synth unless --data names another folder holding gt.json / dt.json.

For each IoU type both tools run --repeat times, alternately; the best run of each is reported:
  pycocotools: COCO(gt) + loadRes(dt) ("load"), then evaluate() + accumulate() + summarize() ("eval")
  segkit:      `segkit eval coco --json` as a process; "load" and "eval" are its decode / postprocess timings,
               "process" the wall time of the whole command including .NET start-up.
The 12 stats of both are compared (max |difference| printed; they must agree to 1e-9).
"""
import argparse
import contextlib
import io
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)
import coco_synth  # noqa: E402


def load_pycocotools(path):
    sys.path.insert(0, os.path.abspath(path))
    import numpy as np
    # pycocotools 2.0 at cocoapi's HEAD uses np.float, an alias of float that NumPy 1.24 removed; restore the alias.
    if not hasattr(np, "float"):
        np.float = float
    from pycocotools import mask as mask_utils
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval
    return mask_utils, COCO, COCOeval


def check_encoder(mask_utils):
    """The generator's pure-Python RLE string must equal pycocotools' mask.encode."""
    import numpy as np
    rng = np.random.default_rng(1)
    for _ in range(50):
        h, w = int(rng.integers(1, 60)), int(rng.integers(1, 60))
        m = coco_synth.ellipse(h, w, rng.uniform(0, w), rng.uniform(0, h), rng.uniform(1, 30), rng.uniform(1, 30), rng.uniform(0, 3))
        if rng.random() < 0.3:
            m = rng.random((h, w)) < 0.5
        ref = mask_utils.encode(np.asfortranarray(m.astype(np.uint8)))["counts"].decode()
        assert coco_synth.rle_string(coco_synth.rle_counts(m)) == ref, "coco_synth.rle_string differs from pycocotools"


def run_pycocotools(COCO, COCOeval, gt, dt, iou_type):
    with contextlib.redirect_stdout(io.StringIO()):
        t0 = time.perf_counter()
        coco_gt = COCO(gt)
        coco_dt = coco_gt.loadRes(dt)
        t1 = time.perf_counter()
        e = COCOeval(coco_gt, coco_dt, iou_type)
        e.evaluate()
        e.accumulate()
        e.summarize()
        t2 = time.perf_counter()
    return {"load": (t1 - t0) * 1e3, "eval": (t2 - t1) * 1e3, "total": (t2 - t0) * 1e3, "stats": [float(s) for s in e.stats]}


def run_segkit(segkit, gt, dt, iou_type):
    t0 = time.perf_counter()
    p = subprocess.run(segkit + ["eval", "coco", "--gt", gt, "--pred", dt, "--iou-type", iou_type, "--json"],
                       capture_output=True, text=True)
    wall = (time.perf_counter() - t0) * 1e3
    if p.returncode != 0:
        raise SystemExit(f"segkit failed ({p.returncode}):\n{p.stderr}")
    d = json.loads(p.stdout)
    keys = ["AP", "AP50", "AP75", "APs", "APm", "APl", "AR1", "AR10", "AR100", "ARs", "ARm", "ARl"]
    t = d["timings"]
    return {"load": t["decode"], "eval": t["postprocess"], "total": t["decode"] + t["postprocess"], "process": wall,
            "stats": [d[k] for k in keys]}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pycocotools", required=True, help="folder holding the built pycocotools package (cocoapi/PythonAPI)")
    ap.add_argument("--segkit", default=os.path.join(REPO, "segkit"), help="the segkit command (default: the repo's ./segkit)")
    ap.add_argument("--data", default=os.path.join(REPO, ".cache", "bench", "coco_synth"))
    ap.add_argument("--images", type=int, default=500)
    ap.add_argument("--annotations", type=int, default=5000)
    ap.add_argument("--detections", type=int, default=10000)
    ap.add_argument("--iou-types", default="segm,bbox")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json-out", help="also write the numbers here")
    a = ap.parse_args()

    mask_utils, COCO, COCOeval = load_pycocotools(a.pycocotools)
    check_encoder(mask_utils)
    gt, dt = os.path.join(a.data, "gt.json"), os.path.join(a.data, "dt.json")
    if not (os.path.exists(gt) and os.path.exists(dt)):
        print(f"generating {a.data} ...", flush=True)
        coco_synth.generate(a.data, a.images, a.annotations, a.detections)
    with open(gt) as f:
        g = json.load(f)
    with open(dt) as f:
        n_dt = len(json.load(f))
    print(f"data: {len(g['images'])} images, {len(g['annotations'])} annotations, {len(g['categories'])} categories, {n_dt} detections")
    segkit = a.segkit.split()
    subprocess.run(segkit + ["--help"], capture_output=True)  # builds ./segkit on first use, outside the timings

    report = {}
    for iou_type in a.iou_types.split(","):
        # Alternate the two tools so that load from other processes on the machine hits both alike; keep each one's best run.
        pys, sks = [], []
        for _ in range(a.repeat):
            pys.append(run_pycocotools(COCO, COCOeval, gt, dt, iou_type))
            sks.append(run_segkit(segkit, gt, dt, iou_type))
        py = min(pys, key=lambda r: r["total"])
        sk = min(sks, key=lambda r: r["process"])
        diff = max(abs(x - y) for x, y in zip(py["stats"], sk["stats"]))
        report[iou_type] = {"pycocotools": py, "segkit": sk, "max_stat_diff": diff}
        print(f"\niou type {iou_type}: AP {py['stats'][0]:.4f} (pycocotools) vs {sk['stats'][0]:.4f} (segkit), max |stat diff| {diff:.2e}")
        print(f"  {'':28}{'pycocotools':>12}{'segkit':>10}{'ratio':>8}")
        print(f"  {'load gt + results (ms)':28}{py['load']:12.0f}{sk['load']:10.0f}{py['load'] / sk['load']:7.1f}x")
        print(f"  {'evaluate+accumulate (ms)':28}{py['eval']:12.0f}{sk['eval']:10.0f}{py['eval'] / sk['eval']:7.1f}x")
        print(f"  {'load + evaluate (ms)':28}{py['total']:12.0f}{sk['total']:10.0f}{py['total'] / sk['total']:7.1f}x")
        print(f"  {'whole command (ms)':28}{py['total']:12.0f}{sk['process']:10.0f}{py['total'] / sk['process']:7.1f}x"
              "   (segkit: process incl. .NET start-up; pycocotools: in-process)")
        if diff > 1e-9:
            print("  WARNING: the stats differ by more than 1e-9")
    if a.json_out:
        with open(a.json_out, "w") as f:
            json.dump(report, f, indent=1)


if __name__ == "__main__":
    main()
