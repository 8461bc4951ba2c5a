using SegKit.Prompt;
using SegKit.Tests.TestSupport;
using Xunit.Abstractions;

namespace SegKit.Tests.Prompt;

/// <summary>
/// SegKit's own decoder computation (SamReformulatedDecoder) on segment-anything's official decoder export
/// (../shared/reference/sam): the official predictor's low-res logits within 1e-3 and IoU within 1e-4, and the
/// ONNX graph's outputs within the same tolerances on prompts of every kind; the graph where it cannot be used.
/// </summary>
public sealed class SamReformulatedDecoderTests(SamReformulatedDecoderTests.Models models, ITestOutputHelper output)
    : IClassFixture<SamReformulatedDecoderTests.Models>
{
    public sealed class Models : IDisposable
    {
        public SamDecoder Auto { get; } = SamDecoder.Open(SamReference.Decoder);
        public SamDecoder OneThread { get; } = SamDecoder.Open(SamReference.Decoder, new SegKit.Onnx.SessionOptions { IntraOpThreads = 1 });
        public SamDecoder Graph { get; } = SamDecoder.Open(SamReference.Decoder, engine: SamDecoderEngine.OnnxGraph);

        public void Dispose()
        {
            Auto.Dispose();
            OneThread.Dispose();
            Graph.Dispose();
        }
    }

    [Fact]
    public void Open_OfficialExport_UsesSegKitsComputationAfterTheLoadCheck()
    {
        output.WriteLine(models.Auto.EngineNote);
        Assert.Equal(SamDecoderEngine.Reformulated, models.Auto.Engine);
        Assert.Contains("checked against the graph", models.Auto.EngineNote);
        Assert.Equal(SamDecoderEngine.OnnxGraph, models.Graph.Engine);
        Assert.Equal("the ONNX graph was asked for", models.Graph.EngineNote);
    }

    [Fact]
    public void Open_ToyDecoderWithoutTheOfficialLayout_RunsTheGraphAndSaysWhy()
    {
        using var toy = SamDecoder.Open(Fixtures.File("sam_reference", "sam_toy_decoder_static.onnx"));
        output.WriteLine(toy.EngineNote);
        Assert.Equal(SamDecoderEngine.OnnxGraph, toy.Engine);
        Assert.StartsWith("the graph runs: ", toy.EngineNote);
    }

    public static TheoryData<string> CaseNames => new(SamReference.Cases.Select(c => c.GetProperty("name").GetString()!));

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Run_ReferenceCase_MatchesOfficialPredictor(string name)
    {
        var c = SamReference.Case(name);
        var (coords, labels) = OfficialPrompt(c);
        foreach (var decoder in new[] { models.Auto, models.OneThread })
        {
            var outp = decoder.Run(SamReference.Embedding, coords, labels, 1, labels.Length, null);
            bool multimask = c.GetProperty("multimask_output").GetBoolean();
            int first = multimask ? 1 : 0, count = multimask ? 3 : 1;
            var iouRef = c.GetProperty("iou_predictions").EnumerateArray().Select(v => v.GetSingle()).ToArray();
            float[] lowRef = Npy.Read(TestPaths.SharedReference("sam", name + "_low_res_logits.npy")).AsFloat32();
            float iouDiff = 0, lowDiff = 0;
            for (int k = 0; k < count; k++)
            {
                iouDiff = MathF.Max(iouDiff, MathF.Abs(outp.Iou(0, first + k) - iouRef[k]));
                var low = outp.LowRes(0, first + k);
                for (int i = 0; i < low.Length; i++) lowDiff = MathF.Max(lowDiff, MathF.Abs(low[i] - lowRef[k * low.Length + i]));
            }
            output.WriteLine($"{name}: IoU within {iouDiff:G3}, low-res logits within {lowDiff:G3}");
            Assert.True(iouDiff <= 1e-4f, $"{name}: IoU differs by {iouDiff}");
            Assert.True(lowDiff <= 1e-3f, $"{name}: low-res logits differ by {lowDiff}");
        }
    }

    [Fact]
    public void Run_PromptsOfEveryKind_EqualTheGraph()
    {
        var rng = new Random(20261203);
        var embedding = SamReference.Embedding;
        float w = 1024f, h = 683f; // truck.jpg's longest-side-1024 frame
        float worstLogit = 0, worstIou = 0;
        for (int trial = 0; trial < 12; trial++)
        {
            var coords = new List<float>();
            var labels = new List<float>();
            int points = trial % 4; // 0..3 clicks
            bool box = trial % 3 == 0 || points == 0;
            for (int i = 0; i < points; i++)
            {
                coords.Add((float)rng.NextDouble() * w);
                coords.Add((float)rng.NextDouble() * h);
                labels.Add(rng.Next(2));
            }
            if (box)
            {
                float x0 = (float)rng.NextDouble() * w * 0.5f, y0 = (float)rng.NextDouble() * h * 0.5f;
                coords.AddRange([x0, y0, x0 + 50 + (float)rng.NextDouble() * w * 0.5f, y0 + 40 + (float)rng.NextDouble() * h * 0.5f]);
                labels.AddRange([2f, 3f]);
            }
            else
            {
                coords.AddRange([0f, 0f]);
                labels.Add(-1f);
            }
            var c = coords.ToArray();
            var l = labels.ToArray();
            var graph = models.Graph.Run(embedding, c, l, 1, l.Length, null);
            var mine = models.Auto.Run(embedding, c, l, 1, l.Length, null);
            Assert.Equal(graph.MasksPerPrompt, mine.MasksPerPrompt);
            for (int i = 0; i < graph.LowResLogits.Length; i++)
                worstLogit = MathF.Max(worstLogit, MathF.Abs(graph.LowResLogits[i] - mine.LowResLogits[i]));
            for (int i = 0; i < graph.IouPredictions.Length; i++)
                worstIou = MathF.Max(worstIou, MathF.Abs(graph.IouPredictions[i] - mine.IouPredictions[i]));
        }
        output.WriteLine($"12 prompts: low-res logits within {worstLogit:G3}, IoU within {worstIou:G3}");
        Assert.True(worstLogit <= 1e-3f, $"low-res logits differ by {worstLogit}");
        Assert.True(worstIou <= 1e-4f, $"IoU differs by {worstIou}");
    }

    [Fact]
    public void Run_OnOneThreadOrTwo_AndIntoARecycledArray_SameBits()
    {
        // Every sum is taken in an order fixed by the shapes alone (CI once saw `segkit everything`, which runs
        // one thread per decoder run, differ from the library on two threads in the 8th digit).
        using var two = SamDecoder.Open(SamReference.Decoder, new SegKit.Onnx.SessionOptions { IntraOpThreads = 2 });
        Assert.Equal(SamDecoderEngine.Reformulated, two.Engine);
        float[] first = [400f, 250f, 0f, 0f], second = [700f, 500f, 0f, 0f];
        float[] labels = [1f, -1f];
        var one = models.OneThread.Run(SamReference.Embedding, first, labels, 1, 2, null);
        var viaTwo = two.Run(SamReference.Embedding, first, labels, 1, 2, null);
        Assert.Equal(one.LowResLogits, viaTwo.LowResLogits);
        Assert.Equal(one.IouPredictions, viaTwo.IouPredictions);

        // A recycled output array is overwritten everywhere by the next run.
        two.Recycle(viaTwo);
        var reused = two.Run(SamReference.Embedding, second, labels, 1, 2, null);
        Assert.Same(viaTwo.LowResLogits, reused.LowResLogits);
        var fresh = models.OneThread.Run(SamReference.Embedding, second, labels, 1, 2, null);
        Assert.Equal(fresh.LowResLogits, reused.LowResLogits);
        Assert.Equal(fresh.IouPredictions, reused.IouPredictions);
    }

    [Fact]
    public void Run_ThreePromptsInOneRun_EachAsItsOwnRun()
    {
        // Prompts of a run go through the stages two at a time (a pair, then one): each prompt's numbers are its own.
        float[] coords = [120f, 80f, 0f, 0f, 640f, 300f, 0f, 0f, 900f, 610f, 0f, 0f];
        float[] labels = [1f, -1f, 1f, -1f, 1f, -1f];
        Assert.Equal(2, models.Auto.PromptsPerRun);
        var together = models.Auto.Run(SamReference.Embedding, coords, labels, 3, 2, null);
        for (int b = 0; b < 3; b++)
        {
            var alone = models.OneThread.Run(SamReference.Embedding, coords[(4 * b)..(4 * b + 4)], labels[(2 * b)..(2 * b + 2)], 1, 2, null);
            Assert.Equal(alone.IouPredictions, together.IouPredictions.AsSpan(4 * b, 4).ToArray());
            for (int k = 0; k < 4; k++) Assert.True(alone.LowRes(0, k).SequenceEqual(together.LowRes(b, k)), $"prompt {b}, mask {k}");
        }
    }

    [Fact]
    public void Run_MaskInput_RunsTheGraph()
    {
        float[] coords = [500f, 300f, 0f, 0f];
        float[] labels = [1f, -1f];
        var mask = new float[256 * 256];
        for (int i = 0; i < mask.Length; i++) mask[i] = (i % 256) < 128 ? 4f : -4f;
        var viaAuto = models.Auto.Run(SamReference.Embedding, coords, labels, 1, 2, mask);
        var viaGraph = models.Graph.Run(SamReference.Embedding, coords, labels, 1, 2, mask);
        Assert.Equal(viaGraph.LowResLogits, viaAuto.LowResLogits);
        Assert.Equal(viaGraph.IouPredictions, viaAuto.IouPredictions);
    }

    /// <summary>A reference case's prompt in the 1024 frame, as SamPredictor.predict feeds the decoder.</summary>
    private static (float[] Coords, float[] Labels) OfficialPrompt(System.Text.Json.JsonElement c)
    {
        var size = SamReference.ImageSize;
        double scale = 1024.0 / Math.Max(size.Width, size.Height);
        int newW = (int)(size.Width * scale + 0.5), newH = (int)(size.Height * scale + 0.5);
        float sx = (float)newW / size.Width, sy = (float)newH / size.Height;
        var coords = new List<float>();
        var labels = new List<float>();
        if (c.GetProperty("point_coords").ValueKind == System.Text.Json.JsonValueKind.Array)
        {
            foreach (var p in c.GetProperty("point_coords").EnumerateArray())
            {
                coords.Add(p[0].GetSingle() * sx);
                coords.Add(p[1].GetSingle() * sy);
            }
            labels.AddRange(c.GetProperty("point_labels").EnumerateArray().Select(v => (float)v.GetInt32()));
        }
        if (c.GetProperty("box_xyxy").ValueKind == System.Text.Json.JsonValueKind.Array)
        {
            var b = c.GetProperty("box_xyxy").EnumerateArray().Select(v => v.GetSingle()).ToArray();
            coords.AddRange([b[0] * sx, b[1] * sy, b[2] * sx, b[3] * sy]);
            labels.AddRange([2f, 3f]);
        }
        else
        {
            coords.AddRange([0f, 0f]);
            labels.Add(-1f);
        }
        return (coords.ToArray(), labels.ToArray());
    }
}
