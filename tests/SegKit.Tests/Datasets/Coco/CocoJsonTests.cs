using System.Text;
using SegKit.Datasets.Coco;
using SegKit.Masks;
using SegKit.Tests.TestSupport;

namespace SegKit.Tests.Datasets.Coco;

public class CocoJsonTests
{
    // Hands out at most a few bytes per Read, so every JSON token gets split across buffer refills.
    private sealed class TrickleStream(byte[] data) : MemoryStream(data)
    {
        private int _n;
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, 1 + _n++ % 7));
    }

    private const string Gt = """
        {"info": {"year": 2017, "nested": [[1, 2], {"a": "b"}]},
         "images": [{"id": 1, "width": 20, "height": 10, "file_name": "a.jpg"}, {"id": 2, "width": 8, "height": 6}],
         "licenses": [],
         "annotations": [
           {"id": 5, "image_id": 1, "category_id": 3, "segmentation": [[1, 1, 8, 1, 8, 6, 1, 6]], "area": 35.5, "bbox": [1, 1, 7, 5], "iscrowd": 0},
           {"id": 6, "image_id": 2, "category_id": 3, "segmentation": {"size": [6, 8], "counts": [10, 4, 34]}, "area": 4, "bbox": [1, 4, 1, 4], "iscrowd": 1},
           {"id": 7, "image_id": 2, "category_id": 4, "segmentation": {"size": [6, 8], "counts": "<4P1"}, "area": 4.0, "bbox": [1, 0, 1, 4], "iscrowd": false}
         ],
         "categories": [{"id": 3, "name": "cat", "supercategory": "animal"}, {"id": 4, "name": "dog"}]}
        """;

    [Fact]
    public void Read_GroundTruth_AllFieldsParsed()
    {
        CocoDataset ds = CocoDataset.Read(new MemoryStream(Encoding.UTF8.GetBytes(Gt)));
        Assert.Equal([new CocoImage(1, 20, 10, "a.jpg"), new CocoImage(2, 8, 6, null)], ds.Images);
        Assert.Equal([new CocoCategory(3, "cat", "animal"), new CocoCategory(4, "dog", null)], ds.Categories);
        Assert.Equal(3, ds.Annotations.Count);
        CocoAnnotation a = ds.Annotations[0];
        Assert.Equal((5L, 1L, 3L, 35.5, false), (a.Id, a.ImageId, a.CategoryId, a.Area, a.IsCrowd));
        Assert.Equal(new CocoBoxXywh(1, 1, 7, 5), a.Bbox);
        Assert.Equal(CocoSegmentationKind.Polygons, a.Segmentation!.Kind);
        Assert.Equal(new double[] { 1, 1, 8, 1, 8, 6, 1, 6 }, a.Segmentation.Polygons![0]);
        CocoAnnotation crowd = ds.Annotations[1];
        Assert.True(crowd.IsCrowd);
        Assert.Equal(CocoSegmentationKind.UncompressedRle, crowd.Segmentation!.Kind);
        Assert.Equal(new uint[] { 10, 4, 34 }, crowd.Segmentation.Rle!.Counts.ToArray());
        Assert.Equal(CocoSegmentationKind.CompressedRle, ds.Annotations[2].Segmentation!.Kind);
        Assert.Equal(4, ds.Annotations[2].Segmentation!.Rle!.Area());
    }

    [Fact]
    public void Read_TrickledStream_SameAsWholeFile()
    {
        CocoDataset whole = CocoDataset.Read(new MemoryStream(Encoding.UTF8.GetBytes(Gt)));
        CocoDataset trickled = CocoDataset.Read(new TrickleStream(Encoding.UTF8.GetBytes(Gt)));
        Assert.Equal(whole.Images, trickled.Images);
        Assert.Equal(whole.Categories, trickled.Categories);
        Assert.Equal(whole.Annotations.Select(a => (a.Id, a.Area, a.Bbox, a.Segmentation!.ToRle(6, 8).ToCompressedString())),
            trickled.Annotations.Select(a => (a.Id, a.Area, a.Bbox, a.Segmentation!.ToRle(6, 8).ToCompressedString())));
    }

    [Fact]
    public void Read_ReferenceFilesTrickled_SameAsFromFile()
    {
        string gtPath = TestPaths.SharedReference("coco", "coco_case2_gt.json");
        string dtPath = TestPaths.SharedReference("coco", "coco_case2_dt.json");
        CocoDataset a = CocoDataset.Load(gtPath), b = CocoDataset.Read(new TrickleStream(File.ReadAllBytes(gtPath)));
        Assert.Equal(a.Annotations.Count, b.Annotations.Count);
        Assert.Equal(a.Annotations.Select(x => x with { Segmentation = null }), b.Annotations.Select(x => x with { Segmentation = null }));
        IReadOnlyList<CocoResult> r1 = CocoResults.Load(dtPath), r2 = CocoResults.Read(new TrickleStream(File.ReadAllBytes(dtPath)));
        Assert.Equal(r1.Select(x => (x.ImageId, x.CategoryId, x.Score, x.Bbox, x.Segmentation!.Rle!.ToCompressedString())),
            r2.Select(x => (x.ImageId, x.CategoryId, x.Score, x.Bbox, x.Segmentation!.Rle!.ToCompressedString())));
    }

    [Fact]
    public void ReadResults_Array_ParsesEntries()
    {
        const string json = """[{"image_id": 1, "category_id": 2, "bbox": [1.5, 2, 3, 4], "score": 0.25}, {"image_id": 1, "category_id": 2, "bbox": [], "score": 0.5, "segmentation": {"size": [3, 3], "counts": "9"}}]""";
        IReadOnlyList<CocoResult> r = CocoResults.Read(new MemoryStream(Encoding.UTF8.GetBytes(json)));
        Assert.Equal(new CocoBoxXywh(1.5, 2, 3, 4), r[0].Bbox);
        Assert.Null(r[0].Segmentation);
        Assert.Null(r[1].Bbox);
        Assert.Equal(0.5, r[1].Score);
        Assert.Equal(0, r[1].Segmentation!.Rle!.Area());
    }

    [Theory]
    [InlineData("""{"images": [{"id": 1, "width": 2, "height": 2}], "annotations": [{"id": 1, "image_id": 1""")]
    [InlineData("""[1, 2]""")]
    [InlineData("""{"images": 3}""")]
    [InlineData("""{"images": []} x""")]
    public void Read_MalformedGroundTruth_ThrowsCocoFormatException(string json) =>
        Assert.Throws<CocoFormatException>(() => CocoDataset.Read(new MemoryStream(Encoding.UTF8.GetBytes(json)), "gt.json"));

    [Theory]
    [InlineData("""{"images": [{"id": 1, "width": 2}]}""")]
    [InlineData("""{"images": [{"id": 1, "width": 2, "height": 2}], "categories": [{"id": 1}], "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "segmentation": {"size": [2, 2], "counts": "~~"}}]}""")]
    public void Read_BadEntry_LenientReportsStrictThrows(string json)
    {
        CocoDataset ds = CocoDataset.Read(new MemoryStream(Encoding.UTF8.GetBytes(json)), "gt.json");
        CocoDiagnostic d = Assert.Single(ds.Diagnostics);
        Assert.Equal(CocoProblem.InvalidEntry, d.Problem);
        Assert.True(d.Dropped);
        var ex = Assert.Throws<CocoFormatException>(() => CocoDataset.Read(new MemoryStream(Encoding.UTF8.GetBytes(json)), "gt.json", CocoReadOptions.Strict));
        Assert.Single(ex.Diagnostics);
    }

    [Fact]
    public void ToRle_FourNumberPolygons_ReadAsBoxesLikeFrPyObjects()
    {
        CocoSegmentation s = CocoSegmentation.FromPolygons([[1, 1, 3, 2]]);
        Assert.Equal(CocoRle.FromBboxXywh(new CocoBoxXywh(1, 1, 3, 2), 6, 8), s.ToRle(6, 8));
    }

    [Fact]
    public void ToRle_SeveralPolygons_Union()
    {
        double[] p1 = [0, 0, 3, 0, 3, 3, 0, 3], p2 = [4, 1, 7, 1, 7, 5];
        CocoRle r = CocoSegmentation.FromPolygons([p1, p2]).ToRle(6, 8);
        Assert.Equal(CocoRle.Merge([CocoRle.FromPolygon(p1, 6, 8), CocoRle.FromPolygon(p2, 6, 8)]), r);
    }

    [Fact]
    public void ToRle_EmptyPolygonList_Throws() =>
        Assert.Throws<CocoFormatException>(() => CocoSegmentation.FromPolygons([]).ToRle(4, 4));
}
