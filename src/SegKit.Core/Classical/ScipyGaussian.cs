// Gaussian smoothing as scipy.ndimage.gaussian_filter computes it (scipy 1.10, ni_filters.c NI_Correlate1D):
// kernel exp(-x²/2σ²) normalised, radius int(truncate·σ + 0.5) with truncate 4, mode "reflect"
// (d c b a | a b c d | d c b a), axes filtered one after another (rows, then columns), symmetric kernels
// summed from the outermost tap pair inwards. Reproducing the operation order keeps results bit-close to skimage,
// which matters for algorithms (Felzenszwalb) whose output depends on the ordering of near-equal values.
namespace SegKit.Classical;

internal static class ScipyGaussian
{
    /// <summary>
    /// The largest σ the segmenters take: its kernel has 801 taps per pixel and axis. Work grows with σ (500 took 5 s on an
    /// 800 × 534 photo), and 1e6 ran for a quarter of an hour; beyond this a photo is blurred flat anyway.
    /// </summary>
    public const double MaxSigma = 100;

    /// <summary>The normalised half kernel: w[0] is the centre tap, w[k] the taps at ±k. Empty when σ is ~0.</summary>
    public static double[] HalfKernel(double sigma, double truncate = 4.0)
    {
        if (sigma < 1e-15) return [];
        int radius = (int)(truncate * sigma + 0.5);
        double sigma2 = sigma * sigma;
        double factor = -0.5 / sigma2;
        var full = new double[2 * radius + 1];
        for (int i = 0; i < full.Length; i++)
        {
            double x = i - radius;
            full[i] = Math.Exp(factor * (x * x));
        }
        double sum = NumpySum(full);
        var half = new double[radius + 1];
        for (int k = 0; k <= radius; k++) half[k] = full[radius + k] / sum;
        return half;
    }

    // numpy's pairwise summation for arrays of at most 128 elements (unrolled by 8).
    private static double NumpySum(ReadOnlySpan<double> a)
    {
        int n = a.Length;
        if (n < 8)
        {
            double s = 0;
            for (int i = 0; i < n; i++) s += a[i];
            return s;
        }
        Span<double> r = stackalloc double[8];
        for (int j = 0; j < 8; j++) r[j] = a[j];
        int i8;
        for (i8 = 8; i8 < n - (n % 8); i8 += 8)
            for (int j = 0; j < 8; j++) r[j] += a[i8 + j];
        double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i8 < n; i8++) res += a[i8];
        return res;
    }

    /// <summary>
    /// Filters an interleaved image (height × width × channels doubles) in place along rows (axis 0) then
    /// columns (axis 1), each channel separately, with the same σ on both axes.
    /// </summary>
    public static void Filter2D(double[] data, int width, int height, int channels, double sigma, int maxDegreeOfParallelism)
    {
        double[] w = HalfKernel(sigma);
        if (w.Length == 0) return;
        int radius = w.Length - 1;
        int rowLen = width * channels;
        var tmp = GC.AllocateUninitializedArray<double>(data.Length);

        // Axis 0: each output row is a weighted sum of reflected input rows.
        ParallelBands.For(height, maxDegreeOfParallelism, (y0, y1) =>
        {
            for (int y = y0; y < y1; y++)
            {
                Span<double> dst = tmp.AsSpan(y * rowLen, rowLen);
                ReadOnlySpan<double> centre = data.AsSpan(y * rowLen, rowLen);
                for (int i = 0; i < rowLen; i++) dst[i] = centre[i] * w[0];
                // scipy adds tap pairs from the outermost inwards, each pair summed before weighting.
                Span<double> acc = dst;
                for (int k = radius; k >= 1; k--)
                {
                    ReadOnlySpan<double> up = data.AsSpan(Reflect(y - k, height) * rowLen, rowLen);
                    ReadOnlySpan<double> down = data.AsSpan(Reflect(y + k, height) * rowLen, rowLen);
                    double wk = w[k];
                    for (int i = 0; i < rowLen; i++) acc[i] += (up[i] + down[i]) * wk;
                }
            }
        });

        // Axis 1: along each row, with a reflected copy of the row in a scratch line.
        ParallelBands.For(height, maxDegreeOfParallelism, (y0, y1) =>
        {
            var line = new double[(width + 2 * radius) * channels];
            for (int y = y0; y < y1; y++)
            {
                ReadOnlySpan<double> src = tmp.AsSpan(y * rowLen, rowLen);
                for (int x = -radius; x < width + radius; x++)
                {
                    int sx = Reflect(x, width);
                    for (int c = 0; c < channels; c++)
                        line[(x + radius) * channels + c] = src[sx * channels + c];
                }
                Span<double> dst = data.AsSpan(y * rowLen, rowLen);
                for (int i = 0; i < rowLen; i++)
                {
                    int centreIndex = i + radius * channels;
                    double acc = line[centreIndex] * w[0];
                    for (int k = radius; k >= 1; k--)
                        acc += (line[centreIndex - k * channels] + line[centreIndex + k * channels]) * w[k];
                    dst[i] = acc;
                }
            }
        });
    }

    /// <summary>
    /// The result of filtering along an axis of length 1 in "reflect" mode: every tap reads the same value, so
    /// v → v·w0 + Σ (v + v)·wk. SciPy does this for skimage.slic's depth axis; reproduced for bit-closeness.
    /// </summary>
    public static double SingletonAxis(double v, double[] w)
    {
        if (w.Length == 0) return v; // σ below 1e-15: scipy does not filter
        double acc = v * w[0];
        for (int k = w.Length - 1; k >= 1; k--) acc += (v + v) * w[k];
        return acc;
    }

    /// <summary>scipy "reflect" (half-sample symmetric) index into [0, n).</summary>
    public static int Reflect(int i, int n)
    {
        if ((uint)i < (uint)n) return i;
        int period = 2 * n;
        i %= period;
        if (i < 0) i += period;
        return i < n ? i : period - 1 - i;
    }
}
