using System.Diagnostics;
using SegKit.Datasets.Coco;

namespace SegKit.Benchmarks.Datasets;

/// <summary>
/// <c>coco-memory FILE</c>: loads a COCO instances file in a fresh process and reports the managed memory the parsed
/// dataset retains, the process's peak working set, and their ratio (the streaming reader's target is ~2×).
/// Generate a COCO-train-sized input with <c>tools/bench/coco_large.py</c>. Not a BenchmarkDotNet run: peak memory
/// needs a process of its own.
/// </summary>
internal static class CocoMemoryCheck
{
    public static int Run(string[] args)
    {
        if (args.Length != 1)
        {
            Console.Error.WriteLine("usage: coco-memory <instances.json>");
            return 2;
        }
        string path = args[0];
        using var self = Process.GetCurrentProcess();
        long baseline = GC.GetTotalMemory(forceFullCollection: true);
        self.Refresh();
        long wsBefore = self.WorkingSet64;
        var sw = Stopwatch.StartNew();
        CocoDataset ds = CocoDataset.Load(path);
        sw.Stop();
        long retained = GC.GetTotalMemory(forceFullCollection: true) - baseline;
        self.Refresh();
        long peak = self.PeakWorkingSet64;
        double mb(long b) => b / 1e6;
        long fileBytes = new FileInfo(path).Length;
        Console.WriteLine($"file:               {path} ({mb(fileBytes):F1} MB)");
        Console.WriteLine($"parsed:             {ds.Images.Count:N0} images, {ds.Annotations.Count:N0} annotations, {ds.Categories.Count} categories, {ds.Diagnostics.Count} diagnostics");
        Console.WriteLine($"load time:          {sw.Elapsed.TotalSeconds:F2} s ({mb(fileBytes) / sw.Elapsed.TotalSeconds:F0} MB/s)");
        Console.WriteLine($"parsed data (heap): {mb(retained):F1} MB");
        Console.WriteLine($"working set before: {mb(wsBefore):F1} MB");
        Console.WriteLine($"peak working set:   {mb(peak):F1} MB");
        Console.WriteLine($"peak / parsed:      {(double)peak / retained:F2}x   (peak above start / parsed: {(double)(peak - wsBefore) / retained:F2}x)");
        Console.WriteLine($"peak / file size:   {(double)peak / fileBytes:F2}x");
        GC.KeepAlive(ds);
        return 0;
    }
}
