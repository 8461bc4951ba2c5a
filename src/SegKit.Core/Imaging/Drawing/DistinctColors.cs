namespace SegKit.Imaging.Drawing;

/// <summary>
/// Deterministic, well-separated colours for instance ids: hue steps by the golden-ratio conjugate
/// (0.618…) so consecutive ids land far apart on the colour wheel; saturation 0.65 and value 0.95
/// keep every colour bright enough to read a label on and to tell apart over a photo.
/// </summary>
public static class DistinctColors
{
    private const double GoldenRatioConjugate = 0.6180339887498949;
    private const double Saturation = 0.65;
    private const double Value = 0.95;

    /// <summary>
    /// The colour of index <paramref name="index"/> (≥ 0): HSV(h = frac(index × 0.618034), 0.65, 0.95)
    /// converted to RGB and rounded to the nearest byte. Index 0 is red-ish (h = 0); the sequence
    /// never repeats exactly.
    /// </summary>
    public static RgbColor ForIndex(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        double h = index * GoldenRatioConjugate;
        h -= Math.Floor(h);
        return FromHsv(h, Saturation, Value);
    }

    /// <summary>The first <paramref name="count"/> colours of <see cref="ForIndex"/>.</summary>
    public static RgbColor[] Take(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var r = new RgbColor[count];
        for (int i = 0; i < count; i++) r[i] = ForIndex(i);
        return r;
    }

    /// <summary>HSV (all in [0, 1]; hue 0 and 1 are red) to RGB, each channel rounded to the nearest byte.</summary>
    public static RgbColor FromHsv(double hue, double saturation, double value)
    {
        double h6 = (hue - Math.Floor(hue)) * 6;
        int sector = (int)h6 % 6;
        double f = h6 - Math.Floor(h6);
        double p = value * (1 - saturation), q = value * (1 - saturation * f), t = value * (1 - saturation * (1 - f));
        (double r, double g, double b) = sector switch
        {
            0 => (value, t, p),
            1 => (q, value, p),
            2 => (p, value, t),
            3 => (p, q, value),
            4 => (t, p, value),
            _ => (value, p, q),
        };
        return new RgbColor(ToByte(r), ToByte(g), ToByte(b));
    }

    private static byte ToByte(double v) => (byte)Math.Clamp(Math.Round(v * 255, MidpointRounding.AwayFromZero), 0, 255);
}
