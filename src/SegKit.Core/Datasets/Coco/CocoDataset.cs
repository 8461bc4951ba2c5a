using System.Text.Json;
using SegKit.Masks;

namespace SegKit.Datasets.Coco;

/// <summary>
/// A COCO instances file (<c>instances_*.json</c>): images, categories and annotations, plus every other field kept in
/// <see cref="Extra"/> so that <see cref="Save"/> writes back what <see cref="Load"/> read. Reading streams the file
/// one entry at a time (no DOM of the whole text).
/// </summary>
public sealed class CocoDataset
{
    /// <summary>Creates a dataset from its parts (kept as given).</summary>
    public CocoDataset(IReadOnlyList<CocoImage> images, IReadOnlyList<CocoCategory> categories, IReadOnlyList<CocoAnnotation> annotations)
    {
        Images = images ?? throw new ArgumentNullException(nameof(images));
        Categories = categories ?? throw new ArgumentNullException(nameof(categories));
        Annotations = annotations ?? throw new ArgumentNullException(nameof(annotations));
    }

    /// <summary>The <c>images</c> entries in file order.</summary>
    public IReadOnlyList<CocoImage> Images { get; }

    /// <summary>The <c>categories</c> entries in file order.</summary>
    public IReadOnlyList<CocoCategory> Categories { get; }

    /// <summary>The <c>annotations</c> entries in file order.</summary>
    public IReadOnlyList<CocoAnnotation> Annotations { get; }

    /// <summary>The file's other top-level fields (<c>info</c>, <c>licenses</c>...), written before <c>images</c>.</summary>
    public CocoExtras? Extra { get; init; }

    /// <summary>Problems a lenient read found; the entries they mark <c>Dropped</c> are not in the lists above.</summary>
    public IReadOnlyList<CocoDiagnostic> Diagnostics { get; init; } = [];

    /// <summary>Reads a ground-truth file (instances_*.json layout).</summary>
    /// <exception cref="CocoFormatException">Invalid JSON, a top level that is not a COCO object, or (strict) any problem.</exception>
    public static CocoDataset Load(string path, CocoReadOptions? options = null)
    {
        using FileStream fs = new(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        return Read(fs, path, options);
    }

    /// <summary>
    /// Reads ground truth from <paramref name="stream"/>, one entry at a time; <paramref name="name"/> names it in
    /// messages. Entries that cannot be used are reported in <see cref="Diagnostics"/> (or, strict, raised).
    /// </summary>
    public static CocoDataset Read(Stream stream, string name = "COCO ground truth", CocoReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        options ??= CocoReadOptions.Default;
        var images = new List<(CocoImage Image, int Index)>();
        var categories = new List<(CocoCategory Category, int Index)>();
        var annotations = new List<(CocoAnnotation Annotation, int Index)>();
        var diagnostics = new List<CocoDiagnostic>();
        long? lastAnnotationId = null;
        CocoExtras.Collector top = default;
        bool keep = options.KeepExtraFields;
        bool isArray;
        try
        {
            isArray = JsonElementStream.Read(stream, name,
                p => p is "images" or "categories" or "annotations",
                (string? prop, int index, ref Utf8JsonReader r, ReadOnlySpan<byte> data) =>
                {
                    Utf8JsonReader start = r;
                    try
                    {
                        switch (prop)
                        {
                            case "images": images.Add((CocoJson.ParseImage(ref r, data, name, keep), index)); break;
                            case "categories": categories.Add((CocoJson.ParseCategory(ref r, data, name, keep), index)); break;
                            default:
                                CocoAnnotation a = CocoJson.ParseAnnotation(ref r, data, name, keep, options.ForBoxEvaluation, out string? badSegmentation);
                                lastAnnotationId = a.Id;
                                if (badSegmentation is not null)
                                {
                                    if (a.Bbox is null)
                                    {
                                        diagnostics.Add(new CocoDiagnostic(CocoProblem.InvalidEntry, prop!, index, a.Id, badSegmentation, Dropped: true));
                                        break;
                                    }
                                    diagnostics.Add(CocoValidation.SegmentationDiscarded("annotations", index, a.Id, badSegmentation));
                                }
                                annotations.Add((a, index));
                                break;
                        }
                    }
                    catch (Exception ex) when (ex is CocoFormatException or FormatException or InvalidOperationException)
                    {
                        // FormatException / InvalidOperationException: a number the reader cannot represent (1e400 as a double).
                        long? id = CocoJson.FindId(start, "id");
                        string message = ex is CocoFormatException ? ex.Message : $"{name}: {prop} entry {index}{(id is long i ? $" (id {i})" : "")}: {ex.Message}";
                        diagnostics.Add(new CocoDiagnostic(CocoProblem.InvalidEntry, prop!, index, id, message, Dropped: true));
                    }
                },
                keep ? (prop, e) => top.Add(prop, e) : null);
        }
        catch (CocoFormatException ex) when (lastAnnotationId is long last)
        {
            throw new CocoFormatException($"{ex.Message} (the last annotation read whole was id {last})", ex);
        }
        if (isArray) throw new CocoFormatException($"{name}: a JSON array; a ground-truth object with images, annotations, categories expected");

        var dataset = CocoValidation.Check(name, images, categories, annotations, diagnostics, top.ToExtras(), options.ForBoxEvaluation);
        if (options.FailOnProblems && dataset.Diagnostics.Count > 0)
            throw CocoValidation.StrictFailure(name, dataset.Diagnostics);
        return dataset;
    }

    /// <summary>Writes the dataset as COCO instances JSON to <paramref name="path"/>, atomically (a temporary file moved into place).</summary>
    public void Save(string path, CocoWriteOptions? options = null) =>
        AtomicFile.Write(path, s => Write(s, options));

    /// <summary>Writes the dataset as COCO instances JSON: extras (<c>info</c>, <c>licenses</c>...), images, annotations, categories.</summary>
    public void Write(Stream stream, CocoWriteOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var w = new Utf8JsonWriter(stream, CocoWriter.WriterOptions(options));
        w.WriteStartObject();
        Extra?.WriteTo(w);
        w.WriteStartArray("images");
        foreach (CocoImage i in Images) CocoWriter.WriteImage(w, i);
        w.WriteEndArray();
        w.WriteStartArray("annotations");
        foreach (CocoAnnotation a in Annotations)
        {
            CocoWriter.WriteAnnotation(w, a);
            if (w.BytesPending > 1 << 16) w.Flush();
        }
        w.WriteEndArray();
        w.WriteStartArray("categories");
        foreach (CocoCategory c in Categories) CocoWriter.WriteCategory(w, c);
        w.WriteEndArray();
        w.WriteEndObject();
    }
}

/// <summary>How COCO JSON is written.</summary>
public sealed record CocoWriteOptions
{
    /// <summary>Compact output, as COCO's own files.</summary>
    public static CocoWriteOptions Default { get; } = new();

    /// <summary>Indent the JSON (larger files; for reading by eye).</summary>
    public bool Indented { get; init; }
}

// The checks that need the whole file: references between sections, polygon lengths, RLE sizes.
internal static class CocoValidation
{
    public static CocoDataset Check(string name, List<(CocoImage Image, int Index)> images, List<(CocoCategory Category, int Index)> categories,
        List<(CocoAnnotation Annotation, int Index)> annotations, List<CocoDiagnostic> diagnostics, CocoExtras? extra,
        bool forBoxEvaluation = false)
    {
        var imageById = new Dictionary<long, CocoImage>(images.Count);
        foreach (var (img, index) in images)
        {
            if (imageById.ContainsKey(img.Id))
                diagnostics.Add(new(CocoProblem.DuplicateId, "images", index, img.Id, $"{name}: image id {img.Id} appears more than once; the last entry is used for lookups", false));
            imageById[img.Id] = img;
        }
        var categoryIds = new HashSet<long>();
        foreach (var (cat, index) in categories)
            if (!categoryIds.Add(cat.Id))
                diagnostics.Add(new(CocoProblem.DuplicateId, "categories", index, cat.Id, $"{name}: category id {cat.Id} appears more than once", false));

        var kept = new List<CocoAnnotation>(annotations.Count);
        var annotationIds = new HashSet<long>(annotations.Count);
        foreach (var (ann, index) in annotations)
        {
            string where = $"{name}: annotation {ann.Id}";
            if (!annotationIds.Add(ann.Id))
                diagnostics.Add(new(CocoProblem.DuplicateId, "annotations", index, ann.Id, $"{where}: the id appears more than once", false));
            if (!imageById.TryGetValue(ann.ImageId, out CocoImage? image))
            {
                diagnostics.Add(new(CocoProblem.MissingImage, "annotations", index, ann.Id, $"{where}: image_id {ann.ImageId} is not among the images", true));
                continue;
            }
            if (!categoryIds.Contains(ann.CategoryId))
            {
                diagnostics.Add(new(CocoProblem.MissingCategory, "annotations", index, ann.Id, $"{where}: category_id {ann.CategoryId} is not among the categories", true));
                continue;
            }
            // Read for bbox evaluation, an annotation with a bbox does without a segmentation it cannot use.
            var (seg, drop) = CheckSegmentation(ann.Segmentation, image, where, index, ann.Id, diagnostics, forBoxEvaluation && ann.Bbox is not null);
            if (drop) continue;
            kept.Add(ReferenceEquals(seg, ann.Segmentation) ? ann : ann with { Segmentation = seg });
        }
        return new CocoDataset(images.Select(i => i.Image).ToArray(), categories.Select(c => c.Category).ToArray(), kept)
        {
            Extra = extra,
            Diagnostics = diagnostics,
        };
    }

    // The segmentation to keep (possibly with bad polygons removed, null when there is none), and whether to drop the
    // annotation. keepWithout: an unusable segmentation is discarded and the annotation kept (bbox evaluation).
    private static (CocoSegmentation? Segmentation, bool Drop) CheckSegmentation(CocoSegmentation? seg, CocoImage image, string where, int index, long id,
        List<CocoDiagnostic> diagnostics, bool keepWithout)
    {
        if (seg is null) return (null, false);
        (CocoSegmentation?, bool) Unusable(CocoProblem problem, string message)
        {
            diagnostics.Add(keepWithout ? SegmentationDiscarded("annotations", index, id, message) : new(problem, "annotations", index, id, message, true));
            return (null, !keepWithout);
        }
        if (seg.Rle is CocoRle rle)
        {
            if (rle.Height != image.Height || rle.Width != image.Width)
                return Unusable(CocoProblem.RleSizeMismatch, $"{where}: RLE size [{rle.Height}, {rle.Width}] differs from image {image.Id}'s [{image.Height}, {image.Width}]");
            long sum = 0;
            foreach (uint c in rle.Counts) sum += c;
            if (sum != (long)rle.Height * rle.Width)
                return Unusable(CocoProblem.RleCountsMismatch, $"{where}: RLE runs add up to {sum} pixels; [{rle.Height}, {rle.Width}] has {(long)rle.Height * rle.Width}");
            return (seg, false);
        }
        IReadOnlyList<double[]> polys = seg.Polygons!;
        if (polys.Count == 0)
            return Unusable(CocoProblem.EmptySegmentation, $"{where}: segmentation is an empty polygon list");
        List<double[]>? good = null;
        for (int i = 0; i < polys.Count; i++)
        {
            double[] p = polys[i];
            if (p.Length < 6)
            {
                good ??= polys.Take(i).ToList();
                string message = $"{where}: polygon {i} has {p.Length / 2} point(s); at least 3 expected";
                if (good.Count == 0 && polys.Skip(i + 1).All(q => q.Length < 6))
                    return Unusable(CocoProblem.PolygonTooShort, message + (keepWithout ? " (no polygon left)" : " (no polygon left: annotation dropped)"));
                diagnostics.Add(new(CocoProblem.PolygonTooShort, "annotations", index, id, message + " (polygon removed)", false));
                continue;
            }
            if (p.Length % 2 != 0)
                diagnostics.Add(new(CocoProblem.PolygonOddLength, "annotations", index, id,
                    $"{where}: polygon {i} has {p.Length} numbers, an odd count; the last is ignored", false));
            good?.Add(p);
        }
        return good is null ? (seg, false) : (CocoSegmentation.FromPolygons(good), false);
    }

    // An entry kept, for bbox evaluation, without the segmentation it could not use.
    public static CocoDiagnostic SegmentationDiscarded(string section, int index, long id, string problem) =>
        new(CocoProblem.UnusedSegmentationInvalid, section, index, id,
            $"{problem}; the {(section == "results" ? "result" : "annotation")} is kept for bbox evaluation, which does not use its segmentation", false);

    public static CocoFormatException StrictFailure(string name, IReadOnlyList<CocoDiagnostic> diagnostics)
    {
        const int Shown = 10;
        string lines = string.Join(Environment.NewLine, diagnostics.Take(Shown).Select(d => "  " + d.Message));
        string more = diagnostics.Count > Shown ? $"{Environment.NewLine}  ... and {diagnostics.Count - Shown} more" : "";
        return new CocoFormatException($"{name}: {diagnostics.Count} problem(s):{Environment.NewLine}{lines}{more}", diagnostics);
    }
}
