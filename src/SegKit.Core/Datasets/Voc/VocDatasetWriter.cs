using SegKit.Imaging;
using SegKit.Masks;

namespace SegKit.Datasets.Voc;

/// <summary>How <see cref="VocDatasetWriter"/> encodes photos.</summary>
public sealed record VocWriterOptions
{
    /// <summary>JPEG quality 95, VOC's palette for label maps.</summary>
    public static VocWriterOptions Default { get; } = new();

    /// <summary>JPEG options for <see cref="VocDatasetWriter.WriteImage"/>.</summary>
    public JpegEncoderOptions Jpeg { get; init; } = new() { Quality = 95 };

    /// <summary>The label-map palette (VOC's 256 colours by default).</summary>
    public ColorPalette Palette { get; init; } = ColorPalette.PascalVoc;
}

/// <summary>
/// Writes a dataset in the <see cref="VocDataset"/> layout. Every file is written atomically; image lists are written by
/// <see cref="WriteImageSets"/> (call it last). Not thread-safe for <see cref="AddToSplit"/>; the file writers may run in parallel.
/// </summary>
public sealed class VocDatasetWriter
{
    private readonly Dictionary<string, List<string>> _splits = new(StringComparer.Ordinal);
    private readonly VocWriterOptions _options;

    /// <summary>Writes under <paramref name="root"/> (created with its sub-folders as needed).</summary>
    public VocDatasetWriter(string root, VocWriterOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(root);
        Root = Path.GetFullPath(root);
        _options = options ?? VocWriterOptions.Default;
        Directory.CreateDirectory(Root);
    }

    /// <summary>The dataset folder.</summary>
    public string Root { get; }

    /// <summary>Encodes <paramref name="image"/> as <c>JPEGImages/&lt;id&gt;.jpg</c>.</summary>
    public string WriteImage(string id, RgbImage image)
    {
        string path = PathFor(VocDataset.ImagesFolder, id, ".jpg");
        JpegEncoder.Save(image, path, _options.Jpeg);
        return path;
    }

    /// <summary>Copies an encoded photo byte for byte (no re-encoding) to <c>JPEGImages/&lt;id&gt;</c> with the source's extension.</summary>
    public string CopyImage(string id, string sourcePath)
    {
        ArgumentNullException.ThrowIfNull(sourcePath);
        string ext = Path.GetExtension(sourcePath).ToLowerInvariant() is { Length: > 0 } e ? e : ".jpg";
        string path = PathFor(VocDataset.ImagesFolder, id, ext);
        using FileStream src = File.OpenRead(sourcePath);
        AtomicFile.Write(path, s => src.CopyTo(s));
        return path;
    }

    /// <summary>Writes <c>SegmentationClass/&lt;id&gt;.png</c> (palette PNG of class ids).</summary>
    public string WriteClassMap(string id, LabelMap map)
    {
        string path = PathFor(VocDataset.ClassFolder, id, ".png");
        LabelMapFile.Write(path, map, _options.Palette);
        return path;
    }

    /// <summary>Writes <c>SegmentationObject/&lt;id&gt;.png</c> (palette PNG of object indices).</summary>
    public string WriteObjectMap(string id, LabelMap map)
    {
        string path = PathFor(VocDataset.ObjectFolder, id, ".png");
        LabelMapFile.Write(path, map, _options.Palette);
        return path;
    }

    /// <summary>Writes <c>Annotations/&lt;id&gt;.xml</c>.</summary>
    public string WriteAnnotation(string id, VocAnnotation annotation)
    {
        ArgumentNullException.ThrowIfNull(annotation);
        string path = PathFor(VocDataset.AnnotationsFolder, id, ".xml");
        annotation.Save(path);
        return path;
    }

    /// <summary>Appends <paramref name="id"/> to <paramref name="split"/>'s list (written by <see cref="WriteImageSets"/>).</summary>
    public void AddToSplit(string split, string id)
    {
        CheckName(split, nameof(split));
        CheckName(id, nameof(id));
        if (!_splits.TryGetValue(split, out List<string>? ids)) _splits[split] = ids = [];
        ids.Add(id);
    }

    /// <summary>
    /// Writes <c>ImageSets/Segmentation/&lt;split&gt;.txt</c> for every split given ids, one id per line. When
    /// <c>train</c> and <c>val</c> were given and <c>trainval</c> was not, <c>trainval</c> is written as their union
    /// (sorted, as VOC's). Returns the list files written.
    /// </summary>
    public IReadOnlyList<string> WriteImageSets()
    {
        var splits = new Dictionary<string, List<string>>(_splits, StringComparer.Ordinal);
        if (splits.TryGetValue("train", out var train) && splits.TryGetValue("val", out var val) && !splits.ContainsKey("trainval"))
            splits["trainval"] = train.Concat(val).Distinct().Order(StringComparer.Ordinal).ToList();
        var written = new List<string>();
        foreach (var (split, ids) in splits.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            string path = Path.Combine(Root, VocDataset.ListsFolder, split + ".txt");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            AtomicFile.WriteAllText(path, string.Concat(ids.Select(i => i + "\n")));
            written.Add(path);
        }
        return written;
    }

    private string PathFor(string folder, string id, string extension)
    {
        CheckName(id, nameof(id));
        string dir = Path.Combine(Root, folder);
        Directory.CreateDirectory(dir);
        return Path.Combine(dir, id + extension);
    }

    private static void CheckName(string name, string param)
    {
        ArgumentException.ThrowIfNullOrEmpty(name, param);
        if (name.IndexOfAny(['/', '\\', '\n', '\r']) >= 0 || name is "." or "..")
            throw new ArgumentException($"'{name}' is not a plain file name", param);
    }
}
