namespace SegKit.Imaging.Drawing;

/// <summary>An 8-bit sRGB colour as stored in an <see cref="RgbImage"/> pixel.</summary>
public readonly record struct RgbColor(byte R, byte G, byte B)
{
    /// <summary>(0, 0, 0).</summary>
    public static RgbColor Black => new(0, 0, 0);

    /// <summary>(255, 255, 255).</summary>
    public static RgbColor White => new(255, 255, 255);

    /// <summary>
    /// ITU-R BT.601 luma (0.299 R + 0.587 G + 0.114 B) in 0..255; used to pick black or white text
    /// that stays readable on this colour.
    /// </summary>
    public double Luma => 0.299 * R + 0.587 * G + 0.114 * B;

    /// <summary>Black when this colour is light (luma ≥ 128), otherwise white.</summary>
    public RgbColor ContrastingText => Luma >= 128 ? Black : White;

    /// <summary>The colour from a (R, G, B) tuple, as <c>LabelSet.ColorOf</c> returns it.</summary>
    public static RgbColor From((byte R, byte G, byte B) rgb) => new(rgb.R, rgb.G, rgb.B);

    /// <summary>"#rrggbb".</summary>
    public override string ToString() => $"#{R:x2}{G:x2}{B:x2}";
}
