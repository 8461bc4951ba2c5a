// Element-wise helpers for the decoder SegKit computes itself: AXPY, the exact-erf GELU PyTorch's nn.GELU uses,
// and LayerNorm over a row as torch computes it (mean, then the mean of squared deviations, biased).
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SegKit.Numerics;

internal static class VectorMath
{
    /// <summary>y += a·x.</summary>
    public static void Axpy(float a, ReadOnlySpan<float> x, Span<float> y)
    {
        int n = x.Length, i = 0;
        ref float rx = ref MemoryMarshal.GetReference(x);
        ref float ry = ref MemoryMarshal.GetReference(y);
        var va = Vector256.Create(a);
        for (; i + 8 <= n; i += 8)
            Vector256.FusedMultiplyAdd(va, Vector256.LoadUnsafe(ref rx, (nuint)i), Vector256.LoadUnsafe(ref ry, (nuint)i))
                .StoreUnsafe(ref ry, (nuint)i);
        for (; i < n; i++) y[i] = MathF.FusedMultiplyAdd(a, x[i], y[i]);
    }

    /// <summary>Σ x·y.</summary>
    public static float Dot(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        int n = x.Length, i = 0;
        ref float rx = ref MemoryMarshal.GetReference(x);
        ref float ry = ref MemoryMarshal.GetReference(y);
        var acc = Vector256<float>.Zero;
        for (; i + 8 <= n; i += 8)
            acc = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref rx, (nuint)i), Vector256.LoadUnsafe(ref ry, (nuint)i), acc);
        float s = Vector256.Sum(acc);
        for (; i < n; i++) s += x[i] * y[i];
        return s;
    }

    /// <summary>x ← exp(x) in place (see <see cref="Exp(Vector256{float})"/>).</summary>
    public static void Exp(Span<float> x)
    {
        int n = x.Length, i = 0;
        ref float r = ref MemoryMarshal.GetReference(x);
        if (Vector512.IsHardwareAccelerated)
            for (; i + 16 <= n; i += 16) Exp(Vector512.LoadUnsafe(ref r, (nuint)i)).StoreUnsafe(ref r, (nuint)i);
        for (; i + 8 <= n; i += 8) Exp(Vector256.LoadUnsafe(ref r, (nuint)i)).StoreUnsafe(ref r, (nuint)i);
        if (i < n)
        {
            Span<float> tail = stackalloc float[8];
            tail.Clear();
            x[i..].CopyTo(tail);
            Exp(Vector256.Create<float>(tail)).CopyTo(tail);
            tail[..(n - i)].CopyTo(x[i..]);
        }
    }

    /// <summary>
    /// exp(x) as Cephes' expf computes it (x = n·ln 2 + r with ln 2 split in two, a degree-6 polynomial in r,
    /// relative error about 2e-7). Results below float's smallest normal number (x &lt; −87.34) are 0 and x above
    /// 88 gives exp(88): subnormal operands make the products that follow several times slower on x86, and no
    /// caller here exponentiates anything but shifted scores (≤ 0) and −z².
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Exp(Vector256<float> x)
    {
        var xc = Vector256.Min(x, Vector256.Create(88f));
        var n = Vector256.Round(xc * Vector256.Create(1.44269504088896341f));
        var r = Vector256.FusedMultiplyAdd(n, Vector256.Create(-0.693359375f), xc);
        r = Vector256.FusedMultiplyAdd(n, Vector256.Create(2.12194440e-4f), r);
        var p = Vector256.FusedMultiplyAdd(Vector256.Create(1.9875691500e-4f), r, Vector256.Create(1.3981999507e-3f));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(8.3334519073e-3f));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(4.1665795894e-2f));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1.6666665459e-1f));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(5.0000001201e-1f));
        p = Vector256.FusedMultiplyAdd(p, r * r, r) + Vector256<float>.One;
        var scale = Vector256.ShiftLeft(Vector256.ConvertToInt32(n) + Vector256.Create(127), 23).AsSingle();
        return Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(x, Vector256.Create(-87.33654f)), p * scale, Vector256<float>.Zero);
    }

    /// <summary>The 512-bit form of <see cref="Exp(Vector256{float})"/>, operation for operation.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Exp(Vector512<float> x)
    {
        var xc = Vector512.Min(x, Vector512.Create(88f));
        var n = Vector512.Round(xc * Vector512.Create(1.44269504088896341f));
        var r = Vector512.FusedMultiplyAdd(n, Vector512.Create(-0.693359375f), xc);
        r = Vector512.FusedMultiplyAdd(n, Vector512.Create(2.12194440e-4f), r);
        var p = Vector512.FusedMultiplyAdd(Vector512.Create(1.9875691500e-4f), r, Vector512.Create(1.3981999507e-3f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(8.3334519073e-3f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(4.1665795894e-2f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1.6666665459e-1f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(5.0000001201e-1f));
        p = Vector512.FusedMultiplyAdd(p, r * r, r) + Vector512<float>.One;
        var scale = Vector512.ShiftLeft(Vector512.ConvertToInt32(n) + Vector512.Create(127), 23).AsSingle();
        return Vector512.ConditionalSelect(Vector512.GreaterThanOrEqual(x, Vector512.Create(-87.33654f)), p * scale, Vector512<float>.Zero);
    }

    /// <summary>x ← 0.5·x·(1 + erf(x/√2)) in place (nn.GELU, approximate='none').</summary>
    public static void Gelu(Span<float> x)
    {
        int n = x.Length, i = 0;
        ref float r = ref MemoryMarshal.GetReference(x);
        if (Vector512.IsHardwareAccelerated)
            for (; i + 16 <= n; i += 16) Gelu(Vector512.LoadUnsafe(ref r, (nuint)i)).StoreUnsafe(ref r, (nuint)i);
        for (; i + 8 <= n; i += 8) Gelu(Vector256.LoadUnsafe(ref r, (nuint)i)).StoreUnsafe(ref r, (nuint)i);
        if (i < n)
        {
            Span<float> tail = stackalloc float[8];
            tail.Clear();
            x[i..].CopyTo(tail);
            Gelu(Vector256.Create<float>(tail)).CopyTo(tail);
            tail[..(n - i)].CopyTo(x[i..]);
        }
    }

    /// <summary>GELU with erf from Abramowitz &amp; Stegun 7.1.26 (|error| ≤ 1.5e-7 in erf).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Gelu(Vector256<float> x)
    {
        var z = Vector256.Abs(x) * Vector256.Create(0.70710678118654752f);
        var t = Vector256<float>.One / (Vector256<float>.One + Vector256.Create(0.3275911f) * z);
        var poly = Vector256.FusedMultiplyAdd(Vector256.Create(1.061405429f), t, Vector256.Create(-1.453152027f));
        poly = Vector256.FusedMultiplyAdd(poly, t, Vector256.Create(1.421413741f));
        poly = Vector256.FusedMultiplyAdd(poly, t, Vector256.Create(-0.284496736f));
        poly = Vector256.FusedMultiplyAdd(poly, t, Vector256.Create(0.254829592f));
        poly *= t;
        var erfAbs = Vector256<float>.One - poly * Exp(-(z * z));
        // 0.5·x·(1 + sign(x)·erf|z|) = 0.5·(x + |x|·erf|z|); exactly 0 below x ≈ −5.5, where erf|z| rounds to 1.
        return Vector256.Create(0.5f) * (x + Vector256.Abs(x) * erfAbs);
    }

    /// <summary>1/d for d ≥ 1: AVX-512's 14-bit estimate refined by one Newton step (relative error about 1e-8), or a division.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Reciprocal(Vector512<float> d)
    {
        if (!Avx512F.IsSupported) return Vector512<float>.One / d;
        var r = Avx512F.Reciprocal14(d);
        return r * (Vector512.Create(2f) - d * r);
    }

    /// <summary>The 512-bit form of <see cref="Gelu(Vector256{float})"/>, operation for operation.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Gelu(Vector512<float> x)
    {
        var z = Vector512.Abs(x) * Vector512.Create(0.70710678118654752f);
        var t = Reciprocal(Vector512<float>.One + Vector512.Create(0.3275911f) * z);
        var poly = Vector512.FusedMultiplyAdd(Vector512.Create(1.061405429f), t, Vector512.Create(-1.453152027f));
        poly = Vector512.FusedMultiplyAdd(poly, t, Vector512.Create(1.421413741f));
        poly = Vector512.FusedMultiplyAdd(poly, t, Vector512.Create(-0.284496736f));
        poly = Vector512.FusedMultiplyAdd(poly, t, Vector512.Create(0.254829592f));
        poly *= t;
        var erfAbs = Vector512<float>.One - poly * Exp(-(z * z));
        return Vector512.Create(0.5f) * (x + Vector512.Abs(x) * erfAbs);
    }

    /// <summary>x ← GELU(x + b) in place (x.Length a multiple of 8 and b.Length = x.Length).</summary>
    public static void BiasGelu(Span<float> x, ReadOnlySpan<float> b)
    {
        if (x.Length % 8 != 0 || b.Length != x.Length) throw new ArgumentException("BiasGelu takes equal lengths that are a multiple of 8");
        int n = x.Length, i = 0;
        ref float r = ref MemoryMarshal.GetReference(x);
        ref float rb = ref MemoryMarshal.GetReference(b);
        if (Vector512.IsHardwareAccelerated)
            for (; i + 16 <= n; i += 16)
                Gelu(Vector512.LoadUnsafe(ref r, (nuint)i) + Vector512.LoadUnsafe(ref rb, (nuint)i)).StoreUnsafe(ref r, (nuint)i);
        for (; i + 8 <= n; i += 8)
            Gelu(Vector256.LoadUnsafe(ref r, (nuint)i) + Vector256.LoadUnsafe(ref rb, (nuint)i)).StoreUnsafe(ref r, (nuint)i);
    }

    /// <summary>
    /// dst ← GELU(LayerNorm(row)·w + b) for rows of 64, in registers: the mean, then the mean of squared deviations
    /// (biased, as torch), as <see cref="Moments"/> computes them, summed in the same order.
    /// </summary>
    public static void LayerNormGelu64(ReadOnlySpan<float> row, Span<float> dst, ReadOnlySpan<float> w, ReadOnlySpan<float> b, float eps)
    {
        if (row.Length != 64 || dst.Length != 64 || w.Length != 64 || b.Length != 64) throw new ArgumentException("LayerNormGelu64 takes rows of 64");
        ref float r = ref MemoryMarshal.GetReference(row);
        ref float d = ref MemoryMarshal.GetReference(dst);
        ref float rw = ref MemoryMarshal.GetReference(w);
        ref float rb = ref MemoryMarshal.GetReference(b);
        var x0 = Vector256.LoadUnsafe(ref r, 0); var x1 = Vector256.LoadUnsafe(ref r, 8);
        var x2 = Vector256.LoadUnsafe(ref r, 16); var x3 = Vector256.LoadUnsafe(ref r, 24);
        var x4 = Vector256.LoadUnsafe(ref r, 32); var x5 = Vector256.LoadUnsafe(ref r, 40);
        var x6 = Vector256.LoadUnsafe(ref r, 48); var x7 = Vector256.LoadUnsafe(ref r, 56);
        // Moments adds the eight vectors one after another into one accumulator.
        float mean = Vector256.Sum(x0 + x1 + x2 + x3 + x4 + x5 + x6 + x7) / 64f;
        var vm = Vector256.Create(mean);
        var d0 = x0 - vm; var d1 = x1 - vm; var d2 = x2 - vm; var d3 = x3 - vm;
        var d4 = x4 - vm; var d5 = x5 - vm; var d6 = x6 - vm; var d7 = x7 - vm;
        var acc = d0 * d0;
        acc = Vector256.FusedMultiplyAdd(d1, d1, acc); acc = Vector256.FusedMultiplyAdd(d2, d2, acc);
        acc = Vector256.FusedMultiplyAdd(d3, d3, acc); acc = Vector256.FusedMultiplyAdd(d4, d4, acc);
        acc = Vector256.FusedMultiplyAdd(d5, d5, acc); acc = Vector256.FusedMultiplyAdd(d6, d6, acc);
        acc = Vector256.FusedMultiplyAdd(d7, d7, acc);
        float inv = 1f / MathF.Sqrt(Vector256.Sum(acc) / 64f + eps);
        var vInv = Vector256.Create(inv);
        var vShift = Vector256.Create(-mean * inv);
        if (Vector512.IsHardwareAccelerated)
        {
            var i512 = Vector512.Create(vInv, vInv);
            var s512 = Vector512.Create(vShift, vShift);
            for (int i = 0; i < 64; i += 16)
            {
                var xn = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref r, (nuint)i), i512, s512);
                Gelu(Vector512.FusedMultiplyAdd(xn, Vector512.LoadUnsafe(ref rw, (nuint)i), Vector512.LoadUnsafe(ref rb, (nuint)i))).StoreUnsafe(ref d, (nuint)i);
            }
            return;
        }
        for (int i = 0; i < 64; i += 8)
        {
            var xn = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref r, (nuint)i), vInv, vShift);
            Gelu(Vector256.FusedMultiplyAdd(xn, Vector256.LoadUnsafe(ref rw, (nuint)i), Vector256.LoadUnsafe(ref rb, (nuint)i))).StoreUnsafe(ref d, (nuint)i);
        }
    }

    /// <summary>Row ← (row − mean)/√(var + ε)·w + b; returns (mean, √(var + ε)).</summary>
    public static (float Mean, float Std) LayerNorm(Span<float> row, ReadOnlySpan<float> w, ReadOnlySpan<float> b, float eps)
    {
        var (mean, std) = Moments(row, eps);
        float inv = 1f / std;
        int n = row.Length, i = 0;
        ref float r = ref MemoryMarshal.GetReference(row);
        ref float rw = ref MemoryMarshal.GetReference(w);
        ref float rb = ref MemoryMarshal.GetReference(b);
        var vInv = Vector256.Create(inv);
        var vShift = Vector256.Create(-mean * inv);
        for (; i + 8 <= n; i += 8)
        {
            var xn = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref r, (nuint)i), vInv, vShift);
            Vector256.FusedMultiplyAdd(xn, Vector256.LoadUnsafe(ref rw, (nuint)i), Vector256.LoadUnsafe(ref rb, (nuint)i)).StoreUnsafe(ref r, (nuint)i);
        }
        for (; i < n; i++) row[i] = (row[i] - mean) * inv * w[i] + b[i];
        return (mean, std);
    }

    /// <summary>(mean, √(biased variance + ε)) of <paramref name="row"/>.</summary>
    public static (float Mean, float Std) Moments(ReadOnlySpan<float> row, float eps)
    {
        int n = row.Length, i = 0;
        ref float r = ref MemoryMarshal.GetReference(row);
        var acc = Vector256<float>.Zero;
        for (; i + 8 <= n; i += 8) acc += Vector256.LoadUnsafe(ref r, (nuint)i);
        float sum = Vector256.Sum(acc);
        for (; i < n; i++) sum += row[i];
        float mean = sum / n;
        var vm = Vector256.Create(mean);
        acc = Vector256<float>.Zero;
        for (i = 0; i + 8 <= n; i += 8)
        {
            var d = Vector256.LoadUnsafe(ref r, (nuint)i) - vm;
            acc = Vector256.FusedMultiplyAdd(d, d, acc);
        }
        float sq = Vector256.Sum(acc);
        for (; i < n; i++) sq += (row[i] - mean) * (row[i] - mean);
        return (mean, MathF.Sqrt(sq / n + eps));
    }

    /// <summary>
    /// Runs <paramref name="body"/>(worker, start, end) over [0, count) in tiles of <paramref name="tile"/> items,
    /// on up to <paramref name="threads"/> workers (worker ∈ [0, threads) indexes per-worker scratch). The tiles do
    /// not depend on the thread count, so neither does any result computed tile by tile.
    /// </summary>
    public static void ForTiles(int count, int tile, int threads, Action<int, int, int> body)
    {
        int tiles = (count + tile - 1) / tile;
        int workers = Math.Min(threads, tiles);
        if (workers <= 1)
        {
            for (int t = 0; t < tiles; t++) body(0, t * tile, Math.Min(count, (t + 1) * tile));
            return;
        }
        int next = -1;
        Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, w =>
        {
            int t;
            while ((t = Interlocked.Increment(ref next)) < tiles) body(w, t * tile, Math.Min(count, (t + 1) * tile));
        });
    }

    // True when no value is NaN or ±infinity (exponent bits not all set), 16 at a time.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool AllFinite(ReadOnlySpan<float> values)
    {
        var exponent = Vector512.Create(0x7F800000u);
        var bad = Vector512<uint>.Zero;
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; i + 16 <= values.Length; i += 16)
                bad |= Vector512.Equals(Vector512.LoadUnsafe(ref System.Runtime.InteropServices.MemoryMarshal.GetReference(values), (nuint)i).AsUInt32() & exponent, exponent);
        for (; i < values.Length; i++)
            if (!float.IsFinite(values[i])) return false;
        return bad == Vector512<uint>.Zero;
    }
}
