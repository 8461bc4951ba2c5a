using System.Text.Json;
using SegKit.Masks;
using SegKit.Tests.TestSupport;

namespace SegKit.Tests.Masks;

/// <summary>Every vector in ../shared/reference/coco/rle_vectors.json (pycocotools 2.0 outputs) must match exactly.</summary>
public class CocoRleReferenceTests
{
    private static readonly Lazy<JsonDocument> s_doc = new(() =>
        JsonDocument.Parse(File.ReadAllBytes(TestPaths.SharedReference("coco", "rle_vectors.json"))));

    private static JsonElement Section(string name) => s_doc.Value.RootElement.GetProperty(name);

    public static TheoryData<int> RleCases() => Indices("rle");
    public static TheoryData<int> IouCases() => Indices("iou");
    public static TheoryData<int> PolygonCases() => Indices("polygons");

    private static TheoryData<int> Indices(string section)
    {
        var d = new TheoryData<int>();
        for (int i = 0; i < Section(section).GetArrayLength(); i++) d.Add(i);
        return d;
    }

    private static CocoRle FromUncompressed(JsonElement c) =>
        new(c.GetProperty("height").GetInt32(), c.GetProperty("width").GetInt32(),
            c.GetProperty("uncompressed_counts").EnumerateArray().Select(e => e.GetUInt32()).ToArray());

    [Theory]
    [MemberData(nameof(RleCases))]
    public void ToCompressedString_ReferenceRle_MatchesPycocotools(int index)
    {
        JsonElement c = Section("rle")[index];
        Assert.Equal(c.GetProperty("counts").GetString(), FromUncompressed(c).ToCompressedString());
    }

    [Theory]
    [MemberData(nameof(RleCases))]
    public void Encode_DecodedReferenceRle_ReproducesCounts(int index)
    {
        JsonElement c = Section("rle")[index];
        CocoRle rle = FromUncompressed(c);
        BinaryMask mask = rle.Decode();
        CocoRle again = CocoRle.Encode(mask);
        Assert.Equal(rle.Counts.ToArray(), again.Counts.ToArray());
        Assert.Equal(c.GetProperty("counts").GetString(), again.ToCompressedString());
        Assert.Equal(rle.Counts.ToArray(), CocoRle.FromColumnMajor(rle.DecodeColumnMajor(), rle.Height, rle.Width).Counts.ToArray());
        Assert.Equal(rle.Counts.ToArray(), CocoRle.FromRowMajor(mask.ToBytes(), rle.Height, rle.Width).Counts.ToArray());
    }

    [Theory]
    [MemberData(nameof(RleCases))]
    public void FromCompressedString_ReferenceString_ReproducesCounts(int index)
    {
        JsonElement c = Section("rle")[index];
        CocoRle parsed = CocoRle.FromCompressedString(c.GetProperty("height").GetInt32(), c.GetProperty("width").GetInt32(),
            c.GetProperty("counts").GetString()!);
        Assert.Equal(FromUncompressed(c).Counts.ToArray(), parsed.Counts.ToArray());
    }

    [Theory]
    [MemberData(nameof(RleCases))]
    public void AreaAndBbox_ReferenceRle_MatchPycocotools(int index)
    {
        JsonElement c = Section("rle")[index];
        CocoRle rle = FromUncompressed(c);
        Assert.Equal(c.GetProperty("area").GetInt64(), rle.Area());
        Assert.Equal(rle.Decode().Area(), rle.Area());
        double[] bb = c.GetProperty("bbox_xywh").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        CocoBoxXywh box = rle.ToBboxXywh();
        Assert.Equal(bb, new[] { box.X, box.Y, box.Width, box.Height });
    }

    [Theory]
    [MemberData(nameof(IouCases))]
    public void Iou_ReferencePair_MatchesPycocotools(int index)
    {
        JsonElement c = Section("iou")[index];
        (CocoRle a, CocoRle b) = Pair(c);
        bool crowd = c.GetProperty("b_is_crowd").GetInt32() != 0;
        double[,] iou = CocoRle.Iou([a], [b], [crowd]);
        Assert.Equal(1, iou.GetLength(0));
        Assert.Equal(1, iou.GetLength(1));
        Assert.Equal(c.GetProperty("iou").GetDouble(), iou[0, 0], 1e-9);
    }

    [Theory]
    [MemberData(nameof(IouCases))]
    public void Merge_ReferencePair_MatchesPycocotoolsStrings(int index)
    {
        JsonElement c = Section("iou")[index];
        (CocoRle a, CocoRle b) = Pair(c);
        Assert.Equal(c.GetProperty("merge_union").GetString(), CocoRle.Merge([a, b], intersect: false).ToCompressedString());
        Assert.Equal(c.GetProperty("merge_intersection").GetString(), CocoRle.Merge([a, b], intersect: true).ToCompressedString());
    }

    [Theory]
    [MemberData(nameof(IouCases))]
    public void Merge_ReferencePair_AgreesWithPixelLogic(int index)
    {
        (CocoRle a, CocoRle b) = Pair(Section("iou")[index]);
        BinaryMask ma = a.Decode(), mb = b.Decode();
        Assert.Equal(ma.Or(mb), CocoRle.Merge([a, b]).Decode());
        Assert.Equal(ma.And(mb), CocoRle.Merge([a, b], intersect: true).Decode());
    }

    [Theory]
    [MemberData(nameof(PolygonCases))]
    public void FromPolygon_ReferencePolygon_MatchesPycocotools(int index)
    {
        JsonElement c = Section("polygons")[index];
        int h = c.GetProperty("height").GetInt32(), w = c.GetProperty("width").GetInt32();
        double[] xy = c.GetProperty("polygon").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        CocoRle rle = CocoRle.FromPolygon(xy, h, w);
        Assert.Equal(c.GetProperty("counts").GetString(), rle.ToCompressedString());
        Assert.Equal(c.GetProperty("area").GetInt64(), rle.Area());
        Assert.Equal(c.GetProperty("counts").GetString(), CocoRle.FromPolygons([xy], h, w).ToCompressedString());
    }

    private static (CocoRle A, CocoRle B) Pair(JsonElement c)
    {
        int h = c.GetProperty("height").GetInt32(), w = c.GetProperty("width").GetInt32();
        return (CocoRle.FromCompressedString(h, w, c.GetProperty("a").GetString()!),
                CocoRle.FromCompressedString(h, w, c.GetProperty("b").GetString()!));
    }
}
