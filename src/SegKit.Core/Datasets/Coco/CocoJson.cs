using System.Text.Json;
using SegKit.Masks;

namespace SegKit.Datasets.Coco;

/// <summary>A COCO ground-truth file: images, categories and annotations (info and licenses are skipped).</summary>
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

    /// <summary>Reads a ground-truth file (instances_*.json layout).</summary>
    public static CocoDataset Load(string path)
    {
        using FileStream fs = File.OpenRead(path);
        return Read(fs, path);
    }

    /// <summary>Reads ground truth from <paramref name="stream"/>, one annotation at a time; <paramref name="name"/> names it in errors.</summary>
    public static CocoDataset Read(Stream stream, string name = "COCO ground truth")
    {
        var images = new List<CocoImage>();
        var categories = new List<CocoCategory>();
        var annotations = new List<CocoAnnotation>();
        bool isArray = JsonElementStream.Read(stream, name,
            p => p is "images" or "categories" or "annotations",
            (prop, e) =>
            {
                switch (prop)
                {
                    case "images": images.Add(CocoJson.ParseImage(e, name)); break;
                    case "categories": categories.Add(CocoJson.ParseCategory(e, name)); break;
                    default: annotations.Add(CocoJson.ParseAnnotation(e, name)); break;
                }
            });
        if (isArray) throw new CocoFormatException($"{name}: a JSON array; a ground-truth object with images, annotations, categories expected");
        return new CocoDataset(images, categories, annotations);
    }
}

/// <summary>Reads COCO results files (a JSON array of detections).</summary>
public static class CocoResults
{
    /// <summary>Reads a results file.</summary>
    public static IReadOnlyList<CocoResult> Load(string path)
    {
        using FileStream fs = File.OpenRead(path);
        return Read(fs, path);
    }

    /// <summary>Reads results from <paramref name="stream"/>, one entry at a time; <paramref name="name"/> names it in errors.</summary>
    public static IReadOnlyList<CocoResult> Read(Stream stream, string name = "COCO results")
    {
        var results = new List<CocoResult>();
        bool isArray = JsonElementStream.Read(stream, name, _ => false, (_, e) => results.Add(CocoJson.ParseResult(e, name)));
        if (!isArray) throw new CocoFormatException($"{name}: results must be a JSON array of objects");
        return results;
    }
}

internal static class CocoJson
{
    public static CocoImage ParseImage(JsonElement e, string file) => new(
        Id(e, "id", file), (int)Number(e, "width", file), (int)Number(e, "height", file),
        e.TryGetProperty("file_name", out JsonElement f) && f.ValueKind == JsonValueKind.String ? f.GetString() : null);

    public static CocoCategory ParseCategory(JsonElement e, string file) => new(
        Id(e, "id", file),
        e.TryGetProperty("name", out JsonElement n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : "",
        e.TryGetProperty("supercategory", out JsonElement s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null);

    public static CocoAnnotation ParseAnnotation(JsonElement e, string file)
    {
        long id = Id(e, "id", file);
        string where = $"{file}: annotation {id}";
        return new CocoAnnotation(id, Id(e, "image_id", where), Id(e, "category_id", where),
            e.TryGetProperty("segmentation", out JsonElement s) && s.ValueKind != JsonValueKind.Null ? Segmentation(s, where) : null,
            e.TryGetProperty("area", out JsonElement a) && a.ValueKind == JsonValueKind.Number ? a.GetDouble() : 0,
            Box(e, where),
            e.TryGetProperty("iscrowd", out JsonElement c) && Truthy(c));
    }

    public static CocoResult ParseResult(JsonElement e, string file)
    {
        if (e.ValueKind != JsonValueKind.Object) throw new CocoFormatException($"{file}: a result is {e.ValueKind}, an object expected");
        long imageId = Id(e, "image_id", file);
        string where = $"{file}: result for image {imageId}";
        return new CocoResult(imageId, Id(e, "category_id", where), Number(e, "score", where), Box(e, where),
            e.TryGetProperty("segmentation", out JsonElement s) && s.ValueKind != JsonValueKind.Null ? Segmentation(s, where) : null);
    }

    public static CocoSegmentation Segmentation(JsonElement s, string where)
    {
        if (s.ValueKind == JsonValueKind.Array)
        {
            var polys = new List<double[]>();
            foreach (JsonElement p in s.EnumerateArray())
            {
                if (p.ValueKind != JsonValueKind.Array)
                    throw new CocoFormatException($"{where}: segmentation is a list of {p.ValueKind}; a list of polygons (lists of numbers) expected");
                polys.Add(p.EnumerateArray().Select(v => v.GetDouble()).ToArray());
            }
            return CocoSegmentation.FromPolygons(polys);
        }
        if (s.ValueKind != JsonValueKind.Object || !s.TryGetProperty("size", out JsonElement size) || !s.TryGetProperty("counts", out JsonElement counts))
            throw new CocoFormatException($"{where}: segmentation is neither a polygon list nor {{size, counts}}");
        if (size.ValueKind != JsonValueKind.Array || size.GetArrayLength() != 2)
            throw new CocoFormatException($"{where}: segmentation size must be [height, width]");
        int h = size[0].GetInt32(), w = size[1].GetInt32();
        try
        {
            return counts.ValueKind switch
            {
                JsonValueKind.String => CocoSegmentation.FromRle(CocoRle.FromCompressedString(h, w, counts.GetString()!)),
                JsonValueKind.Array => CocoSegmentation.FromRle(
                    new CocoRle(h, w, counts.EnumerateArray().Select(v => v.GetUInt32()).ToArray()), uncompressed: true),
                _ => throw new CocoFormatException($"{where}: segmentation counts is {counts.ValueKind}; a string or a list expected"),
            };
        }
        catch (FormatException ex)
        {
            throw new CocoFormatException($"{where}: {ex.Message}", ex);
        }
    }

    private static CocoBoxXywh? Box(JsonElement e, string where)
    {
        if (!e.TryGetProperty("bbox", out JsonElement b) || b.ValueKind != JsonValueKind.Array || b.GetArrayLength() == 0) return null;
        if (b.GetArrayLength() != 4) throw new CocoFormatException($"{where}: bbox has {b.GetArrayLength()} numbers, 4 expected");
        return new CocoBoxXywh(b[0].GetDouble(), b[1].GetDouble(), b[2].GetDouble(), b[3].GetDouble());
    }

    private static long Id(JsonElement e, string name, string where)
    {
        if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(name, out JsonElement v) || v.ValueKind != JsonValueKind.Number)
            throw new CocoFormatException($"{where}: entry lacks a numeric \"{name}\"");
        return v.TryGetInt64(out long l) ? l : (long)v.GetDouble();
    }

    private static double Number(JsonElement e, string name, string where)
    {
        if (!e.TryGetProperty(name, out JsonElement v) || v.ValueKind != JsonValueKind.Number)
            throw new CocoFormatException($"{where}: lacks a numeric \"{name}\"");
        return v.GetDouble();
    }

    private static bool Truthy(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.Number => v.GetDouble() != 0,
        _ => false,
    };
}
