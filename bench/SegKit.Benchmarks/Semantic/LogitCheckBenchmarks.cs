using BenchmarkDotNet.Attributes;
using SegKit.Semantic;

namespace SegKit.Benchmarks.Semantic;

/// <summary>
/// The pass that refuses NaN or infinite logits, over a SegFormer-B0-sized output (150 classes at 128×128, 9.8 MB):
/// on the unfused path it reads the whole output once more before the upsampling argmax.
/// </summary>
public class LogitCheckBenchmarks
{
    private readonly float[] _logits = new float[150 * 128 * 128];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(7);
        for (int i = 0; i < _logits.Length; i++) _logits[i] = (float)(random.NextDouble() * 20 - 10);
    }

    [Benchmark]
    public bool AllFinite() => SegKit.Numerics.VectorMath.AllFinite(_logits);
}
