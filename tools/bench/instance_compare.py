"""Side by side: SegKit (`./segkit instance --json`) vs the Python reference pipelines, same model (the seeded fixtures
of tools/fixtures/instance_reference.py), same photo, same thread count.

  torchvision: torchvision's Mask R-CNN pipeline. Per image: PIL open+convert (decode), TF.to_tensor (preprocess),
      model([x]) in eager PyTorch (inference: its own resize, normalisation, detection and mask pasting), then
      score filter + masks > 0.5 (postprocess). SegKit runs the ONNX export of the same model (torchvision contract).
  yolo: the Ultralytics algorithms as the fixture writes them with torch/cv2. Per image: cv2.imread (decode),
      LetterBox + BGR->RGB + /255 (preprocess), the model (inference), non_max_suppression + scale_boxes +
      process_mask_native (postprocess). SegKit runs the ONNX export (YOLO-seg contract).

SegKit's figures are its own stage timings, medians over --runs copies of the photo processed in one process after
one warm-up image; the Python figures are medians over --runs after one warm-up run. Prints per stage and the ratio.

Run with Debian's interpreter:  /usr/bin/python3 tools/bench/instance_compare.py --pipeline torchvision --photo dog.jpg
"""
import argparse, json, os, shutil, statistics, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tools", "fixtures"))

import cv2  # noqa: E402
import torch  # noqa: E402
from torchvision.transforms import functional as TF  # noqa: E402
from PIL import Image  # noqa: E402
import instance_reference as ref  # noqa: E402

STAGES = ["decode", "preprocess", "inference", "postprocess"]


def torchvision_pipeline(model, path, score):
    t = {}
    s = time.perf_counter(); img = Image.open(path).convert("RGB"); img.load(); t["decode"] = time.perf_counter() - s
    s = time.perf_counter(); x = TF.to_tensor(img); t["preprocess"] = time.perf_counter() - s
    s = time.perf_counter()
    with torch.no_grad():
        o = model([x])[0]
    t["inference"] = time.perf_counter() - s
    s = time.perf_counter()
    keep = o["scores"] > score
    masks = o["masks"][keep, 0] > 0.5
    boxes, labels = o["boxes"][keep], o["labels"][keep]
    t["postprocess"] = time.perf_counter() - s
    return {k: v * 1000 for k, v in t.items()}, int(masks.shape[0])


def yolo_pipeline(model, path, score):
    t = {}
    s = time.perf_counter(); img = cv2.imread(path); t["decode"] = time.perf_counter() - s
    s = time.perf_counter(); x, _ = ref.yolo_input(img); t["preprocess"] = time.perf_counter() - s
    s = time.perf_counter()
    with torch.no_grad():
        o0, o1 = model(x)
    t["inference"] = time.perf_counter() - s
    s = time.perf_counter()
    boxes, cls, scores, masks, _ = ref.yolo_reference(o0, o1, img.shape[:2], 80, False, conf=score, iou=0.7, max_det=100)
    t["postprocess"] = time.perf_counter() - s
    return {k: v * 1000 for k, v in t.items()}, int(masks.shape[0])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pipeline", default="torchvision", choices=["torchvision", "yolo"])
    ap.add_argument("--photo", default="dog.jpg", help="a file in ../shared/images or a path")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--score", type=float, default=None, help="score threshold (default 0.05 torchvision, 0.25 yolo)")
    args = ap.parse_args()
    photo = args.photo if os.path.exists(args.photo) else ref.photo(args.photo)
    score = args.score if args.score is not None else (0.05 if args.pipeline == "torchvision" else 0.25)

    fixture = os.path.join(ROOT, ".cache", "fixtures", "instance_reference")
    onnx = os.path.join(fixture, "torchvision_maskrcnn.onnx" if args.pipeline == "torchvision" else "yolo_seg.onnx")
    if not os.path.exists(onnx):
        sys.exit(f"{onnx} missing: run tools/test.sh or tools/fixtures/instance_reference.py --out {fixture} first")

    torch.set_num_threads(args.threads)
    if args.pipeline == "torchvision":
        model, run = ref.build_torchvision_maskrcnn(), torchvision_pipeline
    else:
        model, run = ref.build_yolo_seg()[0], yolo_pipeline
    run(model, photo, score)  # warm-up
    py = [run(model, photo, score) for _ in range(args.runs)]

    tmp = tempfile.mkdtemp()
    try:
        inputs = os.path.join(tmp, "in")
        os.makedirs(inputs)
        ext = os.path.splitext(photo)[1]
        for i in range(args.runs + 1):
            shutil.copy(photo, os.path.join(inputs, f"img{i:03d}{ext}"))
        out = subprocess.run([os.path.join(ROOT, "segkit"), "instance", inputs, "--model", onnx, "--out", os.path.join(tmp, "out"),
                              "--json", "--threads", str(args.threads), "--force", "--score", str(score),
                              "--max-det", "100"], capture_output=True, text=True)
        if out.returncode != 0:
            sys.exit("segkit failed:\n" + out.stderr)
        images = json.loads(out.stdout)["images"][1:]  # the first image warms up the JIT
    finally:
        shutil.rmtree(tmp)

    med = statistics.median
    print(f"pipeline {args.pipeline}, model {os.path.basename(onnx)}, photo {os.path.basename(photo)}, "
          f"{args.threads} threads, score > {score}, median of {args.runs}")
    print(f"instances: segkit {len(images[0]['instances'])}, python {py[0][1]}")
    print(f"{'stage':12s} {'segkit ms':>10s} {'python ms':>10s} {'speed-up':>9s}")
    total_sk = total_py = own_sk = own_py = 0
    for s in STAGES:
        sk = med([im["timings"][s] for im in images])
        p = med([r[0][s] for r in py])
        total_sk += sk
        total_py += p
        if s != "inference":
            own_sk += sk
            own_py += p
        print(f"{s:12s} {sk:10.2f} {p:10.2f} {p / sk if sk > 0 else float('inf'):8.2f}x")
    print(f"{'total':12s} {total_sk:10.2f} {total_py:10.2f} {total_py / total_sk:8.2f}x")
    print(f"{'non-model':12s} {own_sk:10.2f} {own_py:10.2f} {own_py / own_sk:8.2f}x   (decode + preprocess + postprocess)")
    enc = med([im["timings"]["encode"] for im in images])
    print(f"segkit also wrote COCO JSON + 16-bit id map per image: encode {enc:.2f} ms (not in the totals; Python writes nothing)")
    print("note: inference is ONNX Runtime vs Debian's torch eager build")


if __name__ == "__main__":
    main()
