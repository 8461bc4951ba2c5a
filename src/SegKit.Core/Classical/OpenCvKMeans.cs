// k-means as cv::kmeans (OpenCV 4.6, modules/core/src/kmeans.cpp) runs it for cv::grabCut's GMM initialisation:
// float32 samples, KMEANS_PP_CENTERS seeding (k-means++ with 3 trials per centre) driven by cv::RNG (multiply-with-
// carry, coefficient 4164903690), one attempt, at most 10 iterations, float accumulation of centres, OpenCV's rule
// for empty clusters (take the farthest point of the biggest cluster), and no relabelling after the last update.
namespace SegKit.Classical;

/// <summary>cv::RNG: 64-bit multiply-with-carry generator.</summary>
internal struct OpenCvRng(ulong state)
{
    private ulong _state = state != 0 ? state : 0xFFFFFFFFUL;

    /// <summary>The state cv::setRNGSeed(seed) installs.</summary>
    public static OpenCvRng FromSeed(int seed) => new((ulong)(uint)seed);

    public uint Next()
    {
        _state = (ulong)(uint)_state * 4164903690UL + (uint)(_state >> 32);
        return (uint)_state;
    }

    /// <summary>RNG::operator double(): 64 random bits scaled to [0, 1).</summary>
    public double NextDouble()
    {
        uint t = Next();
        return (((ulong)t << 32) | Next()) * 5.4210108624275221700372640043497e-20;
    }
}

internal static class OpenCvKMeans
{
    private const int Dims = 3;

    /// <summary>Clusters <paramref name="samples"/> (n × 3 floats) into <paramref name="k"/> groups; returns one label per sample.</summary>
    public static int[] Cluster(float[] samples, int k, int maxIterations, ref OpenCvRng rng, int maxDegreeOfParallelism = -1)
    {
        int n = samples.Length / Dims;
        var labels = new int[n];
        if (n == 0) return labels;
        if (n < k) throw new ArgumentException($"k-means needs at least {k} samples, got {n}");
        var centers = new float[k * Dims];
        var oldCenters = new float[k * Dims];
        var counters = new int[k];
        double epsilon = 1.1920928955078125e-07; // FLT_EPSILON, squared as OpenCV does for iteration-only criteria
        epsilon *= epsilon;
        int maxCount = Math.Max(maxIterations, 2);
        Span<float> baseCenter = stackalloc float[Dims];

        for (int iter = 0; ;)
        {
            double maxShift = iter == 0 ? double.MaxValue : 0.0;
            (centers, oldCenters) = (oldCenters, centers);
            if (iter == 0)
            {
                SeedPlusPlus(samples, n, k, centers, ref rng, maxDegreeOfParallelism);
            }
            else
            {
                Array.Clear(centers);
                Array.Clear(counters);
                for (int i = 0; i < n; i++)
                {
                    int c = labels[i];
                    for (int j = 0; j < Dims; j++) centers[c * Dims + j] += samples[i * Dims + j];
                    counters[c]++;
                }
                maxShift = 0;
                for (int c = 0; c < k; c++)
                {
                    if (counters[c] != 0) continue;
                    int maxK = 0;
                    for (int c1 = 1; c1 < k; c1++) if (counters[maxK] < counters[c1]) maxK = c1;
                    double maxDist = 0;
                    int farthest = -1;
                    float scale0 = 1f / counters[maxK];
                    for (int j = 0; j < Dims; j++) baseCenter[j] = centers[maxK * Dims + j] * scale0;
                    for (int i = 0; i < n; i++)
                    {
                        if (labels[i] != maxK) continue;
                        double d = DistSqr(samples, i, baseCenter);
                        if (maxDist <= d)
                        {
                            maxDist = d;
                            farthest = i;
                        }
                    }
                    counters[maxK]--;
                    counters[c]++;
                    labels[farthest] = c;
                    for (int j = 0; j < Dims; j++)
                    {
                        centers[maxK * Dims + j] -= samples[farthest * Dims + j];
                        centers[c * Dims + j] += samples[farthest * Dims + j];
                    }
                }
                for (int c = 0; c < k; c++)
                {
                    float scale = 1f / counters[c];
                    double shift = 0;
                    for (int j = 0; j < Dims; j++)
                    {
                        centers[c * Dims + j] *= scale;
                        double t = centers[c * Dims + j] - oldCenters[c * Dims + j];
                        shift += t * t;
                    }
                    maxShift = Math.Max(maxShift, shift);
                }
            }
            if (++iter == maxCount || maxShift <= epsilon) break; // OpenCV keeps the last labels
            Assign(samples, n, k, centers, labels, maxDegreeOfParallelism);
        }
        return labels;
    }

    // Independent per sample, so it runs in parallel (as OpenCV's KMeansDistanceComputer does) with the same result.
    private static void Assign(float[] samples, int n, int k, float[] centers, int[] labels, int dop) =>
        ParallelBands.For(n, dop, (s, e) => AssignRange(samples, s, e, k, centers, labels), minBand: 1 << 14);

    private static void AssignRange(float[] samples, int start, int end, int k, float[] centers, int[] labels)
    {
        for (int i = start; i < end; i++)
        {
            double minDist = double.MaxValue;
            int best = 0;
            for (int c = 0; c < k; c++)
            {
                double d = DistSqr(samples, i, centers.AsSpan(c * Dims, Dims));
                if (minDist > d)
                {
                    minDist = d;
                    best = c;
                }
            }
            labels[i] = best;
        }
    }

    private static void SeedPlusPlus(float[] samples, int n, int k, float[] centers, ref OpenCvRng rng, int dop)
    {
        const int Trials = 3;
        var chosen = new int[k];
        var dist = new float[n];
        var tdist = new float[n];
        var tdist2 = new float[n];
        chosen[0] = (int)(rng.Next() % (uint)n);
        double sum0 = 0;
        for (int i = 0; i < n; i++)
        {
            dist[i] = DistSqr(samples, i, samples.AsSpan(chosen[0] * Dims, Dims));
            sum0 += dist[i];
        }
        for (int c = 1; c < k; c++)
        {
            double bestSum = double.MaxValue;
            int bestCenter = -1;
            for (int trial = 0; trial < Trials; trial++)
            {
                double p = rng.NextDouble() * sum0;
                int ci;
                for (ci = 0; ci < n - 1; ci++)
                    if ((p -= dist[ci]) <= 0) break;
                MinDistances(samples, n, ci, dist, tdist2, dop);
                double s = 0;
                for (int i = 0; i < n; i++) s += tdist2[i];
                if (s < bestSum)
                {
                    bestSum = s;
                    bestCenter = ci;
                    (tdist, tdist2) = (tdist2, tdist);
                }
            }
            chosen[c] = bestCenter;
            sum0 = bestSum;
            (dist, tdist) = (tdist, dist);
        }
        for (int c = 0; c < k; c++)
            samples.AsSpan(chosen[c] * Dims, Dims).CopyTo(centers.AsSpan(c * Dims, Dims));
    }

    private static void MinDistances(float[] samples, int n, int candidate, float[] dist, float[] result, int dop) =>
        ParallelBands.For(n, dop, (s, e) =>
        {
            ReadOnlySpan<float> c = samples.AsSpan(candidate * Dims, Dims);
            for (int i = s; i < e; i++) result[i] = Math.Min(DistSqr(samples, i, c), dist[i]);
        }, minBand: 1 << 14);

    // cv::normL2Sqr for float vectors: float accumulation in element order.
    private static float DistSqr(float[] samples, int i, ReadOnlySpan<float> center)
    {
        float d = 0;
        for (int j = 0; j < Dims; j++)
        {
            float t = samples[i * Dims + j] - center[j];
            d += t * t;
        }
        return d;
    }
}
