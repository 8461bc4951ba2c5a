// Benchmarks for SegKit.Prompt on segment-anything's reference decoder (ViT-B export) and its truck.jpg embedding
// (../shared/reference/sam), the encoder excluded. Compare with tools/bench/sam_compare.py, which runs
// segment-anything's own predictor and generator on the same weights (rebuilt from their seed) and image.
//   dotnet run -c Release --project bench/SegKit.Benchmarks -- --filter '*Sam*'
//   dotnet run -c Release --project bench/SegKit.Benchmarks -- sam-stages [points_per_side] [preset] [threads] [concurrent runs] [auto|onnxgraph]
//   (stage split of everything mode)
//   dotnet run -c Release --project bench/SegKit.Benchmarks -- sam-decoder [threads] [concurrent runs] [auto|onnxgraph] [prompts] [prompts per run]
//   (decoder runs alone: one point + padding each, the output arrays handed back as everything mode does)
using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using SegKit.Imaging;
using SegKit.Masks;
using SegKit.Onnx;
using SegKit.Prompt;

namespace SegKit.Benchmarks.Prompt;

internal static class SamBench
{
    public static string Decoder => Path.Combine(BenchPaths.RepoRoot, "..", "shared", "reference", "sam", "sam_vitb_rand_decoder.onnx");

    /// <summary>The official predictor's embedding of truck.jpg (1800×1200), from its .npy.</summary>
    public static SamImageEmbedding Embedding()
    {
        byte[] all = File.ReadAllBytes(Path.Combine(BenchPaths.RepoRoot, "..", "shared", "reference", "sam", "image_embedding.npy"));
        int headerLen = BitConverter.ToUInt16(all, 8);
        var values = new float[256 * 64 * 64];
        Buffer.BlockCopy(all, 10 + headerLen, values, 0, values.Length * 4);
        return SamImageEmbedding.Create(values, [1, 256, 64, 64], new ImageSize(1800, 1200));
    }

    /// <summary>Low-res logits of a smooth object (a blob with a soft edge), as a trained SAM gives.</summary>
    public static float[] Blob()
    {
        var a = new float[65536];
        for (int y = 0; y < 256; y++)
            for (int x = 0; x < 256; x++)
                a[y * 256 + x] = 8f - MathF.Sqrt((x - 100) * (x - 100) + (y - 80) * (y - 80) * 1.5f) / 4f;
        return a;
    }
}

/// <summary>One prompt through the decoder (prompt encoder + mask decoder), with and without SegKit's mask upscaling.</summary>
[MemoryDiagnoser]
public class SamDecoderBenchmarks
{
    private SamPredictor _predictor = null!;
    private SamImageEmbedding _embedding = null!;
    private readonly SamPrompt _point = SamPrompt.FromPoint(900, 600);
    private readonly SamPrompt _box = SamPrompt.FromBox(new BoxXyxy(360, 240, 1440, 1080));
    private static readonly SamPredictOptions s_single = new() { MultimaskOutput = false };

    [Params(1, 2)]
    public int Threads { get; set; }

    [Params(SamDecoderEngine.Auto, SamDecoderEngine.OnnxGraph)]
    public SamDecoderEngine Engine { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _predictor = SamPredictor.Open(null, SamBench.Decoder, new SessionOptions { IntraOpThreads = Threads }, Engine);
        _embedding = SamBench.Embedding();
        _predictor.Predict(_embedding, _point);
    }

    [GlobalCleanup]
    public void Cleanup() => _predictor.Dispose();

    /// <summary>The decoder run alone (what everything mode pays per point).</summary>
    [Benchmark(Baseline = true)]
    public int DecoderRun() => _predictor.RunPoints(_embedding, [512f, 341.5f, 0f, 0f], [1f, -1f], 1, 2).MasksPerPrompt;

    /// <summary>SamPredictor.predict(point, multimask): three masks at 1800×1200.</summary>
    [Benchmark]
    public int PredictPointMultimask() => _predictor.Predict(_embedding, _point).Count;

    /// <summary>SamPredictor.predict(box, multimask_output=False): one mask at 1800×1200.</summary>
    [Benchmark]
    public int PredictBox() => _predictor.Predict(_embedding, _box, s_single).Count;
}

/// <summary>
/// Everything mode's per-candidate work at 1800×1200 after the decoder: the reference path (upsample the logits,
/// stability score, threshold, box) against SegKit's low-res fast path, on the reference decoder's noise-like
/// masks (worst case: every block straddles a threshold) and a smooth blob (what trained models produce).
/// </summary>
[MemoryDiagnoser]
public class SamCandidateBenchmarks
{
    private SamMaskUpscaler _upscaler = null!;
    private float[] _low = null!;
    private float[] _logits = null!;
    private BinaryMask _mask = null!;
    private BoxXyxy[] _boxes = null!;
    private float[] _scores = null!;

    [Params("reference", "blob")]
    public string Logits { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        _upscaler = new SamMaskUpscaler(256, 1024, 1024, 683, 1800, 1200);
        if (Logits == "blob")
        {
            _low = SamBench.Blob();
        }
        else
        {
            using var p = SamPredictor.Open(null, SamBench.Decoder);
            _low = p.Predict(SamBench.Embedding(), SamPrompt.FromPoint(900, 600)).LowResLogitsOf(0).ToArray();
        }
        _logits = new float[1800 * 1200];
        _mask = _upscaler.Threshold(_low, 0f);
        var rng = new Random(3);
        _boxes = Enumerable.Range(0, 300).Select(_ =>
        {
            float x = rng.Next(1500), y = rng.Next(1000);
            return new BoxXyxy(x, y, x + rng.Next(20, 300), y + rng.Next(20, 200));
        }).ToArray();
        _scores = Enumerable.Range(0, 300).Select(_ => (float)rng.NextDouble()).ToArray();
    }

    /// <summary>What segment-anything does per candidate: upsample, count at ±1, threshold at 0, box.</summary>
    [Benchmark(Baseline = true)]
    public float ReferencePath()
    {
        _upscaler.UpscaleLogits(_low, _logits);
        float s = SamAmg.CalculateStabilityScore(_logits, 1800, 0f, 1f);
        var mask = BinaryMask.FromThreshold(_logits, 1800, 1200, 0f);
        return s + SamAmg.BatchedMaskToBox(mask).X0;
    }

    /// <summary>SegKit: the same numbers from the low-res logits.</summary>
    [Benchmark]
    public float FastPath()
    {
        using var session = _upscaler.Open(_low);
        var (hi, lo, mask) = session.CountAboveAndThreshold(1f, -1f, 0f);
        return SamAmg.StabilityScore(hi, lo) + SamAmg.BatchedMaskToBox(mask).X0;
    }

    /// <summary>The RLE of one kept mask.</summary>
    [Benchmark]
    public int EncodeRle() => CocoRle.Encode(_mask).Counts.Length;

    /// <summary>Box NMS over 300 candidates (torchvision semantics).</summary>
    [Benchmark]
    public int Nms300() => Nms.BatchedNms(_boxes, _scores, new int[300], 0.7f).Length;
}

/// <summary>`sam-stages`: one everything-mode run from the reference embedding, split by stage (encoder excluded).</summary>
internal static class SamStageReport
{
    public static void Run(string[] args)
    {
        int side = args.Length > 0 ? int.Parse(args[0]) : 32;
        string preset = args.Length > 1 ? args[1] : "random-weights";
        int threads = args.Length > 2 ? int.Parse(args[2]) : 2;
        int concurrent = args.Length > 3 ? int.Parse(args[3]) : 1;
        var engine = args.Length > 4 ? Enum.Parse<SamDecoderEngine>(args[4], ignoreCase: true) : SamDecoderEngine.Auto;
        // SAM's defaults keep nothing from random weights (all IoU predictions < 0); this preset keeps some masks.
        var options = preset == "default"
            ? new SamAutomaticMaskGeneratorOptions { PointsPerSide = side }
            : new SamAutomaticMaskGeneratorOptions { PointsPerSide = side, PredIouThresh = 0f, StabilityScoreOffset = 0.02f, StabilityScoreThresh = 0.3f };
        using var predictor = SamPredictor.Open(null, SamBench.Decoder, new SessionOptions { IntraOpThreads = threads }, engine);
        var embedding = SamBench.Embedding();
        predictor.Predict(embedding, SamPrompt.FromPoint(10, 10)); // warm up (and SegKit's per-embedding products)
        var process = Process.GetCurrentProcess();
        var cpu0 = process.TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        var result = new SamAutomaticMaskGenerator(predictor, options) { MaxConcurrentDecoderRuns = concurrent }.Generate(embedding);
        sw.Stop();
        process.Refresh();
        var t = result.Timings;
        Console.WriteLine($"everything mode, truck.jpg 1800×1200, points_per_side {side}, preset {preset}, {threads} threads × {concurrent} concurrent runs, decoder: {predictor.Decoder.EngineNote}, load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
        Console.WriteLine($"  prompts {result.PromptCount}, candidates {result.CandidateCount}, records {result.Records.Count}");
        Console.WriteLine($"  decoder {t.DecoderMs,9:F0} ms ({t.DecoderMs / result.PromptCount:F1} ms/prompt)");
        Console.WriteLine($"  filter  {t.FilterMs,9:F0} ms (IoU + stability + threshold + box)");
        Console.WriteLine($"  nms     {t.NmsMs,9:F0} ms");
        Console.WriteLine($"  masks   {t.MasksMs,9:F0} ms (uncrop + RLE of kept masks)");
        Console.WriteLine($"  total   {sw.Elapsed.TotalMilliseconds,9:F0} ms wall, {(process.TotalProcessorTime - cpu0).TotalMilliseconds:F0} ms CPU");
    }
}

internal static class SamDecoderThroughput
{
    public static void Run(string[] args)
    {
        int threads = args.Length > 0 ? int.Parse(args[0]) : 1;
        int concurrent = args.Length > 1 ? int.Parse(args[1]) : 2;
        var engine = args.Length > 2 ? Enum.Parse<SamDecoderEngine>(args[2], ignoreCase: true) : SamDecoderEngine.Auto;
        int prompts = args.Length > 3 ? int.Parse(args[3]) : 256;
        using var decoder = SamDecoder.Open(SamBench.Decoder, new SessionOptions { IntraOpThreads = threads }, engine);
        int perRun = args.Length > 4 ? int.Parse(args[4]) : decoder.PromptsPerRun;
        var embedding = SamBench.Embedding();
        void Work(int run)
        {
            var coords = new float[perRun * 4];
            var labels = new float[perRun * 2];
            for (int b = 0; b < perRun; b++)
            {
                int i = run * perRun + b;
                coords[4 * b] = (i % 16 + 0.5f) * 64f;
                coords[4 * b + 1] = (i / 16 % 16 + 0.5f) * 42.7f;
                labels[2 * b] = 1f;
                labels[2 * b + 1] = -1f;
            }
            decoder.Recycle(decoder.Run(embedding, coords, labels, perRun, 2, null));
        }
        Parallel.For(0, 2 * concurrent, new ParallelOptions { MaxDegreeOfParallelism = concurrent }, Work); // warm-up
        int runs = prompts / perRun;
        var sw = Stopwatch.StartNew();
        Parallel.For(0, runs, new ParallelOptions { MaxDegreeOfParallelism = concurrent }, Work);
        sw.Stop();
        Console.WriteLine($"{runs * perRun} prompts, {perRun} per run, {threads} threads × {concurrent} concurrent runs: " +
            $"{sw.Elapsed.TotalMilliseconds / (runs * perRun):F2} ms per prompt " +
            $"(decoder: {decoder.EngineNote}; load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]})");
    }
}
