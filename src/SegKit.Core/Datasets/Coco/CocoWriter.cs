using System.Text.Encodings.Web;
using System.Text.Json;
using SegKit.Masks;

namespace SegKit.Datasets.Coco;

// Writes model records as COCO JSON. Field order follows COCO's own files; absent optional fields are left out;
// numbers are written in their shortest round-trip form, so a read of the output gives the same doubles.
internal static class CocoWriter
{
    public static JsonWriterOptions WriterOptions(CocoWriteOptions? options) => new()
    {
        Indented = options?.Indented ?? false,
        // File names and category names are written as UTF-8, not \u escapes (the text is data, not HTML).
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    public static void WriteImage(Utf8JsonWriter w, CocoImage i)
    {
        w.WriteStartObject();
        w.WriteNumber("id", i.Id);
        w.WriteNumber("width", i.Width);
        w.WriteNumber("height", i.Height);
        if (i.FileName is not null) w.WriteString("file_name", i.FileName);
        i.Extra?.WriteTo(w);
        w.WriteEndObject();
    }

    public static void WriteCategory(Utf8JsonWriter w, CocoCategory c)
    {
        w.WriteStartObject();
        w.WriteNumber("id", c.Id);
        w.WriteString("name", c.Name);
        if (c.Supercategory is not null) w.WriteString("supercategory", c.Supercategory);
        c.Extra?.WriteTo(w);
        w.WriteEndObject();
    }

    public static void WriteAnnotation(Utf8JsonWriter w, CocoAnnotation a)
    {
        w.WriteStartObject();
        w.WriteNumber("id", a.Id);
        w.WriteNumber("image_id", a.ImageId);
        w.WriteNumber("category_id", a.CategoryId);
        if (a.Segmentation is not null)
        {
            w.WritePropertyName("segmentation");
            WriteSegmentation(w, a.Segmentation);
        }
        w.WriteNumber("area", a.Area);
        if (a.Bbox is CocoBoxXywh b) WriteBox(w, b);
        w.WriteNumber("iscrowd", a.IsCrowd ? 1 : 0);
        a.Extra?.WriteTo(w);
        w.WriteEndObject();
    }

    public static void WriteResult(Utf8JsonWriter w, CocoResult r)
    {
        w.WriteStartObject();
        w.WriteNumber("image_id", r.ImageId);
        w.WriteNumber("category_id", r.CategoryId);
        if (r.Bbox is CocoBoxXywh b) WriteBox(w, b);
        w.WriteNumber("score", r.Score);
        if (r.Segmentation is not null)
        {
            w.WritePropertyName("segmentation");
            WriteSegmentation(w, r.Segmentation);
        }
        r.Extra?.WriteTo(w);
        w.WriteEndObject();
    }

    /// <summary>Writes a segmentation in the form it was read or made in (polygons, compressed or uncompressed RLE).</summary>
    public static void WriteSegmentation(Utf8JsonWriter w, CocoSegmentation s)
    {
        if (s.Kind == CocoSegmentationKind.Polygons)
        {
            w.WriteStartArray();
            foreach (double[] p in s.Polygons!)
            {
                w.WriteStartArray();
                foreach (double v in p) w.WriteNumberValue(v);
                w.WriteEndArray();
            }
            w.WriteEndArray();
            return;
        }
        CocoRle rle = s.Rle!;
        w.WriteStartObject();
        w.WriteStartArray("size");
        w.WriteNumberValue(rle.Height);
        w.WriteNumberValue(rle.Width);
        w.WriteEndArray();
        if (s.Kind == CocoSegmentationKind.CompressedRle)
        {
            w.WriteString("counts", rle.ToCompressedString());
        }
        else
        {
            w.WriteStartArray("counts");
            foreach (uint c in rle.Counts) w.WriteNumberValue(c);
            w.WriteEndArray();
        }
        w.WriteEndObject();
    }

    private static void WriteBox(Utf8JsonWriter w, CocoBoxXywh b)
    {
        w.WriteStartArray("bbox");
        w.WriteNumberValue(b.X);
        w.WriteNumberValue(b.Y);
        w.WriteNumberValue(b.Width);
        w.WriteNumberValue(b.Height);
        w.WriteEndArray();
    }
}
