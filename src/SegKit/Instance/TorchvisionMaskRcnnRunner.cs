// Runner for the torchvision Mask R-CNN export contract (TorchvisionMaskRcnnContract.cs):
//   input  [3,H,W] float32 RGB, value / 255, at the image's own size (the graph normalises and resizes);
//   outputs boxes [N,4] XYXY in image pixels, labels [N] int64 (COCO-91 ids), scores [N] (sorted, already
//   thresholded at the model's box_score_thresh and NMSed per class), masks [N,1,H,W] pasted probabilities.
// Post-processing: score > ScoreThreshold, class filter, best MaxDetections, mask probability > MaskThreshold.
using System.Diagnostics;
using SegKit.Imaging;
using SegKit.Masks;
using SegKit.Models;
using SegKit.Onnx;

namespace SegKit.Instance;

/// <summary>Runs a torchvision Mask R-CNN export.</summary>
internal sealed class TorchvisionMaskRcnnRunner : InstanceRunner
{
    private static readonly IReadOnlyDictionary<int, string> s_names =
        CocoCategories.Coco91.Select((n, i) => (n, i)).Where(t => t.i > 0).ToDictionary(t => t.i, t => t.n);

    private readonly string _input;
    private readonly MaskRcnnOutputs _outputs;
    private readonly ResizeLimits? _resize;

    public TorchvisionMaskRcnnRunner(InferenceSession session, ModelSignature signature, string model, ResizeLimits? resize = null) : base(session, model)
    {
        (_input, _outputs) = MaskRcnnOutputs.Require(signature, model, "torchvision Mask R-CNN", "[N,1,H,W]");
        _resize = resize;
    }

    /// <summary>The <c>min_size</c> and <c>max_size</c> of the graph's own resize (GeneralizedRCNNTransform).</summary>
    internal readonly record struct ResizeLimits(float MinSize, float MaxSize)
    {
        /// <summary>
        /// The size the graph resizes a <paramref name="width"/> × <paramref name="height"/> image to, in its float32
        /// arithmetic: scale = min(1/short · min_size, 1/long · max_size), sides floor(side · scale).
        /// </summary>
        public (int Width, int Height) Resized(int width, int height)
        {
            float h = height, w = width;
            float scale = MathF.Min(1f / MathF.Min(h, w) * MinSize, 1f / MathF.Max(h, w) * MaxSize);
            return ((int)MathF.Floor(w * scale), (int)MathF.Floor(h * scale));
        }
    }

    /// <summary>
    /// Reads min_size and max_size from the graph of <paramref name="modelPath"/>: the two scalar constants of the
    /// Min(1/ReduceMin(size) · min_size, 1/ReduceMax(size) · max_size) that torchvision's transform exports. Null when the
    /// file cannot be read as a graph here or does not have that shape (the model then runs unchecked). The weights are
    /// mapped, not copied: 40 ms for the 178 MB fixture export (two runs, this machine).
    /// </summary>
    internal static ResizeLimits? ReadResizeLimits(string modelPath)
    {
        OnnxModelFile graph;
        try
        {
            using var file = MappedModelFile.Open(modelPath, 0);
            graph = OnnxModelFile.Parse(file.FileBytes, modelPath, readConstants: false, readConstantNodes: true);
        }
        catch (Exception e) when (e is IOException or OnnxModelFormatException)
        {
            return null;
        }
        var producer = new Dictionary<string, OnnxNode>(StringComparer.Ordinal);
        foreach (OnnxNode n in graph.Nodes)
            foreach (string o in n.Outputs) producer[o] = n;
        OnnxNode? Through(string name, params string[] skip)
        {
            OnnxNode? n = producer.GetValueOrDefault(name);
            while (n is not null && skip.Contains(n.OpType) && n.Inputs.Count >= 1) n = producer.GetValueOrDefault(n.Inputs[0]);
            return n;
        }
        // One branch of the Min: Mul(Reciprocal(Cast(ReduceMin|ReduceMax(...))), constant) → (reduction, constant).
        (string Reduce, float Size)? Branch(string name)
        {
            if (producer.GetValueOrDefault(name) is not { OpType: "Mul", Inputs.Count: 2 } mul) return null;
            for (int k = 0; k < 2; k++)
            {
                if (graph.Tensor(mul.Inputs[1 - k]) is not { Values.Length: 1 } c) continue;
                if (Through(mul.Inputs[k], "Cast") is not { OpType: "Reciprocal" } rec) continue;
                if (Through(rec.Inputs[0], "Cast") is { OpType: "ReduceMin" or "ReduceMax" } reduce) return (reduce.OpType, c.Values[0]);
            }
            return null;
        }
        foreach (OnnxNode min in graph.Nodes)
        {
            if (min.OpType != "Min" || min.Inputs.Count != 2) continue;
            if (Branch(min.Inputs[0]) is not { } a || Branch(min.Inputs[1]) is not { } b || a.Reduce == b.Reduce) continue;
            var (shortSide, longSide) = a.Reduce == "ReduceMin" ? (a.Size, b.Size) : (b.Size, a.Size);
            if (shortSide > 0 && longSide > 0 && float.IsFinite(shortSide) && float.IsFinite(longSide)) return new ResizeLimits(shortSide, longSide);
        }
        return null;
    }

    public override ModelContractKind Kind => ModelContractKind.TorchvisionMaskRcnn;

    public override IReadOnlyDictionary<int, string> ClassNames => s_names;

    public override List<InstanceDetection> Run(RgbImage image, RunSettings settings, StageTimings timings)
    {
        if (_resize is { } limits && limits.Resized(image.Width, image.Height) is var (rw, rh) && (rw < 1 || rh < 1))
            // ONNX Runtime's Resize failed with "Scale value should be greater than 0"; torchvision fails on it as well.
            throw new SegKitException($"{image.Width}×{image.Height} image: {Model}'s own resize (min_size {limits.MinSize}, max_size " +
                                      $"{limits.MaxSize}, read from the model) makes it {rw}×{rh}, and a side of 0 pixels cannot be run " +
                                      "(torchvision fails on it too); the image is too thin for this model");
        long t = Stopwatch.GetTimestamp();
        float[] input = ToPlanarRgb01(image);
        timings.PreprocessMs = StageTimings.Since(t);

        t = Stopwatch.GetTimestamp();
        OrtOutputs outs = _outputs.Run(Session, _input, input, image.Height, image.Width);
        timings.InferenceMs = StageTimings.Since(t);

        t = Stopwatch.GetTimestamp();
        OrtOutput masks = outs[_outputs.Masks.Name];
        ReadOnlySpan<long> ms = masks.Shape;
        int n = outs[_outputs.Scores.Name].ElementCount;
        if (n > 0 && (ms.Length != 4 || ms[0] != n || ms[1] != 1 || ms[2] != image.Height || ms[3] != image.Width))
            throw new ModelContractException(Model, _outputs.Masks.Name,
                $"masks have shape {FormatShape(ms)}; [{n},1,{image.Height},{image.Width}] (pasted at the input's size) expected");
        var result = Postprocess(outs[_outputs.Boxes.Name].AsFloat(), outs[_outputs.Labels.Name].AsInt64(),
            outs[_outputs.Scores.Name].AsFloat(), masks.AsFloat(), image.Width, image.Height, settings, Model);
        timings.PostprocessMs = StageTimings.Since(t);
        return result;
    }

    /// <summary>
    /// Post-processing of the four outputs (N detections; masks N × H × W probabilities at image size).
    /// </summary>
    internal static List<InstanceDetection> Postprocess(float[] boxes, long[] labels, float[] scores, float[] masks,
        int width, int height, RunSettings settings, string model)
    {
        int n = scores.Length;
        if (boxes.Length != 4 * n || labels.Length != n || masks.Length != (long)n * width * height)
            throw new ModelContractException(model, null,
                $"output sizes disagree: {boxes.Length / 4} boxes, {labels.Length} labels, {n} scores, {masks.Length} mask values for a {width}×{height} image");
        int[] keep = SelectTop(scores, labels, settings);
        var detections = new InstanceDetection[keep.Length];
        long plane = (long)width * height;
        Parallel.For(0, keep.Length, k =>
        {
            int i = keep[k];
            var mask = MaskRaster.FromProbabilityPlane(masks.AsSpan((int)(i * plane), (int)plane), width, height, settings.Options.MaskThreshold);
            var box = ClipToImage(new BoxXyxy(boxes[4 * i], boxes[4 * i + 1], boxes[4 * i + 2], boxes[4 * i + 3]), width, height);
            detections[k] = new InstanceDetection(k + 1, (int)labels[i], NameOf(s_names, (int)labels[i]), scores[i], box, mask);
        });
        return [.. detections];
    }
}
