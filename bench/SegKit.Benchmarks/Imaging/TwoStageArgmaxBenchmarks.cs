// The semantic postprocess of a torchvision model on truck.jpg: 21 classes at 65×98 (LRASPP's low resolution)
// resized to 520×780 (the model's own final Resize) and to 1800×1200, then argmax.
// - TwoStage: TensorResize.BilinearTwiceArgmax, which SegKit runs since it fuses the model's final Resize.
// - OneStageOnMid: BilinearArgmax on the 34 MB middle tensor, which is what SegKit ran before, once ORT had made
//   that tensor (ORT's Resize and the copy out of ORT are not counted here).
// Two synthetic logit fields, because the fixtures' random weights give only the second:
// - "regions": six Voronoi regions (96 % of 2×2 low-res neighbourhoods with one winner), like a trained model's
//   logits of a photo;
// - "noisy": salt and pepper (2 %), like the random-weight fixtures, where almost nothing can be skipped.
using BenchmarkDotNet.Attributes;
using SegKit.Imaging;

namespace SegKit.Benchmarks.Imaging;

[MemoryDiagnoser]
public class TwoStageArgmaxBenchmarks
{
    private const int C = 21, H = 65, W = 98, MidH = 520, MidW = 780, OutH = 1200, OutW = 1800;
    private float[] _low = [];
    private float[] _mid = [];
    private readonly byte[] _labels = new byte[OutH * OutW];
    private readonly long[] _counts = new long[C];

    [Params("regions", "noisy")]
    public string Field { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(5);
        _low = new float[C * H * W];
        if (Field == "regions")
        {
            var seeds = Enumerable.Range(0, 6).Select(_ => (X: rng.Next(W), Y: rng.Next(H), C: rng.Next(C))).ToArray();
            for (int y = 0; y < H; y++)
                for (int x = 0; x < W; x++)
                {
                    for (int k = 0; k < C; k++) _low[(k * H + y) * W + x] = (float)(rng.NextDouble() * 0.5);
                    foreach (var s in seeds)
                    {
                        double d = Math.Sqrt((x - s.X) * (x - s.X) + (y - s.Y) * (y - s.Y));
                        ref float v = ref _low[(s.C * H + y) * W + x];
                        v = Math.Max(v, (float)(6 - d / 10));
                    }
                }
        }
        else
        {
            for (int k = 0; k < C; k++)
            {
                double fx = rng.NextDouble() * 0.08, fy = rng.NextDouble() * 0.08, ph = rng.NextDouble() * 6;
                for (int y = 0; y < H; y++)
                    for (int x = 0; x < W; x++)
                        _low[(k * H + y) * W + x] = (float)(4 * Math.Sin(fx * x + fy * y + ph) + rng.NextDouble() * 6);
            }
        }
        _mid = new float[C * MidH * MidW];
        TensorResize.BilinearChw(_low, C, H, W, _mid, MidH, MidW);
    }

    [Benchmark]
    public byte[] TwoStage()
    {
        TensorResize.BilinearTwiceArgmax(_low, C, H, W, MidH, MidW, _labels, OutH, OutW, _counts);
        return _labels;
    }

    [Benchmark(Baseline = true)]
    public byte[] OneStageOnMid()
    {
        TensorResize.BilinearArgmax(_mid, C, MidH, MidW, _labels, OutH, OutW, default, _counts);
        return _labels;
    }
}
