// EXIF orientation (TIFF tag 0x0112): reading it from a JPEG's APP1 "Exif" segment (both TIFF byte
// orders) and applying it exactly as PIL's ImageOps.exif_transpose does (2 FLIP_LEFT_RIGHT,
// 3 ROTATE_180, 4 FLIP_TOP_BOTTOM, 5 TRANSPOSE, 6 ROTATE_270, 7 TRANSVERSE, 8 ROTATE_90).
using System.Buffers.Binary;

namespace SegKit.Imaging;

/// <summary>
/// EXIF orientation values 1..8: how the stored pixels must be transformed to show the image upright.
/// Member names say what the applied transform does to the stored image.
/// </summary>
public enum ExifOrientation
{
    /// <summary>1 (or absent / invalid): stored upright.</summary>
    Normal = 1,
    /// <summary>2: mirror left ↔ right.</summary>
    FlipHorizontal = 2,
    /// <summary>3: rotate 180°.</summary>
    Rotate180 = 3,
    /// <summary>4: mirror top ↔ bottom.</summary>
    FlipVertical = 4,
    /// <summary>5: transpose (mirror across the main diagonal); width and height swap.</summary>
    Transpose = 5,
    /// <summary>6: rotate 90° clockwise; width and height swap.</summary>
    Rotate90Clockwise = 6,
    /// <summary>7: transverse (mirror across the anti-diagonal); width and height swap.</summary>
    Transverse = 7,
    /// <summary>8: rotate 90° counter-clockwise; width and height swap.</summary>
    Rotate90CounterClockwise = 8,
}

/// <summary>Reads EXIF orientation and applies it to decoded pixels.</summary>
public static class ExifOrientationTransform
{
    /// <summary>
    /// The orientation in the first APP1 "Exif\0\0" segment of <paramref name="jpeg"/> (markers are scanned up
    /// to the first SOS); <see cref="ExifOrientation.Normal"/> when there is none or it is malformed.
    /// </summary>
    public static ExifOrientation ReadFromJpeg(ReadOnlySpan<byte> jpeg)
    {
        int pos = 2;
        while (pos + 4 <= jpeg.Length)
        {
            if (jpeg[pos] != 0xFF) return ExifOrientation.Normal;
            byte marker = jpeg[pos + 1];
            if (marker == 0xFF) { pos++; continue; } // fill byte
            if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) { pos += 2; continue; }
            if (marker == 0xDA || marker == 0xD9) return ExifOrientation.Normal; // image data starts: no Exif before it
            int length = BinaryPrimitives.ReadUInt16BigEndian(jpeg[(pos + 2)..]);
            if (length < 2 || pos + 2 + length > jpeg.Length) return ExifOrientation.Normal;
            var segment = jpeg.Slice(pos + 4, length - 2);
            if (marker == 0xE1 && segment.StartsWith("Exif\0\0"u8))
                return ReadFromTiff(segment[6..]);
            pos += 2 + length;
        }
        return ExifOrientation.Normal;
    }

    /// <summary>
    /// The orientation tag of IFD0 of a TIFF structure ("II*\0" little-endian or "MM\0*" big-endian), as
    /// found after the "Exif\0\0" prefix; <see cref="ExifOrientation.Normal"/> when absent, out of 1..8 or malformed.
    /// </summary>
    public static ExifOrientation ReadFromTiff(ReadOnlySpan<byte> tiff)
    {
        if (tiff.Length < 8) return ExifOrientation.Normal;
        bool little;
        if (tiff[0] == (byte)'I' && tiff[1] == (byte)'I') little = true;
        else if (tiff[0] == (byte)'M' && tiff[1] == (byte)'M') little = false;
        else return ExifOrientation.Normal;
        if (U16(tiff, 2, little) != 42) return ExifOrientation.Normal;
        long ifd = U32(tiff, 4, little);
        if (ifd < 8 || ifd + 2 > tiff.Length) return ExifOrientation.Normal;
        int count = U16(tiff, (int)ifd, little);
        for (int i = 0; i < count; i++)
        {
            int e = (int)ifd + 2 + i * 12;
            if (e + 12 > tiff.Length) break;
            if (U16(tiff, e, little) != 0x0112) continue;
            int type = U16(tiff, e + 2, little);
            long value = type switch
            {
                1 => tiff[e + 8],                 // BYTE
                3 => U16(tiff, e + 8, little),    // SHORT (the standard type)
                4 => U32(tiff, e + 8, little),    // LONG
                _ => 0,
            };
            return value is >= 1 and <= 8 ? (ExifOrientation)value : ExifOrientation.Normal;
        }
        return ExifOrientation.Normal;
    }

    /// <summary>The upright size of a stored <paramref name="width"/> × <paramref name="height"/> image.</summary>
    public static ImageSize OrientedSize(int width, int height, ExifOrientation orientation) =>
        orientation >= ExifOrientation.Transpose ? new ImageSize(height, width) : new ImageSize(width, height);

    /// <summary>A new image with <paramref name="orientation"/> applied (PIL exif_transpose); a copy for Normal.</summary>
    public static RgbImage Apply(RgbImage image, ExifOrientation orientation)
    {
        var size = OrientedSize(image.Width, image.Height, orientation);
        var result = new RgbImage(size.Width, size.Height);
        Transform(image.Data, image.Width, image.Height, 3, result.Data, orientation);
        return result;
    }

    /// <summary>A new image with <paramref name="orientation"/> applied (PIL exif_transpose); a copy for Normal.</summary>
    public static GrayImage Apply(GrayImage image, ExifOrientation orientation)
    {
        var size = OrientedSize(image.Width, image.Height, orientation);
        var result = new GrayImage(size.Width, size.Height);
        Transform(image.Data, image.Width, image.Height, 1, result.Data, orientation);
        return result;
    }

    /// <summary>
    /// Writes the oriented image into <paramref name="dst"/> (size from <see cref="OrientedSize"/>, same
    /// <paramref name="channels"/>). Output pixel (x, y) reads source (sx, sy) as PIL's transpose does.
    /// </summary>
    internal static void Transform(ReadOnlySpan<byte> src, int width, int height, int channels, Span<byte> dst, ExifOrientation orientation)
    {
        var size = OrientedSize(width, height, orientation);
        int ow = size.Width, oh = size.Height;
        if (dst.Length < ow * oh * channels || src.Length < width * height * channels)
            throw new ArgumentException("buffer too small for the image");
        for (int y = 0; y < oh; y++)
        {
            for (int x = 0; x < ow; x++)
            {
                (int sx, int sy) = orientation switch
                {
                    ExifOrientation.FlipHorizontal => (width - 1 - x, y),
                    ExifOrientation.Rotate180 => (width - 1 - x, height - 1 - y),
                    ExifOrientation.FlipVertical => (x, height - 1 - y),
                    ExifOrientation.Transpose => (y, x),
                    ExifOrientation.Rotate90Clockwise => (y, height - 1 - x),
                    ExifOrientation.Transverse => (width - 1 - y, height - 1 - x),
                    ExifOrientation.Rotate90CounterClockwise => (width - 1 - y, x),
                    _ => (x, y),
                };
                src.Slice((sy * width + sx) * channels, channels).CopyTo(dst.Slice((y * ow + x) * channels, channels));
            }
        }
    }

    private static int U16(ReadOnlySpan<byte> s, int at, bool little) =>
        little ? BinaryPrimitives.ReadUInt16LittleEndian(s[at..]) : BinaryPrimitives.ReadUInt16BigEndian(s[at..]);

    private static long U32(ReadOnlySpan<byte> s, int at, bool little) =>
        little ? BinaryPrimitives.ReadUInt32LittleEndian(s[at..]) : BinaryPrimitives.ReadUInt32BigEndian(s[at..]);
}
