// Promptable segmentation without a model: a box prompt becomes a GrabCut mask (OpenCV's algorithm,
// SegKit.Classical.GrabCut). This is what `segkit sam --box` does when no SAM encoder/decoder is given.
using SegKit.Classical;
using SegKit.Imaging;
using SegKit.Masks;

namespace SegKit.Prompt;

/// <summary>The no-model fallback of promptable segmentation: GrabCut initialised with a box.</summary>
public static class GrabCutPrompt
{
    /// <summary>
    /// The foreground mask (definite + probable foreground) GrabCut finds inside <paramref name="box"/>
    /// (XYXY, image pixels; the covered pixel rectangle is floor(X1)..ceil(X2)−1 by floor(Y1)..ceil(Y2)−1).
    /// </summary>
    /// <exception cref="SegKitException">The box is empty, not finite, or outside the image; or it leaves GrabCut too few
    /// pixels inside or outside it to learn its colour models from.</exception>
    public static BinaryMask Segment(RgbImage image, BoxXyxy box, GrabCutOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        var rect = ToPixelRect(box, image.Width, image.Height);
        // GrabCut learns the foreground from the box and the background from the rest, with ComponentCount clusters each.
        int k = (options ?? GrabCutOptions.Default).ComponentCount;
        long inside = (long)rect.Width * rect.Height, outside = (long)image.Width * image.Height - inside;
        if (inside < k || outside < k)
            throw new SegKitException(
                $"box {Format(box)} covers {rect.Width}×{rect.Height} pixels of the {image.Width}×{image.Height} image, leaving {outside} outside it; " +
                $"GrabCut needs at least {k} pixels inside the box and {k} outside it (the background it learns from)");
        var result = GrabCut.Segment(image, rect, options);
        return BinaryMask.FromBytes(result.ToForegroundMask(), image.Width, image.Height);
    }

    /// <summary>The integer pixel rectangle a box covers, clipped to the image; a typed error when nothing is left.</summary>
    public static RectXywh ToPixelRect(BoxXyxy box, int width, int height)
    {
        if (!float.IsFinite(box.X1) || !float.IsFinite(box.Y1) || !float.IsFinite(box.X2) || !float.IsFinite(box.Y2))
            throw new SegKitException($"box {Format(box)} has a coordinate that is not a finite number");
        if (box.X2 <= box.X1 || box.Y2 <= box.Y1)
            throw new SegKitException($"box {Format(box)} is empty: x2 must exceed x1 and y2 must exceed y1");
        int x0 = Math.Max(0, (int)MathF.Floor(box.X1)), y0 = Math.Max(0, (int)MathF.Floor(box.Y1));
        int x1 = Math.Min(width, (int)MathF.Ceiling(box.X2)), y1 = Math.Min(height, (int)MathF.Ceiling(box.Y2));
        if (x1 <= x0 || y1 <= y0)
            throw new SegKitException($"box {Format(box)} lies outside the {width}×{height} image");
        return new RectXywh(x0, y0, x1 - x0, y1 - y0);
    }

    private static string Format(BoxXyxy b) => FormattableString.Invariant($"({b.X1},{b.Y1},{b.X2},{b.Y2})");
}
