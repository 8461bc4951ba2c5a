using System.Text.Json;
using SegKit.Imaging;
using SegKit.Masks;
using SegKit.Prompt;
using SegKit.Tests.TestSupport;

namespace SegKit.Tests.Prompt;

/// <summary>
/// Prompt plumbing on a toy decoder with the SAM decoder contract (tools/fixtures/sam_reference.py): points, boxes,
/// box + points and mask inputs against the same graph run by torch; batching (dynamic batch dimension) against
/// one-by-one runs (static export); typed errors.
/// </summary>
public sealed class SamPredictorTests : IClassFixture<SamPredictorTests.Toy>
{
    public sealed class Toy : IDisposable
    {
        public SamPredictor Dynamic { get; } = SamPredictor.Open(null, Fixtures.File("sam_reference", "sam_toy_decoder_dynamic.onnx"));
        public SamPredictor Static { get; } = SamPredictor.Open(null, Fixtures.File("sam_reference", "sam_toy_decoder_static.onnx"));
        public JsonElement Cases { get; } = JsonDocument.Parse(File.ReadAllBytes(Fixtures.File("sam_reference", "toy_cases.json"))).RootElement;
        public SamImageEmbedding Embedding { get; }
        public float[] MaskInput { get; } = Npy.Read(Fixtures.File("sam_reference", "toy_mask_input.npy")).AsFloat32();

        public Toy()
        {
            var npy = Npy.Read(Fixtures.File("sam_reference", "toy_embedding.npy"));
            Embedding = SamImageEmbedding.Create(npy.AsFloat32(), npy.Shape,
                new ImageSize(Cases.GetProperty("width").GetInt32(), Cases.GetProperty("height").GetInt32()));
        }

        public void Dispose()
        {
            Dynamic.Dispose();
            Static.Dispose();
        }
    }

    private readonly Toy _toy;

    public SamPredictorTests(Toy toy) => _toy = toy;

    private SamPrompt Prompt(JsonElement c)
    {
        var points = c.GetProperty("points").EnumerateArray().Zip(c.GetProperty("labels").EnumerateArray())
            .Select(p => new SamPoint(p.First[0].GetDouble(), p.First[1].GetDouble(), (SamPointLabel)p.Second.GetInt32())).ToArray();
        BoxXyxy? box = c.GetProperty("box").ValueKind == JsonValueKind.Array
            ? new BoxXyxy(c.GetProperty("box")[0].GetSingle(), c.GetProperty("box")[1].GetSingle(), c.GetProperty("box")[2].GetSingle(), c.GetProperty("box")[3].GetSingle())
            : null;
        return new SamPrompt { Points = points, Box = box, MaskInput = c.GetProperty("mask").GetBoolean() ? _toy.MaskInput : default };
    }

    public static TheoryData<string> ToyCases => new(["point", "points", "box", "box_point", "point_mask"]);

    [Theory]
    [MemberData(nameof(ToyCases))]
    public void Predict_ToyDecoder_FeedsPromptsAsSegmentAnythingDoes(string name)
    {
        var c = _toy.Cases.GetProperty("cases").EnumerateArray().Single(e => e.GetProperty("name").GetString() == name);
        float[] low = Npy.Read(Fixtures.File("sam_reference", $"toy_{name}_low.npy")).AsFloat32();
        float[] iou = Npy.Read(Fixtures.File("sam_reference", $"toy_{name}_iou.npy")).AsFloat32();
        foreach (bool multimask in new[] { true, false })
        {
            var p = _toy.Static.Predict(_toy.Embedding, Prompt(c), new SamPredictOptions { MultimaskOutput = multimask });
            int[] indices = multimask ? [1, 2, 3] : [0];
            Assert.Equal(indices, p.DecoderMaskIndices);
            for (int i = 0; i < indices.Length; i++)
            {
                Assert.True(MathF.Abs(iou[indices[i]] - p.IouPredictions[i]) <= 1e-5f, $"{name}: IoU {i}");
                var expected = low.AsSpan(indices[i] * 65536, 65536);
                var actual = p.LowResLogitsOf(i).Span;
                float max = 0;
                for (int j = 0; j < 65536; j++) max = MathF.Max(max, MathF.Abs(expected[j] - actual[j]));
                Assert.True(max <= 1e-4f, $"{name}: low-res mask {indices[i]} differs by {max}");
            }
        }
    }

    [Fact]
    public void PredictMany_DynamicBatchDecoder_EqualsOneByOne()
    {
        Assert.True(_toy.Dynamic.Decoder.SupportsBatching);
        Assert.False(_toy.Static.Decoder.SupportsBatching);
        var prompts = new List<SamPrompt>
        {
            SamPrompt.FromBox(new BoxXyxy(10, 20, 300, 400)),
            SamPrompt.FromBox(new BoxXyxy(0, 0, 640, 480)),
            SamPrompt.FromPoint(5, 5),
            SamPrompt.FromBox(new BoxXyxy(100.5f, 50.25f, 101.5f, 470f)),
            new SamPrompt { Points = [new SamPoint(320, 240)], MaskInput = _toy.MaskInput },
            SamPrompt.FromPoint(600, 400, SamPointLabel.Background),
        };
        var options = new SamPredictOptions { MultimaskOutput = false, ReturnLogits = true };
        var batched = _toy.Dynamic.PredictMany(_toy.Embedding, prompts, options);
        var single = prompts.Select(p => _toy.Static.Predict(_toy.Embedding, p, options)).ToArray();
        for (int i = 0; i < prompts.Count; i++)
        {
            Assert.True(MathF.Abs(batched[i].IouPredictions[0] - single[i].IouPredictions[0]) <= 1e-6f, $"prompt {i}: IoU");
            var a = batched[i].LowResLogits.Span;
            var b = single[i].LowResLogits.Span;
            float max = 0;
            for (int j = 0; j < a.Length; j++) max = MathF.Max(max, MathF.Abs(a[j] - b[j]));
            Assert.True(max <= 1e-5f, $"prompt {i}: low-res logits differ by {max}");
            var near = BinaryMask.FromThreshold(single[i].MaskLogitsOf(0).Span.ToArray().Select(MathF.Abs).ToArray(), 640, 480, 1e-4f).Not();
            Assert.Equal(0, batched[i].Masks[0].Or(single[i].Masks[0]).AndNot(batched[i].Masks[0].And(single[i].Masks[0])).AndNot(near).Area());
        }
    }

    [Fact]
    public void Predict_MaskInput_ChangesTheAnswer()
    {
        var without = _toy.Static.Predict(_toy.Embedding, SamPrompt.FromPoint(320, 240));
        var with = _toy.Static.Predict(_toy.Embedding, new SamPrompt { Points = [new SamPoint(320, 240)], MaskInput = without.LowResLogitsOf(without.BestIndex) });
        // The toy decoder's IoU head ignores the mask; its logits do not.
        Assert.False(without.LowResLogits.Span.SequenceEqual(with.LowResLogits.Span));
    }

    public static TheoryData<string, SamPromptError, string> BadPrompts => new()
    {
        { "empty", SamPromptError.Empty, "no point and no box" },
        { "mask only", SamPromptError.Empty, "mask input alone" },
        { "nan point", SamPromptError.NotFinite, "point 0 (NaN, 10)" },
        { "point left", SamPromptError.OutsideImage, "point 1 (-1, 10) lies outside the 640×480 image" },
        { "point below", SamPromptError.OutsideImage, "(10, 480.5)" },
        { "box outside", SamPromptError.OutsideImage, "box (0, 0, 641, 100) reaches outside" },
        { "box inf", SamPromptError.NotFinite, "has a coordinate that is not a finite number" },
        { "box empty", SamPromptError.EmptyBox, "box (50, 10, 50, 100) is empty" },
        { "box inverted", SamPromptError.EmptyBox, "is empty" },
        { "mask size", SamPromptError.MaskInputShape, "mask input has 100 values; the decoder takes 256×256" },
    };

    [Theory]
    [MemberData(nameof(BadPrompts))]
    public void Predict_BadPrompt_ThrowsTypedErrorNamingIt(string kind, SamPromptError error, string message)
    {
        SamPrompt prompt = kind switch
        {
            "empty" => new SamPrompt(),
            "mask only" => new SamPrompt { MaskInput = new float[65536] },
            "nan point" => SamPrompt.FromPoint(double.NaN, 10),
            "point left" => SamPrompt.FromPoints(new SamPoint(5, 5), new SamPoint(-1, 10)),
            "point below" => SamPrompt.FromPoint(10, 480.5),
            "box outside" => SamPrompt.FromBox(new BoxXyxy(0, 0, 641, 100)),
            "box inf" => SamPrompt.FromBox(new BoxXyxy(0, 0, float.PositiveInfinity, 100)),
            "box empty" => SamPrompt.FromBox(new BoxXyxy(50, 10, 50, 100)),
            "box inverted" => SamPrompt.FromBox(new BoxXyxy(60, 10, 50, 100)),
            "mask size" => new SamPrompt { Points = [new SamPoint(1, 1)], MaskInput = new float[100] },
            _ => throw new ArgumentException(kind),
        };
        var e = Assert.Throws<SamPromptException>(() => _toy.Static.Predict(_toy.Embedding, prompt));
        Assert.Equal(error, e.Error);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void PredictMany_BadSecondPrompt_NamesItsIndex()
    {
        var e = Assert.Throws<SamPromptException>(() => _toy.Static.PredictMany(_toy.Embedding, [SamPrompt.FromPoint(1, 1), SamPrompt.FromPoint(1, 1000)]));
        Assert.StartsWith("prompt 1: point 0", e.Message);
    }

    [Fact]
    public void Predict_PointsOnTheImageEdge_AreAccepted()
    {
        var p = _toy.Static.Predict(_toy.Embedding, SamPrompt.FromPoints(new SamPoint(0, 0), new SamPoint(640, 480)));
        Assert.Equal(3, p.Count);
        Assert.Equal(new ImageSize(640, 480), p.ImageSize);
    }

    [Fact]
    public void Predict_EmbeddingOfAnotherShape_ThrowsModelMismatchWithBothShapes()
    {
        var small = SamImageEmbedding.Create(new float[256 * 32 * 32], [1, 256, 32, 32], new ImageSize(640, 480));
        var e = Assert.Throws<SamModelMismatchException>(() => _toy.Static.Predict(small, SamPrompt.FromPoint(1, 1)));
        Assert.Contains("[1,256,64,64]", e.Message);
        Assert.Contains("[1,256,32,32]", e.Message);
    }

    [Fact]
    public void Predict_ReturnLogits_MasksAreLogitsAboveZero()
    {
        var p = _toy.Static.Predict(_toy.Embedding, SamPrompt.FromPoint(100, 100), new SamPredictOptions { ReturnLogits = true });
        for (int i = 0; i < p.Count; i++)
            Assert.Equal(BinaryMask.FromThreshold(p.MaskLogitsOf(i).Span, 640, 480, 0f), p.Masks[i]);
        var noLogits = _toy.Static.Predict(_toy.Embedding, SamPrompt.FromPoint(100, 100));
        Assert.True(noLogits.MaskLogits.IsEmpty);
        Assert.Throws<InvalidOperationException>(() => noLogits.MaskLogitsOf(0));
    }
}

public sealed class SamDetectionsTests(SamPredictorTests.Toy toy) : IClassFixture<SamPredictorTests.Toy>
{
    [Fact]
    public void SegmentDetections_Boxes_KeepClassAndScoreAndEqualBoxPrompts()
    {
        (BoxXyxy, int, string?, float)[] detections =
        [
            (new BoxXyxy(10, 20, 300, 400), 1, "person", 0.9f),
            (new BoxXyxy(-3, 100, 200, 481), 17, "dog", 0.55f), // overshoots the 640×480 image: clipped
            (new BoxXyxy(400, 10, 630, 200), 3, null, 0.3f),
        ];
        foreach (var predictor in new[] { toy.Dynamic, toy.Static })
        {
            var masks = predictor.SegmentDetections(toy.Embedding, detections);
            Assert.Equal(3, masks.Count);
            for (int i = 0; i < 3; i++)
            {
                Assert.Equal(detections[i].Item2, masks[i].ClassId);
                Assert.Equal(detections[i].Item3, masks[i].ClassName);
                Assert.Equal(detections[i].Item4, masks[i].Score);
                var single = toy.Static.Predict(toy.Embedding, SamPrompt.FromBox(masks[i].Box), new SamPredictOptions { MultimaskOutput = false });
                Assert.True(MathF.Abs(single.IouPredictions[0] - masks[i].IouPrediction) <= 1e-6f);
                Assert.True(single.Masks[0].Iou(masks[i].Mask) > 0.999);
            }
            Assert.Equal(new BoxXyxy(0, 100, 200, 480), masks[1].Box);
        }
    }

    [Fact]
    public void SegmentDetections_BoxOutsideTheImage_GetsAnEmptyMaskAndNaNIou()
    {
        var masks = toy.Static.SegmentDetections(toy.Embedding,
            [(new BoxXyxy(1, 1, 50, 50), 0, null, 1f), (new BoxXyxy(700, 10, 800, 50), 4, "cat", 0.5f)]);
        Assert.Equal(2, masks.Count);
        Assert.False(masks[0].Mask.IsEmpty && float.IsNaN(masks[0].IouPrediction));
        Assert.True(masks[1].Mask.IsEmpty);
        Assert.True(float.IsNaN(masks[1].IouPrediction));
        Assert.Equal((4, "cat", 0.5f), (masks[1].ClassId, masks[1].ClassName, masks[1].Score));
    }

    [Fact]
    public void SegmentDetections_NaNBox_NamesTheDetection()
    {
        var e = Assert.Throws<SamPromptException>(() => toy.Static.SegmentDetections(toy.Embedding,
            [(new BoxXyxy(1, 1, 5, 5), 0, null, 1f), (new BoxXyxy(float.NaN, 10, 800, 50), 0, null, 1f)]));
        Assert.Equal(SamPromptError.NotFinite, e.Error);
        Assert.StartsWith("detection 1", e.Message);
    }
}
