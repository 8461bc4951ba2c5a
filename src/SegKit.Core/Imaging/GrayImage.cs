// 8-bit and 16-bit single-channel images (gray photos, masks, 16-bit instance/region id maps).
namespace SegKit.Imaging;

/// <summary>
/// An 8-bit single-channel image: rows top to bottom, one byte per pixel, no row padding
/// (<see cref="Stride"/> = <see cref="Width"/>).
/// </summary>
public sealed class GrayImage
{
    /// <summary>Width in pixels (≥ 1).</summary>
    public int Width { get; }

    /// <summary>Height in pixels (≥ 1).</summary>
    public int Height { get; }

    /// <summary>Pixel bytes, length Width × Height, row-major.</summary>
    public byte[] Data { get; }

    /// <summary>Bytes per row: Width.</summary>
    public int Stride => Width;

    /// <summary>Allocates an all-zero image.</summary>
    public GrayImage(int width, int height)
        : this(width, height, new byte[ImageSize.CheckedPixelCount(width, height, 1)])
    {
    }

    /// <summary>Wraps <paramref name="data"/> (length width × height) without copying; the image takes ownership.</summary>
    public GrayImage(int width, int height, byte[] data)
    {
        long expected = ImageSize.CheckedPixelCount(width, height, 1);
        ArgumentNullException.ThrowIfNull(data);
        if (data.LongLength != expected)
            throw new ArgumentException($"gray data has {data.LongLength} bytes; {width}×{height} = {expected} expected", nameof(data));
        Width = width;
        Height = height;
        Data = data;
    }

    /// <summary>Row <paramref name="y"/> as Width bytes.</summary>
    public Span<byte> GetRow(int y)
    {
        if ((uint)y >= (uint)Height) throw new ArgumentOutOfRangeException(nameof(y));
        return Data.AsSpan(y * Width, Width);
    }

    /// <summary>A deep copy.</summary>
    public GrayImage Clone() => new(Width, Height, (byte[])Data.Clone());

    /// <summary>An RGB image with each gray value copied to R, G and B (PIL's L → RGB).</summary>
    public RgbImage ToRgb()
    {
        var rgb = new byte[Data.Length * 3];
        for (int i = 0, j = 0; i < Data.Length; i++, j += 3)
            rgb[j] = rgb[j + 1] = rgb[j + 2] = Data[i];
        return new RgbImage(Width, Height, rgb);
    }
}

/// <summary>
/// A 16-bit single-channel image (e.g. a 16-bit PNG instance or region id map): rows top to bottom,
/// one host-endian <see cref="ushort"/> per pixel, no row padding.
/// </summary>
public sealed class Gray16Image
{
    /// <summary>Width in pixels (≥ 1).</summary>
    public int Width { get; }

    /// <summary>Height in pixels (≥ 1).</summary>
    public int Height { get; }

    /// <summary>Pixel values, length Width × Height, row-major.</summary>
    public ushort[] Data { get; }

    /// <summary>Allocates an all-zero image.</summary>
    public Gray16Image(int width, int height)
        : this(width, height, new ushort[ImageSize.CheckedPixelCount(width, height, 1)])
    {
    }

    /// <summary>Wraps <paramref name="data"/> (length width × height) without copying; the image takes ownership.</summary>
    public Gray16Image(int width, int height, ushort[] data)
    {
        long expected = ImageSize.CheckedPixelCount(width, height, 1);
        ArgumentNullException.ThrowIfNull(data);
        if (data.LongLength != expected)
            throw new ArgumentException($"16-bit data has {data.LongLength} values; {width}×{height} = {expected} expected", nameof(data));
        Width = width;
        Height = height;
        Data = data;
    }

    /// <summary>Row <paramref name="y"/> as Width values.</summary>
    public Span<ushort> GetRow(int y)
    {
        if ((uint)y >= (uint)Height) throw new ArgumentOutOfRangeException(nameof(y));
        return Data.AsSpan(y * Width, Width);
    }
}
