// Image sizes and the resize-target rules the model contracts use (torchvision shorter side,
// segment-anything longest side), as pure functions whose names carry the rule.
namespace SegKit.Imaging;

/// <summary>A width × height in pixels.</summary>
public readonly record struct ImageSize(int Width, int Height)
{
    /// <summary>Width × Height.</summary>
    public long PixelCount => (long)Width * Height;

    /// <summary>
    /// torchvision <c>Resize(n)</c> with an int size: the shorter side becomes <paramref name="shorterSide"/>,
    /// the longer <c>int(n × long / short)</c> (truncated); a square stays square.
    /// </summary>
    public static ImageSize ForShorterSide(int width, int height, int shorterSide)
    {
        CheckPositive(width, height);
        ArgumentOutOfRangeException.ThrowIfLessThan(shorterSide, 1);
        double longer = LongerSideFor(width, height, shorterSide);
        if (longer > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(shorterSide),
                $"shorter side {shorterSide} makes the longer side of a {width}×{height} image {longer:0}, beyond {int.MaxValue}");
        return width <= height ? new ImageSize(shorterSide, (int)longer) : new ImageSize((int)longer, shorterSide);
    }

    /// <summary>The longer side <see cref="ForShorterSide"/> gives, in double (the same arithmetic, truncated), so
    /// that a caller can check a limit before the size is made; width, height and shorterSide must be ≥ 1.</summary>
    public static double LongerSideFor(int width, int height, int shorterSide) =>
        Math.Truncate(width <= height ? (double)shorterSide * height / width : (double)shorterSide * width / height);

    /// <summary>
    /// segment-anything <c>ResizeLongestSide.get_preprocess_shape</c>: scale = n / max(w, h), each side
    /// becomes <c>int(old × scale + 0.5)</c>. With n = 1024 this is the SAM encoder's input frame.
    /// </summary>
    /// <exception cref="SegKitException">A side would be 0 pixels (an image thinner than 1 : 2n).</exception>
    public static ImageSize ForLongestSide(int width, int height, int longestSide)
    {
        CheckPositive(width, height);
        ArgumentOutOfRangeException.ThrowIfLessThan(longestSide, 1);
        double scale = longestSide * 1.0 / Math.Max(width, height);
        int w = (int)(width * scale + 0.5), h = (int)(height * scale + 0.5);
        if (w < 1 || h < 1)
            throw new SegKitException(
                $"a {width}×{height} image resized to a longest side of {longestSide} would be {w}×{h}: too thin " +
                $"(its shorter side must be at least 1/{2 * longestSide} of its longer)");
        return new ImageSize(w, h);
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Width}×{Height}";

    internal static int CheckedPixelCount(int width, int height, int channels)
    {
        if (width < 1 || height < 1)
            throw new ArgumentOutOfRangeException(nameof(width), $"image size {width}×{height}: both sides must be ≥ 1");
        long n = (long)width * height * channels;
        if (n > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(width), $"image size {width}×{height}×{channels} exceeds the largest array .NET allows");
        return (int)n;
    }

    private static void CheckPositive(int width, int height)
    {
        if (width < 1 || height < 1)
            throw new ArgumentOutOfRangeException(nameof(width), $"image size {width}×{height}: both sides must be ≥ 1");
    }
}
