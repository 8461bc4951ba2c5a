using System.Text;
using SegKit.Datasets.Coco;
using SegKit.Masks;

namespace SegKit.Tests.Datasets.Coco;

public class CocoDiagnosticsTests
{
    // One good annotation per problem kind, interleaved with bad ones, so "the rest is usable" is visible.
    private const string Gt = """
        {"images": [{"id": 1, "width": 8, "height": 6}, {"id": 2, "width": 4, "height": 4}, {"id": 2, "width": 4, "height": 4}],
         "categories": [{"id": 1, "name": "a"}],
         "annotations": [
           {"id": 10, "image_id": 1, "category_id": 1, "segmentation": [[0, 0, 4, 0, 4, 4]], "area": 8, "bbox": [0, 0, 4, 4], "iscrowd": 0},
           {"id": 11, "image_id": 99, "category_id": 1, "segmentation": [[0, 0, 4, 0, 4, 4]], "area": 8, "iscrowd": 0},
           {"id": 12, "image_id": 1, "category_id": 7, "segmentation": [[0, 0, 4, 0, 4, 4]], "area": 8, "iscrowd": 0},
           {"id": 13, "image_id": 1, "category_id": 1, "segmentation": [[0, 0, 4, 0]], "area": 8, "iscrowd": 0},
           {"id": 14, "image_id": 1, "category_id": 1, "segmentation": [[0, 0, 4, 0, 4, 4], [1, 1]], "area": 8, "iscrowd": 0},
           {"id": 15, "image_id": 1, "category_id": 1, "segmentation": {"size": [4, 4], "counts": [3, 2, 11]}, "area": 2, "iscrowd": 1},
           {"id": 16, "image_id": 2, "category_id": 1, "segmentation": {"size": [4, 4], "counts": [3, 2, 10]}, "area": 2, "iscrowd": 1},
           {"id": 17, "image_id": 2, "category_id": 1, "segmentation": [], "area": 0, "iscrowd": 0},
           {"id": 18, "image_id": 2, "category_id": 1, "bbox": [1, 2, 3], "iscrowd": 0},
           {"id": 19, "image_id": 2, "category_id": 1, "segmentation": [[0, 0, 3, 0, 3, 3, 1]], "area": 4, "iscrowd": 0},
           {"id": 10, "image_id": 2, "category_id": 1, "segmentation": {"size": [4, 4], "counts": "529"}, "area": 2, "iscrowd": 0},
           {"image_id": 2, "category_id": 1}
         ]}
        """;

    private static CocoDataset Read(CocoReadOptions? o = null) => CocoDataset.Read(new MemoryStream(Encoding.UTF8.GetBytes(Gt)), "gt.json", o);

    [Fact]
    public void Read_BadAnnotations_EachReportedWithItsId()
    {
        CocoDataset ds = Read();
        var byProblem = ds.Diagnostics.Select(d => (d.Problem, d.Section, d.Id, d.Dropped)).ToList();
        Assert.Equal(
        [
            (CocoProblem.InvalidEntry, "annotations", (long?)18, true),
            (CocoProblem.InvalidEntry, "annotations", null, true),
            (CocoProblem.DuplicateId, "images", 2, false),
            (CocoProblem.MissingImage, "annotations", 11, true),
            (CocoProblem.MissingCategory, "annotations", 12, true),
            (CocoProblem.PolygonTooShort, "annotations", 13, true),
            (CocoProblem.PolygonTooShort, "annotations", 14, false),
            (CocoProblem.RleSizeMismatch, "annotations", 15, true),
            (CocoProblem.RleCountsMismatch, "annotations", 16, true),
            (CocoProblem.EmptySegmentation, "annotations", 17, true),
            (CocoProblem.PolygonOddLength, "annotations", 19, false),
            (CocoProblem.DuplicateId, "annotations", 10, false),
        ], byProblem);
        Assert.All(ds.Diagnostics, d => Assert.StartsWith("gt.json: ", d.Message));
        Assert.Contains("annotation 11: image_id 99", ds.Diagnostics.Single(d => d.Problem == CocoProblem.MissingImage).Message);
        Assert.Contains("[4, 4] differs from image 1's [6, 8]", ds.Diagnostics.Single(d => d.Problem == CocoProblem.RleSizeMismatch).Message);
        Assert.Equal(11, ds.Diagnostics.Single(d => d.Problem == CocoProblem.InvalidEntry && d.Id is null).Index);
    }

    [Fact]
    public void Read_BadAnnotations_RestUsable()
    {
        CocoDataset ds = Read();
        Assert.Equal([10L, 14, 19, 10], ds.Annotations.Select(a => a.Id));
        // Annotation 14 lost its 1-point polygon and kept the triangle.
        Assert.Equal([[0.0, 0, 4, 0, 4, 4]], ds.Annotations[1].Segmentation!.Polygons!);
        Assert.Equal(3, ds.Images.Count);
        Assert.All(ds.Annotations, a => a.Segmentation!.ToRle(6, 8));
    }

    [Fact]
    public void Read_Strict_ThrowsWithAllDiagnostics()
    {
        var ex = Assert.Throws<CocoFormatException>(() => Read(CocoReadOptions.Strict));
        Assert.Equal(12, ex.Diagnostics.Count);
        Assert.Contains("12 problem(s)", ex.Message);
        Assert.Contains("annotation 11", ex.Message);
        Assert.IsAssignableFrom<SegKitException>(ex);
    }

    [Fact]
    public void Read_InvalidJson_NamesByteAndLastAnnotation()
    {
        const string json = """{"images": [], "categories": [], "annotations": [{"id": 41, "image_id": 1, "category_id": 1}, {"id": 42, "image_id": 1 "category_id": 1}]}""";
        var ex = Assert.Throws<CocoFormatException>(() => CocoDataset.Read(new MemoryStream(Encoding.UTF8.GetBytes(json)), "gt.json"));
        Assert.Contains("gt.json: invalid JSON near byte", ex.Message);
        Assert.Contains("in \"annotations\" element 1", ex.Message);
        Assert.Contains("last annotation read whole was id 41", ex.Message);
    }

    // Found by a mutation sweep: Utf8JsonReader.GetString() on a top-level property name that is not UTF-8 threw
    // InvalidOperationException out of the reader. The raw byte 0xFF is never valid UTF-8; '#' marks where it goes.
    [Fact]
    public void Read_PropertyNameNotUtf8_CocoFormatException()
    {
        var ex = Assert.Throws<CocoFormatException>(() => CocoDataset.Read(WithFF("""{"images": [], "categories": [], "ann#otations": []}"""), "gt.json"));
        Assert.Contains("gt.json: invalid JSON near byte", ex.Message);
        Assert.Contains("property name is not valid UTF-8", ex.Message);
    }

    // A string inside an entry that is not UTF-8 makes that entry invalid: a diagnostic when lenient, an error when strict.
    [Fact]
    public void Read_EntryStringNotUtf8_DiagnosticOrStrictError()
    {
        const string json = """{"images": [{"id": 1, "width": 2, "height": 2, "file_name": "a#.jpg"}, {"id": 2, "width": 2, "height": 2}], "categories": [], "annotations": []}""";
        var lenient = CocoDataset.Read(WithFF(json), "gt.json");
        Assert.Equal([2L], lenient.Images.Select(i => i.Id).ToArray());
        Assert.Single(lenient.Diagnostics);
        Assert.Throws<CocoFormatException>(() => CocoDataset.Read(WithFF(json), "gt.json", CocoReadOptions.Strict));
    }

    private static MemoryStream WithFF(string template)
    {
        var bytes = Encoding.UTF8.GetBytes(template);
        bytes[Array.IndexOf(bytes, (byte)'#')] = 0xFF;
        return new MemoryStream(bytes);
    }

    [Fact]
    public void Read_Truncated_ReportsEarlyEnd()
    {
        const string json = """{"images": [{"id": 1, "width": 2, "height": 2}], "annotations": [{"id": 3, "image_id": 1, "category_id": 1}, {"id": 4, "ima""";
        var ex = Assert.Throws<CocoFormatException>(() => CocoDataset.Read(new MemoryStream(Encoding.UTF8.GetBytes(json)), "gt.json"));
        Assert.Contains("ends early", ex.Message);
        Assert.Contains("id 3", ex.Message);
    }

    [Fact]
    public void ReadResults_BadEntries_ReportedRestKept()
    {
        const string json = """
            [{"image_id": 1, "category_id": 1, "score": 0.5, "bbox": [0, 0, 1, 1]},
             {"image_id": 1, "category_id": 1, "bbox": [0, 0, 1, 1]},
             {"image_id": 2, "category_id": 1, "score": 0.4, "segmentation": {"size": [2, 2], "counts": [1, 1]}},
             {"image_id": 3, "category_id": 1, "score": 0.3, "segmentation": [[1, 1, 2, 2]]},
             {"image_id": 1, "category_id": 1, "score": 0.2, "segmentation": {"size": [2, 2], "counts": [1, 1, 2]}}]
            """;
        CocoResultList r = CocoResults.Read(new MemoryStream(Encoding.UTF8.GetBytes(json)), "dt.json");
        Assert.Equal([0.5, 0.2], r.Select(x => x.Score));
        Assert.Equal([(CocoProblem.InvalidEntry, 1, (long?)1), (CocoProblem.RleCountsMismatch, 2, 2), (CocoProblem.PolygonTooShort, 3, 3)],
            r.Diagnostics.Select(d => (d.Problem, d.Index, d.Id)));
    }

    // pycocotools' COCOeval with iouType bbox never reads a segmentation: a result that has a bbox but a malformed
    // segmentation used to be dropped, which lowered bbox AP below pycocotools' on the same file.
    private const string ResultsWithBadSegmentations = """
        [{"image_id": 1, "category_id": 1, "score": 0.9, "bbox": [0, 0, 1, 1], "segmentation": "oops"},
         {"image_id": 1, "category_id": 1, "score": 0.8, "bbox": [0, 0, 1, 1], "segmentation": {"size": [2, 2], "counts": [1, 1]}},
         {"image_id": 1, "category_id": 1, "score": 0.7, "bbox": [0, 0, 1, 1], "segmentation": [[1, 1, 2, 2]]},
         {"image_id": 1, "category_id": 1, "score": 0.6, "segmentation": "oops"},
         {"image_id": 1, "category_id": 1, "score": 0.5, "segmentation": [[1, 1, 2, 2]]},
         {"image_id": 1, "category_id": 1, "score": 0.4, "bbox": [0, 0, 1, 1], "segmentation": [[0, 0, 1, 0, 1, 1]]}]
        """;

    [Fact]
    public void ReadResults_ForBoxEvaluation_BadSegmentationWithBboxKeptWithoutIt()
    {
        CocoResultList Read(CocoReadOptions o) => CocoResults.Read(new MemoryStream(Encoding.UTF8.GetBytes(ResultsWithBadSegmentations)), "dt.json", o);

        CocoResultList segm = Read(CocoReadOptions.Default);
        Assert.Equal([0.4], segm.Select(x => x.Score));
        Assert.Equal([CocoProblem.InvalidEntry, CocoProblem.RleCountsMismatch, CocoProblem.PolygonTooShort, CocoProblem.InvalidEntry, CocoProblem.PolygonTooShort],
            segm.Diagnostics.Select(d => d.Problem));
        Assert.All(segm.Diagnostics, d => Assert.True(d.Dropped));

        CocoResultList box = Read(CocoReadOptions.Default with { ForBoxEvaluation = true });
        Assert.Equal([0.9, 0.8, 0.7, 0.4], box.Select(x => x.Score));
        Assert.Equal([true, true, true, false], box.Select(x => x.Segmentation is null));
        Assert.All(box, x => Assert.Equal(new CocoBoxXywh(0, 0, 1, 1), x.Bbox));
        Assert.Equal([(CocoProblem.UnusedSegmentationInvalid, 0, false), (CocoProblem.UnusedSegmentationInvalid, 1, false), (CocoProblem.UnusedSegmentationInvalid, 2, false),
                      (CocoProblem.InvalidEntry, 3, true), (CocoProblem.PolygonTooShort, 4, true)],
            box.Diagnostics.Select(d => (d.Problem, d.Index, d.Dropped)));
        Assert.Contains("dt.json: result for image 1: segmentation is a String; a polygon list or {size, counts} expected", box.Diagnostics[0].Message);
        Assert.Contains("the result is kept for bbox evaluation, which does not use its segmentation", box.Diagnostics[1].Message);

        var ex = Assert.Throws<CocoFormatException>(() => Read(CocoReadOptions.Strict with { ForBoxEvaluation = true }));
        Assert.Equal(5, ex.Diagnostics.Count);
    }

    [Fact]
    public void ValidateResults_ForBoxEvaluation_RleOfWrongSizeOnlyLosesTheSegmentation()
    {
        var gt = new CocoDataset([new CocoImage(1, 2, 2, null)], [new CocoCategory(1, "a", null)], []);
        var bad = CocoSegmentation.FromRle(CocoRle.FromRowMajor([0, 1, 1, 0, 0, 0], 3, 2));
        CocoResult[] results = [new(1, 1, 0.9, new CocoBoxXywh(0, 0, 1, 1), bad), new(1, 1, 0.8, null, bad)];
        CocoResultList v = CocoResults.Validate(results, gt, "dt.json", CocoReadOptions.Default with { ForBoxEvaluation = true });
        CocoResult kept = Assert.Single(v);
        Assert.Equal(0.9, kept.Score);
        Assert.Null(kept.Segmentation);
        Assert.Same(bad, results[0].Segmentation); // the input is not modified
        Assert.Equal([(CocoProblem.UnusedSegmentationInvalid, false), (CocoProblem.RleSizeMismatch, true)], v.Diagnostics.Select(d => (d.Problem, d.Dropped)));
    }

    [Fact]
    public void Read_ForBoxEvaluation_GroundTruthWithBboxKeepsWithoutBadSegmentation()
    {
        const string json = """
            {"images": [{"id": 1, "width": 4, "height": 4}], "categories": [{"id": 1}],
             "annotations": [
               {"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 2, 2], "area": 4, "segmentation": 5},
               {"id": 2, "image_id": 1, "category_id": 1, "bbox": [0, 0, 2, 2], "area": 4, "segmentation": {"size": [3, 3], "counts": [9]}},
               {"id": 3, "image_id": 1, "category_id": 1, "bbox": [0, 0, 2, 2], "area": 4, "segmentation": [[0, 0, 1, 1], [2, 2]]},
               {"id": 4, "image_id": 1, "category_id": 1, "bbox": [0, 0, 2, 2], "area": 4, "segmentation": []},
               {"id": 5, "image_id": 1, "category_id": 1, "area": 4, "segmentation": 5},
               {"id": 6, "image_id": 1, "category_id": 1, "bbox": [0, 0, 2, 2], "area": 4, "segmentation": [[0, 0, 2, 0, 2, 2]]}]}
            """;
        CocoDataset Read(CocoReadOptions o) => CocoDataset.Read(new MemoryStream(Encoding.UTF8.GetBytes(json)), "gt.json", o);

        CocoDataset segm = Read(CocoReadOptions.Default);
        Assert.Equal([6L], segm.Annotations.Select(a => a.Id));
        Assert.Equal([(CocoProblem.InvalidEntry, 1L), (CocoProblem.InvalidEntry, 5), (CocoProblem.RleSizeMismatch, 2), (CocoProblem.PolygonTooShort, 3), (CocoProblem.EmptySegmentation, 4)],
            segm.Diagnostics.Select(d => (d.Problem, d.Id!.Value)));
        Assert.Contains("(no polygon left: annotation dropped)", segm.Diagnostics[3].Message);

        CocoDataset box = Read(CocoReadOptions.Default with { ForBoxEvaluation = true });
        Assert.Equal([1L, 2, 3, 4, 6], box.Annotations.Select(a => a.Id));
        Assert.Equal([true, true, true, true, false], box.Annotations.Select(a => a.Segmentation is null));
        Assert.Equal([(CocoProblem.UnusedSegmentationInvalid, 1L, false), (CocoProblem.InvalidEntry, 5, true), (CocoProblem.UnusedSegmentationInvalid, 2, false),
                      (CocoProblem.UnusedSegmentationInvalid, 3, false), (CocoProblem.UnusedSegmentationInvalid, 4, false)],
            box.Diagnostics.Select(d => (d.Problem, d.Id!.Value, d.Dropped)));
        Assert.Contains("the annotation is kept for bbox evaluation", box.Diagnostics[3].Message);
    }

    [Fact]
    public void ValidateResults_UnknownImageOrSize_Dropped()
    {
        var gt = new CocoDataset([new CocoImage(1, 2, 2, null)], [new CocoCategory(1, "a", null)], []);
        var rle = CocoSegmentation.FromRle(CocoRle.FromRowMajor([0, 1, 1, 0], 2, 2));
        var bad = CocoSegmentation.FromRle(CocoRle.FromRowMajor([0, 1, 1, 0, 0, 0], 3, 2));
        CocoResultList v = CocoResults.Validate(
        [
            new CocoResult(1, 1, 0.9, null, rle), new CocoResult(5, 1, 0.8, null, rle),
            new CocoResult(1, 1, 0.7, null, bad), new CocoResult(1, 9, 0.6, null, rle),
        ], gt, "dt.json");
        Assert.Equal([0.9, 0.6], v.Select(x => x.Score));
        Assert.Equal([CocoProblem.MissingImage, CocoProblem.RleSizeMismatch, CocoProblem.MissingCategory], v.Diagnostics.Select(d => d.Problem));
    }

    [Fact]
    public void Read_OddEntries_ReportedNotThrown()
    {
        const string json = """
            {"images": [{"id": 1, "width": 4, "height": 4}], "categories": [{"id": 1}],
             "annotations": [7, {"id": 2, "image_id": 1, "category_id": 1, "bbox": [1e400, 0, 1, 1]},
                             {"i\u0064": 3, "image_id": 1, "category_id": 1, "area": "big", "segmentation": [[0, 0, 2, 0, 2, 2]]}]}
            """;
        CocoDataset ds = CocoDataset.Read(new MemoryStream(Encoding.UTF8.GetBytes(json)), "gt.json");
        Assert.Equal([(0, (long?)null), (1, 2)], ds.Diagnostics.Select(d => (d.Index, d.Id)));
        Assert.All(ds.Diagnostics, d => Assert.StartsWith("gt.json: ", d.Message));
        CocoAnnotation a = Assert.Single(ds.Annotations);
        Assert.Equal(3, a.Id); // an escaped property name is still "id"
        Assert.True(a.Extra!.TryGetValue("area", out var area)); // a non-numeric area is kept as an extra field
        Assert.Equal("big", area.GetString());
    }

    // An image of width 0 was kept, and its results' masks were then blamed for not fitting it ("[100, 0]").
    [Fact]
    public void Read_ImageOfZeroWidth_DroppedAndReported()
    {
        const string json = """{"images": [{"id": 1, "width": 100, "height": 0}, {"id": 2, "width": 4, "height": 4}], "categories": [], "annotations": []}""";
        CocoDataset ds = CocoDataset.Read(new MemoryStream(Encoding.UTF8.GetBytes(json)), "gt.json");
        Assert.Equal([2L], ds.Images.Select(i => i.Id));
        var d = Assert.Single(ds.Diagnostics);
        Assert.True(d.Dropped);
        Assert.Contains("gt.json: image 1: size 100×0 is not a pair of positive integers", d.Message);
    }
}
