using BenchmarkDotNet.Running;

if (args.Length > 0 && args[0] == "sam-stages")
{
    SegKit.Benchmarks.Prompt.SamStageReport.Run(args[1..]);
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
