// File plumbing shared by decoders and encoders: bounded reads and atomic writes.
using System.Buffers;

namespace SegKit.Imaging;

internal static class ImageFiles
{
    /// <summary>Reads a whole file, after checking its length against <see cref="ImageDecoderOptions.MaxFileBytes"/>,
    /// into a pooled array (dispose to return it): decoders only read the bytes while decoding, and a fresh
    /// array per photo cost page faults on every image of a folder.</summary>
    public static PooledFileBytes ReadBounded(string path, ImageDecoderOptions options)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Directory.Exists(path)) // .NET says "Access to the path is denied"
            throw new FileNotFoundException($"image {path} is a folder; an image file is expected", path);
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        long len = fs.Length;
        if (len > options.MaxFileBytes)
            throw new ImageLimitExceededException(path, nameof(ImageDecoderOptions.MaxFileBytes), len, options.MaxFileBytes, "file size (bytes)");
        var data = ArrayPool<byte>.Shared.Rent((int)len);
        try
        {
            fs.ReadExactly(data.AsSpan(0, (int)len));
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(data);
            throw;
        }
        return new PooledFileBytes(data, (int)len);
    }

    public static void CheckLength(long length, string source, ImageDecoderOptions options)
    {
        if (length > options.MaxFileBytes)
            throw new ImageLimitExceededException(source, nameof(ImageDecoderOptions.MaxFileBytes), length, options.MaxFileBytes, "input size (bytes)");
    }

    public static void CheckPixels(long width, long height, string source, ImageDecoderOptions options)
    {
        long pixels = width * height;
        if (pixels > options.MaxPixels)
            throw new ImageLimitExceededException(source, nameof(ImageDecoderOptions.MaxPixels), pixels, options.MaxPixels, $"{width}×{height} pixels");
    }

    /// <summary>
    /// Writes <paramref name="bytes"/> to a temporary file in the target's folder, flushes it, then moves it
    /// over <paramref name="path"/>, so readers never see a half-written image. The temporary file is removed on failure.
    /// </summary>
    public static void WriteAtomic(string path, ReadOnlySpan<byte> bytes) => AtomicFile.WriteAllBytes(path, bytes);
}

/// <summary>A file's bytes in an array rented from <see cref="ArrayPool{T}.Shared"/>; <see cref="Dispose"/> returns it.</summary>
internal readonly struct PooledFileBytes(byte[] array, int length) : IDisposable
{
    public ReadOnlySpan<byte> Span => array.AsSpan(0, length);

    public void Dispose() => ArrayPool<byte>.Shared.Return(array);
}
