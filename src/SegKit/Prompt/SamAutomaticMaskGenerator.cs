// segment-anything's SamAutomaticMaskGenerator ("everything" mode) over SamPredictor: a grid of single
// foreground points per crop, each decoded with multimask output (decoder masks 1..3, padding point
// appended), then predicted-IoU filter (> pred_iou_thresh), stability score (≥ stability_score_thresh),
// threshold at 0, batched_mask_to_box, crop-edge filter, batched NMS per crop (box_nms_thresh on the
// predicted IoU), uncrop, NMS across crops preferring smaller crops (crop_nms_thresh on 1 / crop area),
// then optional small-region removal with its NMS. Records come out in segment-anything's order.
//
// Where the reference upsamples every candidate to the crop's full size before filtering, SegKit works
// from the low-res logits: the IoU filter needs no pixels; the stability counts and the thresholded
// masks come from SamMaskUpscaler's fast path, bit-identical to upsampling first (see its header); RLEs
// are encoded only for masks NMS keeps (the others are discarded unread by the reference too).
using System.Diagnostics;
using SegKit.Imaging;
using SegKit.Masks;

namespace SegKit.Prompt;

/// <summary>
/// Segments everything in an image (segment-anything's SamAutomaticMaskGenerator). Thread-safe: one generator
/// may serve several images at once.
/// </summary>
public sealed class SamAutomaticMaskGenerator
{
    private readonly SamPredictor _predictor;
    private readonly (double X, double Y)[][] _grids;

    /// <summary>A generator over <paramref name="predictor"/> (not owned) with <paramref name="options"/> (null = defaults).</summary>
    public SamAutomaticMaskGenerator(SamPredictor predictor, SamAutomaticMaskGeneratorOptions? options = null)
    {
        _predictor = predictor ?? throw new ArgumentNullException(nameof(predictor));
        Options = options ?? SamAutomaticMaskGeneratorOptions.Default;
        _grids = Options.ResolvePointGrids();
    }

    /// <summary>The parameters.</summary>
    public SamAutomaticMaskGeneratorOptions Options { get; }

    /// <summary>
    /// Decoder runs in flight at once (default 1). With a decoder session of one intra-op thread, one run per core
    /// uses the cores better than one run spread over them (the decoder's operators are small). Results do not
    /// depend on it.
    /// </summary>
    public int MaxConcurrentDecoderRuns
    {
        get;
        init => field = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(MaxConcurrentDecoderRuns), value, "must be ≥ 1");
    } = 1;

    /// <summary>
    /// Called on the generating thread after each crop is encoded and decoded: with crop_n_layers &gt; 0 a run encodes
    /// every crop (4^layer of them per layer), which takes minutes, and this is how a caller shows how far it is.
    /// </summary>
    public Action<SamCropProgress>? CropDone { get; init; }

    /// <summary>Upscale every candidate's logits as the reference does, instead of the fast path (tests compare both).</summary>
    internal bool LiteralUpscaling { get; init; }

    /// <summary>Sees every decoder run: crop index, the batch's point coordinates in the 1024 frame ([B,2,2] with padding), outputs.</summary>
    internal Action<int, float[], SamDecoderOutput>? DecoderObserver { get; init; }

    /// <summary>
    /// Segments everything in <paramref name="image"/>, encoding it (and each crop when crop_n_layers &gt; 0) with the
    /// predictor's encoder; a precomputed <paramref name="fullImageEmbedding"/> replaces the first (whole-image) encoding.
    /// </summary>
    public SamEverythingResult Generate(RgbImage image, SamImageEmbedding? fullImageEmbedding = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (fullImageEmbedding is not null && fullImageEmbedding.OriginalSize != new ImageSize(image.Width, image.Height))
            throw new ArgumentException($"the embedding is of a {fullImageEmbedding.OriginalSize} image but the image is {image.Width}×{image.Height}", nameof(fullImageEmbedding));
        if (_predictor.Encoder is null && (fullImageEmbedding is null || Options.CropNLayers > 0))
            throw new InvalidOperationException(Options.CropNLayers > 0
                ? "crop_n_layers > 0 needs an encoder: every crop is encoded"
                : "this predictor has no encoder: give the image's embedding");
        return Run(image.Height, image.Width, crop =>
        {
            if (crop.X0 == 0 && crop.Y0 == 0 && crop.X1 == image.Width && crop.Y1 == image.Height && fullImageEmbedding is not null)
                return fullImageEmbedding;
            return _predictor.Encode(CropImage(image, crop));
        }, cancellationToken);
    }

    /// <summary>
    /// Segments everything from a precomputed embedding (crop_n_layers must be 0: crops need the image).
    /// </summary>
    public SamEverythingResult Generate(SamImageEmbedding embedding, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(embedding);
        if (Options.CropNLayers > 0)
            throw new InvalidOperationException($"crop_n_layers = {Options.CropNLayers} needs the image (every crop is encoded); give the image, or use crop_n_layers 0");
        return Run(embedding.OriginalSize.Height, embedding.OriginalSize.Width, _ => embedding, cancellationToken);
    }

    private sealed class Candidate
    {
        public float Iou;
        public float Stability;
        public IntBoxXyxy Box;
        public (double X, double Y) Point;
        public BinaryMask? Mask;
        public IntBoxXyxy CropBox;
        public CocoRle? Rle;
    }

    private SamEverythingResult Run(int height, int width, Func<IntBoxXyxy, SamImageEmbedding> embed, CancellationToken ct)
    {
        var timings = new SamEverythingTimings();
        long start = Stopwatch.GetTimestamp();
        var (crops, layers) = SamAmg.GenerateCropBoxes(height, width, Options.CropNLayers, Options.CropOverlapRatio);
        // segment-anything slices an empty crop of a tiny image and its encoder fails on it; said before any work here.
        for (int i = 0; i < crops.Length; i++)
            if (crops[i].X1 <= crops[i].X0 || crops[i].Y1 <= crops[i].Y0)
                throw new SegKitException($"a {width}×{height} image is too small for crop layer {layers[i]}: its crop " +
                                          $"({crops[i].X0},{crops[i].Y0})–({crops[i].X1},{crops[i].Y1}) is empty; use fewer crop layers");
        var origBox = new IntBoxXyxy(0, 0, width, height);
        var all = new List<Candidate>();
        int prompts = 0, candidates = 0;
        for (int c = 0; c < crops.Length; c++)
        {
            ct.ThrowIfCancellationRequested();
            long t0 = Stopwatch.GetTimestamp();
            var embedding = embed(crops[c]);
            timings.EncoderMs += StageTimings.Since(t0);
            var cropSize = new ImageSize(crops[c].X1 - crops[c].X0, crops[c].Y1 - crops[c].Y0);
            if (embedding.OriginalSize != cropSize)
                throw new ArgumentException($"the embedding is of a {embedding.OriginalSize} image but crop {crops[c]} is {cropSize}");
            _predictor.Decoder.CheckEmbedding(embedding);
            var (kept, n, passed) = ProcessCrop(c, embedding, crops[c], layers[c], origBox, timings, ct);
            prompts += n;
            candidates += passed;
            all.AddRange(kept);
            CropDone?.Invoke(new SamCropProgress(c + 1, crops.Length, layers[c], crops[c], StageTimings.Since(start)));
        }

        if (crops.Length > 1)
        {
            // Prefer masks from smaller crops: scores 1 / box_area(crop_box) in float32.
            long t0 = Stopwatch.GetTimestamp();
            var boxes = all.Select(k => k.Box.ToBoxXyxy()).ToArray();
            var scores = all.Select(k => 1f / (float)k.CropBox.Area).ToArray();
            var keep = Nms.BatchedNms(boxes, scores, new int[all.Count], Options.CropNmsThresh);
            all = keep.Select(i => all[i]).ToList();
            timings.NmsMs += StageTimings.Since(t0);
        }

        if (Options.MinMaskRegionArea > 0 && all.Count > 0)
        {
            long t0 = Stopwatch.GetTimestamp();
            all = RemoveSmallRegions(all, Options.MinMaskRegionArea, Math.Max(Options.BoxNmsThresh, Options.CropNmsThresh), width, height);
            timings.SmallRegionsMs += StageTimings.Since(t0);
        }

        var records = all.Select(k => new SamMaskRecord
        {
            Segmentation = k.Rle!,
            Mask = Options.OutputMode == SamOutputMode.BinaryMask ? k.Mask ?? k.Rle!.Decode() : null,
            Area = k.Rle!.Area(),
            Bbox = k.Box.ToXywh(),
            PredictedIou = k.Iou,
            PointCoords = k.Point,
            StabilityScore = k.Stability,
            CropBox = k.CropBox.ToXywh(),
        }).ToArray();
        return new SamEverythingResult(records, timings, prompts, candidates);
    }

    private (List<Candidate> Kept, int Prompts, int Passed) ProcessCrop(int cropIndex, SamImageEmbedding embedding, IntBoxXyxy crop, int layer,
        IntBoxXyxy origBox, SamEverythingTimings timings, CancellationToken ct)
    {
        int cw = crop.X1 - crop.X0, ch = crop.Y1 - crop.Y0;
        var grid = _grids[layer];
        var upscaler = _predictor.Upscaler(embedding.InputSize, embedding.OriginalSize, embedding.LongSide);
        var passed = new List<Candidate>();
        int batchSize = _predictor.Decoder.SupportsBatching ? Options.PointsPerBatch : _predictor.Decoder.PromptsPerRun;
        for (int start = 0; start < grid.Length; start += Options.PointsPerBatch)
        {
            int count = Math.Min(Options.PointsPerBatch, grid.Length - start);
            // points_for_image = grid · (crop w, crop h) in float64, then apply_coords into the 1024 frame.
            var points = new (double X, double Y)[count];
            for (int i = 0; i < count; i++) points[i] = (grid[start + i].X * cw, grid[start + i].Y * ch);
            var outputs = new (SamDecoderOutput Output, int Index)[count];
            int runs = (count + batchSize - 1) / batchSize;
            var runInputs = new float[runs][];
            long t0 = Stopwatch.GetTimestamp();
            Parallel.For(0, runs, new ParallelOptions { MaxDegreeOfParallelism = MaxConcurrentDecoderRuns, CancellationToken = ct }, run =>
            {
                int b0 = run * batchSize, nb = Math.Min(batchSize, count - b0);
                var coords = new float[nb * 4];
                var labels = new float[nb * 2];
                for (int b = 0; b < nb; b++)
                {
                    var (x, y) = ResizeLongestSide.ApplyCoords(points[b0 + b].X, points[b0 + b].Y, cw, ch, embedding.LongSide);
                    coords[4 * b] = x;
                    coords[4 * b + 1] = y;
                    labels[2 * b] = 1f;
                    labels[2 * b + 1] = -1f; // the padding point (0, 0), as PromptEncoder pads without a box
                }
                var output = _predictor.RunPoints(embedding, coords, labels, nb, 2);
                if (output.MasksPerPrompt != 4)
                    throw new SamModelMismatchException($"everything mode needs the decoder's multimask outputs (4 masks per prompt); {_predictor.Decoder.Source} returns {output.MasksPerPrompt}");
                runInputs[run] = coords;
                for (int b = 0; b < nb; b++) outputs[b0 + b] = (output, b);
            });
            timings.DecoderMs += StageTimings.Since(t0);
            if (DecoderObserver is not null)
                for (int run = 0; run < runs; run++) DecoderObserver(cropIndex, runInputs[run], outputs[run * batchSize].Output);

            long t1 = Stopwatch.GetTimestamp();
            // masks.flatten(0, 1): point-major, then the three multimask outputs (decoder masks 1..3).
            var slots = new Candidate?[count * 3];
            Parallel.For(0, count * 3, new ParallelOptions { CancellationToken = ct }, s =>
            {
                int p = s / 3, k = s % 3 + 1;
                slots[s] = Filter(outputs[p].Output, outputs[p].Index, k, points[p], crop, origBox, upscaler);
            });
            foreach (var s in slots) if (s is not null) passed.Add(s);
            timings.FilterMs += StageTimings.Since(t1);
            // The candidates hold their own masks; the decoder may reuse the outputs' arrays (not while an observer may keep them).
            if (DecoderObserver is null)
                for (int run = 0; run < runs; run++) _predictor.Decoder.Recycle(outputs[run * batchSize].Output);
        }

        // Duplicates within the crop: batched NMS (one category) on the predicted IoU.
        long t2 = Stopwatch.GetTimestamp();
        var keep = Nms.BatchedNms(passed.Select(k => k.Box.ToBoxXyxy()).ToArray(), passed.Select(k => k.Iou).ToArray(),
            new int[passed.Count], Options.BoxNmsThresh);
        var kept = keep.Select(i => passed[i]).ToList();
        timings.NmsMs += StageTimings.Since(t2);

        // Back to the image frame; RLEs only for what NMS kept.
        long t3 = Stopwatch.GetTimestamp();
        int ow = origBox.X1, oh = origBox.Y1;
        Parallel.ForEach(kept, new ParallelOptions { CancellationToken = ct }, k =>
        {
            k.Box = SamAmg.UncropBoxXyxy(k.Box, crop);
            k.Point = SamAmg.UncropPoint(k.Point, crop);
            k.CropBox = crop;
            k.Mask = SamAmg.UncropMask(k.Mask!, crop, ow, oh);
            k.Rle = CocoRle.Encode(k.Mask);
            if (Options.OutputMode != SamOutputMode.BinaryMask) k.Mask = null;
        });
        timings.MasksMs += StageTimings.Since(t3);
        return (kept, grid.Length, passed.Count);
    }

    // One candidate (prompt b of a decoder output, decoder mask k): null when a filter drops it.
    private Candidate? Filter(SamDecoderOutput output, int b, int k, (double X, double Y) point, IntBoxXyxy crop, IntBoxXyxy origBox, SamMaskUpscaler upscaler)
    {
        float iou = output.Iou(b, k);
        if (Options.PredIouThresh > 0f && !(iou > Options.PredIouThresh)) return null;
        var low = output.LowRes(b, k);
        // Stability thresholds: mask_threshold (0.0) ± offset, Python floats cast to float32 by torch.
        float high = (float)(0.0 + Options.StabilityScoreOffset), lowT = (float)(0.0 - Options.StabilityScoreOffset);
        float stability;
        BinaryMask mask;
        if (LiteralUpscaling)
        {
            var logits = new float[upscaler.OutputWidth * upscaler.OutputHeight];
            upscaler.UpscaleLogits(low, logits);
            stability = SamAmg.CalculateStabilityScore(logits, upscaler.OutputWidth, 0f, Options.StabilityScoreOffset);
            if (Options.StabilityScoreThresh > 0f && !(stability >= Options.StabilityScoreThresh)) return null;
            mask = BinaryMask.FromThreshold(logits, upscaler.OutputWidth, upscaler.OutputHeight, 0f);
        }
        else
        {
            // One pass for the stability counts and the mask (SAM's mask_threshold 0 lies between ±offset).
            using var session = upscaler.Open(low);
            (long above, long union, mask) = session.CountAboveAndThreshold(high, lowT, 0f);
            stability = SamAmg.StabilityScore(above, union);
            if (Options.StabilityScoreThresh > 0f && !(stability >= Options.StabilityScoreThresh)) return null;
        }
        var box = SamAmg.BatchedMaskToBox(mask);
        if (SamAmg.IsBoxNearCropEdge(box, crop, origBox)) return null;
        return new Candidate { Iou = iou, Stability = stability, Box = box, Point = point, Mask = mask };
    }

    // postprocess_small_regions: holes then islands below min area; changed masks score 0, unchanged 1; boxes
    // recomputed; NMS at max(box_nms_thresh, crop_nms_thresh); kept changed masks get their new RLE and box.
    private static List<Candidate> RemoveSmallRegions(List<Candidate> data, int minArea, float nmsThresh, int width, int height)
    {
        var newMasks = new BinaryMask[data.Count];
        var scores = new float[data.Count];
        Parallel.For(0, data.Count, i =>
        {
            var mask = data[i].Mask ?? data[i].Rle!.Decode();
            mask = SamAmg.RemoveSmallRegions(mask, minArea, SamRegionMode.Holes, out bool changedHoles);
            mask = SamAmg.RemoveSmallRegions(mask, minArea, SamRegionMode.Islands, out bool changedIslands);
            newMasks[i] = mask;
            scores[i] = changedHoles || changedIslands ? 0f : 1f;
        });
        var boxes = newMasks.Select(SamAmg.BatchedMaskToBox).ToArray();
        var keep = Nms.BatchedNms(boxes.Select(b => b.ToBoxXyxy()).ToArray(), scores, new int[data.Count], nmsThresh);
        var result = new List<Candidate>(keep.Length);
        foreach (int i in keep)
        {
            var k = data[i];
            if (scores[i] == 0f)
            {
                k.Rle = CocoRle.Encode(newMasks[i]);
                k.Box = boxes[i];
                if (k.Mask is not null) k.Mask = newMasks[i];
            }
            result.Add(k);
        }
        return result;
    }

    private static RgbImage CropImage(RgbImage image, IntBoxXyxy crop)
    {
        if (crop.X0 == 0 && crop.Y0 == 0 && crop.X1 == image.Width && crop.Y1 == image.Height) return image;
        int w = crop.X1 - crop.X0, h = crop.Y1 - crop.Y0;
        var data = new byte[w * h * 3];
        for (int y = 0; y < h; y++)
            image.Data.AsSpan(((crop.Y0 + y) * image.Width + crop.X0) * 3, w * 3).CopyTo(data.AsSpan(y * w * 3));
        return new RgbImage(w, h, data);
    }
}

/// <summary>
/// How far a <see cref="SamAutomaticMaskGenerator"/> run is: <paramref name="Done"/> of <paramref name="Total"/> crops
/// (the whole image is crop 1, in layer 0), the last one's <paramref name="Layer"/> and box, and the milliseconds since
/// the run began.
/// </summary>
public readonly record struct SamCropProgress(int Done, int Total, int Layer, IntBoxXyxy Crop, double ElapsedMs);
