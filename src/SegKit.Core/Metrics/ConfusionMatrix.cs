using SegKit.Masks;

namespace SegKit.Metrics;

/// <summary>
/// Semantic segmentation confusion matrix as torchvision's segmentation reference
/// (<c>references/segmentation/utils.py</c>, <c>ConfusionMatrix</c>): rows are ground-truth classes, columns
/// predicted classes; only pixels whose ground truth lies in [0, NumClasses) are counted, so the ignore index
/// (255) drops out. Metrics are computed in float64 from the integer counts.
/// </summary>
public sealed class ConfusionMatrix
{
    private readonly long[] _mat;

    /// <summary>Creates an empty matrix for <paramref name="numClasses"/> classes (1..255).</summary>
    public ConfusionMatrix(int numClasses, int ignoreIndex = LabelMap.Ignore)
    {
        if (numClasses < 1 || numClasses > 255)
            throw new ArgumentOutOfRangeException(nameof(numClasses), $"{numClasses} classes; 1..255 supported (8-bit labels, 255 = ignore)");
        NumClasses = numClasses;
        IgnoreIndex = ignoreIndex;
        _mat = new long[numClasses * numClasses];
    }

    /// <summary>Number of classes; class ids are 0..NumClasses − 1.</summary>
    public int NumClasses { get; }

    /// <summary>
    /// The ground-truth id that marks unlabelled pixels (255 by default). Any ground truth outside [0, NumClasses) is
    /// skipped as well. An ignore index inside [0, NumClasses) (e.g. 0 for "background, not scored") skips the ground-truth
    /// pixels of that class only, as mmsegmentation's <c>intersect_and_union</c> does: it stays a class of the prediction,
    /// so its IoU is 0 when it is predicted on counted pixels and null (left out of the means) when it is not.
    /// torchvision's reference has no ignore index inside the range: it would count those pixels.
    /// </summary>
    public int IgnoreIndex { get; }

    /// <summary>Count of pixels with ground truth <paramref name="gt"/> predicted as <paramref name="pred"/>.</summary>
    public long this[int gt, int pred] => _mat[gt * NumClasses + pred];

    /// <summary>Total of counted pixels.</summary>
    public long Total => _mat.Sum();

    /// <summary>Adds one image's prediction and ground truth (same size).</summary>
    public void Update(LabelMap prediction, LabelMap groundTruth)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentNullException.ThrowIfNull(groundTruth);
        if (prediction.Width != groundTruth.Width || prediction.Height != groundTruth.Height)
            throw new ArgumentException($"prediction {prediction.Width}×{prediction.Height} and ground truth {groundTruth.Width}×{groundTruth.Height} differ in size");
        Update(prediction.Data, groundTruth.Data);
    }

    /// <summary>Adds flattened predictions and ground truth of equal length.</summary>
    /// <exception cref="ArgumentException">A counted pixel's prediction is not a class id (torchvision would misfile or fail on it).</exception>
    public void Update(ReadOnlySpan<byte> prediction, ReadOnlySpan<byte> groundTruth)
    {
        if (prediction.Length != groundTruth.Length)
            throw new ArgumentException($"{prediction.Length} predictions but {groundTruth.Length} ground-truth pixels");
        int n = NumClasses;
        for (int i = 0; i < groundTruth.Length; i++)
        {
            int g = groundTruth[i];
            if (g >= n || g == IgnoreIndex) continue;
            int p = prediction[i];
            if (p >= n)
                throw new ArgumentException($"pixel {i}: predicted class {p} is outside 0..{n - 1}", nameof(prediction));
            _mat[g * n + p]++;
        }
    }

    /// <summary>
    /// A matrix with the given counts: <paramref name="counts"/>[gt × numClasses + pred], row-major, length numClasses²
    /// (copied). For counts gathered elsewhere, e.g. in parallel over many images.
    /// </summary>
    public static ConfusionMatrix FromCounts(int numClasses, ReadOnlySpan<long> counts, int ignoreIndex = LabelMap.Ignore)
    {
        var m = new ConfusionMatrix(numClasses, ignoreIndex);
        if (counts.Length != m._mat.Length)
            throw new ArgumentException($"{counts.Length} counts for {numClasses} classes; {m._mat.Length} expected", nameof(counts));
        foreach (long c in counts)
            if (c < 0) throw new ArgumentException("counts must be ≥ 0", nameof(counts));
        counts.CopyTo(m._mat);
        return m;
    }

    /// <summary>Clears all counts.</summary>
    public void Reset() => Array.Clear(_mat);

    /// <summary>Correct pixels / counted pixels (torchvision's <c>acc_global</c>); NaN when nothing was counted.</summary>
    public double PixelAccuracy()
    {
        long diag = 0;
        for (int c = 0; c < NumClasses; c++) diag += this[c, c];
        return (double)diag / Total;
    }

    /// <summary>Per-class recall, diag / row sum (torchvision's <c>acc</c>); null for a class with no ground-truth pixels.</summary>
    public double?[] PerClassAccuracy()
    {
        var r = new double?[NumClasses];
        for (int c = 0; c < NumClasses; c++)
        {
            long row = RowSum(c);
            r[c] = row == 0 ? null : (double)this[c, c] / row;
        }
        return r;
    }

    /// <summary>Mean of <see cref="PerClassAccuracy"/> over classes present in the ground truth (NumPy's nanmean).</summary>
    public double MeanAccuracy() => NanMean(PerClassAccuracy());

    /// <summary>Per-class IoU, diag / (row sum + column sum − diag) (torchvision's <c>iu</c>); null for a class absent from both.</summary>
    public double?[] PerClassIou()
    {
        var r = new double?[NumClasses];
        for (int c = 0; c < NumClasses; c++)
        {
            long union = RowSum(c) + ColumnSum(c) - this[c, c];
            r[c] = union == 0 ? null : (double)this[c, c] / union;
        }
        return r;
    }

    /// <summary>Mean IoU over classes present in either map (NumPy's nanmean of <see cref="PerClassIou"/>).</summary>
    public double MeanIou() => NanMean(PerClassIou());

    /// <summary>Frequency-weighted IoU: Σ (row sum / total) × IoU over classes present in the ground truth.</summary>
    public double FrequencyWeightedIou()
    {
        double total = Total, s = 0;
        double?[] iou = PerClassIou();
        for (int c = 0; c < NumClasses; c++)
        {
            long row = RowSum(c);
            if (row > 0) s += row / total * iou[c]!.Value;
        }
        return s;
    }

    private long RowSum(int c)
    {
        long s = 0;
        for (int p = 0; p < NumClasses; p++) s += this[c, p];
        return s;
    }

    private long ColumnSum(int c)
    {
        long s = 0;
        for (int g = 0; g < NumClasses; g++) s += this[g, c];
        return s;
    }

    private static double NanMean(double?[] values)
    {
        double s = 0;
        int n = 0;
        foreach (double? v in values)
            if (v is double d) { s += d; n++; }
        return n == 0 ? double.NaN : s / n;
    }
}
