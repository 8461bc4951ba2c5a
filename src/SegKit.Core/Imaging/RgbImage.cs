namespace SegKit.Imaging;

/// <summary>
/// An 8-bit RGB image: rows top to bottom, pixels interleaved R,G,B, no row padding
/// (<see cref="Stride"/> = <see cref="Width"/> × 3). This is the image every segmenter consumes.
/// </summary>
public sealed class RgbImage
{
    /// <summary>Width in pixels (≥ 1).</summary>
    public int Width { get; }

    /// <summary>Height in pixels (≥ 1).</summary>
    public int Height { get; }

    /// <summary>Pixel bytes, length Width × Height × 3, row-major HWC.</summary>
    public byte[] Data { get; }

    /// <summary>Bytes per row: Width × 3.</summary>
    public int Stride => Width * 3;

    /// <summary>Allocates a black image.</summary>
    public RgbImage(int width, int height)
        : this(width, height, new byte[CheckedLength(width, height)])
    {
    }

    /// <summary>Wraps <paramref name="data"/> (HWC RGB, length width × height × 3) without copying; the image takes ownership.</summary>
    public RgbImage(int width, int height, byte[] data)
    {
        long expected = CheckedLength(width, height);
        ArgumentNullException.ThrowIfNull(data);
        if (data.LongLength != expected)
            throw new ArgumentException($"RGB data has {data.LongLength} bytes; {width}×{height}×3 = {expected} expected", nameof(data));
        Width = width;
        Height = height;
        Data = data;
    }

    /// <summary>Row <paramref name="y"/> as Width × 3 bytes.</summary>
    public Span<byte> GetRow(int y)
    {
        if ((uint)y >= (uint)Height) throw new ArgumentOutOfRangeException(nameof(y));
        return Data.AsSpan(y * Stride, Stride);
    }

    /// <summary>An image whose pixels are not zeroed, for code that overwrites every byte (decoders, resizers).</summary>
    internal static RgbImage CreateUninitialized(int width, int height) =>
        new(width, height, GC.AllocateUninitializedArray<byte>(CheckedLength(width, height)));

    /// <summary>A deep copy.</summary>
    public RgbImage Clone() => new(Width, Height, (byte[])Data.Clone());

    private static int CheckedLength(int width, int height)
    {
        if (width < 1 || height < 1)
            throw new ArgumentOutOfRangeException(nameof(width), $"image size {width}×{height}: both sides must be ≥ 1");
        long n = (long)width * height * 3;
        if (n > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(width), $"image size {width}×{height} exceeds the largest array .NET allows");
        return (int)n;
    }
}
