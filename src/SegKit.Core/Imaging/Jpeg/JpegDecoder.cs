// JPEG decoding through libjpeg-turbo's TurboJPEG API, matching PIL 9.4's
// Image.open(p).convert("RGB") pixel for pixel: same library, ISLOW (accurate) DCT, fancy upsampling;
// grayscale JPEGs are replicated to RGB; CMYK/YCCK JPEGs are read as Adobe-inverted CMYK and converted
// with PIL's cmyk2rgb formula; EXIF orientation applied as ImageOps.exif_transpose.
// A truncated file is an error (PIL: "image file is truncated"); libjpeg's other warnings
// (e.g. extraneous bytes before a marker) are tolerated, as PIL tolerates them.
using System.Buffers;
using System.Runtime.InteropServices;
using SegKit.Imaging.Native;
using static SegKit.Imaging.Native.TurboJpegNative;

namespace SegKit.Imaging;

/// <summary>The JPEG colour space as recorded in the file.</summary>
public enum JpegColorSpace
{
    /// <summary>RGB stored without a colour transform.</summary>
    Rgb = TJCS_RGB,
    /// <summary>YCbCr, the usual colour JPEG.</summary>
    YCbCr = TJCS_YCbCr,
    /// <summary>One channel.</summary>
    Gray = TJCS_GRAY,
    /// <summary>CMYK (Adobe-inverted, as written by Photoshop and PIL).</summary>
    Cmyk = TJCS_CMYK,
    /// <summary>YCCK (Adobe transform 2); decoded to CMYK by libjpeg.</summary>
    Ycck = TJCS_YCCK,
}

/// <summary>Chroma subsampling of a JPEG (also the encoder's choice).</summary>
public enum JpegChromaSubsampling
{
    /// <summary>4:4:4, no subsampling.</summary>
    Yuv444 = TJSAMP_444,
    /// <summary>4:2:2, half horizontal chroma.</summary>
    Yuv422 = TJSAMP_422,
    /// <summary>4:2:0, half horizontal and vertical chroma (the usual default).</summary>
    Yuv420 = TJSAMP_420,
    /// <summary>Grayscale, no chroma.</summary>
    Gray = TJSAMP_GRAY,
    /// <summary>4:4:0.</summary>
    Yuv440 = TJSAMP_440,
    /// <summary>4:1:1.</summary>
    Yuv411 = TJSAMP_411,
    /// <summary>A layout TurboJPEG cannot name.</summary>
    Unknown = -1,
}

/// <summary>Header facts of a JPEG. Width and Height are the stored size, before EXIF orientation.</summary>
public readonly record struct JpegInfo(int Width, int Height, JpegColorSpace ColorSpace, JpegChromaSubsampling Subsampling, ExifOrientation Orientation)
{
    /// <summary>The size after applying <see cref="Orientation"/> (what <see cref="JpegDecoder.DecodeRgb(string, ImageDecoderOptions?)"/> returns by default).</summary>
    public ImageSize OrientedSize => ExifOrientationTransform.OrientedSize(Width, Height, Orientation);
}

/// <summary>Decodes JPEG to 8-bit RGB with PIL parity. Thread-safe: each call uses its own TurboJPEG instance.</summary>
public static class JpegDecoder
{
    internal const string MemorySource = "<memory>";
    private const string Expected = "JPEG";

    /// <summary>Reads the JPEG at <paramref name="path"/> (format checked by signature) into HWC RGB.</summary>
    /// <exception cref="ImageFormatException">Not a JPEG, truncated or corrupt.</exception>
    /// <exception cref="ImageLimitExceededException">File size or pixel count over <paramref name="options"/>' limits.</exception>
    public static RgbImage DecodeRgb(string path, ImageDecoderOptions? options = null)
    {
        options ??= ImageDecoderOptions.Default;
        using var file = ImageFiles.ReadBounded(path, options);
        return DecodeRgb(file.Span, path, options);
    }

    /// <summary>Decodes encoded JPEG bytes into HWC RGB; <paramref name="sourceName"/> names the input in errors.</summary>
    /// <exception cref="ImageFormatException">Not a JPEG, truncated or corrupt.</exception>
    /// <exception cref="ImageLimitExceededException">Input size or pixel count over <paramref name="options"/>' limits.</exception>
    public static RgbImage DecodeRgb(ReadOnlySpan<byte> jpeg, string? sourceName = null, ImageDecoderOptions? options = null) =>
        DecodeRgb(jpeg, sourceName, options, null);

    /// <summary>As <see cref="DecodeRgb(ReadOnlySpan{byte}, string?, ImageDecoderOptions?)"/>, into <paramref name="recycle"/>'s
    /// pixel array when it has the decoded size (see <see cref="ImageDecoder.DecodeRgb(string, ImageDecoderOptions?, RgbImage?)"/>).</summary>
    public static unsafe RgbImage DecodeRgb(ReadOnlySpan<byte> jpeg, string? sourceName, ImageDecoderOptions? options, RgbImage? recycle)
    {
        options ??= ImageDecoderOptions.Default;
        string source = sourceName ?? MemorySource;
        ImageFiles.CheckLength(jpeg.Length, source, options);
        CheckSignature(jpeg, source);

        using var handle = TurboJpegHandle.CreateDecompressor();
        var info = ReadHeader(handle, jpeg, source);
        ImageFiles.CheckPixels(info.Width, info.Height, source, options);

        RgbImage image;
        if (info.ColorSpace is JpegColorSpace.Cmyk or JpegColorSpace.Ycck)
        {
            int n = checked(info.Width * info.Height * 4);
            byte[] cmyk = ArrayPool<byte>.Shared.Rent(n);
            try
            {
                Decompress(handle, jpeg, cmyk, info.Width, info.Height, TJPF_CMYK, 4, source);
                image = RgbImage.CreateUninitialized(info.Width, info.Height);
                AdobeCmykToRgb(cmyk.AsSpan(0, n), image.Data);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(cmyk);
            }
        }
        else
        {
            // Gray JPEGs decode straight to RGB: libjpeg replicates the channel, as PIL's L → RGB does.
            image = recycle is not null && recycle.Width == info.Width && recycle.Height == info.Height
                ? recycle
                : RgbImage.CreateUninitialized(info.Width, info.Height);
            Decompress(handle, jpeg, image.Data, info.Width, info.Height, TJPF_RGB, 3, source);
        }

        if (options.ApplyExifOrientation)
        {
            var orientation = ExifOrientationTransform.ReadFromJpeg(jpeg);
            if (orientation != ExifOrientation.Normal)
                image = ExifOrientationTransform.Apply(image, orientation);
        }
        return image;
    }

    /// <summary>Reads size, colour space, subsampling and EXIF orientation without decoding pixels.</summary>
    /// <exception cref="ImageFormatException">Not a JPEG or the header is corrupt.</exception>
    public static JpegInfo ReadInfo(ReadOnlySpan<byte> jpeg, string? sourceName = null)
    {
        string source = sourceName ?? MemorySource;
        CheckSignature(jpeg, source);
        using var handle = TurboJpegHandle.CreateDecompressor();
        return ReadHeader(handle, jpeg, source) with { Orientation = ExifOrientationTransform.ReadFromJpeg(jpeg) };
    }

    /// <summary>
    /// PIL's Adobe CMYK → RGB: the JPEG stores inverted CMYK, PIL un-inverts it ("CMYK;I") and converts with
    /// r = clip(nk − c·nk/255) where nk = 255 − k, using MULDIV255 rounding. With raw stored bytes c' = 255 − c
    /// and k' = 255 − k: r = k' − MULDIV255(255 − c', k').
    /// </summary>
    internal static void AdobeCmykToRgb(ReadOnlySpan<byte> cmyk, Span<byte> rgb)
    {
        for (int i = 0, j = 0; i + 3 < cmyk.Length; i += 4, j += 3)
        {
            int nk = cmyk[i + 3];
            rgb[j] = (byte)Math.Clamp(nk - MulDiv255(255 - cmyk[i], nk), 0, 255);
            rgb[j + 1] = (byte)Math.Clamp(nk - MulDiv255(255 - cmyk[i + 1], nk), 0, 255);
            rgb[j + 2] = (byte)Math.Clamp(nk - MulDiv255(255 - cmyk[i + 2], nk), 0, 255);
        }
    }

    private static int MulDiv255(int a, int b)
    {
        int t = a * b + 128;
        return (t + (t >> 8)) >> 8;
    }

    private static void CheckSignature(ReadOnlySpan<byte> data, string source)
    {
        if (data.Length == 0)
            throw new ImageFormatException(source, Expected, "empty input (0 bytes)");
        if (ImageFormatDetector.Detect(data) != ImageFileFormat.Jpeg)
            throw new ImageFormatException(source, Expected, $"no JPEG signature (FF D8 FF); detected {ImageFormatDetector.Detect(data)}");
    }

    private static unsafe JpegInfo ReadHeader(TurboJpegHandle handle, ReadOnlySpan<byte> jpeg, string source)
    {
        int w, h, sub, cs;
        fixed (byte* p = jpeg)
        {
            // A warning (extraneous bytes before a marker, an unknown JFIF revision) still gives the header, and PIL
            // decodes such files; only a fatal error, or a warning without a size, is refused.
            if (tjDecompressHeader3(handle.DangerousGetHandle(), p, new CULong((nuint)jpeg.Length), out w, out h, out sub, out cs) != 0
                && (tjGetErrorCode(handle.DangerousGetHandle()) == TJERR_FATAL || w < 1 || h < 1))
                throw new ImageFormatException(source, Expected,
                    TruncatedHeader(jpeg) ?? "corrupt JPEG header: " + LastError(handle.DangerousGetHandle()));
        }
        // libjpeg reads a header cut short before its frame marker as tables only: no error, and no size.
        if (w < 1 || h < 1)
            throw new ImageFormatException(source, Expected, TruncatedHeader(jpeg)
                ?? $"no frame header (SOF marker) with an image size before the scan; a JPEG of tables only?");
        return new JpegInfo(w, h, (JpegColorSpace)cs, Enum.IsDefined((JpegChromaSubsampling)sub) ? (JpegChromaSubsampling)sub : JpegChromaSubsampling.Unknown, ExifOrientation.Normal);
    }

    /// <summary>
    /// Where the header's segments run past the end of <paramref name="jpeg"/>: libjpeg pads a cut file with an end
    /// marker and then reports whatever that makes of the segment it was reading ("Bogus Huffman table definition").
    /// Null when every segment up to the scan (SOS) is whole, or the bytes are not a marker sequence.
    /// </summary>
    private static string? TruncatedHeader(ReadOnlySpan<byte> jpeg)
    {
        int i = 2; // after SOI
        while (true)
        {
            if (i >= jpeg.Length)
                return $"truncated JPEG header: the file ends at byte {jpeg.Length}, before the scan (SOS marker)";
            if (jpeg[i] != 0xFF) return null;
            while (i < jpeg.Length && jpeg[i] == 0xFF) i++; // fill bytes
            if (i >= jpeg.Length)
                return $"truncated JPEG header: the file ends at byte {jpeg.Length}, before the scan (SOS marker)";
            byte marker = jpeg[i++];
            if (marker is 0x01 or (>= 0xD0 and <= 0xD7)) continue; // no length
            if (marker is 0x00 or 0xD8 or 0xD9) return null;
            if (i + 2 > jpeg.Length || i + ((jpeg[i] << 8) | jpeg[i + 1]) > jpeg.Length)
                return $"truncated JPEG header: the file ends at byte {jpeg.Length}, inside the FF {marker:X2} segment at byte {i - 2}" +
                       (i + 2 > jpeg.Length ? "" : $", which needs {(jpeg[i] << 8) | jpeg[i + 1]} bytes");
            if (marker == 0xDA) return null;
            i += (jpeg[i] << 8) | jpeg[i + 1];
        }
    }

    private static unsafe void Decompress(TurboJpegHandle handle, ReadOnlySpan<byte> jpeg, Span<byte> dst, int width, int height, int pixelFormat, int bytesPerPixel, string source)
    {
        nint h = handle.DangerousGetHandle();
        int rc;
        fixed (byte* src = jpeg)
        fixed (byte* d = dst)
        {
            // ACCURATEDCT = JDCT_ISLOW, PIL's default; LIMITSCANS refuses pathological progressive files (> 500 scans).
            rc = tjDecompress2(h, src, new CULong((nuint)jpeg.Length), d, width, width * bytesPerPixel, height, pixelFormat,
                TJFLAG_ACCURATEDCT | TJFLAG_LIMITSCANS);
        }
        if (rc == 0) return;
        string message = LastError(h);
        if (tjGetErrorCode(h) == TJERR_FATAL)
            throw new ImageFormatException(source, Expected, "corrupt JPEG data: " + message);
        // A warning: libjpeg finished with substitutes for missing data. "Premature end of JPEG file"
        // (JWRN_JPEG_EOF) means the file is truncated, which PIL refuses; other warnings PIL accepts.
        if (message.Contains("Premature end of JPEG file", StringComparison.OrdinalIgnoreCase))
            throw new ImageFormatException(source, Expected, "truncated JPEG (libjpeg: " + message + ")");
    }
}
