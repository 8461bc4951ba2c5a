using SegKit.Masks;

namespace SegKit.Imaging.Drawing;

/// <summary>How <see cref="Draw.Label"/> and <see cref="Draw.BoxLabel"/> render a text tag.</summary>
public sealed record LabelStyle
{
    private readonly int _scale = 2;
    private readonly int _padding = 2;

    /// <summary>2× scaled 5×7 font, 2 px padding, black background, automatic text colour.</summary>
    public static LabelStyle Default { get; } = new();

    /// <summary>Fill behind the text.</summary>
    public RgbColor Background { get; init; } = RgbColor.Black;

    /// <summary>Text colour; null picks black or white, whichever reads better on <see cref="Background"/>.</summary>
    public RgbColor? TextColor { get; init; }

    /// <summary>Integer magnification of the font (≥ 1).</summary>
    public int Scale
    {
        get => _scale;
        init => _scale = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(Scale), value, "scale must be ≥ 1");
    }

    /// <summary>Background margin around the text in image pixels (≥ 0).</summary>
    public int Padding
    {
        get => _padding;
        init => _padding = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(Padding), value, "padding must be ≥ 0");
    }

    /// <summary>The font; <see cref="BitmapFont.Default5x7"/> unless set.</summary>
    public BitmapFont Font { get; init; } = BitmapFont.Default5x7;

    /// <summary>Size of the tag (text plus padding on every side) for <paramref name="text"/>.</summary>
    public (int Width, int Height) Measure(string text)
    {
        (int w, int h) = Font.Measure(text, Scale);
        if (text.Length == 0) h = Font.GlyphHeight * Scale;
        return (w + 2 * Padding, h + 2 * Padding);
    }
}

public static partial class Draw
{
    /// <summary>
    /// Draws <paramref name="text"/> with its top-left font pixel at (<paramref name="x"/>, <paramref name="y"/>):
    /// each ink pixel of <paramref name="font"/> (default <see cref="BitmapFont.Default5x7"/>) becomes a
    /// <paramref name="scale"/> × <paramref name="scale"/> block of <paramref name="color"/>. Clipped to the image.
    /// </summary>
    public static void Text(RgbImage target, string text, int x, int y, RgbColor color, int scale = 1, BitmapFont? font = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfLessThan(scale, 1);
        font ??= BitmapFont.Default5x7;
        for (int i = 0; i < text.Length; i++)
        {
            long gx0 = x + (long)i * font.Advance * scale;
            if (gx0 >= target.Width) break;
            if (gx0 + (long)font.GlyphWidth * scale <= 0) continue;
            for (int gy = 0; gy < font.GlyphHeight; gy++)
            {
                int bits = font.GlyphRow(text[i], gy);
                if (bits == 0) continue;
                int py = y + gy * scale;
                for (int gx = 0; gx < font.GlyphWidth; gx++)
                {
                    if ((bits >> (font.GlyphWidth - 1 - gx) & 1) == 0) continue;
                    int px = (int)gx0 + gx * scale;
                    FillPixels(target, px, py, px + scale, py + scale, color, 256);
                }
            }
        }
    }

    /// <summary>
    /// Draws a text tag: a filled <see cref="LabelStyle.Background"/> rectangle whose top-left corner is
    /// (<paramref name="x"/>, <paramref name="y"/>), with the text inset by <see cref="LabelStyle.Padding"/>.
    /// Returns the tag's rectangle (before clipping).
    /// </summary>
    public static (int X, int Y, int Width, int Height) Label(RgbImage target, string text, int x, int y, LabelStyle? style = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(text);
        style ??= LabelStyle.Default;
        (int w, int h) = style.Measure(text);
        FillPixels(target, x, y, x + w, y + h, style.Background, 256);
        Text(target, text, x + style.Padding, y + style.Padding, style.TextColor ?? style.Background.ContrastingText, style.Scale, style.Font);
        return (x, y, w, h);
    }

    /// <summary>
    /// Draws a text tag for a detection box (e.g. "person 0.87"): sitting on the box's top edge, left-aligned
    /// with it, when it fits above; otherwise just inside the box's top. Shifted horizontally and vertically as
    /// needed to stay inside the image. Returns the tag's rectangle.
    /// </summary>
    public static (int X, int Y, int Width, int Height) BoxLabel(RgbImage target, BoxXyxy box, string text, LabelStyle? style = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(text);
        style ??= LabelStyle.Default;
        if (!TryPixelRect(box, out int l, out int t, out _, out _)) return (0, 0, 0, 0);
        (int w, int h) = style.Measure(text);
        int y = t - h >= 0 ? t - h : t;
        int x = Math.Clamp(l, 0, Math.Max(0, target.Width - w));
        y = Math.Clamp(y, 0, Math.Max(0, target.Height - h));
        return Label(target, text, x, y, style);
    }
}
