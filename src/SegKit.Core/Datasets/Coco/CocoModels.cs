using SegKit.Masks;

namespace SegKit.Datasets.Coco;

/// <summary>A COCO <c>images</c> entry.</summary>
/// <param name="Id">Image id.</param>
/// <param name="Width">Width in pixels.</param>
/// <param name="Height">Height in pixels.</param>
/// <param name="FileName">The <c>file_name</c>, relative to the image folder, or null when absent.</param>
public sealed record CocoImage(long Id, int Width, int Height, string? FileName)
{
    /// <summary>Other fields of the entry (<c>license</c>, <c>coco_url</c>, <c>date_captured</c>...), kept for writing back.</summary>
    public CocoExtras? Extra { get; init; }
}

/// <summary>A COCO <c>categories</c> entry.</summary>
/// <param name="Id">Category id.</param>
/// <param name="Name">The <c>name</c> ("" when absent).</param>
/// <param name="Supercategory">The <c>supercategory</c>, or null when absent.</param>
public sealed record CocoCategory(long Id, string Name, string? Supercategory)
{
    /// <summary>Other fields of the entry (<c>keypoints</c>, <c>skeleton</c>, <c>isthing</c>...), kept for writing back.</summary>
    public CocoExtras? Extra { get; init; }
}

/// <summary>How a COCO <c>segmentation</c> field was written.</summary>
public enum CocoSegmentationKind
{
    /// <summary>A list of polygons, each a flat x0, y0, x1, y1, ... list in pixels.</summary>
    Polygons,

    /// <summary><c>{size:[h,w], counts:"..."}</c>, the compressed string form.</summary>
    CompressedRle,

    /// <summary><c>{size:[h,w], counts:[...]}</c>, run lengths as numbers (COCO uses it for crowds).</summary>
    UncompressedRle,
}

/// <summary>A COCO <c>segmentation</c>: polygons or an RLE, as written in the file. Equal when kind, polygons and RLE are.</summary>
public sealed class CocoSegmentation : IEquatable<CocoSegmentation>
{
    private CocoSegmentation(CocoSegmentationKind kind, IReadOnlyList<double[]>? polygons, CocoRle? rle)
    {
        Kind = kind;
        Polygons = polygons;
        Rle = rle;
    }

    /// <summary>Which form the file used.</summary>
    public CocoSegmentationKind Kind { get; }

    /// <summary>The polygons (flat x, y lists in pixels) when <see cref="Kind"/> is <see cref="CocoSegmentationKind.Polygons"/>.</summary>
    public IReadOnlyList<double[]>? Polygons { get; }

    /// <summary>The RLE, with the size the file gave it, when <see cref="Kind"/> is an RLE kind.</summary>
    public CocoRle? Rle { get; }

    /// <summary>A polygon segmentation.</summary>
    public static CocoSegmentation FromPolygons(IReadOnlyList<double[]> polygons) =>
        new(CocoSegmentationKind.Polygons, polygons ?? throw new ArgumentNullException(nameof(polygons)), null);

    /// <summary>An RLE segmentation (written compressed unless <paramref name="uncompressed"/>).</summary>
    public static CocoSegmentation FromRle(CocoRle rle, bool uncompressed = false) =>
        new(uncompressed ? CocoSegmentationKind.UncompressedRle : CocoSegmentationKind.CompressedRle, null,
            rle ?? throw new ArgumentNullException(nameof(rle)));

    /// <inheritdoc/>
    public bool Equals(CocoSegmentation? other)
    {
        if (other is null || other.Kind != Kind) return false;
        if (Rle is not null) return Rle.Equals(other.Rle);
        if (Polygons!.Count != other.Polygons!.Count) return false;
        for (int i = 0; i < Polygons.Count; i++)
            if (!Polygons[i].AsSpan().SequenceEqual(other.Polygons[i])) return false;
        return true;
    }

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as CocoSegmentation);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var h = new HashCode();
        h.Add(Kind);
        if (Rle is not null) h.Add(Rle);
        else foreach (double[] p in Polygons!) { h.Add(p.Length); if (p.Length > 0) h.Add(p[0]); }
        return h.ToHashCode();
    }

    /// <summary>
    /// The mask as an RLE, exactly as pycocotools' <c>COCO.annToRLE</c> makes it for an image of
    /// <paramref name="imageHeight"/> × <paramref name="imageWidth"/>: polygons are rasterized and merged (union);
    /// RLEs keep the size written in the file. Like <c>frPyObjects</c>, a polygon list whose first entry has exactly
    /// four numbers is read as boxes (x, y, w, h).
    /// </summary>
    /// <exception cref="CocoFormatException">An empty polygon list, or a box list mixed with polygons (pycocotools fails on both).</exception>
    public CocoRle ToRle(int imageHeight, int imageWidth)
    {
        if (Kind != CocoSegmentationKind.Polygons) return Rle!;
        if (Polygons!.Count == 0)
            throw new CocoFormatException("segmentation is an empty polygon list (pycocotools cannot rasterize it either)");
        int first = Polygons[0].Length;
        if (first == 4)
        {
            if (Polygons.Any(p => p.Length != 4))
                throw new CocoFormatException("segmentation mixes 4-number entries (read as boxes, as frPyObjects does) with polygons");
            var boxes = Polygons.Select(p => CocoRle.FromBboxXywh(new CocoBoxXywh(p[0], p[1], p[2], p[3]), imageHeight, imageWidth)).ToArray();
            return CocoRle.Merge(boxes);
        }
        if (first < 4)
            throw new CocoFormatException($"segmentation polygon has {first} numbers; at least 6 expected");
        return CocoRle.FromPolygons(Polygons, imageHeight, imageWidth);
    }
}

/// <summary>A ground-truth <c>annotations</c> entry.</summary>
/// <param name="Id">Annotation id.</param>
/// <param name="ImageId">The image it belongs to.</param>
/// <param name="CategoryId">Its category.</param>
/// <param name="Segmentation">Its mask, or null when the file has none.</param>
/// <param name="Area">The file's <c>area</c> (COCO's evaluation uses this, not the mask's pixel count), 0 when absent.</param>
/// <param name="Bbox">The file's <c>bbox</c> (x, y, w, h), or null when absent.</param>
/// <param name="IsCrowd">The file's <c>iscrowd</c>.</param>
public sealed record CocoAnnotation(long Id, long ImageId, long CategoryId, CocoSegmentation? Segmentation,
    double Area, CocoBoxXywh? Bbox, bool IsCrowd)
{
    /// <summary>Other fields of the entry (<c>keypoints</c>, <c>num_keypoints</c>, <c>attributes</c>...), kept for writing back.</summary>
    public CocoExtras? Extra { get; init; }
}

/// <summary>One entry of a COCO results file (a detection).</summary>
/// <param name="ImageId">The image it was made for.</param>
/// <param name="CategoryId">Predicted category.</param>
/// <param name="Score">Confidence.</param>
/// <param name="Bbox">(x, y, w, h), or null when the entry has none (or an empty list).</param>
/// <param name="Segmentation">The predicted mask, or null when the entry has none.</param>
public sealed record CocoResult(long ImageId, long CategoryId, double Score, CocoBoxXywh? Bbox, CocoSegmentation? Segmentation)
{
    /// <summary>Other fields of the entry (SAM's <c>predicted_iou</c>, <c>stability_score</c>, <c>point_coords</c>...), kept for writing back.</summary>
    public CocoExtras? Extra { get; init; }
}
