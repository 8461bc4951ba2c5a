using SegKit.Masks;
using SegKit.Prompt;
using SegKit.Tests.TestSupport;
using Xunit.Abstractions;

namespace SegKit.Tests.Prompt;

/// <summary>
/// SegKit's predictor against segment-anything's SamPredictor.predict(..., return_logits=True) on the same
/// decoder and embedding (../shared/reference/sam): low-res logits within 1e-3, IoU predictions within 1e-4,
/// upscaled logit extremes within 1e-3, binary masks identical outside |logit| &lt; 1e-3.
/// </summary>
public sealed class SamPredictorReferenceTests(SamPredictorReferenceTests.Models models, ITestOutputHelper output)
    : IClassFixture<SamPredictorReferenceTests.Models>
{
    public sealed class Models : IDisposable
    {
        public SamPredictor Predictor { get; } = SamPredictor.Open(null, SamReference.Decoder);
        public void Dispose() => Predictor.Dispose();
    }

    public static TheoryData<string> CaseNames => new(SamReference.Cases.Select(c => c.GetProperty("name").GetString()!));

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Predict_ReferenceCase_MatchesOfficialPredictor(string name)
    {
        var c = SamReference.Case(name);
        bool multimask = c.GetProperty("multimask_output").GetBoolean();
        var prediction = models.Predictor.Predict(SamReference.Embedding, SamReference.Prompt(c),
            new SamPredictOptions { MultimaskOutput = multimask, ReturnLogits = true });

        var iouRef = c.GetProperty("iou_predictions").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        Assert.Equal(iouRef.Length, prediction.Count);
        float iouDiff = 0;
        for (int i = 0; i < iouRef.Length; i++) iouDiff = MathF.Max(iouDiff, MathF.Abs(iouRef[i] - prediction.IouPredictions[i]));
        Assert.True(iouDiff <= 1e-4f, $"{name}: IoU prediction differs by {iouDiff}");

        var lowRef = Npy.Read(TestPaths.SharedReference("sam", name + "_low_res_logits.npy"));
        Assert.Equal([iouRef.Length, 256, 256], lowRef.Shape);
        float[] lr = lowRef.AsFloat32();
        var low = prediction.LowResLogits.Span;
        float lowDiff = 0;
        for (int i = 0; i < lr.Length; i++) lowDiff = MathF.Max(lowDiff, MathF.Abs(lr[i] - low[i]));
        Assert.True(lowDiff <= 1e-3f, $"{name}: low-res logits differ by {lowDiff}");

        var stats = c.GetProperty("logit_stats").EnumerateArray().ToArray();
        var masks = c.GetProperty("masks").EnumerateArray().ToArray();
        var nearZero = c.GetProperty("near_zero").EnumerateArray().ToArray();
        var areas = c.GetProperty("mask_area").EnumerateArray().Select(a => a.GetInt64()).ToArray();
        float statDiff = 0;
        long mismatches = 0, mismatchesOutsideNearZero = 0;
        for (int k = 0; k < prediction.Count; k++)
        {
            var logits = prediction.MaskLogitsOf(k).Span;
            float min = float.PositiveInfinity, max = float.NegativeInfinity;
            foreach (float v in logits) { min = MathF.Min(min, v); max = MathF.Max(max, v); }
            statDiff = MathF.Max(statDiff, MathF.Abs(min - stats[k][0].GetSingle()));
            statDiff = MathF.Max(statDiff, MathF.Abs(max - stats[k][1].GetSingle()));

            var expected = SamReference.Rle(masks[k]).Decode();
            var near = SamReference.Rle(nearZero[k]).Decode();
            var mine = prediction.Masks[k];
            // The binary mask is the thresholded logits, whichever path computed it.
            Assert.Equal(BinaryMask.FromThreshold(logits, mine.Width, mine.Height, 0f), mine);
            var diff = mine.Or(expected).AndNot(mine.And(expected));
            mismatches += diff.Area();
            mismatchesOutsideNearZero += diff.AndNot(near).Area();
            Assert.Equal(areas[k], expected.Area());
        }
        Assert.True(statDiff <= 1e-3f, $"{name}: upscaled logit min/max differ by {statDiff}");
        Assert.Equal(0, mismatchesOutsideNearZero);
        output.WriteLine($"{name}: max |Δ low-res logit| {lowDiff:E2}, max |Δ IoU| {iouDiff:E2}, max |Δ logit min/max| {statDiff:E2}, " +
            $"mask pixels differing {mismatches} (outside near-zero {mismatchesOutsideNearZero})");
    }
}

/// <summary>SegKit feeds orig_im_size = (1, 1024) because only the unrequested `masks` output depends on it.</summary>
public sealed class SamDecoderOrigSizeTests
{
    [Fact]
    public void Run_OrigImSize_DoesNotChangeLowResMasksOrIou()
    {
        using var session = SegKit.Onnx.InferenceSession.FromFile(SamReference.Decoder);
        var emb = SamReference.Embedding.Values.ToArray();
        float[] coords = [512f, 300f, 0f, 0f], labels = [1f, -1f], mask = new float[65536], has = [0f];
        float[]? iou0 = null, low0 = null;
        foreach (float[] size in new[] { new[] { 1200f, 1800f }, [1f, 1024f], [1f, 1f], [683f, 1024f], [4000f, 3000f] })
        {
            using var t1 = SegKit.Onnx.OrtTensor.FromArray(emb, [1, 256, 64, 64]);
            using var t2 = SegKit.Onnx.OrtTensor.FromArray(coords, [1, 2, 2]);
            using var t3 = SegKit.Onnx.OrtTensor.FromArray(labels, [1, 2]);
            using var t4 = SegKit.Onnx.OrtTensor.FromArray(mask, [1, 1, 256, 256]);
            using var t5 = SegKit.Onnx.OrtTensor.FromArray(has, [1]);
            using var t6 = SegKit.Onnx.OrtTensor.FromArray(size, [2]);
            var o = session.Run(new Dictionary<string, SegKit.Onnx.OrtTensor>
            {
                ["image_embeddings"] = t1, ["point_coords"] = t2, ["point_labels"] = t3, ["mask_input"] = t4, ["has_mask_input"] = t5, ["orig_im_size"] = t6,
            }, ["iou_predictions", "low_res_masks"]);
            float[] iou = o["iou_predictions"].AsFloat(), low = o["low_res_masks"].AsFloat();
            iou0 ??= iou;
            low0 ??= low;
            Assert.Equal(iou0, iou);
            Assert.True(low0.AsSpan().SequenceEqual(low), $"low_res_masks change with orig_im_size ({size[0]}, {size[1]})");
        }
    }
}
