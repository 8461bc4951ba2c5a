using System.Text.Json;
using SegKit.Datasets.Coco;
using SegKit.Datasets.Voc;
using SegKit.Masks;

namespace SegKit.Datasets.Conversion;

/// <summary>Options of <see cref="VocToCoco"/>.</summary>
public sealed record VocToCocoOptions
{
    /// <summary>RLE masks, void region kept.</summary>
    public static VocToCocoOptions Default { get; } = new();

    /// <summary>How masks are written (RLE, exact, by default).</summary>
    public CocoMaskFormat MaskFormat { get; init; } = CocoMaskFormat.Rle;

    /// <summary>
    /// Keep each image's void pixels (255 in the class map) as the image field <see cref="VocToCoco.IgnoreField"/> (an RLE),
    /// which COCO tools ignore and <see cref="CocoToVoc"/> paints back as 255. Default true.
    /// </summary>
    public bool KeepIgnoreRegion { get; init; } = true;
}

/// <summary>A conversion's output and what it could not carry over.</summary>
/// <param name="Dataset">The COCO dataset.</param>
/// <param name="Warnings">One line per image with pixels that had to be left out (e.g. object pixels of class 0).</param>
public sealed record CocoConversion(CocoDataset Dataset, IReadOnlyList<string> Warnings);

/// <summary>
/// PASCAL VOC segmentation → COCO instances. Per image: every (object index k, class c) pair of
/// <c>SegmentationObject</c> × <c>SegmentationClass</c> becomes one annotation of category c (k and c from 1 to 254)
/// with the object index kept as the annotation field <see cref="ObjectField"/>; class pixels outside any object become
/// one annotation per class with <see cref="ObjectField"/> 0 (no field when the image has no object map at all). 0 is background and 255 void:
/// neither is an annotation; void is kept per image (<see cref="VocToCocoOptions.KeepIgnoreRegion"/>). Categories are
/// the label set's classes 1..N−1 (id = class id). Images are numbered 1.. in sample order with
/// <c>file_name</c> = the photo's file name. With RLE masks, <see cref="CocoToVoc"/> gives back the same label maps.
/// </summary>
public static class VocToCoco
{
    /// <summary>Image field holding the void region as <c>{size, counts}</c>.</summary>
    public const string IgnoreField = "segkit_ignore";

    /// <summary>Annotation field holding the VOC object index (1..254; 0 for class pixels that belong to no object).</summary>
    public const string ObjectField = "voc_object";

    /// <summary>Converts the samples of <paramref name="split"/> (every sample with a class map when null).</summary>
    public static CocoConversion Convert(VocDataset dataset, string? split, VocToCocoOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        return Convert(split is null ? dataset.AllSamples() : dataset.Samples(split), dataset.Labels, options);
    }

    /// <summary>Converts <paramref name="samples"/>; <paramref name="labels"/> names the categories.</summary>
    /// <exception cref="VocDatasetException">A label map is missing, unreadable, or the two maps differ in size.</exception>
    public static CocoConversion Convert(IEnumerable<VocSample> samples, LabelSet labels, VocToCocoOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(labels);
        options ??= VocToCocoOptions.Default;
        var images = new List<CocoImage>();
        var annotations = new List<CocoAnnotation>();
        var warnings = new List<string>();
        var extraClasses = new SortedSet<int>();
        long nextAnnotation = 1;
        foreach (VocSample s in samples)
        {
            LabelMap cls = s.ReadClassMap();
            LabelMap? obj = s.HasObjectMap ? s.ReadObjectMap() : null;
            if (obj is not null && (obj.Width != cls.Width || obj.Height != cls.Height))
                throw new VocDatasetException(s.ObjectMapPath, $"{obj.Width}×{obj.Height} but the class map is {cls.Width}×{cls.Height}", s.ListFile);
            long imageId = images.Count + 1;
            CocoExtras? extra = null;
            if (options.KeepIgnoreRegion && Array.IndexOf(cls.Data, LabelMap.Ignore) >= 0)
            {
                CocoRle ignore = MaskEncoding.Rle(cls.Width, cls.Height, i => cls.Data[i] == LabelMap.Ignore);
                extra = CocoExtras.Build(w => WriteRle(w, IgnoreField, ignore));
            }
            images.Add(new CocoImage(imageId, cls.Width, cls.Height, Path.GetFileName(s.ImagePath)) { Extra = extra });
            IReadOnlyList<CocoAnnotation> imageAnnotations = ImageAnnotations(cls, obj, imageId, options.MaskFormat, ref nextAnnotation, out long dropped);
            foreach (CocoAnnotation a in imageAnnotations)
            {
                annotations.Add(a);
                if (a.CategoryId >= labels.Count) extraClasses.Add((int)a.CategoryId);
            }
            if (dropped > 0)
                warnings.Add($"{s.ObjectMapPath}: {dropped} object pixel(s) are background or void in the class map; they are in no annotation");
        }
        var categories = Enumerable.Range(1, labels.Count - 1).Select(c => new CocoCategory(c, labels.Names[c], null))
            .Concat(extraClasses.Select(c => new CocoCategory(c, $"class{c}", null))).ToArray();
        return new CocoConversion(new CocoDataset(images, categories, annotations), warnings);
    }

    /// <summary>
    /// The annotations of one image from its class map and (optional) object map, numbered from <paramref name="nextId"/>;
    /// <paramref name="droppedPixels"/> counts object pixels whose class is 0 or 255.
    /// </summary>
    public static IReadOnlyList<CocoAnnotation> ImageAnnotations(LabelMap classMap, LabelMap? objectMap, long imageId, CocoMaskFormat format,
        ref long nextId, out long droppedPixels)
    {
        ArgumentNullException.ThrowIfNull(classMap);
        byte[] c = classMap.Data;
        byte[]? o = objectMap?.Data;
        int w = classMap.Width, h = classMap.Height;
        // Which (object, class) pairs occur: one bit per pair, 256 × 256.
        var present = new bool[256 * 256];
        droppedPixels = 0;
        for (int i = 0; i < c.Length; i++)
        {
            int k = o is null ? 0 : o[i], cl = c[i];
            if (k == LabelMap.Ignore) k = 0;
            if (cl == 0 || cl == LabelMap.Ignore)
            {
                if (k != 0) droppedPixels++;
                continue;
            }
            present[k * 256 + cl] = true;
        }
        var result = new List<CocoAnnotation>();
        // Objects first in index order, then class pixels outside any object.
        foreach (int k in Enumerable.Range(1, 254).Append(0))
        {
            for (int cl = 1; cl < 255; cl++)
            {
                if (!present[k * 256 + cl]) continue;
                int kk = k, cc = cl;
                CocoRle rle = MaskEncoding.Rle(w, h, o is null
                    ? i => c[i] == cc
                    : i => c[i] == cc && (o[i] == LabelMap.Ignore ? 0 : o[i]) == kk);
                CocoExtras? extra = o is null ? null : CocoExtras.Build(x => x.WriteNumber(ObjectField, kk));
                result.Add(MaskEncoding.Annotation(nextId++, imageId, cl, rle, format, extra));
            }
        }
        return result;
    }

    internal static void WriteRle(Utf8JsonWriter w, string name, CocoRle rle)
    {
        w.WriteStartObject(name);
        w.WriteStartArray("size");
        w.WriteNumberValue(rle.Height);
        w.WriteNumberValue(rle.Width);
        w.WriteEndArray();
        w.WriteString("counts", rle.ToCompressedString());
        w.WriteEndObject();
    }
}
