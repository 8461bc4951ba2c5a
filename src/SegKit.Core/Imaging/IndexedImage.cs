// Palette ("P" mode) images: one 8-bit index per pixel plus a colour table. PASCAL VOC label maps
// are stored this way (class id = index, 255 = ignore/border, VOC palette).
namespace SegKit.Imaging;

/// <summary>
/// A colour table of up to 256 entries: <see cref="Rgb"/> holds Count × 3 bytes (R,G,B per entry);
/// <see cref="Alpha"/>, when present (PNG tRNS), holds one alpha byte per entry, missing entries opaque.
/// </summary>
public sealed class ColorPalette
{
    /// <summary>Entry colours, Count × 3 bytes, R,G,B.</summary>
    public ReadOnlyMemory<byte> Rgb { get; }

    /// <summary>Per-entry alpha (0 transparent .. 255 opaque), at most Count bytes, or empty when all entries are opaque.</summary>
    public ReadOnlyMemory<byte> Alpha { get; }

    /// <summary>Number of entries (1..256).</summary>
    public int Count => Rgb.Length / 3;

    /// <summary>Copies <paramref name="rgb"/> (N × 3 bytes, 1 ≤ N ≤ 256) and the optional <paramref name="alpha"/> (≤ N bytes).</summary>
    public ColorPalette(ReadOnlySpan<byte> rgb, ReadOnlySpan<byte> alpha = default)
    {
        if (rgb.Length == 0 || rgb.Length % 3 != 0 || rgb.Length > 256 * 3)
            throw new ArgumentException($"palette has {rgb.Length} bytes; 3 × (1..256) expected", nameof(rgb));
        if (alpha.Length > rgb.Length / 3)
            throw new ArgumentException($"palette alpha has {alpha.Length} entries but the palette only {rgb.Length / 3}", nameof(alpha));
        Rgb = rgb.ToArray();
        Alpha = alpha.ToArray();
    }

    /// <summary>
    /// The PASCAL VOC 256-colour palette (the bit-interleaving colour map of the VOC devkit's
    /// <c>VOClabelcolormap</c>): entry i takes bits 0,1,2 of i, then 3,4,5, … into R,G,B from the
    /// most significant bit down. Entry 0 is black, 1 is (128,0,0), 255 is (224,224,192).
    /// </summary>
    public static ColorPalette PascalVoc { get; } = new(CreatePascalVocRgb());

    /// <summary>The colour of entry <paramref name="index"/> (0..255); an index past the table gives gray (i, i, i), PIL's default palette ramp.</summary>
    public (byte R, byte G, byte B) this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)index, 255u, nameof(index));
            if (index >= Count) return ((byte)index, (byte)index, (byte)index);
            var s = Rgb.Span;
            return (s[index * 3], s[index * 3 + 1], s[index * 3 + 2]);
        }
    }

    private static byte[] CreatePascalVocRgb()
    {
        var rgb = new byte[256 * 3];
        for (int i = 0; i < 256; i++)
        {
            int r = 0, g = 0, b = 0, c = i;
            for (int j = 0; j < 8; j++)
            {
                r |= (c & 1) << (7 - j);
                g |= ((c >> 1) & 1) << (7 - j);
                b |= ((c >> 2) & 1) << (7 - j);
                c >>= 3;
            }
            rgb[i * 3] = (byte)r;
            rgb[i * 3 + 1] = (byte)g;
            rgb[i * 3 + 2] = (byte)b;
        }
        return rgb;
    }
}

/// <summary>
/// An 8-bit indexed image: <see cref="Indices"/> holds one palette index per pixel (row-major,
/// Width × Height bytes); <see cref="Palette"/> maps indices to colours.
/// </summary>
public sealed class IndexedImage
{
    /// <summary>Width in pixels (≥ 1).</summary>
    public int Width { get; }

    /// <summary>Height in pixels (≥ 1).</summary>
    public int Height { get; }

    /// <summary>Palette indices, length Width × Height, row-major.</summary>
    public byte[] Indices { get; }

    /// <summary>The colour table.</summary>
    public ColorPalette Palette { get; }

    /// <summary>Wraps <paramref name="indices"/> (length width × height) without copying; the image takes ownership.</summary>
    public IndexedImage(int width, int height, byte[] indices, ColorPalette palette)
    {
        long expected = ImageSize.CheckedPixelCount(width, height, 1);
        ArgumentNullException.ThrowIfNull(indices);
        ArgumentNullException.ThrowIfNull(palette);
        if (indices.LongLength != expected)
            throw new ArgumentException($"index data has {indices.LongLength} bytes; {width}×{height} = {expected} expected", nameof(indices));
        Width = width;
        Height = height;
        Indices = indices;
        Palette = palette;
    }

    /// <summary>Row <paramref name="y"/> as Width indices.</summary>
    public Span<byte> GetRow(int y)
    {
        if ((uint)y >= (uint)Height) throw new ArgumentOutOfRangeException(nameof(y));
        return Indices.AsSpan(y * Width, Width);
    }

    /// <summary>Looks every index up in the palette, ignoring alpha (PIL's P → RGB; indices past the palette give gray (i, i, i)).</summary>
    public RgbImage ToRgb()
    {
        Span<byte> lut = stackalloc byte[256 * 3];
        for (int i = 0; i < 256; i++) lut[i * 3] = lut[i * 3 + 1] = lut[i * 3 + 2] = (byte)i;
        Palette.Rgb.Span.CopyTo(lut);
        var rgb = new byte[Indices.Length * 3];
        for (int i = 0, j = 0; i < Indices.Length; i++, j += 3)
        {
            int p = Indices[i] * 3;
            rgb[j] = lut[p];
            rgb[j + 1] = lut[p + 1];
            rgb[j + 2] = lut[p + 2];
        }
        return new RgbImage(Width, Height, rgb);
    }
}
