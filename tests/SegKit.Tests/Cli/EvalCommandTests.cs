using System.Text.Json;
using SegKit.Cli;
using SegKit.Datasets;
using SegKit.Masks;
using SegKit.Tests.TestSupport;

namespace SegKit.Tests.Cli;

public class EvalCommandTests
{
    private static string Reference(string file) => TestPaths.SharedReference("coco", file);

    public static TheoryData<int, string> CocoCases() => new() { { 0, "bbox" }, { 0, "segm" }, { 1, "bbox" }, { 1, "segm" }, { 2, "bbox" }, { 2, "segm" } };

    [Theory]
    [MemberData(nameof(CocoCases))]
    public void EvalCoco_ReferenceCase_JsonEqualsPycocotools(int caseIndex, string iouType)
    {
        using JsonDocument expectedDoc = JsonDocument.Parse(File.ReadAllBytes(Reference("coco_eval_expected.json")));
        JsonElement c = expectedDoc.RootElement.GetProperty("cases")[caseIndex];
        JsonElement expected = c.GetProperty(iouType);
        var (code, output, err) = CliRunner.Run("eval", "coco", "--gt", Reference(c.GetProperty("gt").GetString()!),
            "--pred", Reference(c.GetProperty("dt").GetString()!), "--iou-type", iouType, "--json");
        Assert.True(code == 0, err);
        using JsonDocument doc = JsonDocument.Parse(output);
        JsonElement root = doc.RootElement;
        Assert.Equal(iouType, root.GetProperty("iou_type").GetString());
        string[] keys = ["AP", "AP50", "AP75", "APs", "APm", "APl", "AR1", "AR10", "AR100", "ARs", "ARm", "ARl"];
        for (int i = 0; i < keys.Length; i++)
            Assert.Equal(expected.GetProperty("stats")[i].GetDouble(), root.GetProperty(keys[i]).GetDouble(), 1e-9);
        var perCategory = root.GetProperty("per_category").EnumerateArray().ToDictionary(e => e.GetProperty("id").GetInt64().ToString(), e => e.GetProperty("ap").GetDouble());
        Assert.Equal(expected.GetProperty("per_category_ap").EnumerateObject().Select(p => p.Name).Order(), perCategory.Keys.Order());
        foreach (JsonProperty p in expected.GetProperty("per_category_ap").EnumerateObject())
            Assert.Equal(p.Value.GetDouble(), perCategory[p.Name], 1e-9);
        Assert.Empty(root.GetProperty("warnings").EnumerateArray());
        Assert.True(root.GetProperty("timings").GetProperty("postprocess").GetDouble() >= 0);
    }

    [Fact]
    public void EvalCoco_Text_SummaryLinesAsPycocotools()
    {
        var (code, output, _) = CliRunner.Run("eval", "coco", "--gt", Reference("coco_case0_gt.json"), "--pred", Reference("coco_case0_dt.json"));
        Assert.Equal(0, code);
        string[] lines = output.Split('\n');
        // Copied from pycocotools' COCOeval.summarize() on the same files.
        Assert.Equal(" Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 0.367", lines[1]);
        Assert.Equal(" Average Precision  (AP) @[ IoU=0.50:0.95 | area= small | maxDets=100 ] = -1.000", lines[4]);
        Assert.Equal(" Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets=  1 ] = 0.269", lines[7]);
        Assert.Contains(lines, l => l.StartsWith("    1 class0 "));
    }

    [Fact]
    public void EvalCoco_ResultsForUnknownImage_WarnsEvaluatesRestStrictFails()
    {
        string dir = TestPaths.NewTempDir();
        string dt = Path.Combine(dir, "dt.json");
        string original = File.ReadAllText(Reference("coco_case0_dt.json")).TrimEnd();
        File.WriteAllText(dt, original[..^1] + """, {"image_id": 999, "category_id": 1, "bbox": [1, 2, 3, 4], "score": 0.5}]""");
        var (code, output, err) = CliRunner.Run("eval", "coco", "--gt", Reference("coco_case0_gt.json"), "--pred", dt, "--iou-type", "bbox", "--json");
        Assert.Equal(0, code);
        Assert.Contains("warning", err);
        Assert.Contains("image_id 999", err);
        using JsonDocument doc = JsonDocument.Parse(output);
        Assert.Single(doc.RootElement.GetProperty("warnings").EnumerateArray());
        var (strictCode, _, strictErr) = CliRunner.Run("eval", "coco", "--gt", Reference("coco_case0_gt.json"), "--pred", dt, "--iou-type", "bbox", "--strict");
        Assert.Equal(1, strictCode);
        Assert.Contains("image_id 999", strictErr);
    }

    // pycocotools' bbox evaluation never reads a result's segmentation, so malformed ones must not change bbox AP:
    // case 0's results with every segmentation spoilt give pycocotools' bbox figures for the intact file.
    [Fact]
    public void EvalCoco_Bbox_MalformedSegmentationsChangeNothing()
    {
        var results = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Reference("coco_case0_dt.json")))!.AsArray();
        string[] spoilt = ["\"oops\"", "[[1, 2, 3, 4]]", """{"size": [5, 5], "counts": [25]}""", """{"size": [293, 464], "counts": [7]}"""];
        for (int i = 0; i < results.Count; i++)
            results[i]!["segmentation"] = System.Text.Json.Nodes.JsonNode.Parse(spoilt[i % spoilt.Length]);
        string dt = Path.Combine(TestPaths.NewTempDir(), "dt.json");
        File.WriteAllText(dt, results.ToJsonString());

        var (code, output, err) = CliRunner.Run("eval", "coco", "--gt", Reference("coco_case0_gt.json"), "--pred", dt, "--iou-type", "bbox", "--json");
        Assert.True(code == 0, err);
        using JsonDocument expectedDoc = JsonDocument.Parse(File.ReadAllBytes(Reference("coco_eval_expected.json")));
        JsonElement expected = expectedDoc.RootElement.GetProperty("cases")[0].GetProperty("bbox").GetProperty("stats");
        using JsonDocument doc = JsonDocument.Parse(output);
        string[] keys = ["AP", "AP50", "AP75", "APs", "APm", "APl", "AR1", "AR10", "AR100", "ARs", "ARm", "ARl"];
        for (int i = 0; i < keys.Length; i++)
            Assert.Equal(expected[i].GetDouble(), doc.RootElement.GetProperty(keys[i]).GetDouble(), 1e-9);
        Assert.Equal(results.Count, doc.RootElement.GetProperty("warnings").GetArrayLength());
        Assert.Contains("kept for bbox evaluation", err);

        // Mask evaluation needs them: every result is dropped, and said to be.
        var (segmCode, segmOutput, _) = CliRunner.Run("eval", "coco", "--gt", Reference("coco_case0_gt.json"), "--pred", dt, "--iou-type", "segm", "--json");
        Assert.Equal(0, segmCode);
        using JsonDocument segm = JsonDocument.Parse(segmOutput);
        Assert.Equal(0, segm.RootElement.GetProperty("AP").GetDouble());
        Assert.Equal(0, segm.RootElement.GetProperty("AR100").GetDouble());
    }

    [Fact]
    public void EvalCoco_MalformedJson_Exit1NamingFile()
    {
        string dt = Path.Combine(TestPaths.NewTempDir(), "dt.json");
        File.WriteAllText(dt, """[{"image_id": 10, "category_id": 1, "score": 0.5""");
        var (code, _, err) = CliRunner.Run("eval", "coco", "--gt", Reference("coco_case0_gt.json"), "--pred", dt);
        Assert.Equal(1, code);
        Assert.Contains(dt, err);
        Assert.Contains("ends early", err);
    }

    [Fact]
    public void EvalCoco_BadIouTypeOrMissingFile_UsageOrInputError()
    {
        Assert.Equal(2, CliRunner.Run("eval", "coco", "--gt", "a", "--pred", "b", "--iou-type", "keypoints").Code);
        Assert.Equal(2, CliRunner.Run("eval", "coco", "--gt", Reference("coco_case0_gt.json")).Code);
        Assert.Equal(1, CliRunner.Run("eval", "coco", "--gt", Reference("coco_case0_gt.json"), "--pred", "/nonexistent/dt.json").Code);
    }

    // Each case of semantic_metrics.json as a one-image pair of folders.
    private static (string Pred, string Gt, JsonElement Case) SemanticCase(int index, string predName = "img.png")
    {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllBytes(Reference("semantic_metrics.json")));
        JsonElement c = doc.RootElement[index].Clone();
        int h = c.GetProperty("height").GetInt32(), w = c.GetProperty("width").GetInt32();
        byte[] Values(string name) => c.GetProperty(name).EnumerateArray().Select(v => (byte)v.GetInt32()).ToArray();
        string dir = TestPaths.NewTempDir();
        string gt = Path.Combine(dir, "gt"), pred = Path.Combine(dir, "pred");
        Directory.CreateDirectory(gt);
        Directory.CreateDirectory(pred);
        LabelMapFile.Write(Path.Combine(gt, "img.png"), new LabelMap(w, h, Values("gt")));
        LabelMapFile.Write(Path.Combine(pred, predName), new LabelMap(w, h, Values("pred")));
        return (pred, gt, c);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void EvalSemantic_ReferenceCase_JsonEqualsTorchvision(int index)
    {
        var (pred, gt, c) = SemanticCase(index);
        var (code, output, err) = CliRunner.Run("eval", "semantic", "--pred", pred, "--gt", gt,
            "--num-classes", c.GetProperty("num_classes").GetInt32().ToString(), "--ignore", c.GetProperty("ignore_index").GetInt32().ToString(), "--json");
        Assert.True(code == 0, err);
        using JsonDocument doc = JsonDocument.Parse(output);
        JsonElement r = doc.RootElement;
        foreach (string key in new[] { "pixel_accuracy", "mean_accuracy", "miou", "fwiou" })
            Assert.Equal(c.GetProperty(key).GetDouble(), r.GetProperty(key).GetDouble(), 1e-12);
        var expected = c.GetProperty("per_class_iou").EnumerateArray().ToArray();
        var actual = r.GetProperty("per_class_iou").EnumerateArray().ToArray();
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i].ValueKind, actual[i].ValueKind);
            if (expected[i].ValueKind == JsonValueKind.Number) Assert.Equal(expected[i].GetDouble(), actual[i].GetDouble(), 1e-12);
        }
        Assert.Equal(1, r.GetProperty("images").GetInt32());
    }

    [Fact]
    public void EvalSemantic_SegkitSemanticNamesAndInferredClasses_SameNumbers()
    {
        var (pred, gt, c) = SemanticCase(1, predName: "img.labels.png");
        var (code, output, _) = CliRunner.Run("eval", "semantic", "--pred", pred, "--gt", gt, "--json");
        Assert.Equal(0, code);
        using JsonDocument doc = JsonDocument.Parse(output);
        Assert.Equal(c.GetProperty("num_classes").GetInt32(), doc.RootElement.GetProperty("num_classes").GetInt32());
        Assert.Equal(c.GetProperty("miou").GetDouble(), doc.RootElement.GetProperty("miou").GetDouble(), 1e-12);
    }

    [Fact]
    public void EvalSemantic_Text_TableWithNames()
    {
        var (pred, gt, _) = SemanticCase(0);
        var (code, output, _) = CliRunner.Run("eval", "semantic", "--pred", pred, "--gt", gt, "--labels", "voc");
        Assert.Equal(0, code);
        Assert.Contains("mIoU            0.5975", output);
        Assert.Contains("  1 aeroplane", output);
    }

    [Fact]
    public void EvalSemantic_MissingPrediction_Exit1NamingIt()
    {
        var (pred, gt, _) = SemanticCase(0);
        File.Copy(Path.Combine(gt, "img.png"), Path.Combine(gt, "other.png"));
        var (code, _, err) = CliRunner.Run("eval", "semantic", "--pred", pred, "--gt", gt);
        Assert.Equal(1, code);
        Assert.Contains("other", err);
    }

    [Fact]
    public void EvalSemantic_PredictionOutOfRange_Exit1NamingFile()
    {
        var (pred, gt, _) = SemanticCase(0);
        var (code, _, err) = CliRunner.Run("eval", "semantic", "--pred", pred, "--gt", gt, "--num-classes", "3");
        Assert.Equal(1, code);
        Assert.Contains(Path.Combine(pred, "img.png"), err);
        Assert.Contains("outside 0..2", err);
    }

    [Fact]
    public void EvalSemantic_SizeMismatch_Exit1()
    {
        var (pred, gt, _) = SemanticCase(0);
        LabelMapFile.Write(Path.Combine(pred, "img.png"), new LabelMap(3, 3));
        var (code, _, err) = CliRunner.Run("eval", "semantic", "--pred", pred, "--gt", gt);
        Assert.Equal(1, code);
        Assert.Contains("3×3", err);
    }

    [Fact]
    public void EvalSemantic_BadOptions_UsageError()
    {
        Assert.Equal(2, CliRunner.Run("eval", "semantic", "--pred", "a", "--gt", "b", "--num-classes", "0").Code);
        Assert.Equal(2, CliRunner.Run("eval", "semantic", "--pred", "a", "--gt", "b", "--labels", "nope").Code);
        Assert.Equal(2, CliRunner.Run("eval", "semantic", "--pred", "a").Code);
    }

    // Nothing to score printed AP 0.000 or -1 (or NaN for label maps) without a word; now a warning says why.
    [Fact]
    public void Eval_NothingToScore_WarnsWhy()
    {
        string dir = TestPaths.NewTempDir();
        string gt = Path.Combine(dir, "gt.json"), pred = Path.Combine(dir, "pred.json");
        File.WriteAllText(gt, """{"images":[{"id":1,"width":100,"height":100}],"categories":[{"id":1,"name":"a"}],"annotations":[]}""");
        File.WriteAllText(pred, "[]");
        var (code, _, err) = CliRunner.Run("eval", "coco", "--gt", gt, "--pred", pred, "--iou-type", "bbox");
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("no usable results, so every AP and AR is 0", err);
        Assert.Contains("no usable ground-truth annotations, so every AP and AR is -1", err);

        string g = Path.Combine(dir, "g"), p = Path.Combine(dir, "p");
        Directory.CreateDirectory(g);
        Directory.CreateDirectory(p);
        var ignored = new SegKit.Masks.LabelMap(4, 3, Enumerable.Repeat((byte)255, 12).ToArray());
        SegKit.Datasets.LabelMapFile.Write(Path.Combine(g, "a.png"), ignored);
        SegKit.Datasets.LabelMapFile.Write(Path.Combine(p, "a.png"), new SegKit.Masks.LabelMap(4, 3, new byte[12]));
        var (code2, _, err2) = CliRunner.Run("eval", "semantic", "--pred", p, "--gt", g);
        Assert.Equal(ExitCodes.Ok, code2);
        Assert.Contains("no pixel was counted", err2);

        // Two predictions for one map: which is meant cannot be told (the stale <stem>.png was used).
        SegKit.Datasets.LabelMapFile.Write(Path.Combine(p, "a.labels.png"), new SegKit.Masks.LabelMap(4, 3, new byte[12]));
        var (code3, _, err3) = CliRunner.Run("eval", "semantic", "--pred", p, "--gt", g);
        Assert.Equal(ExitCodes.InputError, code3);
        Assert.Contains("both a.png and a.labels.png are there", err3);
    }

    // Ground-truth ids beyond --num-classes are not counted, as torchvision's reference does, but that was silent
    // (7,924 of 13,200 pixels counted in the helper's case, without a word).
    [Fact]
    public void EvalSemantic_GroundTruthBeyondNumClasses_WarnedWithTheCount()
    {
        string dir = TestPaths.NewTempDir();
        string g = Path.Combine(dir, "g"), p = Path.Combine(dir, "p");
        Directory.CreateDirectory(g);
        Directory.CreateDirectory(p);
        SegKit.Datasets.LabelMapFile.Write(Path.Combine(g, "a.png"), new SegKit.Masks.LabelMap(4, 1, [0, 1, 3, 4]));
        SegKit.Datasets.LabelMapFile.Write(Path.Combine(p, "a.png"), new SegKit.Masks.LabelMap(4, 1, [0, 1, 0, 0]));
        var (code, json, err) = CliRunner.Run("eval", "semantic", "--pred", p, "--gt", g, "--num-classes", "3", "--json");
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("2 ground-truth pixels hold class ids ≥ 3 (up to 4), beyond --num-classes, and were not counted", err);
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        Assert.Equal(2, doc.RootElement.GetProperty("pixels").GetInt64());
    }

    // --ignore inside the class range skips that class's ground truth only (mmsegmentation's rule), and says so.
    // By hand (ConfusionMatrixTests.IgnoreInsideClassRange_SkipsItsGroundTruthOnly): IoU [0, 0.5, 1], mIoU 0.5, accuracy 2/3.
    [Fact]
    public void EvalSemantic_IgnoreIsAClass_ScoredAsMmsegmentationAndWarned()
    {
        string dir = TestPaths.NewTempDir();
        string g = Path.Combine(dir, "g"), p = Path.Combine(dir, "p");
        Directory.CreateDirectory(g);
        Directory.CreateDirectory(p);
        SegKit.Datasets.LabelMapFile.Write(Path.Combine(g, "a.png"), new SegKit.Masks.LabelMap(2, 2, [0, 1, 1, 2]));
        SegKit.Datasets.LabelMapFile.Write(Path.Combine(p, "a.png"), new SegKit.Masks.LabelMap(2, 2, [1, 1, 0, 2]));
        var (code, json, err) = CliRunner.Run("eval", "semantic", "--pred", p, "--gt", g, "--num-classes", "3", "--ignore", "0", "--json");
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("--ignore 0 is a class id (classes 0..2)", err);
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        JsonElement root = doc.RootElement;
        Assert.Equal(3, root.GetProperty("pixels").GetInt64());
        Assert.Equal([0.0, 0.5, 1.0], root.GetProperty("per_class_iou").EnumerateArray().Select(e => e.GetDouble()));
        Assert.Equal(0.5, root.GetProperty("miou").GetDouble(), 1e-15);
        Assert.Equal(2.0 / 3, root.GetProperty("pixel_accuracy").GetDouble(), 1e-15);

        var (_, _, quiet) = CliRunner.Run("eval", "semantic", "--pred", p, "--gt", g, "--num-classes", "3");
        Assert.DoesNotContain("is a class id", quiet);
    }
}
