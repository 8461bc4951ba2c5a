using System.Text.Json;
using SegKit.Cli;
using SegKit.Imaging;
using SegKit.Semantic;
using SegKit.Tests.TestSupport;

namespace SegKit.Tests.Cli;

public class SemanticCommandTests
{
    [Fact]
    public void Semantic_FolderWithACorruptImage_WritesOutputsReportsAndSkipsTheBadOne()
    {
        string model = Fixtures.File("semantic_reference", "unet_shaped.onnx");
        string input = TestPaths.NewTempDir();
        File.Copy(TestPaths.SharedImage("dog.jpg"), Path.Combine(input, "dog.jpg"));
        File.WriteAllText(Path.Combine(input, "broken.jpg"), "not a jpeg");
        string output = TestPaths.NewTempDir();

        var (code, stdout, stderr) = CliRunner.Run("semantic", input, "--model", model, "--out", output, "--overlay", "--json");

        Assert.Equal(ExitCodes.PartialFailure, code);
        Assert.Contains("broken.jpg", stderr);
        Assert.False(File.Exists(Path.Combine(output, "broken.json")));
        using var doc = JsonDocument.Parse(stdout);
        var dog = doc.RootElement.GetProperty("images").EnumerateArray().Single(i => i.GetProperty("image").GetString()!.EndsWith("dog.jpg"));
        Assert.Equal("done", dog.GetProperty("status").GetString());
        Assert.Equal(800, dog.GetProperty("width").GetInt32());
        Assert.Equal("unet", dog.GetProperty("preset").GetString());
        Assert.True(dog.GetProperty("timings").GetProperty("inference").GetDouble() > 0);

        // The label PNG holds the class ids the library computes, as palette indices.
        var labels = PngDecoder.ReadIndexed(Path.Combine(output, "dog.labels.png"));
        using var segmenter = SemanticSegmenter.Load(model);
        var expected = segmenter.Segment(TestPaths.SharedImage("dog.jpg"));
        Assert.Equal(expected.Labels.Data, labels.Indices);
        var classes = dog.GetProperty("classes").EnumerateArray().ToDictionary(c => c.GetProperty("id").GetInt32(), c => c.GetProperty("pixels").GetInt64());
        Assert.Equal(expected.PixelCounts[1], classes[1]);
        var overlay = ImageDecoder.DecodeRgb(Path.Combine(output, "dog.overlay.jpg"));
        Assert.Equal((800, 534), (overlay.Width, overlay.Height));
        Assert.True(File.Exists(Path.Combine(output, "dog.json")));
    }

    // A torchvision-style model: the JSON says its final Resize was fused, and the labels are the library's.
    [Fact]
    public void Semantic_TorchvisionStyleModel_JsonReportsTheFusedResize()
    {
        string model = Fixtures.File("semantic_final_resize", "fusable.onnx");
        string output = TestPaths.NewTempDir();
        var (code, stdout, stderr) = CliRunner.Run("semantic", TestPaths.SharedImage("dog.jpg"), "--model", model, "--size", "96",
            "--out", output, "--json");
        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var dog = doc.RootElement.GetProperty("images")[0];
        Assert.True(dog.GetProperty("fuses_model_resize").GetBoolean());
        Assert.Contains("fused with the argmax", dog.GetProperty("upsampling").GetString());
        using var segmenter = SemanticSegmenter.Load(model, null, new SemanticSegmenterOptions { ResizeOverride = ResizePolicy.ShorterSide(96) });
        Assert.Equal(segmenter.Segment(TestPaths.SharedImage("dog.jpg")).Labels.Data,
            PngDecoder.ReadIndexed(Path.Combine(output, "dog.labels.png")).Indices);
    }

    // Photos of one size decode into the previous photo's pixel array, are labelled into its label map and drawn into its
    // overlay: each still gets its own labels and overlay.
    [Fact]
    public void Semantic_FolderOfSameAndOtherSizes_EachImageLabelledAsAlone()
    {
        string model = Fixtures.File("semantic_final_resize", "fusable.onnx");
        string input = TestPaths.NewTempDir();
        File.Copy(TestPaths.SharedImage("dog.jpg"), Path.Combine(input, "a.jpg"));
        File.Copy(TestPaths.SharedImage("groceries.jpg"), Path.Combine(input, "b.jpg")); // 800×534 like dog.jpg
        File.Copy(TestPaths.SharedImage("truck.jpg"), Path.Combine(input, "c.jpg"));
        File.Copy(TestPaths.SharedImage("dog.jpg"), Path.Combine(input, "d.jpg"));
        string output = TestPaths.NewTempDir();
        var (code, _, stderr) = CliRunner.Run("semantic", input, "--model", model, "--size", "96", "--out", output, "--overlay");
        Assert.True(code == 0, stderr);
        using var segmenter = SemanticSegmenter.Load(model, null, new SemanticSegmenterOptions { ResizeOverride = ResizePolicy.ShorterSide(96) });
        foreach (var (stem, photo) in new[] { ("a", "dog"), ("b", "groceries"), ("c", "truck"), ("d", "dog") })
        {
            var pixels = ImageDecoder.DecodeRgb(TestPaths.SharedImage(photo + ".jpg"));
            var alone = segmenter.Segment(pixels);
            Assert.Equal(alone.Labels.Data, PngDecoder.ReadIndexed(Path.Combine(output, stem + ".labels.png")).Indices);
            // The overlays are drawn into the previous one of their size: each is still its own photo's (same JPEG bytes).
            Assert.Equal(JpegEncoder.Encode(SemanticPictures.Overlay(pixels, alone)), File.ReadAllBytes(Path.Combine(output, stem + ".overlay.jpg")));
        }
    }

    [Fact]
    public void Semantic_PresetAndPresetFileTogether_IsUsageError()
    {
        var (code, _, err) = CliRunner.Run("semantic", "x.jpg", "--model", "m.onnx", "--preset", "unet", "--preset-file", "p.json");
        Assert.Equal(ExitCodes.UsageError, code);
        Assert.Contains("mutually exclusive", err);
    }

    [Fact]
    public void Semantic_ModelFitsNoSemanticContract_InputErrorListsContracts()
    {
        string model = Fixtures.File("onnx_parity", "resnet18.onnx");
        var (code, _, err) = CliRunner.Run("semantic", TestPaths.SharedImage("dog.jpg"), "--model", model, "--out", TestPaths.NewTempDir());
        Assert.Equal(ExitCodes.InputError, code);
        Assert.Contains("fits no semantic contract", err);
        Assert.Contains("TorchvisionSemantic", err);
    }

    // A --size whose model input passes --max-input-pixels fails that image with the limit named (not a crash; exit 1,
    // as it is the only image), and no output of the refused image is written.
    [Fact]
    public void Semantic_SizeOverMaxInputPixels_ImageFailsWithTheLimitNamed()
    {
        string model = Fixtures.File("semantic_final_resize", "fusable.onnx");
        string output = TestPaths.NewTempDir();
        var (code, _, stderr) = CliRunner.Run("semantic", TestPaths.SharedImage("dog.jpg"), "--model", model, "--size", "100000", "--out", output);
        Assert.Equal(ExitCodes.InputError, code); // the only image failed: a bad input
        Assert.Contains("dog.jpg", stderr);
        Assert.Contains("MaxInputPixels = 16,777,216", stderr);
        // No output but the run's settings (.segkit-settings)
        Assert.Equal([".segkit-settings"], Directory.GetFiles(output).Select(Path.GetFileName));

        (code, _, stderr) = CliRunner.Run("semantic", TestPaths.SharedImage("dog.jpg"), "--model", model, "--size", "96",
            "--max-input-pixels", "13727", "--out", output);
        Assert.Equal(ExitCodes.InputError, code);
        Assert.Contains("143×96", stderr);
        (code, _, stderr) = CliRunner.Run("semantic", TestPaths.SharedImage("dog.jpg"), "--model", model, "--size", "96",
            "--max-input-pixels", "13728", "--out", output);
        Assert.True(code == 0, stderr);
        Assert.True(File.Exists(Path.Combine(output, "dog.labels.png")));
        (code, _, stderr) = CliRunner.Run("semantic", TestPaths.SharedImage("dog.jpg"), "--model", model, "--max-input-pixels", "0");
        Assert.Equal(ExitCodes.UsageError, code);
        Assert.Contains("--max-input-pixels", stderr);
    }

    // More ONNX Runtime threads than cores: a warning on stderr, and the run goes on; as many as the cores: none.
    [Fact]
    public void Semantic_ThreadsBeyondTheCores_WarnsAndRuns()
    {
        string model = Fixtures.File("semantic_final_resize", "fusable.onnx");
        int cores = Environment.ProcessorCount;
        var (code, _, stderr) = CliRunner.Run("semantic", TestPaths.SharedImage("dog.jpg"), "--model", model, "--size", "96",
            "--threads", (cores + 1).ToString(), "--out", TestPaths.NewTempDir());
        Assert.True(code == 0, stderr);
        Assert.Contains($"warning: --threads {cores + 1} is more than the {cores} cores", stderr);
        (code, _, stderr) = CliRunner.Run("semantic", TestPaths.SharedImage("dog.jpg"), "--model", model, "--size", "96",
            "--threads", cores.ToString(), "--out", TestPaths.NewTempDir());
        Assert.True(code == 0, stderr);
        Assert.DoesNotContain("warning", stderr);
    }

    // The next photo is decoded while this one's pictures are encoded: a corrupt photo decoded ahead is still reported
    // as itself, a photo already done is not decoded ahead (it is skipped), and every photo gets its own labels.
    [Fact]
    public void Semantic_FolderDecodedAhead_FailuresAndSkipsStayThePhotosOwn()
    {
        string model = Fixtures.File("semantic_final_resize", "fusable.onnx");
        string input = TestPaths.NewTempDir();
        File.Copy(TestPaths.SharedImage("dog.jpg"), Path.Combine(input, "a.jpg"));
        File.WriteAllText(Path.Combine(input, "b.jpg"), "not a jpeg");
        File.Copy(TestPaths.SharedImage("truck.jpg"), Path.Combine(input, "c.jpg"));
        File.Copy(TestPaths.SharedImage("groceries.jpg"), Path.Combine(input, "d.jpg"));
        File.Copy(TestPaths.SharedImage("dog.jpg"), Path.Combine(input, "e.jpg"));
        string output = TestPaths.NewTempDir();
        // d is done (its JSON and its label PNG are there): skipped, so c's decode-ahead goes to e
        File.WriteAllText(Path.Combine(output, "d.json"), "{}");
        File.WriteAllText(Path.Combine(output, "d.labels.png"), "done before");

        var (code, stdout, stderr) = CliRunner.Run("semantic", input, "--model", model, "--size", "96", "--out", output, "--json");
        Assert.Equal(ExitCodes.PartialFailure, code);
        using var doc = JsonDocument.Parse(stdout);
        var status = doc.RootElement.GetProperty("images").EnumerateArray()
            .ToDictionary(i => Path.GetFileName(i.GetProperty("image").GetString()!), i => i.GetProperty("status").GetString());
        Assert.Equal(new Dictionary<string, string?> { ["a.jpg"] = "done", ["b.jpg"] = "failed", ["c.jpg"] = "done", ["d.jpg"] = "skipped", ["e.jpg"] = "done" }, status);
        Assert.Contains("b.jpg: error:", stderr);
        Assert.Equal("done before", File.ReadAllText(Path.Combine(output, "d.labels.png")));
        using var segmenter = SemanticSegmenter.Load(model, null, new SemanticSegmenterOptions { ResizeOverride = ResizePolicy.ShorterSide(96) });
        foreach (var (stem, photo) in new[] { ("a", "dog"), ("c", "truck"), ("e", "dog") })
            Assert.Equal(segmenter.Segment(TestPaths.SharedImage(photo + ".jpg")).Labels.Data,
                PngDecoder.ReadIndexed(Path.Combine(output, stem + ".labels.png")).Indices);
    }

    // Option values that are not of their type are usage errors (they aborted the process from the validator, rc 134),
    // and so are thread counts past the cap (20,000 threads ran 22 minutes and ignored SIGTERM).
    [Theory]
    [InlineData("--size", "abc")]
    [InlineData("--threads", "99999999999")]
    [InlineData("--max-input-pixels", "x")]
    [InlineData("--max-input-pixels", "99999999999999999999")]
    [InlineData("--threads", "5000")]
    public void Semantic_OptionValueNotOfItsTypeOrRange_IsUsageError(string option, string value)
    {
        var (code, _, stderr) = CliRunner.Run("semantic", TestPaths.SharedImage("dog.jpg"), "--model", "m.onnx", option, value);
        Assert.Equal(ExitCodes.UsageError, code);
        Assert.Contains(option, stderr);
    }

    // --out "" and --out naming the input folder: input errors before any work, and the photos there untouched.
    [Fact]
    public void Semantic_OutEmptyOrTheInputFolder_RefusedBeforeWork()
    {
        string model = Fixtures.File("semantic_final_resize", "fusable.onnx");
        var (code, _, stderr) = CliRunner.Run("semantic", TestPaths.SharedImage("dog.jpg"), "--model", model, "--out", "");
        Assert.Equal(ExitCodes.InputError, code);
        Assert.Contains("--out", stderr);

        string folder = TestPaths.NewTempDir();
        File.Copy(TestPaths.SharedImage("dog.jpg"), Path.Combine(folder, "dog.jpg"));
        File.Copy(TestPaths.SharedImage("groceries.jpg"), Path.Combine(folder, "dog.labels.png")); // a photo (JPEG bytes) that dog's labels would replace
        byte[] before = File.ReadAllBytes(Path.Combine(folder, "dog.labels.png"));
        (code, _, stderr) = CliRunner.Run("semantic", folder, "--model", model, "--size", "96", "--out", folder);
        Assert.Equal(ExitCodes.InputError, code);
        Assert.Contains("is the input folder", stderr);
        (code, _, stderr) = CliRunner.Run("semantic", Path.Combine(folder, "dog.jpg"), Path.Combine(folder, "dog.labels.png"),
            "--model", model, "--size", "96", "--out", folder);
        Assert.Equal(ExitCodes.InputError, code);
        Assert.Contains("could overwrite it", stderr);
        Assert.Equal(before, File.ReadAllBytes(Path.Combine(folder, "dog.labels.png")));
        Assert.Equal(["dog.jpg", "dog.labels.png"], Directory.GetFiles(folder).Select(f => Path.GetFileName(f)).Order().ToArray());
    }

    // An --out folder inside an input folder is not searched: a rerun does not take the outputs for photos.
    [Fact]
    public void Semantic_OutInsideTheInputFolder_OutputsNotReadAsPhotos()
    {
        string model = Fixtures.File("semantic_final_resize", "fusable.onnx");
        string folder = TestPaths.NewTempDir();
        File.Copy(TestPaths.SharedImage("dog.jpg"), Path.Combine(folder, "dog.jpg"));
        string output = Path.Combine(folder, "out");
        for (int run = 0; run < 2; run++)
        {
            var (code, stdout, stderr) = CliRunner.Run("semantic", folder, "--model", model, "--size", "96", "--out", output, "--overlay", "--json", "--force");
            Assert.True(code == 0, stderr);
            using var doc = JsonDocument.Parse(stdout);
            Assert.Equal(["dog.jpg"], doc.RootElement.GetProperty("images").EnumerateArray().Select(i => Path.GetFileName(i.GetProperty("image").GetString()!)).ToArray());
        }
    }

    // An image counted as done when its JSON existed: a label PNG deleted since was not rewritten, and asking for
    // --overlay on a second run made none. Both are redone now; an image with every output is still skipped.
    [Fact]
    public void Semantic_OutputMissingOrOverlayAskedForNow_ImageRedone()
    {
        string model = Fixtures.File("semantic_final_resize", "fusable.onnx");
        string input = TestPaths.NewTempDir();
        File.Copy(TestPaths.SharedImage("dog.jpg"), Path.Combine(input, "a.jpg"));
        File.Copy(TestPaths.SharedImage("groceries.jpg"), Path.Combine(input, "b.jpg"));
        string output = TestPaths.NewTempDir();
        string[] args = ["semantic", input, "--model", model, "--size", "96", "--out", output, "--json"];
        Assert.Equal(ExitCodes.Ok, CliRunner.Run(args).Code);
        File.Delete(Path.Combine(output, "a.labels.png"));

        Dictionary<string, string?> Statuses(string json)
        {
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.GetProperty("images").EnumerateArray()
                .ToDictionary(i => Path.GetFileName(i.GetProperty("image").GetString()!), i => i.GetProperty("status").GetString());
        }
        var (code, stdout, stderr) = CliRunner.Run(args);
        Assert.True(code == ExitCodes.Ok, stderr);
        Assert.Equal(new Dictionary<string, string?> { ["a.jpg"] = "done", ["b.jpg"] = "skipped" }, Statuses(stdout));
        Assert.True(File.Exists(Path.Combine(output, "a.labels.png")));

        var (code2, stdout2, stderr2) = CliRunner.Run([.. args, "--overlay"]);
        Assert.True(code2 == ExitCodes.Ok, stderr2);
        Assert.Equal(new Dictionary<string, string?> { ["a.jpg"] = "done", ["b.jpg"] = "done" }, Statuses(stdout2));
        Assert.True(File.Exists(Path.Combine(output, "b.overlay.jpg")));
        Assert.Equal(new Dictionary<string, string?> { ["a.jpg"] = "skipped", ["b.jpg"] = "skipped" }, Statuses(CliRunner.Run([.. args, "--overlay"]).Out));
    }

    // Another model or resize into the same --out: the label maps of the last run were kept as "already done".
    [Fact]
    public void Semantic_OtherModelOrResize_Redone()
    {
        string input = TestPaths.NewTempDir();
        File.Copy(TestPaths.SharedImage("dog.jpg"), Path.Combine(input, "a.jpg"));
        File.Copy(TestPaths.SharedImage("groceries.jpg"), Path.Combine(input, "b.jpg"));
        string output = TestPaths.NewTempDir();
        string fusable = Fixtures.File("semantic_final_resize", "fusable.onnx"), scale8 = Fixtures.File("semantic_final_resize", "scale8.onnx");
        Assert.Equal(ExitCodes.Ok, CliRunner.Run("semantic", input, "--model", fusable, "--size", "96", "--out", output).Code);
        foreach (var (model, size, redone) in new[] { (fusable, "96", false), (fusable, "128", true), (scale8, "128", true), (scale8, "128", false) })
        {
            var (code, json, err) = CliRunner.Run("semantic", input, "--model", model, "--size", size, "--out", output, "--json");
            Assert.True(code == ExitCodes.Ok, err);
            Assert.Equal(redone, err.Contains("were made with other settings"));
            using var doc = JsonDocument.Parse(json);
            Assert.All(doc.RootElement.GetProperty("images").EnumerateArray(),
                i => Assert.Equal(redone ? "done" : "skipped", i.GetProperty("status").GetString()));
        }
        using var segmenter = SemanticSegmenter.Load(scale8, null, new SemanticSegmenterOptions { ResizeOverride = ResizePolicy.ShorterSide(128) });
        Assert.Equal(segmenter.Segment(TestPaths.SharedImage("groceries.jpg")).Labels.Data,
            PngDecoder.ReadIndexed(Path.Combine(output, "b.labels.png")).Indices);
    }

    // torchvision's pipeline (Image.open(p).convert("RGB")) ignores the EXIF orientation: with --ignore-exif-orientation a
    // tagged copy of dog.jpg has the same stored pixels as dog.jpg, so the same label map byte for byte (the tagged one
    // is decoded ahead, while the first one's labels are encoded); by default it is labelled upright, 534×800.
    [Fact]
    public void Semantic_PhotoWithExifOrientation_IgnoredGivesTheUntaggedPhotosLabels()
    {
        string model = Fixtures.File("semantic_final_resize", "fusable.onnx");
        string input = TestPaths.NewTempDir();
        File.Copy(TestPaths.SharedImage("dog.jpg"), Path.Combine(input, "a.jpg"));
        File.WriteAllBytes(Path.Combine(input, "b.jpg"),
            ExifJpeg.WithOrientation(File.ReadAllBytes(TestPaths.SharedImage("dog.jpg")), ExifOrientation.Rotate90Clockwise));

        string ignored = TestPaths.NewTempDir();
        var (code, _, stderr) = CliRunner.Run("semantic", input, "--model", model, "--size", "96", "--out", ignored, "--ignore-exif-orientation");
        Assert.True(code == ExitCodes.Ok, stderr);
        Assert.Equal(File.ReadAllBytes(Path.Combine(ignored, "a.labels.png")), File.ReadAllBytes(Path.Combine(ignored, "b.labels.png")));
        var stored = PngDecoder.ReadIndexed(Path.Combine(ignored, "b.labels.png"));
        Assert.Equal((800, 534), (stored.Width, stored.Height));
        Assert.EndsWith("\nexif orientation: ignored\n", File.ReadAllText(Path.Combine(ignored, ".segkit-settings")));

        string upright = TestPaths.NewTempDir();
        (code, _, stderr) = CliRunner.Run("semantic", input, "--model", model, "--size", "96", "--out", upright);
        Assert.True(code == ExitCodes.Ok, stderr);
        var rotated = PngDecoder.ReadIndexed(Path.Combine(upright, "b.labels.png"));
        Assert.Equal((534, 800), (rotated.Width, rotated.Height));
        Assert.DoesNotContain("exif", File.ReadAllText(Path.Combine(upright, ".segkit-settings")));
    }
}
