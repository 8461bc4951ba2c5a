using SegKit.Imaging;
using SegKit.Prompt;
using SegKit.Tests.TestSupport;
using Xunit.Abstractions;

namespace SegKit.Tests.Prompt;

/// <summary>
/// Everything mode end to end on segment-anything's reference decoder and the truck embedding: SegKit's records
/// against the literal port of SamAutomaticMaskGenerator fed the same decoder outputs, and SegKit's low-res fast
/// path against upsampling every candidate as the reference does.
/// </summary>
public sealed class SamAutomaticMaskGeneratorTests(SamPredictorReferenceTests.Models models, ITestOutputHelper output)
    : IClassFixture<SamPredictorReferenceTests.Models>
{
    // The reference decoder has random weights: IoU predictions are all negative, logits within ±0.35 and every
    // mask a noise field whose box is the whole image, so SAM's defaults keep nothing and box NMS keeps one.
    // These keep a few dozen masks (NMS at 1.0 still orders them); the toy-decoder test covers NMS proper.
    private static SamAutomaticMaskGeneratorOptions RandomWeightOptions(int pointsPerSide) => new()
    {
        PointsPerSide = pointsPerSide,
        PointsPerBatch = 16,
        PredIouThresh = 0f,
        StabilityScoreOffset = 0.02f,
        StabilityScoreThresh = 0.33f,
        BoxNmsThresh = 1.0f,
        OutputMode = SamOutputMode.CocoRle,
    };

    [Fact]
    public void Generate_ReferenceDecoder_MatchesPortedSamGenerator()
    {
        var harness = new SamEverythingHarness();
        var options = RandomWeightOptions(8);
        var generator = new SamAutomaticMaskGenerator(models.Predictor, options) { DecoderObserver = harness.Observe };
        var result = generator.Generate(SamReference.Embedding);
        output.WriteLine($"{result.PromptCount} prompts, {result.CandidateCount} candidates, {result.Records.Count} records: {SamEverythingHarness.Describe(result.Records)}");
        Assert.Equal(64, result.PromptCount);
        Assert.InRange(result.CandidateCount, 10, 191); // the stability filter keeps some, not all
        Assert.Equal(result.CandidateCount, result.Records.Count);
        var expected = harness.Replay(1800, 1200, options);
        SamEverythingHarness.AssertSame(expected, result.Records);
    }

    [Fact]
    public void Generate_FastPath_EqualsUpsamplingEveryCandidate()
    {
        var options = RandomWeightOptions(6);
        var fastHarness = new SamEverythingHarness();
        var literalHarness = new SamEverythingHarness();
        var fast = new SamAutomaticMaskGenerator(models.Predictor, options) { DecoderObserver = fastHarness.Observe }.Generate(SamReference.Embedding);
        var literal = new SamAutomaticMaskGenerator(models.Predictor, options) { DecoderObserver = literalHarness.Observe, LiteralUpscaling = true }
            .Generate(SamReference.Embedding);
        // Same decoder outputs on both sides (ONNX Runtime on CPU is deterministic), so any difference is the path's.
        var a = fastHarness.Crops[0];
        var b = literalHarness.Crops[0];
        Assert.Equal(a.Count, b.Count);
        for (int i = 0; i < a.Count; i++) Assert.True(a[i].Low.AsSpan().SequenceEqual(b[i].Low), $"decoder outputs differ at prompt {i}");
        Assert.Equal(literal.CandidateCount, fast.CandidateCount);
        Assert.Equal(literal.Records.Count, fast.Records.Count);
        for (int i = 0; i < fast.Records.Count; i++)
        {
            var f = fast.Records[i];
            var l = literal.Records[i];
            Assert.Equal(l.Segmentation, f.Segmentation);
            Assert.Equal(l.StabilityScore, f.StabilityScore);
            Assert.Equal(l.PredictedIou, f.PredictedIou);
            Assert.Equal(l.Bbox, f.Bbox);
        }
        output.WriteLine($"{fast.Records.Count} records; fast filter {fast.Timings.FilterMs:F0} ms vs literal {literal.Timings.FilterMs:F0} ms");
    }

    // Crops (each encoded by the fixture encoder), the predicted-IoU filter, box NMS within and across crops, and
    // small-region removal, with a toy decoder whose IoU predictions spread over (-0.5, 0.5) and whose masks are
    // blobs of four sizes around the prompt point, rippled (islands and holes), with a noisy texture.
    [Fact]
    public void Generate_CropsAndSmallRegions_MatchesPortedSamGenerator()
    {
        using var predictor = new SamPredictor(SamDecoder.Open(Fixtures.File("sam_reference", "sam_toy_decoder_static.onnx")),
            SamEncoder.Open(Fixtures.File("sam_reference", "sam_fixture_encoder.onnx")), takeOwnership: true);
        var image = ImageDecoder.DecodeRgb(TestPaths.SharedImage("dog.jpg"));
        var options = new SamAutomaticMaskGeneratorOptions
        {
            PointsPerSide = 6,
            PointsPerBatch = 8,
            PredIouThresh = 0.01f,
            StabilityScoreOffset = 0.05f,
            StabilityScoreThresh = 0.8f,
            CropNLayers = 1,
            CropNPointsDownscaleFactor = 2,
            MinMaskRegionArea = 1500,
            OutputMode = SamOutputMode.BinaryMask,
        };
        var harness = new SamEverythingHarness();
        var result = new SamAutomaticMaskGenerator(predictor, options) { DecoderObserver = harness.Observe }.Generate(image);
        output.WriteLine($"{result.PromptCount} prompts, {result.CandidateCount} candidates, {result.Records.Count} records: {SamEverythingHarness.Describe(result.Records)}");
        Assert.Equal(36 + 4 * 9, result.PromptCount);
        Assert.InRange(result.Records.Count, 3, result.CandidateCount - 3); // NMS removed some, kept several
        Assert.Contains(result.Records, r => r.CropBox.Width < image.Width); // masks from the crops survive
        Assert.All(result.Records, r => Assert.Equal(CocoRleOf(r.Mask!), r.Segmentation));
        SamEverythingHarness.AssertSame(harness.Replay(image.Width, image.Height, options), result.Records);

        // The small-region stage did change masks here (so the comparison above covered it).
        var without = new SamAutomaticMaskGenerator(predictor, new SamAutomaticMaskGeneratorOptions
        {
            PointsPerSide = 6, PointsPerBatch = 8, PredIouThresh = 0.01f, StabilityScoreOffset = 0.05f, StabilityScoreThresh = 0.8f,
            CropNLayers = 1, CropNPointsDownscaleFactor = 2, OutputMode = SamOutputMode.CocoRle,
        }).Generate(image);
        Assert.False(without.Records.Select(r => r.Segmentation).SequenceEqual(result.Records.Select(r => r.Segmentation)));
        output.WriteLine($"small-region removal: {result.Records.Count(r => !without.Records.Any(w => w.Segmentation.Equals(r.Segmentation)))} masks changed, " +
            $"{without.Records.Count - result.Records.Count} removed by its NMS");
    }

    private static SegKit.Masks.CocoRle CocoRleOf(SegKit.Masks.BinaryMask m) => SegKit.Masks.CocoRle.Encode(m);
}

public sealed class SamAutomaticMaskGeneratorConcurrencyTests(SamPredictorReferenceTests.Models models) : IClassFixture<SamPredictorReferenceTests.Models>
{
    [Fact]
    public void Generate_ConcurrentDecoderRuns_SameRecords()
    {
        var options = new SamAutomaticMaskGeneratorOptions
        {
            PointsPerSide = 4, PredIouThresh = 0f, StabilityScoreOffset = 0.02f, StabilityScoreThresh = 0.3f, BoxNmsThresh = 1f,
            OutputMode = SamOutputMode.CocoRle,
        };
        var one = new SamAutomaticMaskGenerator(models.Predictor, options).Generate(SamReference.Embedding);
        var two = new SamAutomaticMaskGenerator(models.Predictor, options) { MaxConcurrentDecoderRuns = 3 }.Generate(SamReference.Embedding);
        Assert.Equal(one.Records.Select(r => r.Segmentation), two.Records.Select(r => r.Segmentation));
        Assert.Equal(one.Records.Select(r => r.PredictedIou), two.Records.Select(r => r.PredictedIou));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SamAutomaticMaskGenerator(models.Predictor) { MaxConcurrentDecoderRuns = 0 });
    }
}
