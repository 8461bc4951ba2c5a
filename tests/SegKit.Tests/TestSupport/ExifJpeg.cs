using SegKit.Imaging;

namespace SegKit.Tests.TestSupport;

/// <summary>
/// Tags a JPEG with an EXIF orientation, as a phone does, without touching its coded pixels: the Exif APP1 segment
/// is replaced (or, when there is none, added after SOI and a JFIF APP0) by one whose IFD0 holds only tag 0x0112.
/// </summary>
public static class ExifJpeg
{
    /// <summary><paramref name="jpeg"/>'s bytes with an Exif segment saying <paramref name="orientation"/>.</summary>
    public static byte[] WithOrientation(byte[] jpeg, ExifOrientation orientation)
    {
        // "Exif\0\0", then a little-endian TIFF header, IFD0 at 8 with one SHORT entry (tag, type 3, count 1, the value
        // left-justified in 4 bytes) and no next IFD.
        byte[] payload =
        [
            .. "Exif\0\0"u8, (byte)'I', (byte)'I', 42, 0, 8, 0, 0, 0,
            1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, (byte)orientation, 0, 0, 0,
            0, 0, 0, 0,
        ];
        int length = payload.Length + 2;
        byte[] app1 = [0xFF, 0xE1, (byte)(length >> 8), (byte)length, .. payload];

        if (jpeg.Length < 4 || jpeg[0] != 0xFF || jpeg[1] != 0xD8) throw new ArgumentException("not a JPEG (no SOI)", nameof(jpeg));
        int insertAt = 2, pos = 2;
        while (pos + 4 <= jpeg.Length && jpeg[pos] == 0xFF && jpeg[pos + 1] is >= 0xE0 and <= 0xEF)
        {
            int end = pos + 2 + (jpeg[pos + 2] << 8 | jpeg[pos + 3]);
            if (jpeg[pos + 1] == 0xE1 && jpeg.AsSpan(pos + 4).StartsWith("Exif\0\0"u8))
                return [.. jpeg[..pos], .. app1, .. jpeg[end..]];
            if (jpeg[pos + 1] == 0xE0 && pos == 2) insertAt = end;
            pos = end;
        }
        return [.. jpeg[..insertAt], .. app1, .. jpeg[insertAt..]];
    }
}
