using BenchmarkDotNet.Running;
using SegKit.Benchmarks.Datasets;

// Modes that measure something BenchmarkDotNet cannot, each in a process of its own:
//   coco-memory FILE   peak memory while loading a COCO annotation file
//   sam-stages ...     everything mode split by stage (encoder excluded)
//   sam-decoder ...    decoder runs alone, one point each, as everything mode issues them
// everything else goes to BenchmarkDotNet.
if (args.Length > 0 && args[0] == "coco-memory")
    return CocoMemoryCheck.Run(args[1..]);
if (args.Length > 0 && args[0] == "sam-decoder")
{
    SegKit.Benchmarks.Prompt.SamDecoderThroughput.Run(args[1..]);
    return 0;
}
if (args.Length > 0 && args[0] == "sam-stages")
{
    SegKit.Benchmarks.Prompt.SamStageReport.Run(args[1..]);
    return 0;
}
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
