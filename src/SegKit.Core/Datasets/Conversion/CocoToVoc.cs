using System.Text.Json;
using SegKit.Datasets.Coco;
using SegKit.Datasets.Voc;
using SegKit.Masks;

namespace SegKit.Datasets.Conversion;

/// <summary>What COCO → VOC does with crowd annotations.</summary>
public enum CocoCrowdHandling
{
    /// <summary>Crowd pixels become 255 (void) in both maps: COCO evaluation ignores detections there too. Default.</summary>
    Ignore,

    /// <summary>Crowds are painted like other annotations (torchvision's segmentation reference does this).</summary>
    Paint,

    /// <summary>Crowds are left out.</summary>
    Skip,
}

/// <summary>What COCO → VOC does where annotations overlap.</summary>
public enum CocoOverlapHandling
{
    /// <summary>Pixels claimed by two or more painted annotations become 255, as torchvision's segmentation reference (<c>target[masks.sum(0) &gt; 1] = 255</c>). Default.</summary>
    Ignore,

    /// <summary>Later annotations (file order) paint over earlier ones.</summary>
    LaterOnTop,
}

/// <summary>Options of <see cref="CocoToVoc"/>.</summary>
public sealed record CocoToVocOptions
{
    /// <summary>Category id = class id, crowds and overlaps void.</summary>
    public static CocoToVocOptions Default { get; } = new();

    /// <summary>
    /// Class id (1..254) per category id; categories not in the map are left out. Null: the category id is the class id,
    /// which must then be 1..254 (as for datasets made by <see cref="VocToCoco"/>). See <see cref="CocoToVoc.ClassesByOrder"/>
    /// and <see cref="CocoToVoc.ClassesByName"/> for COCO's own 80 categories.
    /// </summary>
    public IReadOnlyDictionary<long, byte>? CategoryToClass { get; init; }

    /// <summary>Crowd annotations (default: void).</summary>
    public CocoCrowdHandling Crowd { get; init; } = CocoCrowdHandling.Ignore;

    /// <summary>Overlaps (default: void).</summary>
    public CocoOverlapHandling Overlap { get; init; } = CocoOverlapHandling.Ignore;

    /// <summary>Paint an image's <see cref="VocToCoco.IgnoreField"/> region as 255. Default true.</summary>
    public bool UseIgnoreRegion { get; init; } = true;
}

/// <summary>One image's VOC label maps.</summary>
/// <param name="ClassMap">Class id per pixel (0 background, 255 void).</param>
/// <param name="ObjectMap">Object index per pixel (0 none, 255 void).</param>
public sealed record VocLabelMaps(LabelMap ClassMap, LabelMap ObjectMap);

/// <summary>
/// COCO instances → PASCAL VOC label maps. Each annotation's mask is rasterized exactly as pycocotools' <c>annToRLE</c>
/// does (polygons merged, RLEs as written) and painted with its class; objects are numbered by the annotation field
/// <see cref="VocToCoco.ObjectField"/> when present (0: class pixels of no object), else 1, 2, ... in annotation order. Crowds and overlaps follow
/// <see cref="CocoToVocOptions"/>; annotations without a segmentation are skipped.
/// </summary>
public static class CocoToVoc
{
    /// <summary>Paints the label maps of <paramref name="image"/> from its <paramref name="annotations"/>.</summary>
    /// <exception cref="SegKitException">A category has no class (id outside 1..254 with no map), or the image has more than 254 objects.</exception>
    public static VocLabelMaps Rasterize(CocoImage image, IEnumerable<CocoAnnotation> annotations, CocoToVocOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(annotations);
        options ??= CocoToVocOptions.Default;
        int w = image.Width, h = image.Height;
        var cls = new LabelMap(w, h);
        var obj = new LabelMap(w, h);
        var claims = new byte[cls.Data.Length];
        var crowdRles = new List<CocoRle>();
        int nextObject = 1;
        foreach (CocoAnnotation a in annotations)
        {
            if (a.Segmentation is null) continue;
            if (a.IsCrowd && options.Crowd == CocoCrowdHandling.Skip) continue;
            byte? c = ClassOf(a.CategoryId, options, image);
            if (c is null) continue;
            CocoRle rle = a.Segmentation.ToRle(h, w);
            if (rle.Height != h || rle.Width != w)
                throw new SegKitException($"image {image.Id}: annotation {a.Id}'s RLE is {rle.Height}×{rle.Width}, the image {h}×{w}");
            if (a.IsCrowd && options.Crowd == CocoCrowdHandling.Ignore)
            {
                crowdRles.Add(rle);
                continue;
            }
            int k = ObjectIndex(a) ?? nextObject;
            if (k > 0) nextObject = Math.Max(nextObject, k + 1);
            if (k > 254) throw new SegKitException($"image {image.Id}: more than 254 objects; a VOC object map holds 1..254");
            byte kb = (byte)k, cb = c.Value;
            MaskEncoding.ForEachPixel(rle, i =>
            {
                cls.Data[i] = cb;
                obj.Data[i] = kb;
                if (claims[i] < 2) claims[i]++;
            });
        }
        if (options.Overlap == CocoOverlapHandling.Ignore)
            for (int i = 0; i < claims.Length; i++)
                if (claims[i] > 1) cls.Data[i] = obj.Data[i] = LabelMap.Ignore;
        foreach (CocoRle crowd in crowdRles)
            MaskEncoding.ForEachPixel(crowd, i => cls.Data[i] = obj.Data[i] = LabelMap.Ignore);
        if (options.UseIgnoreRegion && IgnoreRegion(image) is CocoRle ignore)
            MaskEncoding.ForEachPixel(ignore, i => cls.Data[i] = obj.Data[i] = LabelMap.Ignore);
        return new VocLabelMaps(cls, obj);
    }

    /// <summary>
    /// Writes <paramref name="coco"/> as a VOC dataset through <paramref name="writer"/>: per image (id = <c>file_name</c>'s
    /// stem, or the image id when there is none) its class and object maps, an annotation XML (objects in object order,
    /// boxes from the annotations' bbox), the photo copied from <paramref name="imageFolder"/> when given and present,
    /// and the id in list <paramref name="split"/>. Image lists are written at the end.
    /// </summary>
    public static void Write(CocoDataset coco, VocDatasetWriter writer, string split = "train", string? imageFolder = null, CocoToVocOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(coco);
        ArgumentNullException.ThrowIfNull(writer);
        options ??= CocoToVocOptions.Default;
        var byImage = coco.Annotations.GroupBy(a => a.ImageId).ToDictionary(g => g.Key, g => g.ToList());
        var names = new Dictionary<long, string>();
        foreach (CocoCategory c in coco.Categories) names[c.Id] = c.Name;
        foreach (CocoImage image in coco.Images)
        {
            string id = image.FileName is { Length: > 0 } f ? Path.GetFileNameWithoutExtension(f) : image.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
            List<CocoAnnotation> anns = byImage.TryGetValue(image.Id, out var l) ? l : [];
            VocLabelMaps maps = Rasterize(image, anns, options);
            writer.WriteClassMap(id, maps.ClassMap);
            writer.WriteObjectMap(id, maps.ObjectMap);
            writer.WriteAnnotation(id, Annotation(image, anns, names, options));
            if (imageFolder is not null && image.FileName is not null && File.Exists(Path.Combine(imageFolder, image.FileName)))
                writer.CopyImage(id, Path.Combine(imageFolder, image.FileName));
            writer.AddToSplit(split, id);
        }
        writer.WriteImageSets();
    }

    /// <summary>Classes 1.. for the categories in ascending id order (COCO's 80 become 1..80).</summary>
    public static IReadOnlyDictionary<long, byte> ClassesByOrder(IEnumerable<CocoCategory> categories)
    {
        ArgumentNullException.ThrowIfNull(categories);
        long[] ids = categories.Select(c => c.Id).Distinct().Order().ToArray();
        if (ids.Length > 254) throw new ArgumentException($"{ids.Length} categories; a VOC class map holds 1..254", nameof(categories));
        return ids.Select((id, i) => (id, i)).ToDictionary(p => p.id, p => (byte)(p.i + 1));
    }

    /// <summary>
    /// Classes of <paramref name="labels"/> for the categories whose name matches one of its names (ignoring case, spaces
    /// and hyphens; COCO's <c>airplane</c>, <c>motorcycle</c>, <c>couch</c>, <c>potted plant</c>, <c>dining table</c>
    /// and <c>tv</c> match VOC's names). Other categories are left out.
    /// </summary>
    public static IReadOnlyDictionary<long, byte> ClassesByName(IEnumerable<CocoCategory> categories, LabelSet labels)
    {
        ArgumentNullException.ThrowIfNull(categories);
        ArgumentNullException.ThrowIfNull(labels);
        static string Key(string s) => new string(s.Where(char.IsLetterOrDigit).ToArray()).ToLowerInvariant() switch
        {
            "airplane" => "aeroplane",
            "motorcycle" => "motorbike",
            "couch" => "sofa",
            "tv" => "tvmonitor",
            var k => k,
        };
        var byName = new Dictionary<string, byte>();
        for (int i = 1; i < Math.Min(labels.Count, 255); i++) byName.TryAdd(Key(labels.Names[i]), (byte)i);
        var map = new Dictionary<long, byte>();
        foreach (CocoCategory c in categories)
            if (byName.TryGetValue(Key(c.Name), out byte cls)) map[c.Id] = cls;
        return map;
    }

    private static VocAnnotation Annotation(CocoImage image, List<CocoAnnotation> anns, Dictionary<long, string> names, CocoToVocOptions options)
    {
        var objects = new List<(int K, VocObject O)>();
        int next = 1;
        foreach (CocoAnnotation a in anns)
        {
            if (a.Segmentation is null || a.IsCrowd && options.Crowd != CocoCrowdHandling.Paint) continue;
            if (ClassOf(a.CategoryId, options, image) is null) continue;
            int k = ObjectIndex(a) ?? next;
            if (k == 0) continue; // class pixels outside any object: not a VOC object
            next = Math.Max(next, k + 1);
            CocoBoxXywh b = a.Bbox ?? a.Segmentation.ToRle(image.Height, image.Width).ToBboxXywh();
            objects.Add((k, new VocObject(names.GetValueOrDefault(a.CategoryId, $"class{a.CategoryId}"),
                new VocBndBox(b.X + 1, b.Y + 1, b.X + b.Width, b.Y + b.Height), Pose: "Unspecified")));
        }
        return new VocAnnotation(image.FileName, image.Width, image.Height, 3, Segmented: true,
            objects.OrderBy(o => o.K).Select(o => o.O).ToArray());
    }

    private static byte? ClassOf(long categoryId, CocoToVocOptions options, CocoImage image)
    {
        if (options.CategoryToClass is { } map) return map.TryGetValue(categoryId, out byte c) ? c : null;
        if (categoryId is < 1 or > 254)
            throw new SegKitException($"image {image.Id}: category {categoryId} cannot be a VOC class id (1..254); pass CategoryToClass (e.g. CocoToVoc.ClassesByOrder)");
        return (byte)categoryId;
    }

    private static int? ObjectIndex(CocoAnnotation a) =>
        a.Extra is { } e && e.TryGetValue(VocToCoco.ObjectField, out JsonElement v) && v.TryGetInt32(out int k) && k is >= 0 and <= 254 ? k : null;

    private static CocoRle? IgnoreRegion(CocoImage image)
    {
        if (image.Extra is null || !image.Extra.TryGetValue(VocToCoco.IgnoreField, out JsonElement v)) return null;
        CocoSegmentation s = CocoJson.Segmentation(v, $"image {image.Id}: {VocToCoco.IgnoreField}");
        if (s.Rle is not { } r || r.Height != image.Height || r.Width != image.Width)
            throw new SegKitException($"image {image.Id}: {VocToCoco.IgnoreField} must be an RLE of the image's size [{image.Height}, {image.Width}]");
        return r;
    }
}
