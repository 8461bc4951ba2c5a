// Format detection from magic bytes (never from the file extension).
namespace SegKit.Imaging;

/// <summary>Encoded image formats SegKit reads and writes.</summary>
public enum ImageFileFormat
{
    /// <summary>Neither JPEG nor PNG.</summary>
    Unknown = 0,
    /// <summary>JPEG/JFIF/Exif: starts FF D8 FF.</summary>
    Jpeg,
    /// <summary>PNG: starts 89 'P' 'N' 'G' 0D 0A 1A 0A.</summary>
    Png,
}

/// <summary>Detects the format of encoded bytes from their signature.</summary>
public static class ImageFormatDetector
{
    /// <summary>Bytes <see cref="Detect"/> needs to see.</summary>
    public const int HeaderBytes = 8;

    private static ReadOnlySpan<byte> PngSignature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>The format whose signature <paramref name="header"/> (the first ≥ 8 bytes) starts with.</summary>
    public static ImageFileFormat Detect(ReadOnlySpan<byte> header)
    {
        if (header.Length >= 3 && header[0] == 0xFF && header[1] == 0xD8 && header[2] == 0xFF)
            return ImageFileFormat.Jpeg;
        if (header.StartsWith(PngSignature))
            return ImageFileFormat.Png;
        return ImageFileFormat.Unknown;
    }

    /// <summary>The format of the file at <paramref name="path"/>, read from its first bytes.</summary>
    public static ImageFileFormat DetectFile(string path)
    {
        Span<byte> head = stackalloc byte[HeaderBytes];
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1);
        int n = fs.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        return Detect(head[..n]);
    }
}
