// Parameters of SLIC superpixels, named as skimage.segmentation.slic (0.19) names them.
namespace SegKit.Classical;

/// <summary>Options for <see cref="Slic.Segment"/>; names, defaults and meanings follow skimage.segmentation.slic.</summary>
public sealed class SlicOptions
{
    /// <summary>skimage's defaults: 100 segments, compactness 10, 10 iterations, σ 0, Lab, connectivity enforced.</summary>
    public static SlicOptions Default { get; } = new();

    /// <summary>Approximate number of superpixels; seeds are laid on a regular grid. Must be ≥ 1. Default 100.</summary>
    public int NSegments { get; init; } = 100;

    /// <summary>
    /// Balance of colour and space: higher gives squarer superpixels. Colour distances (Lab units, or [0, 1] RGB when
    /// <see cref="ConvertToLab"/> is off) are divided by it; spatial distances by the grid step. Must be &gt; 0. Default 10.
    /// In SLIC-zero mode it is only the initial value.
    /// </summary>
    public double Compactness { get; init; } = 10;

    /// <summary>Maximum number of k-means iterations (skimage max_num_iter). Must be ≥ 1. Default 10.</summary>
    public int MaxNumIter { get; init; } = 10;

    /// <summary>Standard deviation, in pixels, of the Gaussian applied to the (Lab) image first; 0 disables it. Default 0.</summary>
    public double Sigma { get; init; }

    /// <summary>Cluster in CIE Lab (D65, 2° observer, skimage's rgb2lab) rather than RGB scaled to [0, 1]. Default true.</summary>
    public bool ConvertToLab { get; init; } = true;

    /// <summary>Relabel so every superpixel is 4-connected, absorbing fragments smaller than <see cref="MinSizeFactor"/>. Default true.</summary>
    public bool EnforceConnectivity { get; init; } = true;

    /// <summary>Fragments smaller than this fraction of the mean superpixel area (pixels / seeds) are merged into a neighbour. Default 0.5.</summary>
    public double MinSizeFactor { get; init; } = 0.5;

    /// <summary>Connected fragments larger than this multiple of the mean superpixel area are split (as skimage does). Default 3.</summary>
    public double MaxSizeFactor { get; init; } = 3;

    /// <summary>SLIC-zero (SLICO): per-superpixel adaptive colour normalisation instead of a fixed compactness. Default false.</summary>
    public bool SlicZero { get; init; }

    /// <summary>Threads for colour conversion, smoothing and the assignment step: −1 for all cores (default), or ≥ 1.</summary>
    public int MaxDegreeOfParallelism { get; init; } = -1;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (NSegments < 1)
            throw new ArgumentOutOfRangeException(nameof(NSegments), NSegments, "SLIC needs at least one segment");
        if (!(Compactness > 0) || double.IsInfinity(Compactness))
            throw new ArgumentOutOfRangeException(nameof(Compactness), Compactness, "SLIC compactness must be a finite number > 0");
        if (MaxNumIter < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxNumIter), MaxNumIter, "SLIC needs at least one iteration");
        if (!(Sigma >= 0 && Sigma <= ScipyGaussian.MaxSigma))
            throw new ArgumentOutOfRangeException(nameof(Sigma), Sigma, $"SLIC sigma must be 0 to {ScipyGaussian.MaxSigma} pixels");
        if (!(MinSizeFactor >= 0) || double.IsInfinity(MinSizeFactor))
            throw new ArgumentOutOfRangeException(nameof(MinSizeFactor), MinSizeFactor, "SLIC min size factor must be ≥ 0");
        if (!(MaxSizeFactor > 0) || double.IsInfinity(MaxSizeFactor) || MaxSizeFactor < MinSizeFactor)
            throw new ArgumentOutOfRangeException(nameof(MaxSizeFactor), MaxSizeFactor, "SLIC max size factor must be > 0 and ≥ the min size factor");
        ParallelBands.CheckDegree(MaxDegreeOfParallelism, nameof(MaxDegreeOfParallelism));
    }
}
