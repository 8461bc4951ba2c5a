using BenchmarkDotNet.Running;
using SegKit.Benchmarks.Datasets;

// "coco-memory FILE" measures peak memory in a process of its own; everything else goes to BenchmarkDotNet.
if (args.Length > 0 && args[0] == "coco-memory")
    return CocoMemoryCheck.Run(args[1..]);
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
