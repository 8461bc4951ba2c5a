#!/usr/bin/python3
"""Side by side: segment-anything's own SamPredictor / SamAutomaticMaskGenerator (PyTorch) against SegKit's
(`segkit everything`, ONNX Runtime) on the same weights and image, the image encoder excluded on both sides.

segment-anything is not a dependency of SegKit and is not installed: pass the folder that holds its
`segment_anything` package (a clone of facebookresearch/segment-anything). Its ViT-B model is rebuilt with
torch.manual_seed(1234), which gives exactly the weights of ../shared/reference/sam/sam_vitb_rand_decoder.onnx
(checked below against reference.json), and both sides start from ../shared/reference/sam/image_embedding.npy
of truck.jpg. Random weights make every mask a noise field and every IoU prediction negative, so SAM's
defaults keep nothing; `--preset random-weights` (the default here) uses pred_iou_thresh 0,
stability_score_offset 0.02, stability_score_thresh 0.3 so the filters, boxes, NMS and RLEs all do work;
`--preset default` uses SAM's own defaults.

    /usr/bin/python3 tools/bench/sam_compare.py --sam-src ~/src/segment-anything [--points-per-side 32]
        [--preset random-weights|default] [--threads 2] [--prompts 10]

Prints per-prompt predictor times, the generator's total and stage times on both sides, the ratio, and how
many records agree (segmentation RLE, bbox, predicted IoU within 1e-4).
"""
import argparse
import hashlib
import json
import os
import struct
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
REF = os.path.normpath(os.path.join(ROOT, "..", "shared", "reference", "sam"))
IMAGE = os.path.normpath(os.path.join(ROOT, "..", "shared", "images", "truck.jpg"))


def write_segkit_embedding(path, emb, orig_w, orig_h):
    """SegKit's embedding file, format version 1 (src/SegKit/Prompt/SamImageEmbedding.cs)."""
    scale = 1024 / max(orig_w, orig_h)
    in_w, in_h = int(orig_w * scale + 0.5), int(orig_h * scale + 0.5)
    header = struct.pack("<5i", orig_w, orig_h, in_w, in_h, 1024) + struct.pack("<BB", 1, emb.ndim)
    header += struct.pack(f"<{emb.ndim}i", *emb.shape) + struct.pack("<H", 0) + struct.pack("<B", 0) + bytes(32)
    body = b"SKSAMEMB" + struct.pack("<HH", 1, len(header)) + header + emb.astype("<f4").tobytes()
    with open(path, "wb") as f:
        f.write(body + hashlib.sha256(body).digest())


def rle_counts(compressed):
    """pycocotools' rleFrString: the compressed counts string back to run lengths."""
    counts, p, s = [], 0, compressed.encode()
    while p < len(s):
        x, k, more = 0, 0, True
        while more:
            c = s[p] - 48
            x |= (c & 0x1F) << (5 * k)
            more = c & 0x20
            p += 1
            k += 1
            if not more and (c & 0x10):
                x |= -1 << (5 * k)
        if len(counts) > 2:
            x += counts[-2]
        counts.append(x)
    return counts


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sam-src", required=True, help="folder holding the segment_anything package")
    ap.add_argument("--points-per-side", type=int, default=32)
    ap.add_argument("--preset", choices=["random-weights", "default"], default="random-weights")
    ap.add_argument("--threads", type=int, default=2, help="torch threads, and the predictor benchmark's ORT threads")
    ap.add_argument("--segkit-threads", type=int, default=0,
                    help="segkit everything --threads (0: one single-threaded decoder run per core, its default)")
    ap.add_argument("--prompts", type=int, default=10, help="predictor calls timed on each side")
    a = ap.parse_args()
    sys.path.insert(0, os.path.abspath(os.path.expanduser(a.sam_src)))
    from segment_anything import SamAutomaticMaskGenerator, SamPredictor, sam_model_registry

    torch.set_num_threads(a.threads)
    torch.manual_seed(1234)
    sam = sam_model_registry["vit_b"]().eval()
    emb = np.load(os.path.join(REF, "image_embedding.npy"))
    h, w = 1200, 1800
    ref = json.load(open(os.path.join(REF, "reference.json")))

    def set_embedding(predictor, *_):
        predictor.reset_image()
        predictor.features = torch.from_numpy(emb)
        predictor.original_size = (h, w)
        predictor.input_size = (683, 1024)
        predictor.is_image_set = True

    # Same weights as the ONNX decoder: the official predictor reproduces reference.json.
    pred = SamPredictor(sam)
    set_embedding(pred)
    case = ref["cases"][0]
    _, iou, _ = pred.predict(np.array(case["point_coords"]), np.array(case["point_labels"]), multimask_output=True)
    print(f"weights check: max |IoU - reference.json| = {np.abs(iou - np.array(case['iou_predictions'])).max():.2e}")

    # Predictor: one click, three masks at 1800x1200 (decoder + upscaling), per prompt.
    times = []
    for i in range(a.prompts + 1):
        t = time.perf_counter()
        pred.predict(np.array([[900.0, 600.0]]), np.array([1]), multimask_output=True)
        if i:
            times.append(time.perf_counter() - t)
    torch_prompt_ms = 1000 * float(np.median(times))

    options = dict(points_per_side=a.points_per_side, output_mode="uncompressed_rle")
    if a.preset == "random-weights":
        options.update(pred_iou_thresh=0.0, stability_score_offset=0.02, stability_score_thresh=0.3)
    gen = SamAutomaticMaskGenerator(sam, **options)
    gen.predictor.set_image = lambda *args, **kw: set_embedding(gen.predictor)  # encoder excluded
    stage = {"decoder": 0.0, "upscale": 0.0}
    decode, upscale = sam.mask_decoder.forward, sam.postprocess_masks

    def timed(name, fn):
        def run(*args, **kw):
            t = time.perf_counter()
            r = fn(*args, **kw)
            stage[name] += time.perf_counter() - t
            return r
        return run

    sam.mask_decoder.forward = timed("decoder", decode)
    sam.postprocess_masks = timed("upscale", upscale)
    image = np.zeros((h, w, 3), np.uint8)  # only its shape is read once set_image is replaced
    t = time.perf_counter()
    records = gen.generate(image)
    torch_total = time.perf_counter() - t
    sam.mask_decoder.forward, sam.postprocess_masks = decode, upscale

    # SegKit: the CLI from a saved embedding, and the predictor benchmark.
    tmp = tempfile.mkdtemp(prefix="segkit-sam-")
    emb_path = os.path.join(tmp, "truck.samemb")
    write_segkit_embedding(emb_path, emb, w, h)
    cli = [os.path.join(ROOT, "segkit"), "everything", IMAGE, "--decoder", os.path.join(REF, "sam_vitb_rand_decoder.onnx"),
           "--embedding", emb_path, "--points-per-side", str(a.points_per_side), "--threads", str(a.segkit_threads),
           "--out", tmp, "--json"]
    if a.preset == "random-weights":
        cli += ["--pred-iou-thresh", "0", "--stability-score-offset", "0.02", "--stability-score-thresh", "0.3"]
    doc = json.loads(subprocess.run(cli, check=True, capture_output=True, text=True).stdout)
    s = doc["stages"]
    segkit_total = (s["decoder"] + s["filter"] + s["nms"] + s["masks"] + s["small_regions"]) / 1000

    seg_prompt_ms = None
    try:
        import glob
        art = os.path.join(tmp, "bdn")
        subprocess.run(["dotnet", "run", "-c", "Release", "--project", os.path.join(ROOT, "bench", "SegKit.Benchmarks"), "--",
                        "--filter", "*SamDecoderBenchmarks.PredictPointMultimask*", "--job", "short", "--exporters", "json",
                        "--artifacts", art], check=True, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for f in glob.glob(os.path.join(art, "results", "*-report-full*.json")):
            for b in json.load(open(f))["Benchmarks"]:
                params = dict(kv.split("=", 1) for kv in b.get("Parameters", "").split(", ") if "=" in kv)
                if params.get("Threads") == str(a.threads) and params.get("Engine", "Auto") == "Auto":
                    seg_prompt_ms = b["Statistics"]["Median"] / 1e6
    except (subprocess.CalledProcessError, FileNotFoundError):
        pass

    # Agreement (PyTorch and ONNX Runtime differ in the last bits of the logits, so a mask near a threshold may differ).
    mine = doc["records"]
    same = sum(1 for r, m in zip(records, mine)
               if r["segmentation"]["counts"] == rle_counts(m["segmentation"]["counts"])
               and [int(v) for v in r["bbox"]] == [int(v) for v in m["bbox"]]
               and abs(r["predicted_iou"] - m["predicted_iou"]) <= 1e-4)

    n = a.points_per_side ** 2
    print(f"truck.jpg 1800x1200, ViT-B decoder (seed 1234), torch {a.threads} threads, segkit --threads {a.segkit_threads} "
          f"on {os.cpu_count()} cores, points_per_side {a.points_per_side} "
          f"({n} prompts), preset {a.preset}, encoder excluded")
    print(f"predictor, one click, 3 masks:   segment-anything {torch_prompt_ms:8.1f} ms   SegKit "
          + (f"{seg_prompt_ms:8.1f} ms   ratio {torch_prompt_ms / seg_prompt_ms:.2f}x" if seg_prompt_ms else "(benchmark not run)"))
    print(f"everything, total:               segment-anything {torch_total * 1000:8.0f} ms   SegKit {segkit_total * 1000:8.0f} ms   "
          f"ratio {torch_total / segkit_total:.2f}x")
    print(f"  segment-anything: decoder {stage['decoder'] * 1000:.0f} ms, upscaling {stage['upscale'] * 1000:.0f} ms, "
          f"filters/NMS/RLE {(torch_total - stage['decoder'] - stage['upscale']) * 1000:.0f} ms")
    print(f"  SegKit:           decoder {s['decoder']:.0f} ms, filters (fast path) {s['filter']:.0f} ms, NMS {s['nms']:.0f} ms, "
          f"masks/RLE {s['masks']:.0f} ms")
    print(f"records: segment-anything {len(records)}, SegKit {len(mine)}, identical {same}")
    for r, m in list(zip(records, mine))[:3]:
        print(f"  first records: iou {r['predicted_iou']:.6f} / {m['predicted_iou']:.6f}, bbox {r['bbox']} / {m['bbox']}, "
              f"area {r['area']} / {m['area']}, stability {r['stability_score']:.6f} / {m['stability_score']:.6f}")


if __name__ == "__main__":
    main()
