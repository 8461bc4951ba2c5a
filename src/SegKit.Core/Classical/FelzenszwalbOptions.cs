// Parameters of Felzenszwalb–Huttenlocher graph segmentation, named as skimage.segmentation.felzenszwalb names them.
namespace SegKit.Classical;

/// <summary>Options for <see cref="Felzenszwalb.Segment"/>; names and meanings follow skimage.segmentation.felzenszwalb.</summary>
public sealed class FelzenszwalbOptions
{
    /// <summary>Values that suit photos: scale 100, σ 0.8, min size 50 (skimage's own defaults are 1, 0.8, 20).</summary>
    public static FelzenszwalbOptions Default { get; } = new();

    /// <summary>
    /// Observation level k (the paper's k, on the 0..255 colour scale; skimage divides it by 255 internally).
    /// Higher gives fewer, larger regions. Must be &gt; 0. Default 100.
    /// </summary>
    public double Scale { get; init; } = 100;

    /// <summary>Standard deviation, in pixels, of the Gaussian applied to each channel before building the graph. 0 disables it. Default 0.8.</summary>
    public double Sigma { get; init; } = 0.8;

    /// <summary>Minimum region size in pixels, enforced by merging along the sorted edges afterwards. Default 50.</summary>
    public int MinSize { get; init; } = 50;

    /// <summary>Threads for smoothing and edge weights: −1 for all cores (default), or ≥ 1.</summary>
    public int MaxDegreeOfParallelism { get; init; } = -1;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (!(Scale > 0) || double.IsInfinity(Scale))
            throw new ArgumentOutOfRangeException(nameof(Scale), Scale, "Felzenszwalb scale must be a finite number > 0");
        if (!(Sigma >= 0 && Sigma <= ScipyGaussian.MaxSigma))
            throw new ArgumentOutOfRangeException(nameof(Sigma), Sigma, $"Felzenszwalb sigma must be 0 to {ScipyGaussian.MaxSigma} pixels");
        if (MinSize < 0)
            throw new ArgumentOutOfRangeException(nameof(MinSize), MinSize, "Felzenszwalb min size must be ≥ 0 pixels");
        ParallelBands.CheckDegree(MaxDegreeOfParallelism, nameof(MaxDegreeOfParallelism));
    }
}
