using SegKit.Datasets.Coco;
using SegKit.Datasets.Voc;

namespace SegKit.Datasets;

/// <summary>What a <see cref="DatasetSource"/> was opened from.</summary>
public enum DatasetSourceKind
{
    /// <summary>A PASCAL VOC folder (<see cref="VocDataset"/>).</summary>
    Voc,

    /// <summary>A COCO instances JSON and its image folder.</summary>
    Coco,

    /// <summary>A plain folder of photos (searched recursively).</summary>
    ImageFolder,
}

/// <summary>One image of a dataset to run a model on.</summary>
/// <param name="Id">A name unique in the dataset, usable as a file stem for outputs (VOC id, COCO file stem, photo stem).</param>
/// <param name="ImagePath">The photo (not checked for existence: a missing one fails when it is read).</param>
public sealed record DatasetImage(string Id, string ImagePath)
{
    /// <summary>The COCO image id (what results must carry as <c>image_id</c>), for COCO sources.</summary>
    public long? CocoImageId { get; init; }

    /// <summary>The VOC class label map (ground truth for semantic evaluation), for VOC sources that have one.</summary>
    public string? ClassMapPath { get; init; }

    /// <summary>The size the COCO image entry gives (its <c>width</c> × <c>height</c>), which results' masks must have, for COCO sources.</summary>
    public Imaging.ImageSize? AnnotatedSize { get; init; }
}

/// <summary>Options of <see cref="DatasetSource.Open"/>.</summary>
public sealed record DatasetSourceOptions
{
    /// <summary>Defaults: VOC split <c>val</c> when listed, COCO images found beside the JSON.</summary>
    public static DatasetSourceOptions Default { get; } = new();

    /// <summary>VOC: the image list to use (default <c>val</c> when it exists, else every image with a class map, else every photo).</summary>
    public string? Split { get; init; }

    /// <summary>
    /// COCO: the folder that <c>file_name</c>s are relative to. Default: for <c>annotations/instances_&lt;set&gt;.json</c>
    /// the folder <c>&lt;set&gt;</c> beside <c>annotations</c> (COCO's layout) when it exists, else the JSON's folder.
    /// </summary>
    public string? ImageRoot { get; init; }

    /// <summary>
    /// A folder that is not part of the dataset, such as the output folder of a run: a folder of photos is not searched
    /// in it, and a VOC folder found in it without a JPEGImages folder is not taken for the dataset (a second run would
    /// otherwise read the first one's outputs as its input). Default null.
    /// </summary>
    public string? Exclude { get; init; }
}

/// <summary>
/// The images of a dataset given as a path: a VOC folder, a COCO instances JSON, or a folder of photos. This is what
/// <c>segkit predict</c> enumerates; outputs are named by <see cref="DatasetImage.Id"/>.
/// </summary>
public sealed class DatasetSource
{
    private DatasetSource(DatasetSourceKind kind, string path, IReadOnlyList<DatasetImage> images, VocDataset? voc, CocoDataset? coco,
        IReadOnlyList<SkippedFolder>? skippedFolders = null)
    {
        SkippedFolders = skippedFolders ?? [];
        Kind = kind;
        Path = path;
        Images = images;
        Voc = voc;
        Coco = coco;
    }

    /// <summary>What the source is.</summary>
    public DatasetSourceKind Kind { get; }

    /// <summary>The path it was opened from (full).</summary>
    public string Path { get; }

    /// <summary>The images, in dataset order (VOC list order, COCO <c>images</c> order, sorted paths for a folder).</summary>
    public IReadOnlyList<DatasetImage> Images { get; }

    /// <summary>
    /// Sub-folders of a folder of photos that were not searched: unreadable ones, and links to folders searched already
    /// (see <see cref="FolderWalk"/>). Empty for VOC and COCO sources.
    /// </summary>
    public IReadOnlyList<SkippedFolder> SkippedFolders { get; }

    /// <summary>The VOC dataset, for VOC sources (its <see cref="VocDataset.Labels"/> name the classes).</summary>
    public VocDataset? Voc { get; }

    /// <summary>The COCO ground truth, for COCO sources (its categories map predicted labels to <c>category_id</c>s).</summary>
    public CocoDataset? Coco { get; }

    /// <summary>
    /// Opens <paramref name="path"/>: a <c>.json</c> file is COCO; a folder with VOC sub-folders (or a VOCdevkit holding one)
    /// is VOC; any other folder is a folder of photos (.jpg, .jpeg, .png).
    /// </summary>
    /// <exception cref="FileNotFoundException">The path does not exist.</exception>
    /// <exception cref="SegKitException">A COCO file that cannot be read, a VOC list that is missing, or two images with the same id.</exception>
    public static DatasetSource Open(string path, DatasetSourceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        options ??= DatasetSourceOptions.Default;
        string full = System.IO.Path.GetFullPath(path);
        if (File.Exists(full)) return OpenCoco(full, options);
        if (!Directory.Exists(full)) throw new FileNotFoundException($"no such dataset file or folder: {path}", full);
        VocDataset? voc = null;
        try
        {
            voc = VocDataset.Open(full);
        }
        catch (VocDatasetException)
        {
            // Not VOC: a folder of photos.
        }
        string? exclude = options.Exclude is { Length: > 0 } x ? System.IO.Path.TrimEndingDirectorySeparator(System.IO.Path.GetFullPath(x)) : null;
        // A VOC folder in the excluded one that has no photos of its own (an earlier run's SegmentationClass/) is not the dataset.
        if (voc is not null && exclude is not null && IsWithin(voc.Root, exclude) && !Directory.Exists(System.IO.Path.Combine(voc.Root, VocDataset.ImagesFolder)))
            voc = null;
        return voc is not null ? OpenVoc(voc, options) : OpenFolder(full, exclude);
    }

    private static bool IsWithin(string path, string folder)
    {
        string p = System.IO.Path.TrimEndingDirectorySeparator(System.IO.Path.GetFullPath(path));
        return p == folder || p.StartsWith(folder + System.IO.Path.DirectorySeparatorChar, StringComparison.Ordinal);
    }

    private static DatasetSource OpenVoc(VocDataset voc, DatasetSourceOptions options)
    {
        string? split = options.Split ?? (voc.Splits.Contains("val") ? "val" : null);
        IReadOnlyList<VocSample> samples = split is null ? voc.AllSamples() : voc.Samples(split);
        var images = samples.Select(s => new DatasetImage(s.Id, s.ImagePath) { ClassMapPath = File.Exists(s.ClassMapPath) ? s.ClassMapPath : null }).ToArray();
        return new DatasetSource(DatasetSourceKind.Voc, voc.Root, CheckUnique(images, voc.Root), voc, null);
    }

    private static DatasetSource OpenCoco(string json, DatasetSourceOptions options)
    {
        CocoDataset coco = CocoDataset.Load(json, new CocoReadOptions { KeepExtraFields = false });
        string root = options.ImageRoot is { } r ? System.IO.Path.GetFullPath(r) : DefaultImageRoot(json);
        var images = coco.Images.Select(i => new DatasetImage(
            i.FileName is { Length: > 0 } f ? System.IO.Path.GetFileNameWithoutExtension(f) : i.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            System.IO.Path.Combine(root, i.FileName ?? "")) { CocoImageId = i.Id, AnnotatedSize = new Imaging.ImageSize(i.Width, i.Height) }).ToArray();
        return new DatasetSource(DatasetSourceKind.Coco, json, CheckUnique(images, json), null, coco);
    }

    // COCO's layout: annotations/instances_val2017.json next to val2017/.
    private static string DefaultImageRoot(string json)
    {
        string dir = System.IO.Path.GetDirectoryName(json)!;
        string stem = System.IO.Path.GetFileNameWithoutExtension(json);
        int us = stem.IndexOf('_');
        if (us > 0 && System.IO.Path.GetFileName(dir) == "annotations")
        {
            string candidate = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(dir)!, stem[(us + 1)..]);
            if (Directory.Exists(candidate)) return candidate;
        }
        return dir;
    }

    private static DatasetSource OpenFolder(string dir, string? exclude)
    {
        var listing = FolderWalk.Files(dir, f => VocSample.ImageExtensions.Contains(System.IO.Path.GetExtension(f).ToLowerInvariant()), exclude);
        var images = listing.Files.Select(f => new DatasetImage(System.IO.Path.GetFileNameWithoutExtension(f), f)).ToArray();
        return new DatasetSource(DatasetSourceKind.ImageFolder, dir, CheckUnique(images, dir), null, null, listing.Skipped);
    }

    private static DatasetImage[] CheckUnique(DatasetImage[] images, string source)
    {
        var clash = images.GroupBy(i => i.Id, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (clash is not null)
            throw new SegKitException($"{source}: {clash.Count()} images share the id '{clash.Key}' ({string.Join(", ", clash.Select(i => i.ImagePath).Take(3))}); outputs are named by id");
        return images;
    }
}
