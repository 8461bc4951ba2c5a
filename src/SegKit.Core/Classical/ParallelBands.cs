// Row-band parallelism shared by the classical segmenters: work is split into contiguous row bands so each
// worker touches its own memory and results do not depend on the number of threads.
namespace SegKit.Classical;

internal static class ParallelBands
{
    /// <summary>Runs <paramref name="body"/>(start, end) over [0, count) split into bands, on up to <paramref name="maxDegreeOfParallelism"/> threads (−1: all cores).</summary>
    public static void For(int count, int maxDegreeOfParallelism, Action<int, int> body, int minBand = 8)
    {
        int threads = maxDegreeOfParallelism > 0 ? maxDegreeOfParallelism : Environment.ProcessorCount;
        int bands = Math.Min(threads * 4, Math.Max(1, count / Math.Max(minBand, 1)));
        if (threads <= 1 || bands <= 1)
        {
            body(0, count);
            return;
        }
        var options = new ParallelOptions { MaxDegreeOfParallelism = threads };
        Parallel.For(0, bands, options, b =>
        {
            int start = (int)((long)count * b / bands);
            int end = (int)((long)count * (b + 1) / bands);
            if (end > start) body(start, end);
        });
    }

    internal static void CheckDegree(int value, string name)
    {
        if (value == 0 || value < -1)
            throw new ArgumentOutOfRangeException(name, value, "MaxDegreeOfParallelism must be −1 (all cores) or ≥ 1");
    }
}
