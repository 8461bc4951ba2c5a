// COCO evaluation on the synthetic pair tools/bench/coco_synth.py writes (500 images, 5,000 RLE annotations, 10,000
// detections): the same files tools/bench/coco_eval_compare.py times pycocotools on.
using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using SegKit.Datasets.Coco;
using SegKit.Metrics;

namespace SegKit.Benchmarks.Metrics;

[MemoryDiagnoser]
public class CocoEvalBenchmarks
{
    private string _gtPath = "", _dtPath = "";
    private CocoDataset _gt = null!;
    private CocoResultList _dt = null!;

    [GlobalSetup]
    public void Setup()
    {
        (_gtPath, _dtPath) = CocoSynthData.Ensure();
        _gt = CocoDataset.Load(_gtPath);
        _dt = CocoResults.Load(_dtPath);
    }

    [Benchmark(Description = "Evaluate segm (evaluate + accumulate + summarize)")]
    public CocoEvalResult EvaluateSegm() => CocoEvaluator.Evaluate(_gt, _dt, CocoIouType.Segm);

    [Benchmark(Description = "Evaluate bbox (evaluate + accumulate + summarize)")]
    public CocoEvalResult EvaluateBbox() => CocoEvaluator.Evaluate(_gt, _dt, CocoIouType.Bbox);

    [Benchmark(Description = "Load gt.json (1.7 MB)")]
    public CocoDataset LoadGroundTruth() => CocoDataset.Load(_gtPath);

    [Benchmark(Description = "Load dt.json (3.0 MB)")]
    public CocoResultList LoadResults() => CocoResults.Load(_dtPath);
}

/// <summary>The synthetic COCO pair under .cache/bench/coco_synth, generated on first use with Debian's python3.</summary>
internal static class CocoSynthData
{
    public static (string Gt, string Dt) Ensure()
    {
        string dir = Path.Combine(BenchPaths.RepoRoot, ".cache", "bench", "coco_synth");
        string gt = Path.Combine(dir, "gt.json"), dt = Path.Combine(dir, "dt.json");
        if (File.Exists(gt) && File.Exists(dt)) return (gt, dt);
        var psi = new ProcessStartInfo("/usr/bin/python3") { WorkingDirectory = BenchPaths.RepoRoot };
        psi.ArgumentList.Add(Path.Combine(BenchPaths.RepoRoot, "tools", "bench", "coco_synth.py"));
        psi.ArgumentList.Add("--out");
        psi.ArgumentList.Add(dir);
        using var p = Process.Start(psi)!;
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"tools/bench/coco_synth.py failed ({p.ExitCode})");
        return (gt, dt);
    }
}
