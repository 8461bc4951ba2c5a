// The --threads option of the verbs that run ONNX Runtime.
namespace SegKit.Cli;

internal static class ThreadsOption
{
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
