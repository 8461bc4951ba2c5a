namespace SegKit.Imaging.Drawing;

/// <summary>One legend row: a class name and the colour it is drawn in.</summary>
public readonly record struct LegendEntry(string Name, RgbColor Color);

/// <summary>Layout and colours of <see cref="Legend.Render"/>.</summary>
public sealed record LegendOptions
{
    private readonly int _scale = 2;
    private readonly int _padding = 6;

    /// <summary>2× font, 6 px padding, black text on white.</summary>
    public static LegendOptions Default { get; } = new();

    /// <summary>Integer magnification of the font (≥ 1).</summary>
    public int Scale
    {
        get => _scale;
        init => _scale = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(Scale), value, "scale must be ≥ 1");
    }

    /// <summary>Margin around the legend and gap between rows and between swatch and name, in pixels (≥ 0).</summary>
    public int Padding
    {
        get => _padding;
        init => _padding = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(Padding), value, "padding must be ≥ 0");
    }

    /// <summary>Legend background.</summary>
    public RgbColor Background { get; init; } = RgbColor.White;

    /// <summary>Name text and swatch outline colour.</summary>
    public RgbColor TextColor { get; init; } = RgbColor.Black;

    /// <summary>The font; <see cref="BitmapFont.Default5x7"/> unless set.</summary>
    public BitmapFont Font { get; init; } = BitmapFont.Default5x7;
}

/// <summary>Renders a colour key: one row per class, a colour swatch then the class name.</summary>
public static class Legend
{
    /// <summary>
    /// A new image listing <paramref name="entries"/> top to bottom. With p = padding and s = glyph height × scale + 4
    /// (the swatch side, outlined 1 px in the text colour), the image is p + s + p + (widest name) + p wide and
    /// p + n × (s + p) high (at least 1 × 1); row k's swatch has its top-left at (p, p + k × (s + p)) and its name is
    /// vertically centred on the swatch.
    /// </summary>
    public static RgbImage Render(IReadOnlyList<LegendEntry> entries, LegendOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(entries);
        options ??= LegendOptions.Default;
        BitmapFont font = options.Font;
        int p = options.Padding, scale = options.Scale;
        int textH = font.GlyphHeight * scale, swatch = textH + 4;
        int textW = 0;
        foreach (LegendEntry e in entries) textW = Math.Max(textW, font.Measure(e.Name ?? "", scale).Width);
        int width = Math.Max(1, p + swatch + p + textW + p);
        int height = Math.Max(1, p + entries.Count * (swatch + p));
        var image = new RgbImage(width, height);
        Draw.FillPixels(image, 0, 0, width, height, options.Background, 256);
        for (int k = 0; k < entries.Count; k++)
        {
            int y = p + k * (swatch + p);
            Draw.FillPixels(image, p, y, p + swatch, y + swatch, options.TextColor, 256);
            Draw.FillPixels(image, p + 1, y + 1, p + swatch - 1, y + swatch - 1, entries[k].Color, 256);
            Draw.Text(image, entries[k].Name ?? "", p + swatch + p, y + (swatch - textH) / 2, options.TextColor, scale, font);
        }
        return image;
    }
}
