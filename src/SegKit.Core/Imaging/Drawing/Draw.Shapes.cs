using SegKit.Masks;

namespace SegKit.Imaging.Drawing;

public static partial class Draw
{
    /// <summary>
    /// Draws the outline of <paramref name="box"/> (pixel-edge coordinates, as detectors report them)
    /// <paramref name="thickness"/> pixels wide, inside the box: the box covers pixel columns
    /// [round(X1), round(X2)) and rows [round(Y1), round(Y2)) (halves round up), at least one pixel each way, so a
    /// zero-width box still shows as a line. Parts outside the image are clipped.
    /// </summary>
    public static void Rectangle(RgbImage target, BoxXyxy box, RgbColor color, int thickness = 1)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentOutOfRangeException.ThrowIfLessThan(thickness, 1);
        if (!TryPixelRect(box, out int l, out int t, out int r, out int b)) return;
        FillPixels(target, l, t, r, Math.Min(t + thickness, b), color, 256);
        FillPixels(target, l, Math.Max(b - thickness, t), r, b, color, 256);
        FillPixels(target, l, t, Math.Min(l + thickness, r), b, color, 256);
        FillPixels(target, Math.Max(r - thickness, l), t, r, b, color, 256);
    }

    /// <summary>
    /// Fills <paramref name="box"/> (pixels as in <see cref="Rectangle"/>) with <paramref name="color"/> blended at
    /// <paramref name="alpha"/> (1 = opaque). Parts outside the image are clipped.
    /// </summary>
    public static void FillRectangle(RgbImage target, BoxXyxy box, RgbColor color, float alpha = 1f)
    {
        ArgumentNullException.ThrowIfNull(target);
        int a = AlphaWeight(alpha);
        if (a == 0 || !TryPixelRect(box, out int l, out int t, out int r, out int b)) return;
        FillPixels(target, l, t, r, b, color, a);
    }

    /// <summary>Integer pixel rectangle [l, r) × [t, b) of a box; false for NaN coordinates.</summary>
    internal static bool TryPixelRect(BoxXyxy box, out int l, out int t, out int r, out int b)
    {
        l = t = r = b = 0;
        if (float.IsNaN(box.X1) || float.IsNaN(box.Y1) || float.IsNaN(box.X2) || float.IsNaN(box.Y2)) return false;
        l = RoundEdge(box.X1);
        t = RoundEdge(box.Y1);
        r = Math.Max(RoundEdge(box.X2), l + 1);
        b = Math.Max(RoundEdge(box.Y2), t + 1);
        return true;
    }

    // floor(v + 0.5), clamped far outside any image so int arithmetic cannot overflow.
    private static int RoundEdge(float v) => (int)Math.Clamp(Math.Floor(v + 0.5), -(1 << 29), 1 << 29);

    /// <summary>Blends colour at weight a (0..256) into pixels [x0, x1) × [y0, y1), clipped to the image.</summary>
    internal static void FillPixels(RgbImage target, int x0, int y0, int x1, int y1, RgbColor color, int a)
    {
        x0 = Math.Max(x0, 0);
        y0 = Math.Max(y0, 0);
        x1 = Math.Min(x1, target.Width);
        y1 = Math.Min(y1, target.Height);
        if (x0 >= x1 || y0 >= y1) return;
        int stride = target.Stride;
        byte[] data = target.Data;
        if (a >= 256)
        {
            for (int y = y0; y < y1; y++)
            {
                Span<byte> row = data.AsSpan(y * stride + 3 * x0, 3 * (x1 - x0));
                for (int i = 0; i < row.Length; i += 3)
                {
                    row[i] = color.R;
                    row[i + 1] = color.G;
                    row[i + 2] = color.B;
                }
            }
            return;
        }
        int inv = 256 - a, cr = color.R * a + 128, cg = color.G * a + 128, cb = color.B * a + 128;
        for (int y = y0; y < y1; y++)
        {
            Span<byte> row = data.AsSpan(y * stride + 3 * x0, 3 * (x1 - x0));
            for (int i = 0; i < row.Length; i += 3)
            {
                row[i] = (byte)((row[i] * inv + cr) >> 8);
                row[i + 1] = (byte)((row[i + 1] * inv + cg) >> 8);
                row[i + 2] = (byte)((row[i + 2] * inv + cb) >> 8);
            }
        }
    }
}
