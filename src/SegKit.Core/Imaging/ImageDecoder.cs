// Format-agnostic decoding: the format is detected from magic bytes, never from the extension.
namespace SegKit.Imaging;

/// <summary>Decodes JPEG or PNG (detected by signature) into 8-bit RGB with PIL 9.4 <c>convert("RGB")</c> parity.</summary>
public static class ImageDecoder
{
    /// <summary>Decodes the image at <paramref name="path"/> into HWC RGB (EXIF orientation applied for JPEG by default).</summary>
    /// <exception cref="ImageFormatException">Empty, neither JPEG nor PNG, truncated or corrupt.</exception>
    /// <exception cref="ImageLimitExceededException">File size or pixel count over <paramref name="options"/>' limits.</exception>
    public static RgbImage DecodeRgb(string path, ImageDecoderOptions? options = null)
    {
        options ??= ImageDecoderOptions.Default;
        using var file = ImageFiles.ReadBounded(path, options);
        return DecodeRgb(file.Span, path, options);
    }

    /// <summary>
    /// As <see cref="DecodeRgb(string, ImageDecoderOptions?)"/>, writing the pixels into <paramref name="recycle"/>'s
    /// array when it has the decoded size (the photos of one camera, one after another) instead of a fresh one; a
    /// fresh 6 MB array costs page faults on every image. <paramref name="recycle"/> must be an image the caller no
    /// longer uses (its pixels are overwritten); the result may be that object.
    /// </summary>
    public static RgbImage DecodeRgb(string path, ImageDecoderOptions? options, RgbImage? recycle)
    {
        options ??= ImageDecoderOptions.Default;
        using var file = ImageFiles.ReadBounded(path, options);
        return DecodeRgb(file.Span, path, options, recycle);
    }

    /// <summary>
    /// The size <see cref="DecodeRgb(string, ImageDecoderOptions?)"/> would return for <paramref name="path"/> with
    /// <paramref name="options"/>, read from the header without decoding pixels, with the stored size and the EXIF
    /// orientation it comes from (a PNG's is always <see cref="ExifOrientation.Normal"/>).
    /// </summary>
    /// <exception cref="ImageFormatException">Empty, neither JPEG nor PNG, or a corrupt header.</exception>
    public static DecodedImageSize ReadDecodedSize(string path, ImageDecoderOptions? options = null)
    {
        options ??= ImageDecoderOptions.Default;
        using var file = ImageFiles.ReadBounded(path, options);
        var encoded = file.Span;
        switch (ImageFormatDetector.Detect(encoded))
        {
            case ImageFileFormat.Jpeg:
                var jpeg = JpegDecoder.ReadInfo(encoded, path);
                var stored = new ImageSize(jpeg.Width, jpeg.Height);
                return new DecodedImageSize(options.ApplyExifOrientation ? jpeg.OrientedSize : stored, stored, jpeg.Orientation);
            case ImageFileFormat.Png:
                var png = PngDecoder.ReadInfo(encoded, path);
                var size = new ImageSize(png.Width, png.Height);
                return new DecodedImageSize(size, size, ExifOrientation.Normal);
            default:
                throw new ImageFormatException(path, "JPEG or PNG",
                    encoded.Length == 0 ? "empty input (0 bytes)" : "unrecognised signature " + Convert.ToHexString(encoded[..Math.Min(8, encoded.Length)]));
        }
    }

    /// <summary>Decodes encoded JPEG or PNG bytes into HWC RGB; <paramref name="sourceName"/> names the input in errors.</summary>
    public static RgbImage DecodeRgb(ReadOnlySpan<byte> encoded, string? sourceName = null, ImageDecoderOptions? options = null) =>
        DecodeRgb(encoded, sourceName, options, null);

    private static RgbImage DecodeRgb(ReadOnlySpan<byte> encoded, string? sourceName, ImageDecoderOptions? options, RgbImage? recycle)
    {
        string source = sourceName ?? JpegDecoder.MemorySource;
        return ImageFormatDetector.Detect(encoded) switch
        {
            ImageFileFormat.Jpeg => JpegDecoder.DecodeRgb(encoded, source, options, recycle),
            ImageFileFormat.Png => PngDecoder.DecodeRgb(encoded, source, options),
            _ => throw new ImageFormatException(source, "JPEG or PNG",
                encoded.Length == 0 ? "empty input (0 bytes)" : "unrecognised signature " + Convert.ToHexString(encoded[..Math.Min(8, encoded.Length)])),
        };
    }
}

/// <summary>What <see cref="ImageDecoder.ReadDecodedSize"/> reads from a header.</summary>
/// <param name="Size">The size of the decoded image: <paramref name="StoredSize"/>, or with width and height swapped when the
/// EXIF orientation is applied and transposes (5..8).</param>
/// <param name="StoredSize">The size of the pixels as stored in the file.</param>
/// <param name="Orientation">The file's EXIF orientation, applied to <paramref name="Size"/> or not as the options said.</param>
public readonly record struct DecodedImageSize(ImageSize Size, ImageSize StoredSize, ExifOrientation Orientation);
