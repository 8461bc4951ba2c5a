using System.Text.Json;
using SegKit.Masks;

namespace SegKit.Datasets.Coco;

// Turns one JSON entry into a model record. Each parser walks the object's properties once; fields it does not model
// go to Extra (when kept). A wrong type or missing required field raises CocoFormatException naming the entry.
internal static class CocoJson
{
    public static CocoImage ParseImage(JsonElement e, string file, bool keepExtras)
    {
        RequireObject(e, file, "an image");
        long? id = null;
        double? width = null, height = null;
        string? fileName = null;
        var extras = new CocoExtras.Collector();
        foreach (JsonProperty p in e.EnumerateObject())
        {
            switch (p.Name)
            {
                case "id": id = IdValue(p.Value, "id", file); break;
                case "width": width = NumberValue(p.Value, "width", file); break;
                case "height": height = NumberValue(p.Value, "height", file); break;
                case "file_name" when p.Value.ValueKind == JsonValueKind.String: fileName = p.Value.GetString(); break;
                default: if (keepExtras) extras.Add(p); break;
            }
        }
        string where = id is long i ? $"{file}: image {i}" : file + ": an image";
        if (id is null) throw Missing(file + ": an image", "id");
        if (width is not double w) throw Missing(where, "width");
        if (height is not double h) throw Missing(where, "height");
        if (w < 0 || h < 0 || w > int.MaxValue || h > int.MaxValue || w != Math.Floor(w) || h != Math.Floor(h))
            throw new CocoFormatException($"{where}: size {w}×{h} is not a pair of non-negative integers");
        return new CocoImage(id.Value, (int)w, (int)h, fileName) { Extra = extras.ToExtras() };
    }

    public static CocoCategory ParseCategory(JsonElement e, string file, bool keepExtras)
    {
        RequireObject(e, file, "a category");
        long? id = null;
        string name = "";
        string? super = null;
        var extras = new CocoExtras.Collector();
        foreach (JsonProperty p in e.EnumerateObject())
        {
            switch (p.Name)
            {
                case "id": id = IdValue(p.Value, "id", file); break;
                case "name" when p.Value.ValueKind == JsonValueKind.String: name = p.Value.GetString()!; break;
                case "supercategory" when p.Value.ValueKind == JsonValueKind.String: super = p.Value.GetString(); break;
                default: if (keepExtras) extras.Add(p); break;
            }
        }
        if (id is null) throw Missing(file + ": a category", "id");
        return new CocoCategory(id.Value, name, super) { Extra = extras.ToExtras() };
    }

    public static CocoAnnotation ParseAnnotation(JsonElement e, string file, bool keepExtras)
    {
        RequireObject(e, file, "an annotation");
        // The id first, so that every later message can name the annotation.
        long id = e.TryGetProperty("id", out JsonElement idElement)
            ? IdValue(idElement, "id", file + ": an annotation")
            : throw Missing(file + ": an annotation", "id");
        string where = $"{file}: annotation {id}";
        long? imageId = null, categoryId = null;
        CocoSegmentation? seg = null;
        double area = 0;
        CocoBoxXywh? box = null;
        bool crowd = false;
        var extras = new CocoExtras.Collector();
        foreach (JsonProperty p in e.EnumerateObject())
        {
            switch (p.Name)
            {
                case "id": break;
                case "image_id": imageId = IdValue(p.Value, "image_id", where); break;
                case "category_id": categoryId = IdValue(p.Value, "category_id", where); break;
                case "segmentation": seg = p.Value.ValueKind == JsonValueKind.Null ? null : Segmentation(p.Value, where); break;
                case "area" when p.Value.ValueKind == JsonValueKind.Number: area = p.Value.GetDouble(); break;
                case "bbox": box = Box(p.Value, where); break;
                case "iscrowd": crowd = Truthy(p.Value); break;
                default: if (keepExtras) extras.Add(p); break;
            }
        }
        if (imageId is null) throw Missing(where, "image_id");
        if (categoryId is null) throw Missing(where, "category_id");
        return new CocoAnnotation(id, imageId.Value, categoryId.Value, seg, area, box, crowd) { Extra = extras.ToExtras() };
    }

    public static CocoResult ParseResult(JsonElement e, string file, bool keepExtras)
    {
        RequireObject(e, file, "a result");
        long? imageId = null, categoryId = null;
        double? score = null;
        CocoBoxXywh? box = null;
        JsonElement segElement = default;
        var extras = new CocoExtras.Collector();
        foreach (JsonProperty p in e.EnumerateObject())
        {
            switch (p.Name)
            {
                case "image_id": imageId = IdValue(p.Value, "image_id", file + ": a result"); break;
                case "category_id": categoryId = IdValue(p.Value, "category_id", file + ": a result"); break;
                case "score": score = NumberValue(p.Value, "score", file + ": a result"); break;
                case "bbox": box = Box(p.Value, file + ": a result"); break;
                case "segmentation": segElement = p.Value; break;
                default: if (keepExtras) extras.Add(p); break;
            }
        }
        if (imageId is null) throw Missing(file + ": a result", "image_id");
        string where = $"{file}: result for image {imageId}";
        if (categoryId is null) throw Missing(where, "category_id");
        if (score is null) throw Missing(where, "score");
        CocoSegmentation? seg = segElement.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null ? null : Segmentation(segElement, where);
        return new CocoResult(imageId.Value, categoryId.Value, score.Value, box, seg) { Extra = extras.ToExtras() };
    }

    public static CocoSegmentation Segmentation(JsonElement s, string where)
    {
        if (s.ValueKind == JsonValueKind.Array)
        {
            var polys = new List<double[]>(s.GetArrayLength());
            foreach (JsonElement p in s.EnumerateArray())
            {
                if (p.ValueKind != JsonValueKind.Array)
                    throw new CocoFormatException($"{where}: segmentation is a list of {p.ValueKind}; a list of polygons (lists of numbers) expected");
                var xy = new double[p.GetArrayLength()];
                int i = 0;
                foreach (JsonElement v in p.EnumerateArray())
                {
                    if (v.ValueKind != JsonValueKind.Number)
                        throw new CocoFormatException($"{where}: a polygon holds {v.ValueKind}; numbers expected");
                    xy[i++] = v.GetDouble();
                }
                polys.Add(xy);
            }
            return CocoSegmentation.FromPolygons(polys);
        }
        if (s.ValueKind != JsonValueKind.Object || !s.TryGetProperty("size", out JsonElement size) || !s.TryGetProperty("counts", out JsonElement counts))
            throw new CocoFormatException($"{where}: segmentation is neither a polygon list nor {{size, counts}}");
        if (size.ValueKind != JsonValueKind.Array || size.GetArrayLength() != 2
            || !size[0].TryGetInt32(out int h) || !size[1].TryGetInt32(out int w) || h < 0 || w < 0)
            throw new CocoFormatException($"{where}: segmentation size must be [height, width], two non-negative integers");
        switch (counts.ValueKind)
        {
            case JsonValueKind.String:
                try
                {
                    return CocoSegmentation.FromRle(CocoRle.FromCompressedString(h, w, counts.GetString()!));
                }
                catch (FormatException ex)
                {
                    throw new CocoFormatException($"{where}: {ex.Message}", ex);
                }
            case JsonValueKind.Array:
                var runs = new uint[counts.GetArrayLength()];
                int k = 0;
                foreach (JsonElement v in counts.EnumerateArray())
                {
                    if (v.ValueKind != JsonValueKind.Number || !v.TryGetUInt32(out runs[k++]))
                        throw new CocoFormatException($"{where}: RLE counts must be non-negative integers; found {v}");
                }
                return CocoSegmentation.FromRle(new CocoRle(h, w, runs), uncompressed: true);
            default:
                throw new CocoFormatException($"{where}: segmentation counts is {counts.ValueKind}; a string or a list expected");
        }
    }

    private static CocoBoxXywh? Box(JsonElement b, string where)
    {
        if (b.ValueKind == JsonValueKind.Null) return null;
        if (b.ValueKind != JsonValueKind.Array) throw new CocoFormatException($"{where}: bbox is {b.ValueKind}; [x, y, w, h] expected");
        int n = b.GetArrayLength();
        if (n == 0) return null;
        if (n != 4) throw new CocoFormatException($"{where}: bbox has {n} numbers, 4 expected");
        Span<double> v = stackalloc double[4];
        for (int i = 0; i < 4; i++)
        {
            if (b[i].ValueKind != JsonValueKind.Number) throw new CocoFormatException($"{where}: bbox holds {b[i].ValueKind}; numbers expected");
            v[i] = b[i].GetDouble();
        }
        return new CocoBoxXywh(v[0], v[1], v[2], v[3]);
    }

    private static void RequireObject(JsonElement e, string file, string what)
    {
        if (e.ValueKind != JsonValueKind.Object) throw new CocoFormatException($"{file}: {what} is {e.ValueKind}, an object expected");
    }

    private static long IdValue(JsonElement v, string name, string where)
    {
        if (v.ValueKind != JsonValueKind.Number) throw new CocoFormatException($"{where}: \"{name}\" is {v.ValueKind}, a number expected");
        if (v.TryGetInt64(out long l)) return l;
        double d = v.GetDouble();
        if (d != Math.Floor(d) || Math.Abs(d) > 9e18) throw new CocoFormatException($"{where}: \"{name}\" is {d}, an integer expected");
        return (long)d;
    }

    private static double NumberValue(JsonElement v, string name, string where) =>
        v.ValueKind == JsonValueKind.Number ? v.GetDouble() : throw new CocoFormatException($"{where}: \"{name}\" is {v.ValueKind}, a number expected");

    private static CocoFormatException Missing(string where, string name) => new($"{where}: lacks \"{name}\"");

    private static bool Truthy(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.Number => v.GetDouble() != 0,
        _ => false,
    };

    // Best effort: the id of an entry that failed to parse, for its diagnostic.
    public static long? TryId(JsonElement e, string name = "id") =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out long l) ? l : null;
}
