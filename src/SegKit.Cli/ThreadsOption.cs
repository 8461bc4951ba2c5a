// The --threads option of the verbs that run ONNX Runtime.
namespace SegKit.Cli;

internal static class ThreadsOption
{
    /// <summary>The most ONNX Runtime threads a verb asks for: 20,000 threads ran for 22 minutes on a small image and
    /// ignored SIGTERM, and 100,000 made ORT abort.</summary>
    public const int Max = 1024;

    /// <summary>The usage error for a --threads value outside 0..<see cref="Max"/>, or null.</summary>
    public static string? Check(int threads) => threads is < 0 or > Max ? $"--threads must be 0 to {Max} (0 lets ONNX Runtime choose)" : null;

    /// <summary>Adds <see cref="Check"/> as a validator of <paramref name="command"/>.</summary>
    public static void Validate(System.CommandLine.Command command, System.CommandLine.Option<int> threads) =>
        command.Validators.Add(r =>
        {
            if (Check(r.GetValue(threads)) is { } error) r.AddError(error);
        });

    /// <summary>
    /// Warns on <paramref name="stderr"/> when <paramref name="threads"/> asks ONNX Runtime for more intra-op threads than
    /// this process has cores: they then wait on each other. On a 2-core machine LRASPP's inference on dog.jpg took
    /// 108–115 ms with 4 threads and 207 ms with 8, against 37–43 ms with 2.
    /// </summary>
    public static void WarnIfOversubscribed(int threads, TextWriter stderr)
    {
        int cores = Environment.ProcessorCount;
        if (threads > cores)
            stderr.WriteLine($"segkit: warning: --threads {threads} is more than the {cores} cores this process can use; " +
                             "ONNX Runtime's threads will wait on each other (slower, not faster); 0 lets it choose");
    }
}
