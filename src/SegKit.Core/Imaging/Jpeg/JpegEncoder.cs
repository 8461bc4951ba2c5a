// JPEG encoding through TurboJPEG (ISLOW DCT). Quality 1..100, chroma subsampling 4:2:0 by default.
// File writes are atomic: a temporary file in the same folder is moved over the target.
using System.Runtime.InteropServices;
using SegKit.Imaging.Native;
using static SegKit.Imaging.Native.TurboJpegNative;

namespace SegKit.Imaging;

/// <summary>JPEG encoder settings. Use <see cref="Default"/> (quality 90, 4:2:0) or an initializer.</summary>
public sealed class JpegEncoderOptions
{
    /// <summary>Quality 90, 4:2:0.</summary>
    public static JpegEncoderOptions Default { get; } = new();

    /// <summary>libjpeg quality 1 (smallest) .. 100 (best). Default 90.</summary>
    public int Quality
    {
        get;
        init => field = value is >= 1 and <= 100 ? value : throw new ArgumentOutOfRangeException(nameof(Quality), value, "JPEG quality must be 1..100");
    } = 90;

    /// <summary>Chroma subsampling for colour images. Default <see cref="JpegChromaSubsampling.Yuv420"/>. Ignored for gray images.</summary>
    public JpegChromaSubsampling Subsampling
    {
        get;
        init => field = value is JpegChromaSubsampling.Yuv444 or JpegChromaSubsampling.Yuv422 or JpegChromaSubsampling.Yuv420
            or JpegChromaSubsampling.Yuv440 or JpegChromaSubsampling.Yuv411
            ? value : throw new ArgumentOutOfRangeException(nameof(Subsampling), value, "a colour subsampling is required");
    } = JpegChromaSubsampling.Yuv420;
}

/// <summary>Encodes 8-bit RGB or gray images to JPEG. Thread-safe.</summary>
public static class JpegEncoder
{
    /// <summary>The encoded JPEG bytes of <paramref name="image"/> (HWC RGB).</summary>
    public static byte[] Encode(RgbImage image, JpegEncoderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        options ??= JpegEncoderOptions.Default;
        return Compress(image.Data, image.Width, image.Height, TJPF_RGB, 3, (int)options.Subsampling, options.Quality);
    }

    /// <summary>The encoded grayscale JPEG bytes of <paramref name="image"/>.</summary>
    public static byte[] Encode(GrayImage image, JpegEncoderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        options ??= JpegEncoderOptions.Default;
        return Compress(image.Data, image.Width, image.Height, TJPF_GRAY, 1, TJSAMP_GRAY, options.Quality);
    }

    /// <summary>Writes <paramref name="image"/> as JPEG to <paramref name="stream"/>.</summary>
    public static void Encode(RgbImage image, Stream stream, JpegEncoderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        stream.Write(Encode(image, options));
    }

    /// <summary>Writes <paramref name="image"/> as JPEG to <paramref name="path"/> atomically (temp file + move).</summary>
    public static void Save(RgbImage image, string path, JpegEncoderOptions? options = null) =>
        ImageFiles.WriteAtomic(path, Encode(image, options));

    /// <summary>Writes <paramref name="image"/> as grayscale JPEG to <paramref name="path"/> atomically.</summary>
    public static void Save(GrayImage image, string path, JpegEncoderOptions? options = null) =>
        ImageFiles.WriteAtomic(path, Encode(image, options));

    private static unsafe byte[] Compress(byte[] pixels, int width, int height, int pixelFormat, int bytesPerPixel, int subsampling, int quality)
    {
        using var handle = TurboJpegHandle.CreateCompressor();
        nint h = handle.DangerousGetHandle();
        byte* jpeg = null;
        CULong size = default;
        try
        {
            int rc;
            fixed (byte* src = pixels)
                rc = tjCompress2(h, src, width, width * bytesPerPixel, height, pixelFormat, &jpeg, &size, subsampling, quality, TJFLAG_ACCURATEDCT);
            if (rc != 0)
                throw new InvalidOperationException($"JPEG encoding of a {width}×{height} image failed: {LastError(h)}");
            return new ReadOnlySpan<byte>(jpeg, checked((int)size.Value)).ToArray();
        }
        finally
        {
            if (jpeg != null) tjFree(jpeg);
        }
    }
}
