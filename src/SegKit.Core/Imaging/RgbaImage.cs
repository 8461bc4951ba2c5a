// 8-bit RGBA image (straight, not premultiplied, alpha), e.g. PNG with transparency or overlays.
namespace SegKit.Imaging;

/// <summary>
/// An 8-bit RGBA image with straight alpha: rows top to bottom, pixels interleaved R,G,B,A,
/// no row padding (<see cref="Stride"/> = <see cref="Width"/> × 4).
/// </summary>
public sealed class RgbaImage
{
    /// <summary>Width in pixels (≥ 1).</summary>
    public int Width { get; }

    /// <summary>Height in pixels (≥ 1).</summary>
    public int Height { get; }

    /// <summary>Pixel bytes, length Width × Height × 4, row-major HWC.</summary>
    public byte[] Data { get; }

    /// <summary>Bytes per row: Width × 4.</summary>
    public int Stride => Width * 4;

    /// <summary>Allocates a transparent black image.</summary>
    public RgbaImage(int width, int height)
        : this(width, height, new byte[ImageSize.CheckedPixelCount(width, height, 4)])
    {
    }

    /// <summary>Wraps <paramref name="data"/> (HWC RGBA, length width × height × 4) without copying; the image takes ownership.</summary>
    public RgbaImage(int width, int height, byte[] data)
    {
        long expected = ImageSize.CheckedPixelCount(width, height, 4);
        ArgumentNullException.ThrowIfNull(data);
        if (data.LongLength != expected)
            throw new ArgumentException($"RGBA data has {data.LongLength} bytes; {width}×{height}×4 = {expected} expected", nameof(data));
        Width = width;
        Height = height;
        Data = data;
    }

    /// <summary>Row <paramref name="y"/> as Width × 4 bytes.</summary>
    public Span<byte> GetRow(int y)
    {
        if ((uint)y >= (uint)Height) throw new ArgumentOutOfRangeException(nameof(y));
        return Data.AsSpan(y * Stride, Stride);
    }

    /// <summary>Drops alpha without compositing (PIL's RGBA → RGB).</summary>
    public RgbImage ToRgb()
    {
        var rgb = new byte[Width * Height * 3];
        for (int i = 0, j = 0; j < rgb.Length; i += 4, j += 3)
        {
            rgb[j] = Data[i];
            rgb[j + 1] = Data[i + 1];
            rgb[j + 2] = Data[i + 2];
        }
        return new RgbImage(Width, Height, rgb);
    }
}
