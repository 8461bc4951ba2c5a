// Prompts and results of SamPredictor, in original-image pixels (x right, y down).
using SegKit.Imaging;
using SegKit.Masks;

namespace SegKit.Prompt;

/// <summary>A point prompt's label: SAM's point_labels 1 (foreground) or 0 (background).</summary>
public enum SamPointLabel
{
    /// <summary>Label 0: the pixel is not part of the object.</summary>
    Background = 0,
    /// <summary>Label 1: the pixel is part of the object.</summary>
    Foreground = 1,
}

/// <summary>A click at (<paramref name="X"/>, <paramref name="Y"/>) in original-image pixels.</summary>
public readonly record struct SamPoint(double X, double Y, SamPointLabel Label = SamPointLabel.Foreground);

/// <summary>
/// What to segment: points, a box, or both, optionally with a previous low-res mask as mask_input
/// (SamPredictor.predict's point_coords/point_labels, box, mask_input). Coordinates in original-image pixels.
/// </summary>
public sealed class SamPrompt
{
    /// <summary>Foreground / background clicks (may be empty when <see cref="Box"/> is set).</summary>
    public IReadOnlyList<SamPoint> Points { get; init; } = [];

    /// <summary>A box around the object, XYXY in original-image pixels, or null.</summary>
    public BoxXyxy? Box { get; init; }

    /// <summary>
    /// A previous prediction's low-res logits [256, 256] (e.g. <see cref="SamPrediction.LowResLogitsOf"/>),
    /// fed as mask_input with has_mask_input = 1; empty for none. Not modified.
    /// </summary>
    public ReadOnlyMemory<float> MaskInput { get; init; }

    /// <summary>One foreground (or background) click.</summary>
    public static SamPrompt FromPoint(double x, double y, SamPointLabel label = SamPointLabel.Foreground) =>
        new() { Points = [new SamPoint(x, y, label)] };

    /// <summary>Several clicks.</summary>
    public static SamPrompt FromPoints(params SamPoint[] points) => new() { Points = points };

    /// <summary>A box.</summary>
    public static SamPrompt FromBox(BoxXyxy box) => new() { Box = box };

    /// <inheritdoc/>
    public override string ToString()
    {
        var parts = new List<string>();
        if (Points.Count > 0) parts.Add(string.Join(" ", Points.Select(p => $"({p.X},{p.Y},{(int)p.Label})")));
        if (Box is { } b) parts.Add($"box {b}");
        if (!MaskInput.IsEmpty) parts.Add("mask input");
        return parts.Count == 0 ? "empty prompt" : string.Join("; ", parts);
    }
}

/// <summary>How <see cref="SamPredictor.Predict"/> answers (SamPredictor.predict's flags).</summary>
public sealed class SamPredictOptions
{
    /// <summary>Three masks (multimask_output=True, SAM's default) and logits not returned.</summary>
    public static SamPredictOptions Default { get; } = new();

    /// <summary>
    /// True: the decoder's three multimask answers (outputs 1..3), best for an ambiguous single click.
    /// False: its single-mask answer (output 0), best for a box or several points. Default true.
    /// </summary>
    public bool MultimaskOutput { get; init; } = true;

    /// <summary>Also return the upscaled logits (return_logits=True). Default false.</summary>
    public bool ReturnLogits { get; init; }
}

/// <summary>
/// SamPredictor.predict's answer: <see cref="Count"/> masks at the original image size, the model's IoU
/// prediction for each, and their low-res logits (to feed back as <see cref="SamPrompt.MaskInput"/>).
/// </summary>
public sealed class SamPrediction
{
    private readonly float[] _iou;
    private readonly float[] _lowRes;
    private readonly float[]? _logits;
    private readonly int[] _decoderIndices;

    internal SamPrediction(ImageSize size, int lowResSize, BinaryMask[] masks, float[] iou, float[] lowRes, float[]? logits, int[] decoderIndices)
    {
        ImageSize = size;
        LowResSize = lowResSize;
        Masks = masks;
        _iou = iou;
        _lowRes = lowRes;
        _logits = logits;
        _decoderIndices = decoderIndices;
    }

    /// <summary>The original image size the masks have.</summary>
    public ImageSize ImageSize { get; }

    /// <summary>Number of masks: 3 with multimask output, else 1.</summary>
    public int Count => Masks.Count;

    /// <summary>The masks, upscaled logits &gt; 0.</summary>
    public IReadOnlyList<BinaryMask> Masks { get; }

    /// <summary>The model's predicted IoU of each mask.</summary>
    public IReadOnlyList<float> IouPredictions => _iou;

    /// <summary>Which decoder output each mask is (1, 2, 3 for multimask; 0 otherwise).</summary>
    public IReadOnlyList<int> DecoderMaskIndices => _decoderIndices;

    /// <summary>Side of the low-res logits (256).</summary>
    public int LowResSize { get; }

    /// <summary>Low-res logits of every mask, [Count, LowResSize, LowResSize].</summary>
    public ReadOnlyMemory<float> LowResLogits => _lowRes;

    /// <summary>Upscaled logits [Count, Height, Width] when <see cref="SamPredictOptions.ReturnLogits"/> was set, else empty.</summary>
    public ReadOnlyMemory<float> MaskLogits => _logits;

    /// <summary>Index of the mask with the highest predicted IoU (the first on ties).</summary>
    public int BestIndex
    {
        get
        {
            int best = 0;
            for (int i = 1; i < _iou.Length; i++) if (_iou[i] > _iou[best]) best = i;
            return best;
        }
    }

    /// <summary>Mask <paramref name="i"/>'s low-res logits [LowResSize, LowResSize].</summary>
    public ReadOnlyMemory<float> LowResLogitsOf(int i)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(i);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(i, Count);
        int plane = LowResSize * LowResSize;
        return _lowRes.AsMemory(i * plane, plane);
    }

    /// <summary>Mask <paramref name="i"/>'s upscaled logits [Height, Width]; throws unless logits were requested.</summary>
    public ReadOnlyMemory<float> MaskLogitsOf(int i)
    {
        if (_logits is null) throw new InvalidOperationException("logits were not requested (SamPredictOptions.ReturnLogits)");
        ArgumentOutOfRangeException.ThrowIfNegative(i);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(i, Count);
        int plane = ImageSize.Width * ImageSize.Height;
        return _logits.AsMemory(i * plane, plane);
    }
}
