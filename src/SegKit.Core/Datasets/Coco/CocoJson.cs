using System.Buffers;
using System.Text;
using System.Text.Json;
using SegKit.Masks;

namespace SegKit.Datasets.Coco;

// Turns one JSON entry into a model record straight from the reader's tokens (no DOM per entry). The reader is on the
// entry's first token and the whole entry is in its buffer (JsonElementStream guarantees both), so reads never run dry;
// `data` is that buffer, for copying the raw text of fields kept as extras. Each parser walks the object's properties
// once; fields it does not model go to Extra (when kept). A wrong type or missing required field raises
// CocoFormatException naming the entry.
internal static class CocoJson
{
    public static CocoImage ParseImage(ref Utf8JsonReader r, ReadOnlySpan<byte> data, string file, bool keepExtras)
    {
        RequireObject(ref r, file, "an image");
        long? id = null;
        double? width = null, height = null;
        string? fileName = null;
        var extras = new CocoExtras.Collector();
        while (NextProperty(ref r, out Field field, out string? name))
        {
            switch (field)
            {
                case Field.Id: id = IdValue(ref r, "id", file); break;
                case Field.Width: width = NumberValue(ref r, "width", file); break;
                case Field.Height: height = NumberValue(ref r, "height", file); break;
                case Field.FileName when r.TokenType == JsonTokenType.String: fileName = r.GetString(); break;
                default: Extra(ref r, data, name ?? FieldName(field), keepExtras, ref extras); break;
            }
        }
        string where = id is long i ? $"{file}: image {i}" : file + ": an image";
        if (id is null) throw Missing(file + ": an image", "id");
        if (width is not double w) throw Missing(where, "width");
        if (height is not double h) throw Missing(where, "height");
        // An image of width or height 0 holds no pixel: its annotations' and results' masks cannot fit it, and the
        // warnings then blamed the results file rather than this entry.
        if (w < 1 || h < 1 || w > int.MaxValue || h > int.MaxValue || w != Math.Floor(w) || h != Math.Floor(h))
            throw new CocoFormatException($"{where}: size {w}×{h} is not a pair of positive integers");
        return new CocoImage(id.Value, (int)w, (int)h, fileName) { Extra = extras.ToExtras() };
    }

    public static CocoCategory ParseCategory(ref Utf8JsonReader r, ReadOnlySpan<byte> data, string file, bool keepExtras)
    {
        RequireObject(ref r, file, "a category");
        long? id = null;
        string name = "";
        string? super = null;
        var extras = new CocoExtras.Collector();
        while (NextProperty(ref r, out Field field, out string? prop))
        {
            switch (field)
            {
                case Field.Id: id = IdValue(ref r, "id", file); break;
                case Field.Name when r.TokenType == JsonTokenType.String: name = r.GetString()!; break;
                case Field.Supercategory when r.TokenType == JsonTokenType.String: super = r.GetString(); break;
                default: Extra(ref r, data, prop ?? FieldName(field), keepExtras, ref extras); break;
            }
        }
        if (id is null) throw Missing(file + ": a category", "id");
        return new CocoCategory(id.Value, name, super) { Extra = extras.ToExtras() };
    }

    public static CocoAnnotation ParseAnnotation(ref Utf8JsonReader r, ReadOnlySpan<byte> data, string file, bool keepExtras,
                                                 bool keepBadSegmentation, out string? badSegmentation)
    {
        badSegmentation = null;
        RequireObject(ref r, file, "an annotation");
        // The id first, so that every later message can name the annotation: look ahead on a copy of the reader.
        long id = FindId(r, "id") ?? throw Missing(file + ": an annotation", "id");
        string where = $"{file}: annotation {id}";
        long? imageId = null, categoryId = null;
        CocoSegmentation? seg = null;
        double area = 0;
        CocoBoxXywh? box = null;
        bool crowd = false;
        var extras = new CocoExtras.Collector();
        while (NextProperty(ref r, out Field field, out string? name))
        {
            switch (field)
            {
                case Field.Id: IdValue(ref r, "id", where); break;
                case Field.ImageId: imageId = IdValue(ref r, "image_id", where); break;
                case Field.CategoryId: categoryId = IdValue(ref r, "category_id", where); break;
                case Field.Segmentation: seg = SegmentationField(ref r, where, keepBadSegmentation, ref badSegmentation); break;
                case Field.Area when r.TokenType == JsonTokenType.Number: area = Finite(r.GetDouble(), "area", where); break;
                case Field.Bbox: box = Box(ref r, where); break;
                case Field.IsCrowd: crowd = Truthy(ref r); break;
                default: Extra(ref r, data, name ?? FieldName(field), keepExtras, ref extras); break;
            }
        }
        if (imageId is null) throw Missing(where, "image_id");
        if (categoryId is null) throw Missing(where, "category_id");
        return new CocoAnnotation(id, imageId.Value, categoryId.Value, seg, area, box, crowd) { Extra = extras.ToExtras() };
    }

    // keepBadSegmentation: a segmentation that does not parse is skipped and its message returned in badSegmentation
    // (reads for bbox evaluation, which decide afterwards whether the result can do without it).
    public static CocoResult ParseResult(ref Utf8JsonReader r, ReadOnlySpan<byte> data, string file, bool keepExtras,
                                         bool keepBadSegmentation, out string? badSegmentation)
    {
        badSegmentation = null;
        RequireObject(ref r, file, "a result");
        long? imageId = FindId(r, "image_id");
        string where = imageId is long i ? $"{file}: result for image {i}" : file + ": a result";
        long? categoryId = null;
        double? score = null;
        CocoBoxXywh? box = null;
        CocoSegmentation? seg = null;
        var extras = new CocoExtras.Collector();
        while (NextProperty(ref r, out Field field, out string? name))
        {
            switch (field)
            {
                case Field.ImageId: imageId = IdValue(ref r, "image_id", where); break;
                case Field.CategoryId: categoryId = IdValue(ref r, "category_id", where); break;
                case Field.Score: score = NumberValue(ref r, "score", where); break;
                case Field.Bbox: box = Box(ref r, where); break;
                case Field.Segmentation: seg = SegmentationField(ref r, where, keepBadSegmentation, ref badSegmentation); break;
                default: Extra(ref r, data, name ?? FieldName(field), keepExtras, ref extras); break;
            }
        }
        if (imageId is null) throw Missing(where, "image_id");
        if (categoryId is null) throw Missing(where, "category_id");
        if (score is null) throw Missing(where, "score");
        return new CocoResult(imageId.Value, categoryId.Value, score.Value, box, seg) { Extra = extras.ToExtras() };
    }

    // A segmentation field's value (null for JSON null). keepBad: a value that does not parse is skipped, null returned and
    // its message put in bad, for reads (bbox evaluation) that decide afterwards whether the entry can do without it.
    private static CocoSegmentation? SegmentationField(ref Utf8JsonReader r, string where, bool keepBad, ref string? bad)
    {
        if (r.TokenType == JsonTokenType.Null) return null;
        if (!keepBad) return Segmentation(ref r, where);
        Utf8JsonReader before = r;
        try
        {
            return Segmentation(ref r, where);
        }
        catch (Exception ex) when (ex is CocoFormatException or FormatException or InvalidOperationException)
        {
            bad = ex.Message;
            r = before;
            if (!r.TrySkip()) throw new InvalidOperationException("a COCO entry was handed over incomplete");
            return null;
        }
    }

    /// <summary>A segmentation given as a JSON element (e.g. a field kept in extras).</summary>
    public static CocoSegmentation Segmentation(JsonElement e, string where)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(e.GetRawText());
        var r = new Utf8JsonReader(utf8);
        r.Read();
        return Segmentation(ref r, where);
    }

    // Polygons [[x, y, ...], ...] or an RLE {size: [h, w], counts: "..." | [...]}; the reader ends on the value's last token.
    public static CocoSegmentation Segmentation(ref Utf8JsonReader r, string where)
    {
        if (r.TokenType == JsonTokenType.StartArray)
        {
            var polys = new List<double[]>(1);
            double[] scratch = ArrayPool<double>.Shared.Rent(256);
            try
            {
                while (r.Read() && r.TokenType != JsonTokenType.EndArray)
                {
                    if (r.TokenType != JsonTokenType.StartArray)
                        throw new CocoFormatException($"{where}: segmentation is a list of {Kind(r.TokenType)}; a list of polygons (lists of numbers) expected");
                    int n = 0;
                    while (r.Read() && r.TokenType != JsonTokenType.EndArray)
                    {
                        if (r.TokenType != JsonTokenType.Number)
                            throw new CocoFormatException($"{where}: a polygon holds {Kind(r.TokenType)}; numbers expected");
                        if (n == scratch.Length)
                        {
                            double[] bigger = ArrayPool<double>.Shared.Rent(n * 2);
                            scratch.AsSpan(0, n).CopyTo(bigger);
                            ArrayPool<double>.Shared.Return(scratch);
                            scratch = bigger;
                        }
                        scratch[n++] = Finite(r.GetDouble(), "a polygon", where);
                    }
                    polys.Add(scratch.AsSpan(0, n).ToArray());
                }
            }
            finally
            {
                ArrayPool<double>.Shared.Return(scratch);
            }
            return CocoSegmentation.FromPolygons(polys);
        }
        if (r.TokenType != JsonTokenType.StartObject)
            throw new CocoFormatException($"{where}: segmentation is a {Kind(r.TokenType)}; a polygon list or {{size, counts}} expected");
        int h = -1, w = -1;
        bool haveSize = false;
        string? countsString = null;
        uint[]? countsArray = null;
        while (NextProperty(ref r, out Field field, out _))
        {
            switch (field)
            {
                case Field.Size:
                    if (r.TokenType != JsonTokenType.StartArray || !r.Read() || !r.TryGetInt32Strict(out h)
                        || !r.Read() || !r.TryGetInt32Strict(out w) || !r.Read() || r.TokenType != JsonTokenType.EndArray || h < 0 || w < 0)
                        throw new CocoFormatException($"{where}: segmentation size must be [height, width], two non-negative integers");
                    haveSize = true;
                    break;
                case Field.Counts when r.TokenType == JsonTokenType.String:
                    countsString = r.GetString();
                    break;
                case Field.Counts when r.TokenType == JsonTokenType.StartArray:
                    var runs = new List<uint>();
                    while (r.Read() && r.TokenType != JsonTokenType.EndArray)
                    {
                        if (r.TokenType != JsonTokenType.Number || !r.TryGetUInt32(out uint run))
                            throw new CocoFormatException($"{where}: RLE counts must be non-negative integers");
                        runs.Add(run);
                    }
                    countsArray = runs.ToArray();
                    break;
                case Field.Counts:
                    throw new CocoFormatException($"{where}: segmentation counts is {Kind(r.TokenType)}; a string or a list expected");
                default:
                    SkipValue(ref r);
                    break;
            }
        }
        if (!haveSize || countsString is null && countsArray is null)
            throw new CocoFormatException($"{where}: segmentation is neither a polygon list nor {{size, counts}}");
        if (countsArray is not null) return CocoSegmentation.FromRle(new CocoRle(h, w, countsArray), uncompressed: true);
        try
        {
            return CocoSegmentation.FromRle(CocoRle.FromCompressedString(h, w, countsString!));
        }
        catch (FormatException ex)
        {
            throw new CocoFormatException($"{where}: {ex.Message}", ex);
        }
    }

    // Best effort, for the diagnostic of an entry that failed to parse: its numeric field `name` at the top level.
    public static long? FindId(Utf8JsonReader r, string name)
    {
        if (r.TokenType != JsonTokenType.StartObject) return null;
        try
        {
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                bool hit = r.ValueTextEquals(name);
                r.Read();
                if (hit) return r.TokenType == JsonTokenType.Number && r.TryGetInt64(out long l) ? l : null;
                if (!r.TrySkip()) return null;
            }
        }
        catch (JsonException)
        {
        }
        return null;
    }

    private static bool TryGetInt32Strict(this ref Utf8JsonReader r, out int v)
    {
        v = 0;
        return r.TokenType == JsonTokenType.Number && r.TryGetInt32(out v);
    }

    private static CocoBoxXywh? Box(ref Utf8JsonReader r, string where)
    {
        if (r.TokenType == JsonTokenType.Null) return null;
        if (r.TokenType != JsonTokenType.StartArray) throw new CocoFormatException($"{where}: bbox is {Kind(r.TokenType)}; [x, y, w, h] expected");
        Span<double> v = stackalloc double[4];
        int n = 0;
        while (r.Read() && r.TokenType != JsonTokenType.EndArray)
        {
            if (r.TokenType != JsonTokenType.Number) throw new CocoFormatException($"{where}: bbox holds {Kind(r.TokenType)}; numbers expected");
            if (n < 4) v[n] = Finite(r.GetDouble(), "bbox", where);
            n++;
        }
        if (n == 0) return null;
        if (n != 4) throw new CocoFormatException($"{where}: bbox has {n} numbers, 4 expected");
        return new CocoBoxXywh(v[0], v[1], v[2], v[3]);
    }

    // The property names COCO defines; anything else is Other (and becomes an extra field).
    private enum Field { Other, Id, ImageId, CategoryId, Segmentation, Area, Bbox, IsCrowd, Width, Height, FileName, Name, Supercategory, Score, Size, Counts }

    private static Field Match(ref Utf8JsonReader r)
    {
        if (r.ValueIsEscaped || r.HasValueSequence) return Field.Other; // matched by string below
        ReadOnlySpan<byte> n = r.ValueSpan;
        return n.Length switch
        {
            2 when n.SequenceEqual("id"u8) => Field.Id,
            4 when n.SequenceEqual("area"u8) => Field.Area,
            4 when n.SequenceEqual("bbox"u8) => Field.Bbox,
            4 when n.SequenceEqual("name"u8) => Field.Name,
            4 when n.SequenceEqual("size"u8) => Field.Size,
            5 when n.SequenceEqual("width"u8) => Field.Width,
            5 when n.SequenceEqual("score"u8) => Field.Score,
            6 when n.SequenceEqual("height"u8) => Field.Height,
            6 when n.SequenceEqual("counts"u8) => Field.Counts,
            7 when n.SequenceEqual("iscrowd"u8) => Field.IsCrowd,
            8 when n.SequenceEqual("image_id"u8) => Field.ImageId,
            9 when n.SequenceEqual("file_name"u8) => Field.FileName,
            11 when n.SequenceEqual("category_id"u8) => Field.CategoryId,
            12 when n.SequenceEqual("segmentation"u8) => Field.Segmentation,
            13 when n.SequenceEqual("supercategory"u8) => Field.Supercategory,
            _ => Field.Other,
        };
    }

    private static string FieldName(Field f) => f switch
    {
        Field.Id => "id", Field.ImageId => "image_id", Field.CategoryId => "category_id", Field.Segmentation => "segmentation",
        Field.Area => "area", Field.Bbox => "bbox", Field.IsCrowd => "iscrowd", Field.Width => "width", Field.Height => "height",
        Field.FileName => "file_name", Field.Name => "name", Field.Supercategory => "supercategory", Field.Score => "score",
        Field.Size => "size", Field.Counts => "counts", _ => "",
    };

    // Moves to the next property's value; false at the end of the object. The name is given as a string only when it
    // is not one COCO defines (or is written with escapes), so known fields cost no allocation.
    private static bool NextProperty(ref Utf8JsonReader r, out Field field, out string? name)
    {
        r.Read();
        if (r.TokenType == JsonTokenType.EndObject)
        {
            field = Field.Other;
            name = null;
            return false;
        }
        field = Match(ref r);
        name = null;
        if (field == Field.Other)
        {
            name = r.GetString()!;
            field = r.ValueIsEscaped ? MatchString(name) : Field.Other;
            if (field != Field.Other) name = null;
        }
        r.Read();
        return true;
    }

    private static Field MatchString(string name)
    {
        foreach (Field f in Enum.GetValues<Field>())
            if (f != Field.Other && FieldName(f) == name) return f;
        return Field.Other;
    }

    private static void SkipValue(ref Utf8JsonReader r)
    {
        // TrySkip, not Skip: the reader may be over a non-final block (the entry itself is complete in it).
        if (!r.TrySkip()) throw new InvalidOperationException("a COCO entry was handed over incomplete");
    }

    // Keeps the value the reader is on as an extra field (its raw text), or skips it.
    private static void Extra(ref Utf8JsonReader r, ReadOnlySpan<byte> data, string name, bool keep, ref CocoExtras.Collector extras)
    {
        int start = (int)r.TokenStartIndex;
        SkipValue(ref r);
        if (keep) extras.AddRaw(name, data[start..(int)r.BytesConsumed]);
    }

    private static void RequireObject(ref Utf8JsonReader r, string file, string what)
    {
        if (r.TokenType != JsonTokenType.StartObject) throw new CocoFormatException($"{file}: {what} is {Kind(r.TokenType)}, an object expected");
    }

    private static long IdValue(ref Utf8JsonReader r, string name, string where)
    {
        if (r.TokenType != JsonTokenType.Number) throw new CocoFormatException($"{where}: \"{name}\" is {Kind(r.TokenType)}, a number expected");
        if (r.TryGetInt64(out long l)) return l;
        double d = r.GetDouble();
        if (d != Math.Floor(d) || Math.Abs(d) > 9e18) throw new CocoFormatException($"{where}: \"{name}\" is {d}, an integer expected");
        return (long)d;
    }

    private static double NumberValue(ref Utf8JsonReader r, string name, string where)
    {
        if (r.TokenType == JsonTokenType.Number) return Finite(r.GetDouble(), $"\"{name}\"", where);
        string kind = Kind(r.TokenType);
        throw new CocoFormatException($"{where}: \"{name}\" is {kind}, a number expected");
    }

    private static bool Truthy(ref Utf8JsonReader r)
    {
        bool v = r.TokenType switch
        {
            JsonTokenType.True => true,
            JsonTokenType.Number => r.GetDouble() != 0,
            _ => false,
        };
        SkipValue(ref r);
        return v;
    }

    // JSON numbers past double's range read as ±infinity; COCO has no use for them and JSON cannot write them back.
    private static double Finite(double v, string what, string where) =>
        double.IsFinite(v) ? v : throw new CocoFormatException($"{where}: {what} holds a number out of double's range");

    private static CocoFormatException Missing(string where, string name) => new($"{where}: lacks \"{name}\"");

    // JsonValueKind's names, which the messages used before parsing went token-level.
    private static string Kind(JsonTokenType t) => t switch
    {
        JsonTokenType.StartObject => "Object",
        JsonTokenType.StartArray => "Array",
        JsonTokenType.String => "String",
        JsonTokenType.Number => "Number",
        JsonTokenType.True => "True",
        JsonTokenType.False => "False",
        JsonTokenType.Null => "Null",
        _ => t.ToString(),
    };
}
