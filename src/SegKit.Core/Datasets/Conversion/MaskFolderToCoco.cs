using SegKit.Datasets.Coco;
using SegKit.Imaging;
using SegKit.Masks;

namespace SegKit.Datasets.Conversion;

/// <summary>What a folder of masks holds.</summary>
public enum MaskFolderLayout
{
    /// <summary>
    /// One label map per image (<c>&lt;stem&gt;.png</c>, palette or 8-bit gray, as <see cref="LabelMapFile"/> reads):
    /// each class id present (not 0, not the ignore id) becomes one annotation of that category.
    /// </summary>
    LabelMaps,

    /// <summary>
    /// One instance-id map per image (<c>&lt;stem&gt;.png</c>: palette, 8-bit gray or 16-bit gray): each id present (not 0;
    /// for 8-bit maps not the ignore id either) becomes one annotation of <see cref="MaskFolderOptions.Category"/>.
    /// </summary>
    InstanceMaps,

    /// <summary>
    /// One sub-folder per image (<c>&lt;stem&gt;/*.png</c>, as SAM's <c>amg.py</c> writes): each PNG is one binary mask
    /// (nonzero inside) and one annotation of <see cref="MaskFolderOptions.Category"/>, in file-name order.
    /// </summary>
    BinaryMasks,
}

/// <summary>Options of <see cref="MaskFolderToCoco"/>.</summary>
public sealed record MaskFolderOptions
{
    /// <summary>Label maps, VOC names, RLE.</summary>
    public static MaskFolderOptions Default { get; } = new();

    /// <summary>What the folder holds.</summary>
    public MaskFolderLayout Layout { get; init; } = MaskFolderLayout.LabelMaps;

    /// <summary>Category names for <see cref="MaskFolderLayout.LabelMaps"/> (class id = category id); classes past it are named <c>class&lt;id&gt;</c>.</summary>
    public LabelSet Labels { get; init; } = LabelSet.Voc;

    /// <summary>The id that is no label in 8-bit maps (255).</summary>
    public byte IgnoreId { get; init; } = LabelMap.Ignore;

    /// <summary>The category of every mask in the instance and binary layouts.</summary>
    public CocoCategory Category { get; init; } = new(1, "object", null);

    /// <summary>How masks are written (RLE by default).</summary>
    public CocoMaskFormat MaskFormat { get; init; } = CocoMaskFormat.Rle;

    /// <summary>
    /// A folder of photos: an image's <c>file_name</c> is the photo with the mask's stem (any of .jpg, .jpeg, .png) when
    /// one exists; otherwise <c>&lt;stem&gt;.jpg</c>.
    /// </summary>
    public string? ImageFolder { get; init; }
}

/// <summary>A folder of masks → COCO instances (images numbered 1.. in file-name order).</summary>
public static class MaskFolderToCoco
{
    /// <summary>Converts the masks in <paramref name="folder"/>.</summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="ImageFormatException">A mask is not a PNG of the expected kind; the message names it.</exception>
    public static CocoDataset Convert(string folder, MaskFolderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(folder);
        options ??= MaskFolderOptions.Default;
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"mask folder not found: {folder}");
        var images = new List<CocoImage>();
        var annotations = new List<CocoAnnotation>();
        var classes = new SortedSet<int>();
        long nextId = 1;
        IEnumerable<(string Stem, string[] Masks)> entries = options.Layout == MaskFolderLayout.BinaryMasks
            ? Directory.GetDirectories(folder).Order(StringComparer.Ordinal)
                .Select(d => (Path.GetFileName(d), Directory.GetFiles(d, "*.png").Order(StringComparer.Ordinal).ToArray()))
            : Directory.GetFiles(folder, "*.png").Order(StringComparer.Ordinal).Select(f => (Path.GetFileNameWithoutExtension(f), new[] { f }));
        foreach (var (stem, masks) in entries)
        {
            if (masks.Length == 0) continue;
            long imageId = images.Count + 1;
            int w, h;
            switch (options.Layout)
            {
                case MaskFolderLayout.LabelMaps:
                {
                    LabelMap map = LabelMapFile.Read(masks[0]);
                    (w, h) = (map.Width, map.Height);
                    long[] counts = map.ClassPixelCounts();
                    for (int c = 1; c < 256; c++)
                    {
                        if (counts[c] == 0 || c == options.IgnoreId) continue;
                        byte cb = (byte)c;
                        classes.Add(c);
                        annotations.Add(MaskEncoding.Annotation(nextId++, imageId, c,
                            MaskEncoding.Rle(w, h, i => map.Data[i] == cb), options.MaskFormat));
                    }
                    break;
                }
                case MaskFolderLayout.InstanceMaps:
                {
                    (ushort[] ids, w, h, bool wide) = ReadInstanceIds(masks[0]);
                    foreach (ushort v in ids.Distinct().Order())
                    {
                        if (v == 0 || !wide && v == options.IgnoreId) continue;
                        annotations.Add(MaskEncoding.Annotation(nextId++, imageId, options.Category.Id,
                            MaskEncoding.Rle(w, h, i => ids[i] == v), options.MaskFormat));
                    }
                    break;
                }
                default:
                {
                    (w, h) = (-1, -1);
                    foreach (string file in masks)
                    {
                        (ushort[] ids, int mw, int mh, _) = ReadInstanceIds(file);
                        if (w >= 0 && (mw, mh) != (w, h))
                            throw new ImageFormatException(file, $"a {w}×{h} mask like the others of {stem}", $"the mask is {mw}×{mh}");
                        (w, h) = (mw, mh);
                        annotations.Add(MaskEncoding.Annotation(nextId++, imageId, options.Category.Id,
                            MaskEncoding.Rle(w, h, i => ids[i] != 0), options.MaskFormat));
                    }
                    break;
                }
            }
            images.Add(new CocoImage(imageId, w, h, ImageFileName(stem, options.ImageFolder)));
        }
        IEnumerable<CocoCategory> categories = options.Layout == MaskFolderLayout.LabelMaps
            ? Enumerable.Range(1, options.Labels.Count - 1).Where(c => c != options.IgnoreId).Concat(classes.Where(c => c >= options.Labels.Count))
                .Select(c => new CocoCategory(c, c < options.Labels.Count ? options.Labels.Names[c] : $"class{c}", null))
            : [options.Category];
        return new CocoDataset(images, categories.ToArray(), annotations);
    }

    // Palette indices, gray 8-bit or gray 16-bit values, widened to 16 bits; "wide" for 16-bit files.
    private static (ushort[] Ids, int Width, int Height, bool Wide) ReadInstanceIds(string path)
    {
        byte[] png = File.ReadAllBytes(path);
        PngInfo info = PngDecoder.ReadInfo(png, path);
        if (info.ColorType == PngColorType.Gray && info.BitDepth == 16)
        {
            Gray16Image g = PngDecoder.ReadGray16(png, path);
            return (g.Data, g.Width, g.Height, true);
        }
        if (info.ColorType is PngColorType.Rgb or PngColorType.Rgba or PngColorType.GrayAlpha)
        {
            // Binary masks saved as RGB(A) by some tools: inside where any colour channel is nonzero.
            RgbImage rgb = PngDecoder.DecodeRgb(png, path);
            var v = new ushort[rgb.Width * rgb.Height];
            for (int i = 0; i < v.Length; i++) v[i] = (ushort)(rgb.Data[3 * i] | rgb.Data[3 * i + 1] | rgb.Data[3 * i + 2]);
            return (v, rgb.Width, rgb.Height, false);
        }
        LabelMap m = LabelMapFile.Read(png, path);
        return (Array.ConvertAll(m.Data, b => (ushort)b), m.Width, m.Height, false);
    }

    private static string ImageFileName(string stem, string? imageFolder)
    {
        if (imageFolder is not null)
            foreach (string ext in new[] { ".jpg", ".jpeg", ".png", ".JPG", ".JPEG", ".PNG" })
                if (File.Exists(Path.Combine(imageFolder, stem + ext))) return stem + ext;
        return stem + ".jpg";
    }
}
