using SegKit.Numerics;
using SegKit.Prompt;

namespace SegKit.Tests.Numerics;

/// <summary>
/// The numerics under SegKit's own SAM decoder computation, against hand computations in double precision:
/// SGEMM (packing, edge blocks, the K blocks, accumulate, threads), expf, GELU with erf, the fused LayerNorm + GELU,
/// the per-head softmax, and the tiling that keeps results independent of the thread count.
/// </summary>
public sealed class NumericsTests
{
    private static float[] Random(int n, int seed, float scale = 1f)
    {
        var rng = new Random(seed);
        var a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float)(rng.NextDouble() * 2 - 1) * scale;
        return a;
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(7, 5, 37)]      // edge blocks in both directions, one odd panel
    [InlineData(13, 600, 20)]   // K above 512: taken in blocks of 256
    [InlineData(64, 256, 64)]
    [InlineData(100, 33, 130)]
    public void Multiply_EqualsTheDoubleProduct(int m, int k, int n)
    {
        var a = Random(m * k + 3, 1);
        var b = Random(k * n, 2);
        int lda = k + 3, ldc = n + 5;
        var aStrided = new float[m * lda];
        for (int i = 0; i < m; i++) Array.Copy(a, i * k, aStrided, i * lda, k);
        var packed = new PackedMatrix().Pack(b, 0, k, n, n);
        var c = new float[2 + m * ldc];
        var seed = Random(c.Length, 3);
        seed.CopyTo(c, 0);
        Sgemm.Multiply(aStrided, 0, lda, m, packed, c, 2, ldc, accumulate: true);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double want = seed[2 + i * ldc + j];
                for (int q = 0; q < k; q++) want += (double)a[i * k + q] * b[q * n + j];
                Assert.True(Math.Abs(c[2 + i * ldc + j] - want) <= 1e-5 * Math.Sqrt(k) + 1e-6, $"C[{i},{j}] = {c[2 + i * ldc + j]}, {want} expected");
            }
        // Outside the m×n block nothing is written.
        Assert.Equal(seed[0], c[0]);
        Assert.Equal(seed[1], c[1]);
        if (ldc > n) Assert.Equal(seed[2 + n], c[2 + n]);
    }

    [Fact]
    public void Multiply_SameBitsOnOneThreadAndTwo_AndPackTransposedEqualsPack()
    {
        int m = 4096, k = 256, n = 64;
        var a = Random(m * k, 4);
        var b = Random(k * n, 5);
        var bt = new float[n * k];
        for (int q = 0; q < k; q++)
            for (int j = 0; j < n; j++) bt[j * k + q] = b[q * n + j];
        var p1 = new PackedMatrix().Pack(b, 0, k, n, n);
        var p2 = new PackedMatrix().PackTransposed(bt, 0, k, n, k);
        Assert.Equal(p1.Data.AsSpan(0, p1.Panels * k * 16).ToArray(), p2.Data.AsSpan(0, p2.Panels * k * 16).ToArray());
        var c1 = new float[m * n];
        var c2 = new float[m * n];
        Sgemm.Multiply(a, 0, k, m, p1, c1, 0, n, threads: 1);
        Sgemm.Multiply(a, 0, k, m, p2, c2, 0, n, threads: 2);
        Assert.Equal(c1, c2);
    }

    [Fact]
    public void Multiply_RowMajorBInPlace_SameBitsAsPacked()
    {
        int m = 50, k = 700, n = 48;
        var a = Random(m * k, 13);
        var b = Random(k * n, 14);
        var c1 = new float[m * n];
        var c2 = new float[m * n];
        Sgemm.Multiply(a, 0, k, m, new PackedMatrix().Pack(b, 0, k, n, n), c1, 0, n);
        Sgemm.Multiply(a, 0, k, m, PackedMatrix.OverRows(b, k, n), c2, 0, n, threads: 2);
        Assert.Equal(c1, c2);
        Assert.Throws<ArgumentException>(() => PackedMatrix.OverRows(b, k, 20));
        Assert.Throws<InvalidOperationException>(() => PackedMatrix.OverRows(b, k, n).Pack(b, 0, k, n, n));
    }

    [Fact]
    public void Multiply_BadShapes_AreArgumentErrors()
    {
        var packed = new PackedMatrix().Pack(new float[4 * 3], 0, 4, 3, 3);
        Assert.Throws<ArgumentException>(() => Sgemm.Multiply(new float[7], 0, 4, 2, packed, new float[6], 0, 3));
        Assert.Throws<ArgumentException>(() => Sgemm.Multiply(new float[8], 0, 4, 2, packed, new float[5], 0, 3));
    }

    [Fact]
    public void Exp_WithinTwoUlpsOfExp_ZeroBelowTheNormalRange()
    {
        var x = new float[20001];
        for (int i = 0; i < x.Length; i++) x[i] = -87.3f + 175.2f * i / (x.Length - 1); // −87.3 .. 87.9
        var y = (float[])x.Clone();
        VectorMath.Exp(y);
        for (int i = 0; i < x.Length; i++)
        {
            double want = Math.Exp(x[i]);
            Assert.True(Math.Abs(y[i] - want) <= 2.4e-7 * want, $"exp({x[i]}) = {y[i]}, {want} expected");
        }
        float[] tiny = [-87.4f, -100f, -1e30f, float.NegativeInfinity, -87.33f];
        VectorMath.Exp(tiny);
        Assert.Equal([0f, 0f, 0f, 0f], tiny[..4]);
        Assert.True(tiny[4] >= float.MinValue && tiny[4] > 1.1754944e-38f, $"exp(-87.33) = {tiny[4]}");
    }

    /// <summary>erf by its Maclaurin series in double (exact to ~1e-13 for |x| ≤ 3).</summary>
    private static double Erf(double x)
    {
        double sum = 0, term = x;
        for (int n = 0; n < 80; n++)
        {
            sum += term / (2 * n + 1);
            term *= -x * x / (n + 1);
        }
        return 2 / Math.Sqrt(Math.PI) * sum;
    }

    private static double GeluRef(double x) => 0.5 * x * (1 + Erf(x / Math.Sqrt(2)));

    [Fact]
    public void Gelu_MatchesTheExactErfForm()
    {
        var x = new float[8003]; // not a multiple of 8 or 16: the tail path too
        for (int i = 0; i < x.Length; i++) x[i] = -4.2f + 8.4f * i / (x.Length - 1);
        var y = (float[])x.Clone();
        VectorMath.Gelu(y);
        for (int i = 0; i < x.Length; i++)
        {
            double want = GeluRef(x[i]);
            // Abramowitz & Stegun 7.1.26: |erf error| ≤ 1.5e-7, so 0.75e-7·|x| in GELU; the float evaluation adds
            // roundings at |x|'s scale (1 − p·e near 1, the sum x + |x|·erf) and of the result.
            Assert.True(Math.Abs(y[i] - want) <= 2e-7 * Math.Abs(x[i]) + 2.4e-7 * Math.Abs(want) + 1e-9, $"GELU({x[i]}) = {y[i]}, {want} expected");
        }
        float[] far = [-30f, -8f, 8f, 30f, 0f, 0f, 0f, 0f];
        VectorMath.Gelu(far);
        Assert.Equal([0f, 0f, 8f, 30f], far[..4]);
    }

    [Fact]
    public void LayerNormGelu64_AndBiasGelu_MatchTheirDefinitions()
    {
        var row = Random(64, 7, 3f);
        for (int i = 0; i < 64; i++) row[i] += 1.5f;
        var w = Random(64, 8);
        var b = Random(64, 9, 0.5f);
        var dst = new float[64];
        VectorMath.LayerNormGelu64(row, dst, w, b, 1e-6f);
        double mean = row.Average(v => (double)v);
        double variance = row.Average(v => ((double)v - mean) * ((double)v - mean));
        for (int i = 0; i < 64; i++)
        {
            double want = GeluRef((row[i] - mean) / Math.Sqrt(variance + 1e-6) * w[i] + b[i]);
            Assert.True(Math.Abs(dst[i] - want) <= 2e-6, $"[{i}] = {dst[i]}, {want} expected");
        }
        Assert.Throws<ArgumentException>(() => VectorMath.LayerNormGelu64(new float[63], new float[63], w[..63], b[..63], 1e-6f));

        var z = Random(128, 10, 3f);
        var bias = Random(128, 11);
        var zb = (float[])z.Clone();
        VectorMath.BiasGelu(zb, bias);
        for (int i = 0; i < 128; i++)
            Assert.True(Math.Abs(zb[i] - GeluRef(z[i] + bias[i])) <= 1e-6, $"[{i}] = {zb[i]}");
        Assert.Throws<ArgumentException>(() => VectorMath.BiasGelu(new float[12], new float[12]));
    }

    [Fact]
    public void GroupSoftmax_EachHeadOnItsOwn_EvenFarBelowAnother()
    {
        const int heads = 8, t = 7, tg = 8, ld = 72, rows = 3;
        var s = Random(rows * ld, 12, 5f);
        // Row 1: head 3 sits 1000 below the others (its exponentials would all underflow with the row's maximum).
        for (int j = 0; j < t; j++) s[ld + 3 * tg + j] -= 1000f;
        // Row 2: one head's scores are all equal.
        for (int j = 0; j < t; j++) s[2 * ld + 5 * tg + j] = 42f;
        var orig = (float[])s.Clone();
        SamReformulatedDecoder.GroupSoftmax(s, rows, t, tg, ld);
        for (int r = 0; r < rows; r++)
            for (int h = 0; h < heads; h++)
            {
                double m = Enumerable.Range(0, t).Max(j => (double)orig[r * ld + h * tg + j]);
                double sum = Enumerable.Range(0, t).Sum(j => Math.Exp(orig[r * ld + h * tg + j] - m));
                for (int j = 0; j < t; j++)
                {
                    double want = Math.Exp(orig[r * ld + h * tg + j] - m) / sum;
                    Assert.True(Math.Abs(s[r * ld + h * tg + j] - want) <= 1e-6, $"row {r} head {h} score {j}: {s[r * ld + h * tg + j]}, {want} expected");
                }
                Assert.Equal(0f, s[r * ld + h * tg + t]); // the padding column
            }
    }

    [Fact]
    public void ForTiles_CoversEveryItemOnce_WorkersWithinTheThreadCount()
    {
        foreach (int threads in new[] { 1, 2, 5 })
        {
            var seen = new int[1000];
            int maxWorker = -1;
            VectorMath.ForTiles(seen.Length, 60, threads, (w, r0, r1) =>
            {
                Assert.True(r1 - r0 is > 0 and <= 60 && r0 % 60 == 0);
                for (int i = r0; i < r1; i++) Interlocked.Increment(ref seen[i]);
                int current;
                do current = Volatile.Read(ref maxWorker);
                while (w > current && Interlocked.CompareExchange(ref maxWorker, w, current) != current);
            });
            Assert.All(seen, v => Assert.Equal(1, v));
            Assert.InRange(maxWorker, 0, threads - 1);
        }
    }
}
