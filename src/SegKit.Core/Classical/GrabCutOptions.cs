// Parameters of GrabCut, named after cv::grabCut (OpenCV 4.6) and Rother et al. 2004.
namespace SegKit.Classical;

/// <summary>A pixel rectangle: left column <see cref="X"/>, top row <see cref="Y"/>, size <see cref="Width"/> × <see cref="Height"/> (cv::Rect).</summary>
public readonly record struct RectXywh(int X, int Y, int Width, int Height);

/// <summary>Per-pixel GrabCut states, with OpenCV's values (GC_BGD, GC_FGD, GC_PR_BGD, GC_PR_FGD).</summary>
public enum GrabCutLabel : byte
{
    /// <summary>Certainly background (fixed).</summary>
    Background = 0,

    /// <summary>Certainly foreground (fixed).</summary>
    Foreground = 1,

    /// <summary>Probably background (decided by the cut).</summary>
    ProbableBackground = 2,

    /// <summary>Probably foreground (decided by the cut).</summary>
    ProbableForeground = 3,
}

/// <summary>Options for <see cref="GrabCut"/>; defaults are cv::grabCut's constants.</summary>
public sealed class GrabCutOptions
{
    /// <summary>5 iterations, γ 50, 5 Gaussians per model, cv::RNG seeded as cv::setRNGSeed(0).</summary>
    public static GrabCutOptions Default { get; } = new();

    /// <summary>Rounds of (assign components, learn GMMs, min-cut). Must be ≥ 1. Default 5 (cv::grabCut's iterCount).</summary>
    public int Iterations { get; init; } = 5;

    /// <summary>Smoothness weight γ of the pairwise term (OpenCV: 50). Hard constraints use λ = 9γ. Must be &gt; 0.</summary>
    public double Gamma { get; init; } = 50;

    /// <summary>Gaussians per colour model (OpenCV: 5). Must be in [1, 32].</summary>
    public int ComponentCount { get; init; } = 5;

    /// <summary>Seed of the k-means++ initialisation, as cv::setRNGSeed takes it (0 and 0xFFFFFFFF give the same state). Default 0.</summary>
    public int Seed { get; init; }

    /// <summary>Threads for the per-pixel model evaluation: −1 for all cores (default), or ≥ 1.</summary>
    public int MaxDegreeOfParallelism { get; init; } = -1;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (Iterations < 1)
            throw new ArgumentOutOfRangeException(nameof(Iterations), Iterations, "GrabCut needs at least one iteration");
        if (!(Gamma > 0) || double.IsInfinity(Gamma))
            throw new ArgumentOutOfRangeException(nameof(Gamma), Gamma, "GrabCut gamma must be a finite number > 0");
        if (ComponentCount is < 1 or > 32)
            throw new ArgumentOutOfRangeException(nameof(ComponentCount), ComponentCount, "GrabCut component count must be in [1, 32]");
        ParallelBands.CheckDegree(MaxDegreeOfParallelism, nameof(MaxDegreeOfParallelism));
    }
}
