using SegKit.Datasets;
using SegKit.Masks;

namespace SegKit.Imaging.Drawing;

/// <summary>
/// Drawing on an <see cref="RgbImage"/>, in place: every method takes the image it changes as its first
/// argument (<c>target</c>) and changes nothing else — clone a picture first to keep the original.
/// Coordinates are pixels, x right and y down, (0, 0) the top-left pixel; anything outside the image is clipped.
/// Blending uses alpha quantised to 1/256: with a = round(alpha × 256),
/// out = (src × (256 − a) + colour × a + 128) &gt;&gt; 8, so alpha 1 writes the colour exactly and alpha 0 changes nothing.
/// </summary>
public static partial class Draw
{
    // Below this many pixels a row loop is faster than handing rows to the thread pool.
    private const long ParallelPixels = 1 << 18;

    /// <summary>
    /// Blends <paramref name="color"/> at <paramref name="alpha"/> (0..1) into every pixel of
    /// <paramref name="target"/> where <paramref name="mask"/> is set. The mask must have the image's size.
    /// </summary>
    public static void BlendMask(RgbImage target, BinaryMask mask, RgbColor color, float alpha)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(mask);
        CheckSize(target, mask.Width, mask.Height, nameof(mask));
        BlendMask(target, mask, 0, 0, color, alpha);
    }

    /// <summary>
    /// Blends <paramref name="color"/> at <paramref name="alpha"/> (0..1) where <paramref name="mask"/> is set,
    /// with the mask's pixel (0, 0) placed at image pixel (<paramref name="x"/>, <paramref name="y"/>) — for masks
    /// stored as the crop of a region. Mask pixels falling outside the image are ignored.
    /// </summary>
    public static void BlendMask(RgbImage target, BinaryMask mask, int x, int y, RgbColor color, float alpha)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(mask);
        int a = AlphaWeight(alpha);
        int my0 = Math.Max(0, -y), my1 = (int)Math.Min(mask.Height, (long)target.Height - y);
        if (a == 0 || my0 >= my1 || mask.Width == 0) return;
        int inv = 256 - a, cr = color.R * a + 128, cg = color.G * a + 128, cb = color.B * a + 128;
        byte[] data = target.Data;
        int stride = target.Stride, width = target.Width;
        ForRowBlocks(my1 - my0, (long)mask.Width * (my1 - my0), (r0, r1) =>
        {
            for (int my = my0 + r0; my < my0 + r1; my++)
            {
                ReadOnlySpan<ulong> words = mask.GetRowWords(my);
                Span<byte> row = data.AsSpan((y + my) * stride, stride);
                for (int w = 0; w < words.Length; w++)
                {
                    ulong bits = words[w];
                    while (bits != 0)
                    {
                        int ix = x + (w << 6) + System.Numerics.BitOperations.TrailingZeroCount(bits);
                        bits &= bits - 1;
                        if ((uint)ix >= (uint)width) continue;
                        int i = 3 * ix;
                        row[i] = (byte)((row[i] * inv + cr) >> 8);
                        row[i + 1] = (byte)((row[i + 1] * inv + cg) >> 8);
                        row[i + 2] = (byte)((row[i + 2] * inv + cb) >> 8);
                    }
                }
            }
        });
    }

    /// <summary>
    /// Blends each pixel's class colour at <paramref name="alpha"/> (0..1) into <paramref name="target"/>:
    /// class id k takes colour (palette[3k], palette[3k+1], palette[3k+2]). Pixels labelled
    /// <see cref="LabelMap.Ignore"/> (255) and ids with no palette entry are left untouched.
    /// The label map must have the image's size.
    /// </summary>
    public static void BlendLabels(RgbImage target, LabelMap labels, ReadOnlySpan<byte> paletteRgb, float alpha)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(labels);
        CheckSize(target, labels.Width, labels.Height, nameof(labels));
        if (paletteRgb.Length % 3 != 0)
            throw new ArgumentException($"palette has {paletteRgb.Length} bytes; a multiple of 3 (R,G,B per class) expected", nameof(paletteRgb));
        int a = AlphaWeight(alpha);
        if (a == 0) return;
        int inv = 256 - a;
        // Premultiplied colour + rounding term per class id; -1 marks "leave untouched".
        var table = new int[256 * 3];
        Array.Fill(table, -1);
        int classes = Math.Min(paletteRgb.Length / 3, LabelMap.Ignore);
        for (int k = 0; k < classes; k++)
            for (int c = 0; c < 3; c++)
                table[3 * k + c] = paletteRgb[3 * k + c] * a + 128;
        byte[] data = target.Data, ids = labels.Data;
        int width = target.Width;
        ForRowBlocks(target.Height, (long)width * target.Height, (y0, y1) =>
        {
            for (int y = y0; y < y1; y++)
            {
                Span<byte> row = data.AsSpan(y * width * 3, width * 3);
                ReadOnlySpan<byte> lab = ids.AsSpan(y * width, width);
                for (int x = 0; x < width; x++)
                {
                    int t = 3 * lab[x];
                    if (table[t] < 0) continue;
                    int i = 3 * x;
                    row[i] = (byte)((row[i] * inv + table[t]) >> 8);
                    row[i + 1] = (byte)((row[i + 1] * inv + table[t + 1]) >> 8);
                    row[i + 2] = (byte)((row[i + 2] * inv + table[t + 2]) >> 8);
                }
            }
        });
    }

    /// <summary>Blends the colours of <paramref name="labelSet"/> (see <see cref="BlendLabels(RgbImage, LabelMap, ReadOnlySpan{byte}, float)"/>).</summary>
    public static void BlendLabels(RgbImage target, LabelMap labels, LabelSet labelSet, float alpha)
    {
        ArgumentNullException.ThrowIfNull(labelSet);
        BlendLabels(target, labels, labelSet.Palette.Span, alpha);
    }

    /// <summary>
    /// Paints the inner boundary of <paramref name="mask"/> in <paramref name="color"/>: the set pixels within
    /// 4-neighbour (city-block) distance <paramref name="thickness"/> of an unset pixel, pixels outside the
    /// image counting as unset. Thickness 1 is the set pixels with at least one unset 4-neighbour.
    /// </summary>
    public static void MaskBoundary(RgbImage target, BinaryMask mask, RgbColor color, int thickness = 1)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(mask);
        CheckSize(target, mask.Width, mask.Height, nameof(mask));
        ArgumentOutOfRangeException.ThrowIfLessThan(thickness, 1);
        BlendMask(target, BoundaryMasks.Inner(mask, thickness), color, 1f);
    }

    /// <summary>
    /// <see cref="MaskBoundary(RgbImage, BinaryMask, RgbColor, int)"/> for a mask whose pixel (0, 0) sits at image
    /// pixel (<paramref name="x"/>, <paramref name="y"/>); pixels beyond the mask's own edges count as unset.
    /// </summary>
    public static void MaskBoundary(RgbImage target, BinaryMask mask, int x, int y, RgbColor color, int thickness = 1)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(mask);
        ArgumentOutOfRangeException.ThrowIfLessThan(thickness, 1);
        BlendMask(target, BoundaryMasks.Inner(mask, thickness), x, y, color, 1f);
    }

    /// <summary>
    /// Paints class boundaries of <paramref name="labels"/> in <paramref name="color"/>: every pixel with a
    /// 4-neighbour of a different id (both sides of an edge, so a thickness-1 edge is two pixels wide), grown by
    /// thickness − 1 further 4-neighbour steps. The image border is not an edge. Pixels labelled
    /// <see cref="LabelMap.Ignore"/> are never painted but do differ from every class.
    /// </summary>
    public static void LabelBoundaries(RgbImage target, LabelMap labels, RgbColor color, int thickness = 1)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(labels);
        CheckSize(target, labels.Width, labels.Height, nameof(labels));
        ArgumentOutOfRangeException.ThrowIfLessThan(thickness, 1);
        BlendMask(target, BoundaryMasks.OfLabels(labels, thickness), color, 1f);
    }

    /// <summary>a = round(alpha × 256), alpha clamped to [0, 1]; NaN is rejected.</summary>
    internal static int AlphaWeight(float alpha)
    {
        if (float.IsNaN(alpha)) throw new ArgumentOutOfRangeException(nameof(alpha), "alpha is NaN; 0..1 expected");
        return (int)MathF.Round(Math.Clamp(alpha, 0f, 1f) * 256f, MidpointRounding.AwayFromZero);
    }

    private static void CheckSize(RgbImage target, int width, int height, string name)
    {
        if (width != target.Width || height != target.Height)
            throw new ArgumentException($"{name} is {width}×{height}; the image is {target.Width}×{target.Height}", name);
    }

    /// <summary>Runs body(first, end) over rows [0, count) in blocks, in parallel when there are enough pixels.</summary>
    private static void ForRowBlocks(int count, long pixels, Action<int, int> body)
    {
        int workers = Environment.ProcessorCount;
        if (pixels < ParallelPixels || workers < 2 || count < 2)
        {
            body(0, count);
            return;
        }
        int blocks = Math.Min(count, workers * 4);
        Parallel.For(0, blocks, b => body((int)((long)count * b / blocks), (int)((long)count * (b + 1) / blocks)));
    }
}
