using System.Text.Json;
using SegKit.Cli;
using SegKit.Datasets;
using SegKit.Datasets.Coco;
using SegKit.Instance;
using SegKit.Metrics;
using SegKit.Semantic;
using SegKit.Tests.TestSupport;

namespace SegKit.Tests.Cli;

public class PredictCommandTests
{
    private static string VocRoot => Path.Combine(Fixtures.Ensure("voc_synthetic"), "VOC2012");

    [Fact]
    public void PredictSemantic_VocFolder_WritesLabelMapsResumesAndEvaluates()
    {
        string model = Fixtures.File("semantic_reference", "lraspp_mobilenet_v3_large.onnx");
        string output = TestPaths.NewTempDir();
        var (code, _, err) = CliRunner.Run("predict", VocRoot, "--task", "semantic", "--model", model, "--split", "trainval", "--out", output, "--threads", "2");
        Assert.True(code == ExitCodes.Ok, err);

        var source = DatasetSource.Open(VocRoot, new DatasetSourceOptions { Split = "trainval" });
        Assert.NotEmpty(source.Images);
        using var segmenter = SemanticSegmenter.Load(model);
        var matrix = new ConfusionMatrix(21);
        foreach (var image in source.Images)
        {
            var written = LabelMapFile.Read(Path.Combine(output, "SegmentationClass", image.Id + ".png"));
            var expected = segmenter.Segment(image.ImagePath).Labels;
            Assert.Equal(expected.Data, written.Data);
            matrix.Update(expected, LabelMapFile.Read(image.ClassMapPath!));
        }

        // Resume: everything is skipped; removing one marker redoes just that image.
        var (code2, _, err2) = CliRunner.Run("predict", VocRoot, "--task", "semantic", "--model", model, "--split", "trainval", "--out", output);
        Assert.Equal(ExitCodes.Ok, code2);
        Assert.Equal(source.Images.Count, err2.Split('\n').Count(l => l.StartsWith('[') && l.Contains("already done")));
        File.Delete(Path.Combine(output, "parts", source.Images[0].Id + ".json"));
        var (_, json3, _) = CliRunner.Run("predict", VocRoot, "--task", "semantic", "--model", model, "--split", "trainval", "--out", output, "--json");
        using (var doc = JsonDocument.Parse(json3))
            Assert.Equal(1, doc.RootElement.GetProperty("summary").GetProperty("done").GetInt32());

        // The predictions are scored by `segkit eval semantic` against the dataset's own maps.
        var (code4, evalJson, _) = CliRunner.Run("eval", "semantic", "--pred", Path.Combine(output, "SegmentationClass"),
            "--gt", Path.Combine(VocRoot, "SegmentationClass"), "--num-classes", "21", "--json");
        Assert.Equal(ExitCodes.Ok, code4);
        using var ev = JsonDocument.Parse(evalJson);
        Assert.Equal(matrix.MeanIou(), ev.RootElement.GetProperty("miou").GetDouble(), 12);
    }

    [Fact]
    public void Predict_UnknownTask_IsUsageError()
    {
        var (code, _, err) = CliRunner.Run("predict", VocRoot, "--task", "panoptic", "--model", "m.onnx");
        Assert.Equal(ExitCodes.UsageError, code);
        Assert.Contains("panoptic", err);
    }

    [Fact]
    public void PredictInstance_PhotoFolder_MergesPerImageResultsIntoOneCocoFile()
    {
        string model = SegKit.Tests.Instance.InstanceReference.Path("yolo_seg.onnx");
        string photos = TestPaths.NewTempDir();
        File.Copy(TestPaths.SharedImage("dog.jpg"), Path.Combine(photos, "dog.jpg"));
        File.Copy(TestPaths.SharedImage("groceries.jpg"), Path.Combine(photos, "groceries.jpg"));
        string output = TestPaths.NewTempDir();
        var (code, _, err) = CliRunner.Run("predict", photos, "--task", "instance", "--model", model, "--out", output, "--score", "0.25");
        Assert.True(code == ExitCodes.Ok, err);

        var results = CocoResults.Load(Path.Combine(output, "results.json"));
        var source = DatasetSource.Open(photos);
        using var segmenter = InstanceSegmenter.Load(model, new InstanceSegmenterOptions { ScoreThreshold = 0.25f });
        int total = 0;
        for (int i = 0; i < source.Images.Count; i++)
        {
            var expected = segmenter.Segment(source.Images[i].ImagePath).Instances;
            var got = results.Where(r => r.ImageId == i + 1).ToList();
            Assert.Equal(expected.Count, got.Count);
            for (int k = 0; k < got.Count; k++)
            {
                Assert.Equal(expected[k].ClassId, got[k].CategoryId);
                Assert.Equal(expected[k].Score, got[k].Score, 4);
                Assert.Equal(expected[k].ToRle().ToCompressedString(), got[k].Segmentation!.Rle!.ToCompressedString());
            }
            total += got.Count;
        }
        Assert.True(total > 0, "the fixture model should detect something on the photos");
    }

    [Fact]
    public void PredictSam_PhotoFolder_WritesEverythingModeRecordsAsCocoResults()
    {
        string encoder = Fixtures.File("sam_reference", "sam_fixture_encoder.onnx");
        string decoder = TestPaths.SharedReference("sam", "sam_vitb_rand_decoder.onnx");
        string photos = TestPaths.NewTempDir();
        File.Copy(TestPaths.SharedImage("dog.jpg"), Path.Combine(photos, "dog.jpg"));
        string output = TestPaths.NewTempDir();
        var (code, _, err) = CliRunner.Run("predict", photos, "--task", "sam", "--encoder", encoder, "--model", decoder, "--points-per-side", "8", "--out", output);
        Assert.True(code == ExitCodes.Ok, err);

        using var predictor = SegKit.Prompt.SamPredictor.Open(encoder, decoder);
        var expected = new SegKit.Prompt.SamAutomaticMaskGenerator(predictor, new SegKit.Prompt.SamAutomaticMaskGeneratorOptions { PointsPerSide = 8 })
            .Generate(SegKit.Imaging.ImageDecoder.DecodeRgb(Path.Combine(photos, "dog.jpg"))).Records;
        var results = CocoResults.Load(Path.Combine(output, "results.json"));
        Assert.Equal(expected.Count, results.Count);
        for (int i = 0; i < results.Count; i++)
        {
            Assert.Equal(1, results[i].ImageId);
            Assert.Equal(expected[i].Segmentation.ToCompressedString(), results[i].Segmentation!.Rle!.ToCompressedString());
            Assert.True(results[i].Extra!.TryGetValue("stability_score", out var st));
            Assert.Equal(expected[i].StabilityScore, st.GetSingle(), 5);
        }
    }

    [Fact]
    public void PredictSam_WithoutEncoder_IsInputErrorSayingWhy()
    {
        var (code, _, err) = CliRunner.Run("predict", TestPaths.NewTempDir(), "--task", "sam", "--model", "d.onnx");
        Assert.Equal(ExitCodes.InputError, code);
        Assert.Contains("--encoder", err);
    }
}
