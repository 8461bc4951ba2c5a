using SegKit.Imaging;
using SegKit.Masks;

namespace SegKit.Datasets;

/// <summary>
/// Label maps on disk: PNGs whose 8-bit samples are class ids. Read: a palette PNG gives its indices (as PIL's
/// <c>np.array(Image.open(p))</c> for mode "P"), an 8-bit-or-less gray PNG its values (mode "L"). Write: an 8-bit
/// palette PNG with the PASCAL VOC palette (or the one given), the layout of VOC's SegmentationClass.
/// </summary>
public static class LabelMapFile
{
    /// <summary>Reads the label map at <paramref name="path"/>.</summary>
    /// <exception cref="ImageFormatException">Not a PNG, corrupt, or a colour type that does not hold class ids (RGB, 16-bit).</exception>
    public static LabelMap Read(string path, ImageDecoderOptions? options = null)
    {
        options ??= ImageDecoderOptions.Default;
        using var file = ImageFiles.ReadBounded(path, options);
        return Read(file.Span, path, options);
    }

    /// <summary>Reads a label map from PNG bytes; <paramref name="sourceName"/> names it in errors.</summary>
    public static LabelMap Read(ReadOnlySpan<byte> png, string sourceName, ImageDecoderOptions? options = null)
    {
        PngInfo info = PngDecoder.ReadInfo(png, sourceName);
        switch (info.ColorType)
        {
            case PngColorType.Indexed:
                IndexedImage indexed = PngDecoder.ReadIndexed(png, sourceName, options);
                return new LabelMap(indexed.Width, indexed.Height, indexed.Indices);
            case PngColorType.Gray when info.BitDepth <= 8:
                GrayImage gray = PngDecoder.ReadGray8(png, sourceName, options);
                return new LabelMap(gray.Width, gray.Height, gray.Data);
            default:
                throw new ImageFormatException(sourceName, "a label map: an 8-bit palette or gray PNG of class ids",
                    $"colour type is {info.ColorType} ({info.BitDepth}-bit)");
        }
    }

    /// <summary>
    /// Writes <paramref name="map"/> to <paramref name="path"/> as an 8-bit palette PNG, atomically; the palette is
    /// <paramref name="palette"/> or PASCAL VOC's 256 colours (255, ignore, is the cream VOC draws borders in).
    /// </summary>
    public static void Write(string path, LabelMap map, ColorPalette? palette = null)
    {
        ArgumentNullException.ThrowIfNull(map);
        PngEncoder.Save(new IndexedImage(map.Width, map.Height, map.Data, palette ?? ColorPalette.PascalVoc), path);
    }
}
