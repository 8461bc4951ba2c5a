using SegKit.Datasets;
using SegKit.Masks;

namespace SegKit.Semantic;

/// <summary>A class id for every pixel of the original image, with per-class pixel counts and stage timings.</summary>
public sealed class SemanticResult
{
    internal SemanticResult(LabelMap labels, LabelSet labelSet, long[] pixelCounts, float[]? confidence,
        (int Width, int Height) modelInput, float[]? logits, long[]? logitsShape, StageTimings timings)
    {
        Labels = labels;
        LabelSet = labelSet;
        PixelCounts = pixelCounts;
        Confidence = confidence;
        ModelInputSize = modelInput;
        Logits = logits;
        LogitsShape = logitsShape;
        Timings = timings;
    }

    /// <summary>Width of the original image in pixels.</summary>
    public int Width => Labels.Width;
    /// <summary>Height of the original image in pixels.</summary>
    public int Height => Labels.Height;
    /// <summary>Class id per pixel at the original image size, row-major.</summary>
    public LabelMap Labels { get; }
    /// <summary>What the class ids mean and how they are drawn (one entry per model class).</summary>
    public LabelSet LabelSet { get; }
    /// <summary>Pixels per class id (length = number of classes).</summary>
    public long[] PixelCounts { get; }
    /// <summary>Per pixel, the winning class's probability (max softmax; for a binary model max(p, 1 − p)); null unless asked for.</summary>
    public float[]? Confidence { get; }
    /// <summary>The size of the image the model saw, after the preset's resize.</summary>
    public (int Width, int Height) ModelInputSize { get; }
    /// <summary>The model's raw logits [1,C,h,w] as it returned them; null unless asked for.</summary>
    public float[]? Logits { get; }
    /// <summary>Shape of <see cref="Logits"/>.</summary>
    public long[]? LogitsShape { get; }
    /// <summary>Milliseconds per stage (decode, preprocess, inference, postprocess).</summary>
    public StageTimings Timings { get; }

    /// <summary>The class ids present, with their names and pixel counts, largest first.</summary>
    public IEnumerable<(int ClassId, string Name, long Pixels)> ClassesPresent() =>
        PixelCounts.Select((count, id) => (id, LabelSet.Names[id], count))
            .Where(c => c.count > 0)
            .OrderByDescending(c => c.count)
            .ThenBy(c => c.id);
}
