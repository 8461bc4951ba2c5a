using SegKit.Imaging;
using SegKit.Masks;

namespace SegKit.Datasets.Voc;

/// <summary>
/// A PASCAL VOC segmentation dataset on disk, in the devkit layout of <c>VOCdevkit/VOC2012</c>:
/// <code>
/// JPEGImages/&lt;id&gt;.jpg                 the photo
/// SegmentationClass/&lt;id&gt;.png          palette PNG: class id per pixel (0 background, 1..20, 255 void border)
/// SegmentationObject/&lt;id&gt;.png         palette PNG: object index per pixel (k = k-th object of the XML, 0 none, 255 void)
/// Annotations/&lt;id&gt;.xml                size and objects (name, bndbox, difficult...)
/// ImageSets/Segmentation/&lt;split&gt;.txt  one id per line (train, val, trainval)
/// </code>
/// Nothing is read until asked for; a missing or unreadable file raises <see cref="VocDatasetException"/> naming it and
/// the list that referenced it.
/// </summary>
public sealed class VocDataset
{
    /// <summary>Photo folder name.</summary>
    public const string ImagesFolder = "JPEGImages";
    /// <summary>Class label-map folder name.</summary>
    public const string ClassFolder = "SegmentationClass";
    /// <summary>Object label-map folder name.</summary>
    public const string ObjectFolder = "SegmentationObject";
    /// <summary>Annotation XML folder name.</summary>
    public const string AnnotationsFolder = "Annotations";
    /// <summary>Segmentation image lists, relative to the root.</summary>
    public static readonly string ListsFolder = Path.Combine("ImageSets", "Segmentation");

    private VocDataset(string root, LabelSet labels)
    {
        Root = root;
        Labels = labels;
    }

    /// <summary>The dataset folder (the one holding JPEGImages, SegmentationClass...).</summary>
    public string Root { get; }

    /// <summary>Class names and palette; class id = index (VOC's 21 unless another set was given).</summary>
    public LabelSet Labels { get; }

    /// <summary>
    /// Opens a dataset at <paramref name="path"/>: a <c>VOC2012</c>-style folder, or a <c>VOCdevkit</c> folder holding exactly
    /// one such folder. <paramref name="labels"/> names the classes (default <see cref="LabelSet.Voc"/>).
    /// </summary>
    /// <exception cref="VocDatasetException">The folder is missing or has none of the VOC sub-folders.</exception>
    public static VocDataset Open(string path, LabelSet? labels = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        string root = Path.GetFullPath(path);
        if (!Directory.Exists(root)) throw new VocDatasetException(root, "dataset folder not found");
        if (!LooksLikeVoc(root))
        {
            string[] inner = Directory.GetDirectories(root).Where(LooksLikeVoc).Order(StringComparer.Ordinal).ToArray();
            root = inner.Length switch
            {
                1 => inner[0],
                0 => throw new VocDatasetException(root, $"not a VOC dataset folder: none of {ImagesFolder}, {ClassFolder}, {ListsFolder} found"),
                _ => throw new VocDatasetException(root, "holds several VOC datasets (" + string.Join(", ", inner.Select(Path.GetFileName)) + "); open one of them"),
            };
        }
        return new VocDataset(root, labels ?? LabelSet.Voc);
    }

    private static bool LooksLikeVoc(string dir) =>
        Directory.Exists(Path.Combine(dir, ImagesFolder)) || Directory.Exists(Path.Combine(dir, ClassFolder)) || Directory.Exists(Path.Combine(dir, ListsFolder));

    /// <summary>The splits that have a list file, sorted (e.g. <c>train</c>, <c>trainval</c>, <c>val</c>).</summary>
    public IReadOnlyList<string> Splits
    {
        get
        {
            string dir = Path.Combine(Root, ListsFolder);
            return Directory.Exists(dir)
                ? Directory.GetFiles(dir, "*.txt").Select(f => Path.GetFileNameWithoutExtension(f)).Order(StringComparer.Ordinal).ToArray()
                : [];
        }
    }

    /// <summary>The list file of <paramref name="split"/>.</summary>
    public string ListFile(string split) => Path.Combine(Root, ListsFolder, split + ".txt");

    /// <summary>
    /// The ids in <paramref name="split"/>'s list, in file order (the first word of each non-empty line, so the two-column
    /// <c>Main</c> lists read too).
    /// </summary>
    /// <exception cref="VocDatasetException">The list is missing or unreadable.</exception>
    public IReadOnlyList<string> ReadIds(string split)
    {
        ArgumentNullException.ThrowIfNull(split);
        string list = ListFile(split);
        string[] lines;
        try
        {
            lines = File.ReadAllLines(list);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new VocDatasetException(list, $"split list not found (splits here: {string.Join(", ", Splits.DefaultIfEmpty("none"))})", null, e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new VocDatasetException(list, "cannot be read: " + e.Message, null, e);
        }
        var ids = new List<string>(lines.Length);
        foreach (string line in lines)
        {
            string t = line.Trim();
            if (t.Length == 0) continue;
            int space = t.IndexOfAny([' ', '\t']);
            ids.Add(space < 0 ? t : t[..space]);
        }
        return ids;
    }

    /// <summary>The samples of <paramref name="split"/>, in list order; each remembers the list for its errors.</summary>
    public IReadOnlyList<VocSample> Samples(string split) =>
        ReadIds(split).Select(id => new VocSample(this, id, ListFile(split))).ToArray();

    /// <summary>
    /// Every sample that has a class label map (or, when there are none, a photo), sorted by id: for folders without
    /// image lists, such as predictions.
    /// </summary>
    public IReadOnlyList<VocSample> AllSamples()
    {
        string classes = Path.Combine(Root, ClassFolder);
        string images = Path.Combine(Root, ImagesFolder);
        IEnumerable<string> files = Directory.Exists(classes) ? Directory.EnumerateFiles(classes, "*.png")
            : Directory.Exists(images) ? Directory.EnumerateFiles(images).Where(f => VocSample.ImageExtensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
            : [];
        return files.Select(f => Path.GetFileNameWithoutExtension(f)).Distinct().Order(StringComparer.Ordinal)
            .Select(id => new VocSample(this, id, null)).ToArray();
    }

    /// <summary>The sample <paramref name="id"/> (not checked for existence).</summary>
    public VocSample Sample(string id) => new(this, id, null);
}

/// <summary>
/// One image of a <see cref="VocDataset"/>: its file paths and readers. Readers raise <see cref="VocDatasetException"/>
/// naming the file and <see cref="ListFile"/> for a missing or unreadable file.
/// </summary>
public sealed class VocSample
{
    internal static readonly string[] ImageExtensions = [".jpg", ".jpeg", ".png"];

    internal VocSample(VocDataset dataset, string id, string? listFile)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        if (id.IndexOfAny(['/', '\\']) >= 0 || id is "." or "..")
            throw new VocDatasetException(Path.Combine(dataset.Root, id), "an id must be a plain file name", listFile);
        Id = id;
        ListFile = listFile;
        string images = Path.Combine(dataset.Root, VocDataset.ImagesFolder);
        ImagePath = ImageExtensions.Select(e => Path.Combine(images, id + e)).FirstOrDefault(File.Exists) ?? Path.Combine(images, id + ".jpg");
        ClassMapPath = Path.Combine(dataset.Root, VocDataset.ClassFolder, id + ".png");
        ObjectMapPath = Path.Combine(dataset.Root, VocDataset.ObjectFolder, id + ".png");
        AnnotationPath = Path.Combine(dataset.Root, VocDataset.AnnotationsFolder, id + ".xml");
    }

    /// <summary>The image id (file stem, e.g. <c>2007_000032</c>).</summary>
    public string Id { get; }

    /// <summary>The list file this sample was read from, or null.</summary>
    public string? ListFile { get; }

    /// <summary><c>JPEGImages/&lt;id&gt;.jpg</c> (or the .jpeg / .png that exists).</summary>
    public string ImagePath { get; }

    /// <summary><c>SegmentationClass/&lt;id&gt;.png</c>.</summary>
    public string ClassMapPath { get; }

    /// <summary><c>SegmentationObject/&lt;id&gt;.png</c>.</summary>
    public string ObjectMapPath { get; }

    /// <summary><c>Annotations/&lt;id&gt;.xml</c>.</summary>
    public string AnnotationPath { get; }

    /// <summary>Whether the object label map exists (VOC has them only for the segmentation sets).</summary>
    public bool HasObjectMap => File.Exists(ObjectMapPath);

    /// <summary>Whether the annotation XML exists.</summary>
    public bool HasAnnotation => File.Exists(AnnotationPath);

    /// <summary>Decodes the photo (HWC RGB, PIL-exact).</summary>
    public RgbImage ReadImage(ImageDecoderOptions? options = null) => Guard(ImagePath, () => ImageDecoder.DecodeRgb(ImagePath, options));

    /// <summary>Reads the class label map (class id per pixel, 255 void).</summary>
    public LabelMap ReadClassMap() => Guard(ClassMapPath, () => LabelMapFile.Read(ClassMapPath));

    /// <summary>Reads the object label map (object index per pixel, 0 none, 255 void).</summary>
    public LabelMap ReadObjectMap() => Guard(ObjectMapPath, () => LabelMapFile.Read(ObjectMapPath));

    /// <summary>Reads the annotation XML.</summary>
    public VocAnnotation ReadAnnotation() => VocAnnotation.Load(AnnotationPath, ListFile);

    /// <inheritdoc/>
    public override string ToString() => Id;

    private T Guard<T>(string path, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new VocDatasetException(path, "not found", ListFile, e);
        }
        catch (Exception e) when (e is ImageFormatException or ImageLimitExceededException)
        {
            string detail = e.Message.StartsWith(path + ": ", StringComparison.Ordinal) ? e.Message[(path.Length + 2)..] : e.Message;
            throw new VocDatasetException(path, "unreadable: " + detail, ListFile, e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new VocDatasetException(path, "cannot be read: " + e.Message, ListFile, e);
        }
    }
}
