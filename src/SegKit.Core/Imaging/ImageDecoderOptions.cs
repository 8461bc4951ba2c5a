// Decoder limits and behaviour switches shared by the JPEG and PNG decoders.
namespace SegKit.Imaging;

/// <summary>
/// Limits checked before pixel memory is allocated, and decode behaviour. Use <see cref="Default"/>
/// or <c>new ImageDecoderOptions { MaxPixels = … }</c>.
/// </summary>
public sealed class ImageDecoderOptions
{
    /// <summary>MaxPixels 100 000 000, MaxFileBytes 512 MiB, EXIF orientation applied.</summary>
    public static ImageDecoderOptions Default { get; } = new();

    /// <summary>Largest width × height accepted (checked from the header). Default 100 000 000.</summary>
    public long MaxPixels
    {
        get;
        init => field = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(MaxPixels), value, "must be ≥ 1");
    } = 100_000_000;

    /// <summary>Largest encoded input in bytes (checked before reading a file). Default 512 MiB.</summary>
    public long MaxFileBytes
    {
        get;
        init => field = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(MaxFileBytes), value, "must be ≥ 1");
    } = 512L * 1024 * 1024;

    /// <summary>
    /// Apply a JPEG's EXIF orientation (tag 0x0112, values 2..8) as PIL's <c>ImageOps.exif_transpose</c> does,
    /// so width and height are those of the upright image. Default true.
    /// </summary>
    public bool ApplyExifOrientation { get; init; } = true;
}
