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

    public TorchvisionMaskRcnnRunner(InferenceSession session, ModelSignature signature, string model) : base(session, model)
    {
        (_input, _outputs) = MaskRcnnOutputs.Require(signature, model, "torchvision Mask R-CNN", "[N,1,H,W]");
    }

    public override ModelContractKind Kind => ModelContractKind.TorchvisionMaskRcnn;

    public override IReadOnlyDictionary<int, string> ClassNames => s_names;

    public override List<InstanceDetection> Run(RgbImage image, RunSettings settings, StageTimings timings)
    {
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
