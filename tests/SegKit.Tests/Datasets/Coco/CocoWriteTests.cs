using System.Text;
using System.Text.Json;
using SegKit.Datasets.Coco;
using SegKit.Masks;
using SegKit.Tests.TestSupport;

namespace SegKit.Tests.Datasets.Coco;

public class CocoWriteTests
{
    // Every feature a round trip must keep: info/licenses, extra image/category/annotation fields, several polygons
    // with fractional coordinates, compressed and uncompressed RLE, iscrowd, an annotation without bbox, non-ASCII.
    private const string Gt = """
        {"info": {"year": 2017, "description": "naïve \"test\"", "nested": [[1, 2], {"a": null}]},
         "licenses": [{"id": 1, "name": "CC"}],
         "images": [{"id": 1, "width": 20, "height": 10, "file_name": "a/ü.jpg", "license": 1, "coco_url": "http://x/a.jpg", "date_captured": "2013-11-14 11:18:45"},
                    {"id": 2, "width": 8, "height": 6}],
         "annotations": [
           {"id": 5, "image_id": 1, "category_id": 3, "segmentation": [[1.25, 1, 8.5, 1, 8, 6.75, 1, 6], [10, 2, 15, 2, 12.125, 8]], "area": 35.5, "bbox": [1.25, 1, 7.25, 5.75], "iscrowd": 0, "attributes": {"occluded": true}},
           {"id": 6, "image_id": 2, "category_id": 3, "segmentation": {"size": [6, 8], "counts": [10, 4, 34]}, "area": 4, "bbox": [1, 4, 1, 4], "iscrowd": 1},
           {"id": 7, "image_id": 2, "category_id": 4, "segmentation": {"size": [6, 8], "counts": "<4P1"}, "area": 4.0, "iscrowd": false},
           {"id": 9007199254740993, "image_id": 2, "category_id": 4, "area": 0.1, "bbox": [0.1, 0.2, 0.30000000000000004, 1e-7], "iscrowd": 0}
         ],
         "categories": [{"id": 3, "name": "cat", "supercategory": "animal", "keypoints": ["nose", "tail"], "skeleton": [[1, 2]]}, {"id": 4, "name": "狗"}]}
        """;

    private static CocoDataset ReadText(string json, CocoReadOptions? o = null) => CocoDataset.Read(new MemoryStream(Encoding.UTF8.GetBytes(json)), "gt.json", o);

    private static byte[] WriteBytes(CocoDataset ds)
    {
        var ms = new MemoryStream();
        ds.Write(ms);
        return ms.ToArray();
    }

    private static void AssertSame(CocoDataset a, CocoDataset b)
    {
        Assert.Equal(a.Images, b.Images);
        Assert.Equal(a.Categories, b.Categories);
        Assert.Equal(a.Annotations, b.Annotations);
        Assert.Equal(a.Extra, b.Extra);
    }

    [Fact]
    public void WriteRead_AllFeatures_Lossless()
    {
        CocoDataset a = ReadText(Gt);
        Assert.Empty(a.Diagnostics);
        byte[] written = WriteBytes(a);
        CocoDataset b = CocoDataset.Read(new MemoryStream(written));
        AssertSame(a, b);
        // Writing what was read back gives the same bytes: the output is a fixed point.
        Assert.Equal(written, WriteBytes(b));
    }

    [Fact]
    public void WriteRead_AllFeatures_KindsAndExtrasKept()
    {
        CocoDataset b = CocoDataset.Read(new MemoryStream(WriteBytes(ReadText(Gt))));
        Assert.Equal(CocoSegmentationKind.Polygons, b.Annotations[0].Segmentation!.Kind);
        Assert.Equal(new[] { 10, 2, 15, 2, 12.125, 8 }, b.Annotations[0].Segmentation!.Polygons![1]);
        Assert.Equal(CocoSegmentationKind.UncompressedRle, b.Annotations[1].Segmentation!.Kind);
        Assert.True(b.Annotations[1].IsCrowd);
        Assert.Equal(CocoSegmentationKind.CompressedRle, b.Annotations[2].Segmentation!.Kind);
        Assert.Null(b.Annotations[2].Bbox);
        Assert.Equal(9007199254740993L, b.Annotations[3].Id);
        Assert.Equal(0.30000000000000004, b.Annotations[3].Bbox!.Value.Width);
        Assert.True(b.Annotations[0].Extra!.TryGetValue("attributes", out JsonElement attr));
        Assert.True(attr.GetProperty("occluded").GetBoolean());
        Assert.Equal(["license", "coco_url", "date_captured"], b.Images[0].Extra!.Names);
        Assert.Null(b.Images[1].Extra);
        Assert.Equal("a/ü.jpg", b.Images[0].FileName);
        Assert.Equal("狗", b.Categories[1].Name);
        Assert.True(b.Categories[0].Extra!.TryGetValue("keypoints", out JsonElement kp));
        Assert.Equal(2, kp.GetArrayLength());
        Assert.Equal(["info", "licenses"], b.Extra!.Names);
        Assert.True(b.Extra.TryGetValue("info", out JsonElement info));
        Assert.Equal("naïve \"test\"", info.GetProperty("description").GetString());
    }

    [Fact]
    public void WriteRead_ExtrasKeepTheirText()
    {
        const string json = """{"images": [{"id": 1, "width": 2, "height": 2, "meta": { "a" : [1, 2.50, "x\u00e9"] }}], "annotations": [], "categories": []}""";
        CocoDataset a = ReadText(json);
        Assert.Equal("""{"meta":{ "a" : [1, 2.50, "x\u00e9"] }}""", a.Images[0].Extra!.ToString());
        CocoDataset b = CocoDataset.Read(new MemoryStream(WriteBytes(a)));
        Assert.Equal(a.Images[0], b.Images[0]);
        Assert.True(b.Images[0].Extra!.TryGetValue("meta", out JsonElement meta));
        Assert.Equal("xé", meta.GetProperty("a")[2].GetString());
    }

    [Fact]
    public void Read_WithoutExtraFields_ExtrasNull()
    {
        CocoDataset a = ReadText(Gt, new CocoReadOptions { KeepExtraFields = false });
        Assert.Null(a.Extra);
        Assert.All(a.Images, i => Assert.Null(i.Extra));
        Assert.All(a.Annotations, x => Assert.Null(x.Extra));
    }

    [Theory]
    [InlineData("coco_case0_gt.json")]
    [InlineData("coco_case1_gt.json")]
    [InlineData("coco_case2_gt.json")]
    public void SaveLoad_ReferenceGroundTruth_Lossless(string file)
    {
        CocoDataset a = CocoDataset.Load(TestPaths.SharedReference("coco", file));
        Assert.Empty(a.Diagnostics);
        string dir = TestPaths.NewTempDir();
        string path = Path.Combine(dir, "out.json");
        a.Save(path);
        AssertSame(a, CocoDataset.Load(path));
        Assert.Single(Directory.GetFiles(dir)); // no temporary file left behind
    }

    [Theory]
    [InlineData("coco_case0_dt.json")]
    [InlineData("coco_case2_dt.json")]
    public void SaveLoad_ReferenceResults_Lossless(string file)
    {
        CocoResultList a = CocoResults.Load(TestPaths.SharedReference("coco", file));
        Assert.Empty(a.Diagnostics);
        string path = Path.Combine(TestPaths.NewTempDir(), "r.json");
        CocoResults.Save(path, a);
        Assert.Equal(a, CocoResults.Load(path));
    }

    [Fact]
    public void ResultsWriter_Streamed_SameAsSave()
    {
        CocoResultList a = CocoResults.Load(TestPaths.SharedReference("coco", "coco_case1_dt.json"));
        string dir = TestPaths.NewTempDir();
        string path = Path.Combine(dir, "r.json");
        using (var w = CocoResultsWriter.Create(path))
        {
            foreach (CocoResult r in a) w.Write(r);
            Assert.False(File.Exists(path));
            w.Complete();
        }
        CocoResults.Save(Path.Combine(dir, "s.json"), a);
        Assert.Equal(File.ReadAllBytes(Path.Combine(dir, "s.json")), File.ReadAllBytes(path));
    }

    [Fact]
    public void ResultsWriter_NotCompleted_LeavesNothing()
    {
        string dir = TestPaths.NewTempDir();
        using (var w = CocoResultsWriter.Create(Path.Combine(dir, "r.json")))
            w.Write(new CocoResult(1, 1, 0.5, new CocoBoxXywh(0, 0, 1, 1), null));
        Assert.Empty(Directory.GetFileSystemEntries(dir));
    }

    [Fact]
    public void WriteRead_ResultExtras_Kept()
    {
        var r = new CocoResult(3, 1, 0.875, null, CocoSegmentation.FromRle(CocoRle.FromRowMajor([0, 1, 1, 0], 2, 2)))
        {
            Extra = CocoExtras.FromJson("""{"predicted_iou": 0.93, "point_coords": [[1.5, 2.5]], "crop_box": [0, 0, 2, 2]}"""),
        };
        var ms = new MemoryStream();
        CocoResults.Write(ms, [r]);
        CocoResult back = Assert.Single(CocoResults.Read(new MemoryStream(ms.ToArray())));
        Assert.Equal(r, back);
        Assert.True(back.Extra!.TryGetValue("predicted_iou", out JsonElement iou));
        Assert.Equal(0.93, iou.GetDouble());
    }

    [Fact]
    public void Extras_With_ReplacesOrAdds()
    {
        CocoExtras e = CocoExtras.With(CocoExtras.FromJson("""{"a": 1, "b": 2}"""), "a", w => w.WriteStringValue("x"));
        Assert.Equal("""{"b":2,"a":"x"}""", e.ToString());
        Assert.Null(CocoExtras.FromJson("{}"));
    }
}
