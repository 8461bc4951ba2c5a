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

    private static string Lraspp => Fixtures.File("semantic_reference", "lraspp_mobilenet_v3_large.onnx");
    private static string Yolo => SegKit.Tests.Instance.InstanceReference.Path("yolo_seg.onnx");

    private static string PhotoFolder(params string[] photos)
    {
        string dir = TestPaths.NewTempDir();
        foreach (string p in photos) File.Copy(TestPaths.SharedImage(p), Path.Combine(dir, p));
        return dir;
    }

    // A one-image VOC folder whose ground truth is all class 12.
    private static string TinyVoc()
    {
        string root = TestPaths.NewTempDir();
        foreach (string d in new[] { "JPEGImages", "SegmentationClass", "ImageSets/Segmentation" }) Directory.CreateDirectory(Path.Combine(root, d));
        File.Copy(TestPaths.SharedImage("dog.jpg"), Path.Combine(root, "JPEGImages", "dog.jpg"));
        var gt = new SegKit.Masks.LabelMap(800, 534, Enumerable.Repeat((byte)12, 800 * 534).ToArray());
        LabelMapFile.Write(Path.Combine(root, "SegmentationClass", "dog.png"), gt);
        File.WriteAllText(Path.Combine(root, "ImageSets", "Segmentation", "val.txt"), "dog\n");
        return root;
    }

    // --out the dataset folder replaced its ground truth with the predictions (exit 0); so did a COCO ground truth
    // named results.json with --out its folder. Both are refused before any work, and the files are unchanged.
    [Fact]
    public void Predict_OutputWouldOverwriteDatasetFiles_RefusedBeforeAnyWork()
    {
        string voc = TinyVoc();
        string gt = Path.Combine(voc, "SegmentationClass", "dog.png");
        byte[] before = File.ReadAllBytes(gt);
        var (code, _, err) = CliRunner.Run("predict", voc, "--task", "semantic", "--model", Lraspp, "--out", voc);
        Assert.Equal(ExitCodes.InputError, code);
        Assert.Contains("is the dataset folder", err);
        Assert.Equal(before, File.ReadAllBytes(gt));
        Assert.False(Directory.Exists(Path.Combine(voc, "parts")));

        string coco = TestPaths.NewTempDir();
        File.Copy(TestPaths.SharedImage("dog.jpg"), Path.Combine(coco, "dog.jpg"));
        string annotations = Path.Combine(coco, "results.json");
        File.WriteAllText(annotations, """{"images":[{"id":1,"file_name":"dog.jpg","width":800,"height":534}],"annotations":[],"categories":[{"id":1,"name":"person"}]}""");
        string text = File.ReadAllText(annotations);
        var (code2, _, err2) = CliRunner.Run("predict", annotations, "--task", "instance", "--model", Yolo, "--out", coco);
        Assert.Equal(ExitCodes.InputError, code2);
        Assert.Contains($"the results file {annotations} is a file of the dataset", err2);
        Assert.Equal(text, File.ReadAllText(annotations));
    }

    // With --out inside a folder of photos, the second run took the output folder (which holds SegmentationClass/) for
    // a VOC dataset and ignored the folder's new photo; the output folder is now left out of the dataset.
    [Fact]
    public void Predict_OutInsidePhotoFolder_NotReadAsTheDatasetOnTheNextRun()
    {
        string photos = PhotoFolder("dog.jpg", "groceries.jpg");
        string output = Path.Combine(photos, "preds");
        var (code, _, err) = CliRunner.Run("predict", photos, "--task", "semantic", "--model", Lraspp, "--out", output, "--threads", "2");
        Assert.True(code == ExitCodes.Ok, err);
        File.Copy(TestPaths.SharedImage("truck.jpg"), Path.Combine(photos, "truck.jpg"));
        var (code2, json, err2) = CliRunner.Run("predict", photos, "--task", "semantic", "--model", Lraspp, "--out", output, "--threads", "2", "--json");
        Assert.True(code2 == ExitCodes.Ok, err2);
        using var doc = JsonDocument.Parse(json);
        var summary = doc.RootElement.GetProperty("summary");
        Assert.Equal((1, 2), (summary.GetProperty("done").GetInt32(), summary.GetProperty("skipped").GetInt32()));
        Assert.True(File.Exists(Path.Combine(output, "SegmentationClass", "truck.png")));
    }

    // The limit's message advised raising MaxInputPixels, which predict had no option for.
    [Fact]
    public void PredictSemantic_MaxInputPixels_LimitsTheModelInput()
    {
        var (code, _, err) = CliRunner.Run("predict", PhotoFolder("dog.jpg"), "--task", "semantic", "--model", Lraspp, "--out", TestPaths.NewTempDir(),
            "--max-input-pixels", "1000");
        Assert.Equal(ExitCodes.InputError, code);
        Assert.Contains("exceeds MaxInputPixels = 1,000", err);
        Assert.Contains("--max-input-pixels in segkit semantic and predict", err);
    }

    [Fact]
    public void PredictSemantic_OutIsAFile_SaidAsSuch()
    {
        string file = Path.Combine(TestPaths.NewTempDir(), "afile");
        File.WriteAllText(file, "x");
        var (code, _, err) = CliRunner.Run("predict", PhotoFolder("dog.jpg"), "--task", "semantic", "--model", Lraspp, "--out", file);
        Assert.Equal(ExitCodes.InputError, code);
        Assert.Contains($"output folder {file} is a file", err);
    }

    // A folder with no photos, and a VOC list with no ids, read "0 images" with exit 0.
    [Fact]
    public void Predict_NoImages_IsInputError()
    {
        var (code, _, err) = CliRunner.Run("predict", TestPaths.NewTempDir(), "--task", "semantic", "--model", Lraspp, "--out", TestPaths.NewTempDir());
        Assert.Equal(ExitCodes.InputError, code);
        Assert.Contains("no images to run on (no .jpg, .jpeg or .png files", err);
        string voc = TinyVoc();
        File.WriteAllText(Path.Combine(voc, "ImageSets", "Segmentation", "val.txt"), "");
        var (code2, _, err2) = CliRunner.Run("predict", voc, "--task", "semantic", "--model", Lraspp, "--out", TestPaths.NewTempDir());
        Assert.Equal(ExitCodes.InputError, code2);
        Assert.Contains("the VOC list is empty", err2);
    }

    // Resuming trusted the marker alone: a results part deleted since was never redone, and that image was missing
    // from results.json without a word.
    [Fact]
    public void PredictInstance_ResultsPartDeleted_ImageRedone()
    {
        string photos = PhotoFolder("dog.jpg", "groceries.jpg");
        string output = TestPaths.NewTempDir();
        var (code, _, err) = CliRunner.Run("predict", photos, "--task", "instance", "--model", Yolo, "--out", output, "--score", "0.25");
        Assert.True(code == ExitCodes.Ok, err);
        var first = CocoResults.Load(Path.Combine(output, "results.json"));
        File.Delete(Path.Combine(output, "parts", "dog.results.json"));
        var (code2, json, err2) = CliRunner.Run("predict", photos, "--task", "instance", "--model", Yolo, "--out", output, "--score", "0.25", "--json");
        Assert.True(code2 == ExitCodes.Ok, err2);
        using (var doc = JsonDocument.Parse(json))
            Assert.Equal(1, doc.RootElement.GetProperty("summary").GetProperty("done").GetInt32());
        var second = CocoResults.Load(Path.Combine(output, "results.json"));
        Assert.Equal(first.Select(r => (r.ImageId, r.Score)), second.Select(r => (r.ImageId, r.Score)));
        Assert.Contains(second, r => r.ImageId == 1);
    }

    // Photos 'x.jpg' and 'x.results.jpg': the second's marker parts/x.results.json is the first's results part, so it
    // was "already done" on its first run. Two images that would write one file are refused.
    [Fact]
    public void Predict_IdsWhoseOutputsCollide_Refused()
    {
        string photos = TestPaths.NewTempDir();
        File.Copy(TestPaths.SharedImage("dog.jpg"), Path.Combine(photos, "x.jpg"));
        File.Copy(TestPaths.SharedImage("groceries.jpg"), Path.Combine(photos, "x.results.jpg"));
        var (code, _, err) = CliRunner.Run("predict", photos, "--task", "instance", "--model", Yolo, "--out", TestPaths.NewTempDir());
        Assert.Equal(ExitCodes.InputError, code);
        Assert.Contains("images 'x' and 'x.results' would both write", err);
    }

    [Theory]
    [InlineData("--score", "2", "--score must be in [0, 1]")]
    [InlineData("--score", "NaN", "--score must be in [0, 1]")]
    [InlineData("--points-per-side", "0", "--points-per-side must be 1 to 1024")]
    [InlineData("--points-per-side", "1000000", "--points-per-side must be 1 to 1024")]
    public void Predict_OutOfRangeNumbers_AreUsageErrors(string option, string value, string expected)
    {
        var (code, _, err) = CliRunner.Run("predict", TestPaths.NewTempDir(), "--task", "instance", "--model", "m.onnx", option, value);
        Assert.Equal(ExitCodes.UsageError, code);
        Assert.Contains(expected, err);
    }

    // COCO image entries the loader drops (a string id) were left out without a word, and two entries with one id
    // gave 200 results all for image 1 (exit 0).
    [Fact]
    public void PredictCoco_DroppedOrDuplicateImageEntries_WarnedOrRefused()
    {
        string dir = TestPaths.NewTempDir();
        File.Copy(TestPaths.SharedImage("dog.jpg"), Path.Combine(dir, "dog.jpg"));
        File.Copy(TestPaths.SharedImage("groceries.jpg"), Path.Combine(dir, "groceries.jpg"));
        string dropped = Path.Combine(dir, "a.json"), twice = Path.Combine(dir, "c.json");
        File.WriteAllText(dropped, """{"images":[{"id":"one","file_name":"dog.jpg","width":800,"height":534}],"annotations":[],"categories":[]}""");
        File.WriteAllText(twice, """{"images":[{"id":1,"file_name":"dog.jpg","width":800,"height":534},{"id":1,"file_name":"groceries.jpg","width":800,"height":534}],"annotations":[],"categories":[]}""");
        var (code, _, err) = CliRunner.Run("predict", dropped, "--task", "instance", "--model", Yolo, "--out", TestPaths.NewTempDir());
        Assert.Equal(ExitCodes.InputError, code);
        Assert.Contains("warning: " + dropped + ": \"id\" is String, a number expected", err);
        Assert.Contains("no images to run on (no usable entry in its 'images' list)", err);
        var (code2, _, err2) = CliRunner.Run("predict", twice, "--task", "instance", "--model", Yolo, "--out", TestPaths.NewTempDir());
        Assert.Equal(ExitCodes.InputError, code2);
        Assert.Contains("image id 1 appears more than once", err2);
    }

    // predict decodes each photo through the segmenter (Segment(path, options)): with --ignore-exif-orientation a photo
    // tagged to rotate 90° is labelled in its stored frame, as the untagged photo is; by default upright, 534×800.
    [Fact]
    public void PredictSemantic_PhotoWithExifOrientation_IgnoreExifOrientationKeepsTheStoredFrame()
    {
        string model = Fixtures.File("semantic_final_resize", "fusable.onnx");
        string photos = TestPaths.NewTempDir();
        File.WriteAllBytes(Path.Combine(photos, "dog.jpg"),
            ExifJpeg.WithOrientation(File.ReadAllBytes(TestPaths.SharedImage("dog.jpg")), SegKit.Imaging.ExifOrientation.Rotate90Clockwise));

        string ignored = TestPaths.NewTempDir();
        var (code, _, err) = CliRunner.Run("predict", photos, "--task", "semantic", "--model", model, "--out", ignored, "--ignore-exif-orientation");
        Assert.True(code == ExitCodes.Ok, err);
        var stored = SegKit.Imaging.PngDecoder.ReadIndexed(Path.Combine(ignored, "SegmentationClass", "dog.png"));
        Assert.Equal((800, 534), (stored.Width, stored.Height));
        using var segmenter = SemanticSegmenter.Load(model);
        Assert.Equal(segmenter.Segment(TestPaths.SharedImage("dog.jpg")).Labels.Data, stored.Indices);

        string upright = TestPaths.NewTempDir();
        (code, _, err) = CliRunner.Run("predict", photos, "--task", "semantic", "--model", model, "--out", upright);
        Assert.True(code == ExitCodes.Ok, err);
        var rotated = SegKit.Imaging.PngDecoder.ReadIndexed(Path.Combine(upright, "SegmentationClass", "dog.png"));
        Assert.Equal((534, 800), (rotated.Width, rotated.Height));
    }

    // A photo whose decoded size is not its ground truth's gave results that `eval` could only refuse after the whole
    // run (COCO: every result 'RLE size differs'; VOC: 'prediction is W×H but ground truth is ...'). Now the image fails
    // before any work on it, and when its EXIF orientation makes the difference the message says which setting of
    // --ignore-exif-orientation gives the ground truth's frame.
    [Fact]
    public void PredictCoco_DecodedSizeDiffersFromImageEntry_ImageFailsNamingTheOrientation()
    {
        string dir = TestPaths.NewTempDir();
        string photo = Path.Combine(dir, "dog.jpg");
        File.WriteAllBytes(photo, ExifJpeg.WithOrientation(File.ReadAllBytes(TestPaths.SharedImage("dog.jpg")), SegKit.Imaging.ExifOrientation.Rotate90Clockwise));
        string Coco(int width, int height)
        {
            string json = Path.Combine(dir, $"coco{width}x{height}.json");
            File.WriteAllText(json, $$"""{"images":[{"id":7,"file_name":"dog.jpg","width":{{width}},"height":{{height}}}],"annotations":[],"categories":[]}""");
            return json;
        }

        // Stored 800×534, tagged 6: upright it is 534×800.
        var (code, _, err) = CliRunner.Run("predict", Coco(800, 534), "--task", "instance", "--model", Yolo, "--out", TestPaths.NewTempDir());
        Assert.Equal(ExitCodes.InputError, code);
        Assert.Contains($"{photo} decodes to 534×800 with its EXIF orientation (6) applied but its COCO image entry (id 7) says 800×534: " +
                        "its outputs could not be scored against its ground truth; --ignore-exif-orientation decodes it in its stored frame, which is 800×534", err);
        string output = TestPaths.NewTempDir();
        (code, _, err) = CliRunner.Run("predict", Coco(800, 534), "--task", "instance", "--model", Yolo, "--out", output, "--ignore-exif-orientation");
        Assert.True(code == ExitCodes.Ok, err);
        Assert.True(File.Exists(Path.Combine(output, "results.json")));

        (code, _, err) = CliRunner.Run("predict", Coco(534, 800), "--task", "instance", "--model", Yolo, "--out", TestPaths.NewTempDir(), "--ignore-exif-orientation");
        Assert.Equal(ExitCodes.InputError, code);
        Assert.Contains($"{photo} decodes to 800×534 in its stored frame (--ignore-exif-orientation; its EXIF orientation is 6) but its COCO image " +
                        "entry (id 7) says 534×800: its outputs could not be scored against its ground truth; without --ignore-exif-orientation it " +
                        "decodes upright, which is 534×800", err);

        // A size no orientation explains: no advice.
        (code, _, err) = CliRunner.Run("predict", Coco(640, 480), "--task", "instance", "--model", Yolo, "--out", TestPaths.NewTempDir());
        Assert.Equal(ExitCodes.InputError, code);
        Assert.Contains($"{photo} decodes to 534×800 with its EXIF orientation (6) applied but its COCO image entry (id 7) says 640×480: " +
                        "its outputs could not be scored against its ground truth", err);
        Assert.DoesNotContain("--ignore-exif-orientation decodes", err);
    }

    [Fact]
    public void PredictVoc_DecodedSizeDiffersFromClassMap_ImageFailsOthersDone()
    {
        string root = Path.Combine(TestPaths.NewTempDir(), "VOC2012");
        foreach (string sub in new[] { "JPEGImages", "SegmentationClass", Path.Combine("ImageSets", "Segmentation") })
            Directory.CreateDirectory(Path.Combine(root, sub));
        string[] ids = ["2007_000032", "2007_000039"]; // 64×48 and 50×70 in the synthetic VOC fixture
        foreach (string id in ids)
        {
            byte[] jpeg = File.ReadAllBytes(Path.Combine(VocRoot, "JPEGImages", id + ".jpg"));
            File.WriteAllBytes(Path.Combine(root, "JPEGImages", id + ".jpg"),
                id == ids[0] ? ExifJpeg.WithOrientation(jpeg, SegKit.Imaging.ExifOrientation.Rotate90CounterClockwise) : jpeg);
            File.Copy(Path.Combine(VocRoot, "SegmentationClass", id + ".png"), Path.Combine(root, "SegmentationClass", id + ".png"));
        }
        File.WriteAllLines(Path.Combine(root, "ImageSets", "Segmentation", "val.txt"), ids);
        string model = Fixtures.File("semantic_final_resize", "fusable.onnx");

        string output = TestPaths.NewTempDir();
        var (code, _, err) = CliRunner.Run("predict", root, "--task", "semantic", "--model", model, "--out", output);
        Assert.Equal(ExitCodes.PartialFailure, code);
        Assert.Contains($"decodes to 48×64 with its EXIF orientation (8) applied but its ground truth {Path.Combine(root, "SegmentationClass", ids[0] + ".png")} " +
                        "is 64×48: its outputs could not be scored against its ground truth; --ignore-exif-orientation decodes it in its stored frame, which is 64×48", err);
        Assert.False(File.Exists(Path.Combine(output, "SegmentationClass", ids[0] + ".png")));
        Assert.True(File.Exists(Path.Combine(output, "SegmentationClass", ids[1] + ".png")));

        (code, _, err) = CliRunner.Run("predict", root, "--task", "semantic", "--model", model, "--out", output, "--ignore-exif-orientation");
        Assert.True(code == ExitCodes.Ok, err);
        Assert.Equal((64, 48), (LabelMapFile.Read(Path.Combine(output, "SegmentationClass", ids[0] + ".png")).Width,
                                LabelMapFile.Read(Path.Combine(output, "SegmentationClass", ids[0] + ".png")).Height));
    }
}
