// Typed exceptions for bad image input. Native decoder errors are translated into these once, at
// the P/Invoke boundary (JpegDecoder, PngDecoder); the message always names the file (or "<memory>").
namespace SegKit.Imaging;

/// <summary>
/// The input is not a decodable image of the expected format: zero bytes, truncated, corrupt
/// (e.g. a PNG chunk with a wrong CRC), or another format altogether (a text file named .jpg).
/// </summary>
public sealed class ImageFormatException : SegKitException
{
    /// <summary>The file (or the caller's name for an in-memory buffer) that failed.</summary>
    public string FileName { get; }

    /// <summary>What was expected, e.g. "JPEG or PNG", "PNG".</summary>
    public string Expected { get; }

    /// <summary>Creates the exception; the message reads "{source}: {detail} (expected {expected})".</summary>
    public ImageFormatException(string source, string expected, string detail, Exception? inner = null)
        : base($"{source}: {detail} (expected {expected})", inner)
    {
        FileName = source;
        Expected = expected;
    }
}

/// <summary>
/// Decoding would exceed a limit of <see cref="ImageDecoderOptions"/>, or a model's resize of an image a limit of its
/// runner (e.g. <c>SemanticSegmenterOptions.MaxInputPixels</c>). Raised from the header (or file length, or the
/// target size) before any pixel memory is allocated for it.
/// </summary>
public sealed class ImageLimitExceededException : SegKitException
{
    /// <summary>The limit's property name, e.g. <c>MaxPixels</c> or <c>MaxFileBytes</c>.</summary>
    public string LimitName { get; }

    /// <summary>The input's value (pixels or bytes).</summary>
    public long Value { get; }

    /// <summary>The configured limit.</summary>
    public long Limit { get; }

    /// <summary>The file (or the caller's name for an in-memory buffer).</summary>
    public string FileName { get; }

    /// <summary>Creates the exception; the message names the limit, the value and the file, then <paramref name="advice"/>.</summary>
    public ImageLimitExceededException(string source, string limitName, long value, long limit, string? what = null, string? advice = null)
        : base($"{source}: {what ?? limitName} {value:N0} exceeds {limitName} = {limit:N0}{advice}")
    {
        FileName = source;
        LimitName = limitName;
        Value = value;
        Limit = limit;
    }
}
