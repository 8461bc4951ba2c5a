using System.Text.Json;
using SegKit.Cli;
using SegKit.Imaging;
using SegKit.Masks;
using SegKit.Prompt;
using SegKit.Tests.Prompt;
using SegKit.Tests.TestSupport;

namespace SegKit.Tests.Cli;

/// <summary>`segkit sam` and `segkit everything`: outputs equal to the library's, typed errors, usage errors.</summary>
public sealed class SamCommandTests : IClassFixture<SamPredictorReferenceTests.Models>
{
    private static readonly string Truck = TestPaths.SharedImage("truck.jpg");
    private readonly SamPredictorReferenceTests.Models _models;
    private readonly string _embedding;

    public SamCommandTests(SamPredictorReferenceTests.Models models)
    {
        _models = models;
        _embedding = Path.Combine(TestPaths.NewTempDir(), "truck.samemb");
        SamReference.Embedding.Save(_embedding);
    }

    [Fact]
    public void Sam_PointWithSavedEmbedding_WritesTheLibrarysMasks()
    {
        string dir = TestPaths.NewTempDir();
        var (code, stdout, stderr) = CliRunner.Run("sam", Truck, "--decoder", SamReference.Decoder, "--embedding", _embedding,
            "--point", "900,600", "--point", "1300,200,0", "--multimask", "--out", dir, "--json");
        Assert.True(code == ExitCodes.Ok, stderr);
        var expected = _models.Predictor.Predict(SamReference.Embedding,
            SamPrompt.FromPoints(new SamPoint(900, 600), new SamPoint(1300, 200, SamPointLabel.Background)));
        using var doc = JsonDocument.Parse(stdout);
        var masks = doc.RootElement.GetProperty("masks").EnumerateArray().ToArray();
        Assert.Equal(3, masks.Length);
        for (int k = 0; k < 3; k++)
        {
            Assert.Equal(k + 1, masks[k].GetProperty("index").GetInt32());
            Assert.Equal(Math.Round(expected.IouPredictions[k], 6), masks[k].GetProperty("score").GetDouble(), 6);
            var rle = CocoRle.Encode(expected.Masks[k]);
            Assert.Equal(rle.ToCompressedString(), masks[k].GetProperty("segmentation").GetProperty("counts").GetString());
            Assert.Equal(rle.Area(), masks[k].GetProperty("area").GetInt64());
            var png = PngDecoder.ReadGray8(masks[k].GetProperty("file").GetString()!);
            Assert.Equal(expected.Masks[k], BinaryMask.FromBytes(png.Data, png.Width, png.Height));
        }
        Assert.True(File.Exists(Path.Combine(dir, "truck.sam.overlay.jpg")));
        Assert.True(File.Exists(Path.Combine(dir, "truck.sam.json")));
        Assert.Equal("[1,256,64,64]", "[" + string.Join(",", doc.RootElement.GetProperty("embedding").GetProperty("shape").EnumerateArray().Select(e => e.GetInt32())) + "]");
    }

    [Fact]
    public void Sam_SeveralBoxes_OnePromptEachWithSingleMasks()
    {
        string dir = TestPaths.NewTempDir();
        var (code, stdout, stderr) = CliRunner.Run("sam", Truck, "--decoder", SamReference.Decoder, "--embedding", _embedding,
            "--box", "360,240,1440,1080", "--box", "10,10,500,400", "--out", dir, "--json");
        Assert.True(code == ExitCodes.Ok, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var masks = doc.RootElement.GetProperty("masks").EnumerateArray().ToArray();
        Assert.Equal([0, 1], masks.Select(m => m.GetProperty("prompt").GetInt32()));
        Assert.All(masks, m => Assert.Equal(0, m.GetProperty("index").GetInt32()));
        // The reference "box" case, through the CLI.
        var c = SamReference.Case("box");
        Assert.Equal(c.GetProperty("iou_predictions")[0].GetDouble(), masks[0].GetProperty("score").GetDouble(), 4);
    }

    [Fact]
    public void Sam_WithoutModels_BoxesBecomeGrabCutMasksAndSaysSo()
    {
        string output = TestPaths.NewTempDir();
        var (code, stdout, err) = CliRunner.Run("sam", Truck, "--box", "500,400,1200,900", "--box", "50,700,600,1100", "--out", output, "--json");
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("GrabCut", err);
        var image = SegKit.Imaging.ImageDecoder.DecodeRgb(Truck);
        using var doc = System.Text.Json.JsonDocument.Parse(stdout);
        Assert.Equal("grabcut", doc.RootElement.GetProperty("method").GetString());
        var masks = doc.RootElement.GetProperty("masks").EnumerateArray().ToArray();
        Assert.Equal(2, masks.Length);
        var expected = GrabCutPrompt.Segment(image, new SegKit.Masks.BoxXyxy(500, 400, 1200, 900));
        Assert.Equal(expected.Area(), masks[0].GetProperty("area").GetInt64());
        Assert.Equal(SegKit.Masks.CocoRle.Encode(expected).ToCompressedString(), masks[0].GetProperty("segmentation").GetProperty("counts").GetString());
        var png = SegKit.Imaging.PngDecoder.ReadGray8(masks[0].GetProperty("file").GetString()!);
        Assert.Equal(expected.Area(), png.Data.Count(v => v != 0));
    }

    [Fact]
    public void Sam_WithoutModels_PointsAreRefused()
    {
        var (code, _, err) = CliRunner.Run("sam", Truck, "--point", "100,100");
        Assert.Equal(ExitCodes.UsageError, code);
        Assert.Contains("only --box prompts work (GrabCut)", err);
    }

    [Theory]
    [InlineData("no prompt", "give at least one --point or --box (or a --detector)")]
    [InlineData("point and boxes", "not several")]
    [InlineData("bad point", "--point '5,x'")]
    [InlineData("bad box", "--box '1,2,3'")]
    [InlineData("nan point", "--point 'NaN,10'")]
    [InlineData("decoder only", "--encoder (or a saved --embedding) is required")]
    public void Sam_BadCommandLine_IsUsageError(string kind, string message)
    {
        string[] args = kind switch
        {
            "no prompt" => ["sam", Truck, "--decoder", SamReference.Decoder],
            "point and boxes" => ["sam", Truck, "--point", "1,1", "--box", "1,1,5,5", "--box", "2,2,6,6"],
            "bad point" => ["sam", Truck, "--point", "5,x"],
            "bad box" => ["sam", Truck, "--box", "1,2,3"],
            "nan point" => ["sam", Truck, "--point", "NaN,10"],
            _ => ["sam", Truck, "--decoder", SamReference.Decoder, "--point", "1,1"],
        };
        var (code, _, err) = CliRunner.Run(args);
        Assert.Equal(ExitCodes.UsageError, code);
        Assert.Contains(message, err);
    }

    [Fact]
    public void Sam_PointOutsideImage_IsInputErrorNamingThePoint()
    {
        var (code, _, err) = CliRunner.Run("sam", Truck, "--decoder", SamReference.Decoder, "--embedding", _embedding, "--point", "5000,3",
            "--out", TestPaths.NewTempDir());
        Assert.Equal(ExitCodes.InputError, code);
        Assert.Contains("point 0 (5000, 3) lies outside the 1800×1200 image", err);
    }

    [Fact]
    public void Sam_EmbeddingOfAnotherImage_IsInputError()
    {
        var (code, _, err) = CliRunner.Run("sam", TestPaths.SharedImage("dog.jpg"), "--decoder", SamReference.Decoder, "--embedding", _embedding,
            "--point", "5,3", "--out", TestPaths.NewTempDir());
        Assert.Equal(ExitCodes.InputError, code);
        Assert.Contains("is of a 1800×1200 image", err);
    }

    // dog.jpg and groceries.jpg are both 800×534: the dog's embedding gave the groceries photo the dog's masks (exit 0).
    [Fact]
    public void Sam_SavedEmbeddingOfAnotherPhotoOfTheSameSize_IsInputError()
    {
        string dir = TestPaths.NewTempDir();
        string saved = Path.Combine(dir, "dog.samemb");
        var first = CliRunner.Run("sam", TestPaths.SharedImage("dog.jpg"), "--encoder", Fixtures.File("sam_reference", "sam_fixture_encoder.onnx"),
            "--decoder", SamReference.Decoder, "--point", "400,260", "--save-embedding", saved, "--out", Path.Combine(dir, "a"));
        Assert.True(first.Code == ExitCodes.Ok, first.Err);
        var (code, _, err) = CliRunner.Run("sam", TestPaths.SharedImage("groceries.jpg"), "--decoder", SamReference.Decoder, "--embedding", saved,
            "--point", "400,260", "--out", Path.Combine(dir, "b"));
        Assert.Equal(ExitCodes.InputError, code);
        Assert.Contains("was computed from another image of the same size", err);
        var again = CliRunner.Run("sam", TestPaths.SharedImage("dog.jpg"), "--decoder", SamReference.Decoder, "--embedding", saved,
            "--point", "400,260", "--out", Path.Combine(dir, "c"));
        Assert.True(again.Code == ExitCodes.Ok, again.Err);
    }

    // A photo tagged to rotate 180° keeps its size either way, but its pixels differ: the embedding saved from the upright
    // photo is refused for its stored frame (--ignore-exif-orientation) through the pixels' SHA-256.
    [Fact]
    public void Sam_EmbeddingSavedUprightUsedWithIgnoreExifOrientation_IsInputError()
    {
        string dir = TestPaths.NewTempDir();
        string photo = Path.Combine(dir, "dog.jpg"), saved = Path.Combine(dir, "dog.samemb");
        File.WriteAllBytes(photo, ExifJpeg.WithOrientation(File.ReadAllBytes(TestPaths.SharedImage("dog.jpg")), ExifOrientation.Rotate180));
        var first = CliRunner.Run("sam", photo, "--encoder", Fixtures.File("sam_reference", "sam_fixture_encoder.onnx"),
            "--decoder", SamReference.Decoder, "--point", "400,260", "--save-embedding", saved, "--out", Path.Combine(dir, "a"));
        Assert.True(first.Code == ExitCodes.Ok, first.Err);
        var (code, _, err) = CliRunner.Run("sam", photo, "--decoder", SamReference.Decoder, "--embedding", saved,
            "--point", "400,260", "--out", Path.Combine(dir, "b"), "--ignore-exif-orientation");
        Assert.Equal(ExitCodes.InputError, code);
        Assert.Contains("was computed from another image of the same size", err);
    }

    // It read "is not a SAM decoder: it lacks image_embeddings, ...", which the encoder outputs.
    [Fact]
    public void Sam_EncoderGivenAsTheDecoder_SaidAsSuch()
    {
        string encoder = Fixtures.File("sam_reference", "sam_fixture_encoder.onnx");
        var (code, _, err) = CliRunner.Run("sam", Truck, "--encoder", encoder, "--decoder", encoder, "--point", "700,500", "--out", TestPaths.NewTempDir());
        Assert.Equal(ExitCodes.InputError, code);
        Assert.Contains("is a SAM image encoder, not a decoder", err);
    }

    // A multimask run's three PNGs stayed beside a later single-mask run's one, and the JSON listed only that one.
    [Fact]
    public void Sam_RerunWithFewerMasks_EarlierMaskFilesRemoved()
    {
        string dir = TestPaths.NewTempDir();
        string[] common = ["sam", Truck, "--decoder", SamReference.Decoder, "--embedding", _embedding, "--point", "700,500", "--out", dir];
        Assert.Equal(ExitCodes.Ok, CliRunner.Run([.. common, "--multimask"]).Code);
        Assert.Equal(3, Directory.GetFiles(dir, "truck.sam.p0.m*.png").Length);
        File.WriteAllText(Path.Combine(dir, "truck.sam.p0.notes.png"), "not ours"); // not the masks' pattern: kept
        Assert.Equal(ExitCodes.Ok, CliRunner.Run(common).Code);
        Assert.Equal(["truck.sam.p0.m0.png"], Directory.GetFiles(dir, "truck.sam.p0.m*.png").Select(Path.GetFileName));
        Assert.True(File.Exists(Path.Combine(dir, "truck.sam.p0.notes.png")));
    }

    [Fact]
    public void Sam_SaveEmbeddingThenReuse_SameMasksAndIdentityChecked()
    {
        string dir = TestPaths.NewTempDir();
        string encoder = Fixtures.File("sam_reference", "sam_fixture_encoder.onnx");
        string saved = Path.Combine(dir, "e", "truck.samemb");
        var first = CliRunner.Run("sam", Truck, "--encoder", encoder, "--decoder", SamReference.Decoder, "--point", "700,500",
            "--save-embedding", saved, "--out", Path.Combine(dir, "a"), "--json");
        Assert.True(first.Code == ExitCodes.Ok, first.Err);
        Assert.Equal("sam_fixture_encoder.onnx", SamImageEmbedding.Load(saved).Encoder.Name);
        var second = CliRunner.Run("sam", Truck, "--decoder", SamReference.Decoder, "--embedding", saved, "--point", "700,500",
            "--out", Path.Combine(dir, "b"), "--json");
        Assert.True(second.Code == ExitCodes.Ok, second.Err);
        string Counts(string json) => string.Join("|", JsonDocument.Parse(json).RootElement.GetProperty("masks").EnumerateArray()
            .Select(m => m.GetProperty("segmentation").GetProperty("counts").GetString()));
        Assert.Equal(Counts(first.Out), Counts(second.Out));

        var wrong = CliRunner.Run("sam", Truck, "--encoder", Fixtures.File("sam_reference", "sam_fixture_encoder_raw.onnx"),
            "--decoder", SamReference.Decoder, "--embedding", saved, "--point", "700,500", "--out", Path.Combine(dir, "c"));
        Assert.Equal(ExitCodes.InputError, wrong.Code);
        Assert.Contains("was computed by sam_fixture_encoder.onnx", wrong.Err);
    }

    [Fact]
    public void Everything_SavedEmbedding_WritesTheLibrarysRecords()
    {
        string dir = TestPaths.NewTempDir();
        var (code, stdout, stderr) = CliRunner.Run("everything", Truck, "--decoder", SamReference.Decoder, "--embedding", _embedding,
            "--points-per-side", "4", "--pred-iou-thresh", "0", "--stability-score-offset", "0.02", "--stability-score-thresh", "0.3",
            "--box-nms-thresh", "1", "--out", dir, "--json");
        Assert.True(code == ExitCodes.Ok, stderr);
        var expected = new SamAutomaticMaskGenerator(_models.Predictor, new SamAutomaticMaskGeneratorOptions
        {
            PointsPerSide = 4, PredIouThresh = 0f, StabilityScoreOffset = 0.02f, StabilityScoreThresh = 0.3f, BoxNmsThresh = 1f,
            OutputMode = SamOutputMode.CocoRle,
        }).Generate(SamReference.Embedding).Records;
        using var doc = JsonDocument.Parse(stdout);
        using var file = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(dir, "truck.everything.json")));
        foreach (var records in new[] { doc.RootElement.GetProperty("records"), file.RootElement })
        {
            var r = records.EnumerateArray().ToArray();
            Assert.Equal(expected.Count, r.Length);
            for (int i = 0; i < r.Length; i++)
            {
                Assert.Equal(expected[i].Segmentation.ToCompressedString(), r[i].GetProperty("segmentation").GetProperty("counts").GetString());
                Assert.Equal(expected[i].Area, r[i].GetProperty("area").GetInt64());
                Assert.Equal(expected[i].PredictedIou, r[i].GetProperty("predicted_iou").GetSingle());
                Assert.Equal(expected[i].Bbox.Width, r[i].GetProperty("bbox")[2].GetSingle());
                Assert.Equal(expected[i].PointCoords.X, r[i].GetProperty("point_coords")[0][0].GetDouble());
            }
        }
        Assert.Equal(16, doc.RootElement.GetProperty("prompts").GetInt32());
        Assert.True(File.Exists(Path.Combine(dir, "truck.everything.jpg")));
    }

    [Fact]
    public void DecoderEngine_GraphOrSegKits_ReportedInTheJsonAndAgreeing()
    {
        string[] common = ["--decoder", SamReference.Decoder, "--embedding", _embedding, "--points-per-side", "4", "--pred-iou-thresh", "0",
            "--stability-score-offset", "0.02", "--stability-score-thresh", "0.3", "--box-nms-thresh", "1", "--json"];
        var mine = CliRunner.Run(["everything", Truck, .. common, "--out", TestPaths.NewTempDir()]);
        var graph = CliRunner.Run(["everything", Truck, .. common, "--out", TestPaths.NewTempDir(), "--decoder-engine", "graph"]);
        Assert.True(mine.Code == ExitCodes.Ok, mine.Err);
        Assert.True(graph.Code == ExitCodes.Ok, graph.Err);
        using var a = JsonDocument.Parse(mine.Out);
        using var b = JsonDocument.Parse(graph.Out);
        Assert.Equal("segkit", a.RootElement.GetProperty("decoder_engine").GetString());
        Assert.Contains("checked against the graph", a.RootElement.GetProperty("decoder_engine_note").GetString());
        Assert.Equal("onnx_graph", b.RootElement.GetProperty("decoder_engine").GetString());
        Assert.Equal("the ONNX graph was asked for", b.RootElement.GetProperty("decoder_engine_note").GetString());
        var ra = a.RootElement.GetProperty("records").EnumerateArray().ToArray();
        var rb = b.RootElement.GetProperty("records").EnumerateArray().ToArray();
        Assert.Equal(rb.Length, ra.Length);
        for (int i = 0; i < ra.Length; i++)
            Assert.True(Math.Abs(ra[i].GetProperty("predicted_iou").GetDouble() - rb[i].GetProperty("predicted_iou").GetDouble()) <= 1e-4,
                $"record {i}: predicted_iou {ra[i].GetProperty("predicted_iou")} vs {rb[i].GetProperty("predicted_iou")}");

        var click = CliRunner.Run("sam", Truck, "--decoder", SamReference.Decoder, "--embedding", _embedding, "--point", "900,600",
            "--decoder-engine", "graph", "--out", TestPaths.NewTempDir(), "--json");
        Assert.True(click.Code == ExitCodes.Ok, click.Err);
        using var c = JsonDocument.Parse(click.Out);
        Assert.Equal("onnx_graph", c.RootElement.GetProperty("decoder_engine").GetString());

        var bad = CliRunner.Run("everything", Truck, "--decoder", SamReference.Decoder, "--embedding", _embedding, "--decoder-engine", "fast");
        Assert.Equal(ExitCodes.UsageError, bad.Code);
        Assert.Contains("'fast' not recognized", bad.Err);
    }

    // --save-embedding naming the photo, a model or the embedding read replaced it with the embedding (exit 0).
    [Fact]
    public void Sam_SaveEmbeddingOverAnInput_RefusedAndInputUnchanged()
    {
        string dir = TestPaths.NewTempDir();
        string photo = Path.Combine(dir, "truck.jpg");
        File.Copy(Truck, photo);
        byte[] before = File.ReadAllBytes(photo);
        var (code, _, err) = CliRunner.Run("sam", photo, "--decoder", SamReference.Decoder, "--embedding", _embedding, "--point", "700,500",
            "--save-embedding", photo, "--out", Path.Combine(dir, "o"));
        Assert.Equal(ExitCodes.InputError, code);
        Assert.Contains("is the image file, which it would overwrite", err);
        Assert.Equal(before, File.ReadAllBytes(photo));
        var (code2, _, err2) = CliRunner.Run("everything", photo, "--decoder", SamReference.Decoder, "--embedding", _embedding,
            "--save-embedding", _embedding, "--points-per-side", "2", "--out", Path.Combine(dir, "o"));
        Assert.Equal(ExitCodes.InputError, code2);
        Assert.Contains("is the --embedding file", err2);
        var (code3, _, err3) = CliRunner.Run("sam", photo, "--decoder", SamReference.Decoder, "--embedding", _embedding, "--point", "700,500",
            "--save-embedding", "", "--out", Path.Combine(dir, "o"));
        Assert.Equal(ExitCodes.InputError, code3);
        Assert.Contains("--save-embedding is empty", err3);
        var (code4, _, err4) = CliRunner.Run("sam", photo, "--decoder", SamReference.Decoder, "--embedding", _embedding, "--point", "700,500", "--out", "");
        Assert.Equal(ExitCodes.InputError, code4);
        Assert.Contains("--out is empty", err4);
    }

    // GrabCut (no SAM model) with a box covering the whole image, or next to nothing, crashed (exit 70); options only SAM
    // uses were ignored without a word; a box reaching outside the image was clipped without one.
    [Fact]
    public void Sam_GrabCutBoxesItCannotUseOrSamOnlyOptions_TypedErrors()
    {
        string dog = TestPaths.SharedImage("dog.jpg");
        var (code, _, err) = CliRunner.Run("sam", dog, "--box", "0,0,800,534", "--out", TestPaths.NewTempDir());
        Assert.Equal(ExitCodes.InputError, code);
        Assert.Contains("covers 800×534 pixels of the 800×534 image, leaving 0 outside it; GrabCut needs at least 5 pixels inside the box and 5 outside", err);
        var (code2, _, err2) = CliRunner.Run("sam", dog, "--box", "10,10,12,12", "--out", TestPaths.NewTempDir());
        Assert.Equal(ExitCodes.InputError, code2);
        Assert.Contains("covers 2×2 pixels", err2);
        var (code3, _, err3) = CliRunner.Run("sam", dog, "--box", "200,100,600,500", "--multimask", "--out", TestPaths.NewTempDir());
        Assert.Equal(ExitCodes.UsageError, code3);
        Assert.Contains("--multimask needs SAM models", err3);
        var (code4, _, err4) = CliRunner.Run("sam", dog, "--detector", "d.onnx", "--out", TestPaths.NewTempDir());
        Assert.Equal(ExitCodes.UsageError, code4);
        Assert.Contains("--detector needs SAM models", err4);
        var (code5, _, err5) = CliRunner.Run("sam", dog, "--box", "500,300,900,700", "--out", TestPaths.NewTempDir());
        Assert.True(code5 == ExitCodes.Ok, err5);
        Assert.Contains("box 0 (500,300,900,700) reaches outside the 800×534 image; GrabCut uses its part inside, x 500..800, y 300..534", err5);
    }

    // segment-anything's crops of a 1×1 image include empty ones (its encoder then fails); this crashed with "image size 1×0".
    [Fact]
    public void Everything_ImageTooSmallForItsCropLayers_TypedError()
    {
        string one = Path.Combine(TestPaths.NewTempDir(), "one.png");
        PngEncoder.Save(new RgbImage(1, 1), one);
        var (code, _, err) = CliRunner.Run("everything", one, "--encoder", Fixtures.File("sam_reference", "sam_fixture_encoder.onnx"),
            "--decoder", SamReference.Decoder, "--points-per-side", "2", "--crop-n-layers", "1", "--out", TestPaths.NewTempDir());
        Assert.Equal(ExitCodes.InputError, code);
        Assert.Contains("a 1×1 image is too small for crop layer 1: its crop (0,1)–(1,1) is empty", err);
    }

    // --crop-n-layers 4 ran 81 s without a word (layer k adds 4^k crops, each encoded). Now a line per crop, in
    // segment-anything's crop order: for 64×48 at the default overlap 512/1500, overlap int(48 × 0.341) = 16, crops
    // ceil((16 + 64) / 2) = 40 wide, ceil((16 + 48) / 2) = 32 high, at x0 ∈ {0, 24} (outer) and y0 ∈ {0, 16}.
    [Fact]
    public void Everything_CropLayers_ProgressLinePerCrop()
    {
        string photo = Path.Combine(TestPaths.NewTempDir(), "small.png");
        var image = new RgbImage(64, 48);
        for (int i = 0; i < image.Data.Length; i++) image.Data[i] = (byte)(i * 37 % 251);
        PngEncoder.Save(image, photo);
        var (code, _, err) = CliRunner.Run("everything", photo, "--encoder", Fixtures.File("sam_reference", "sam_fixture_encoder.onnx"),
            "--decoder", SamReference.Decoder, "--points-per-side", "2", "--crop-n-layers", "1", "--out", TestPaths.NewTempDir());
        Assert.True(code == ExitCodes.Ok, err);
        string[] lines = err.Split('\n').Where(l => l.StartsWith("[crop ")).ToArray();
        Assert.Equal(["[crop 1/5] layer 0 (0,0)–(64,48)", "[crop 2/5] layer 1 (0,0)–(40,32)", "[crop 3/5] layer 1 (0,16)–(40,48)",
                      "[crop 4/5] layer 1 (24,0)–(64,32)", "[crop 5/5] layer 1 (24,16)–(64,48)"], lines.Select(l => l[..l.IndexOf(':')]));
        Assert.All(lines[..4], l => Assert.Matches(@": \d+\.\d s so far, about \d+ s left$", l));
        Assert.Matches(@": \d+\.\d s so far$", lines[4]);

        // Without crops there is nothing to follow.
        var (code0, _, err0) = CliRunner.Run("everything", photo, "--encoder", Fixtures.File("sam_reference", "sam_fixture_encoder.onnx"),
            "--decoder", SamReference.Decoder, "--points-per-side", "2", "--out", TestPaths.NewTempDir());
        Assert.True(code0 == ExitCodes.Ok, err0);
        Assert.DoesNotContain("[crop ", err0);
    }

    [Theory]
    [InlineData("--points-per-side", "0", "--points-per-side: must be 1 to 1024")]
    // 46341² overflowed int (an unhandled OverflowException, rc 134); NaN thresholds meant "no filter".
    [InlineData("--points-per-side", "1000000", "--points-per-side: must be 1 to 1024")]
    [InlineData("--pred-iou-thresh", "NaN", "--pred-iou-thresh: must be a finite number")]
    [InlineData("--stability-score-thresh", "NaN", "--stability-score-thresh: must be a finite number ≤ 1")]
    [InlineData("--stability-score-thresh", "5", "--stability-score-thresh: must be a finite number ≤ 1")]
    [InlineData("--box-nms-thresh", "1.5", "--box-nms-thresh")]
    [InlineData("--crop-n-layers", "1", "needs --encoder")]
    [InlineData("--output-mode", "png", "'png' not recognized")]
    public void Everything_BadOption_IsUsageError(string option, string value, string message)
    {
        var (code, _, err) = CliRunner.Run("everything", Truck, "--decoder", SamReference.Decoder, "--embedding", _embedding, option, value);
        Assert.Equal(ExitCodes.UsageError, code);
        Assert.Contains(message, err);
    }
}

public sealed class SamDetectorCommandTests : IClassFixture<SamPredictorReferenceTests.Models>
{
    private readonly SamPredictorReferenceTests.Models _models;

    public SamDetectorCommandTests(SamPredictorReferenceTests.Models models) => _models = models;

    [Fact]
    public void Sam_Detector_EachDetectionBecomesASamMaskKeepingClassAndScore()
    {
        string yolo = SegKit.Tests.Instance.InstanceReference.Path("yolo_seg.onnx");
        string truck = TestPaths.SharedImage("truck.jpg");
        string embedding = Path.Combine(TestPaths.NewTempDir(), "truck.samemb");
        SamReference.Embedding.Save(embedding);
        string dir = TestPaths.NewTempDir();
        var (code, stdout, stderr) = CliRunner.Run("sam", truck, "--decoder", SamReference.Decoder, "--embedding", embedding,
            "--detector", yolo, "--out", dir, "--json");
        Assert.True(code == ExitCodes.Ok, stderr);

        using var segmenter = SegKit.Instance.InstanceSegmenter.Load(yolo);
        var found = segmenter.Segment(ImageDecoder.DecodeRgb(truck));
        Assert.NotEmpty(found.Instances);
        var expected = _models.Predictor.SegmentDetections(SamReference.Embedding, found);
        using var doc = JsonDocument.Parse(stdout);
        var masks = doc.RootElement.GetProperty("masks").EnumerateArray().ToArray();
        Assert.Equal(expected.Count, masks.Length);
        for (int i = 0; i < masks.Length; i++)
        {
            Assert.Equal(expected[i].ClassName, masks[i].GetProperty("class_name").GetString());
            Assert.Equal(expected[i].ClassId, masks[i].GetProperty("class_id").GetInt32());
            Assert.Equal(Math.Round(expected[i].Score, 6), masks[i].GetProperty("detector_score").GetDouble(), 6);
            Assert.Equal(CocoRle.Encode(expected[i].Mask).ToCompressedString(), masks[i].GetProperty("segmentation").GetProperty("counts").GetString());
        }
    }

    [Fact]
    public void Sam_DetectorWithPoints_IsUsageError()
    {
        var (code, _, err) = CliRunner.Run("sam", TestPaths.SharedImage("truck.jpg"), "--decoder", SamReference.Decoder, "--detector", "m.onnx", "--point", "1,1");
        Assert.Equal(ExitCodes.UsageError, code);
        Assert.Contains("--detector supplies the boxes", err);
    }
}
