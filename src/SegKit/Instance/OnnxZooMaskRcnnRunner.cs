// Runner for the ONNX model zoo Mask R-CNN contract (OnnxZooMaskRcnnContract.cs; MaskRCNN-10/12):
//   input  `image` [3,H,W] float32 BGR 0..255 minus (102.9801, 115.9465, 122.7717), as the zoo README prepares it:
//          ratio = 800 / min(w, h); PIL BILINEAR resize to (int(ratio·w), int(ratio·h)); zero-padded (after the
//          mean subtraction) at the bottom/right to multiples of 32;
//   outputs boxes [N,4] XYXY in resized pixels, labels [N] int64 (1..80, contiguous COCO classes), scores [N],
//          masks [N,1,28,28] probabilities.
// Post-processing: score/class/max filters; boxes / ratio (float32) give image pixels; each 28×28 mask is pasted
// into its box exactly as torchvision 0.14's paste_masks_in_image (padding 1, bilinear, align_corners=False) and
// thresholded (> MaskThreshold) — only the box's pixels are computed. Reported boxes are clipped to the image.
using System.Diagnostics;
using SegKit.Imaging;
using SegKit.Masks;
using SegKit.Models;
using SegKit.Onnx;

namespace SegKit.Instance;

/// <summary>Runs an ONNX-zoo style Mask R-CNN.</summary>
internal sealed class OnnxZooMaskRcnnRunner : InstanceRunner
{
    /// <summary>The zoo's shorter side after resizing.</summary>
    public const int ShortSide = 800;

    /// <summary>The most model-input pixels: 4096² (an 800 × 20,971 input; a 1:26 photo).</summary>
    public const long MaxInputPixels = 4096L * 4096;

    /// <summary>Both padded sides are multiples of this.</summary>
    public const int PadMultiple = 32;

    /// <summary>Per-channel means subtracted from B, G, R (0..255 scale).</summary>
    public static readonly float[] MeanBgr = [102.9801f, 115.9465f, 122.7717f];

    private static readonly IReadOnlyDictionary<int, string> s_names =
        CocoCategories.Coco80.Select((n, i) => (n, i)).ToDictionary(t => t.i + 1, t => t.n);

    private readonly string _input;
    private readonly MaskRcnnOutputs _outputs;

    public OnnxZooMaskRcnnRunner(InferenceSession session, ModelSignature signature, string model) : base(session, model)
    {
        (_input, _outputs) = MaskRcnnOutputs.Require(signature, model, "ONNX-zoo Mask R-CNN", "[N,1,28,28]");
    }

    public override ModelContractKind Kind => ModelContractKind.OnnxZooMaskRcnn;

    public override IReadOnlyDictionary<int, string> ClassNames => s_names;

    /// <summary>ratio = 800 / min(w, h) and the resized size (int(ratio·w), int(ratio·h)), in double as the README's Python.</summary>
    internal static (double Ratio, int Width, int Height) ResizeFor(int width, int height)
    {
        double ratio = (double)ShortSide / Math.Min(width, height);
        return (ratio, Math.Max(1, (int)(ratio * width)), Math.Max(1, (int)(ratio * height)));
    }

    /// <summary>The zoo preprocessing: the input tensor [3, paddedH, paddedW] and the resize ratio.</summary>
    internal static (float[] Tensor, int PaddedWidth, int PaddedHeight, double Ratio) Preprocess(RgbImage image)
    {
        var (ratio, rw, rh) = ResizeFor(image.Width, image.Height);
        // A thin image's shorter side goes to 800: 3×2000 became 800×533,333 and took all of the machine's memory.
        long pixels = (long)rw * rh;
        if (pixels > MaxInputPixels)
            throw new ImageLimitExceededException($"{image.Width}×{image.Height} image", nameof(MaxInputPixels), pixels, MaxInputPixels,
                $"model input (shorter side {ShortSide}: {rw}×{rh}) pixels", "; the ONNX-zoo Mask R-CNN resizes the shorter side to 800, so an image this thin cannot be run");
        RgbImage resized = rw == image.Width && rh == image.Height ? image : ImageResizer.ResizeBilinear(image, rw, rh);
        int pw = (rw + PadMultiple - 1) / PadMultiple * PadMultiple, ph = (rh + PadMultiple - 1) / PadMultiple * PadMultiple;
        var tensor = new float[3L * pw * ph];
        int plane = pw * ph;
        byte[] src = resized.Data;
        float mb = MeanBgr[0], mg = MeanBgr[1], mr = MeanBgr[2];
        Parallel.For(0, rh, y =>
        {
            int s = y * rw * 3, d = y * pw;
            for (int x = 0; x < rw; x++, s += 3, d++)
            {
                tensor[d] = src[s + 2] - mb;
                tensor[plane + d] = src[s + 1] - mg;
                tensor[2 * plane + d] = src[s] - mr;
            }
        });
        return (tensor, pw, ph, ratio);
    }

    public override List<InstanceDetection> Run(RgbImage image, RunSettings settings, StageTimings timings)
    {
        long t = Stopwatch.GetTimestamp();
        var (input, pw, ph, ratio) = Preprocess(image);
        timings.PreprocessMs = StageTimings.Since(t);

        t = Stopwatch.GetTimestamp();
        OrtOutputs outs = _outputs.Run(Session, _input, input, ph, pw);
        timings.InferenceMs = StageTimings.Since(t);

        t = Stopwatch.GetTimestamp();
        OrtOutput masks = outs[_outputs.Masks.Name];
        ReadOnlySpan<long> ms = masks.Shape;
        int n = outs[_outputs.Scores.Name].ElementCount;
        if (ms.Length != 4 || ms[0] != n || ms[1] != 1 || ms[2] != ms[3] || (n > 0 && ms[2] < 1))
            throw new ModelContractException(Model, _outputs.Masks.Name, $"masks have shape {FormatShape(ms)}; [{n},1,M,M] expected");
        var result = Postprocess(outs[_outputs.Boxes.Name].AsFloat(), outs[_outputs.Labels.Name].AsInt64(),
            outs[_outputs.Scores.Name].AsFloat(), masks.AsFloat(), (int)ms[2], ratio, image.Width, image.Height, settings, Model);
        timings.PostprocessMs = StageTimings.Since(t);
        return result;
    }

    /// <summary>
    /// Post-processing: boxes [N,4] in resized pixels, masks [N, M×M] probabilities; <paramref name="ratio"/> is the
    /// preprocessing's resize ratio.
    /// </summary>
    internal static List<InstanceDetection> Postprocess(float[] boxes, long[] labels, float[] scores, float[] masks, int m,
        double ratio, int width, int height, RunSettings settings, string model)
    {
        int n = scores.Length;
        if (boxes.Length != 4 * n || labels.Length != n || masks.Length != (long)n * m * m)
            throw new ModelContractException(model, null,
                $"output sizes disagree: {boxes.Length / 4} boxes, {labels.Length} labels, {n} scores, {masks.Length} mask values ({m}×{m} each)");
        int[] keep = SelectTop(scores, labels, settings);
        var detections = new InstanceDetection[keep.Length];
        float r = (float)ratio;
        Parallel.For(0, keep.Length, k =>
        {
            int i = keep[k];
            var box = new BoxXyxy(boxes[4 * i] / r, boxes[4 * i + 1] / r, boxes[4 * i + 2] / r, boxes[4 * i + 3] / r);
            var mask = MaskRaster.PasteTorchvision(masks.AsSpan(i * m * m, m * m), m, box, width, height, settings.Options.MaskThreshold);
            int label = (int)labels[i];
            detections[k] = new InstanceDetection(k + 1, label, NameOf(s_names, label), scores[i], ClipToImage(box, width, height), mask);
        });
        return [.. detections];
    }
}
