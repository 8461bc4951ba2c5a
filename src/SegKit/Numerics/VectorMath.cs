// Element-wise helpers for the decoder SegKit computes itself: AXPY, the exact-erf GELU PyTorch's nn.GELU uses,
// and LayerNorm over a row as torch computes it (mean, then the mean of squared deviations, biased).
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

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

    /// <summary>x ← exp(x) in place.</summary>
    public static void Exp(Span<float> x)
    {
        int n = x.Length, i = 0;
        ref float r = ref MemoryMarshal.GetReference(x);
        for (; i + 8 <= n; i += 8) Vector256.Exp(Vector256.LoadUnsafe(ref r, (nuint)i)).StoreUnsafe(ref r, (nuint)i);
        for (; i < n; i++) x[i] = MathF.Exp(x[i]);
    }

    /// <summary>x ← 0.5·x·(1 + erf(x/√2)) in place (nn.GELU, approximate='none').</summary>
    public static void Gelu(Span<float> x)
    {
        int n = x.Length, i = 0;
        ref float r = ref MemoryMarshal.GetReference(x);
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
        var erfAbs = Vector256<float>.One - poly * Vector256.Exp(-(z * z));
        // 0.5·x·(1 + sign(x)·erf|z|) = 0.5·(x + |x|·erf|z|)
        return Vector256.Create(0.5f) * (x + Vector256.Abs(x) * erfAbs);
    }

    /// <summary>Row ← (row − mean)/√(var + ε)·w + b; returns (mean, √(var + ε)).</summary>
    public static (float Mean, float Std) LayerNorm(Span<float> row, ReadOnlySpan<float> w, ReadOnlySpan<float> b, float eps)
    {
        var (mean, std) = Moments(row, eps);
        float inv = 1f / std;
        for (int i = 0; i < row.Length; i++) row[i] = (row[i] - mean) * inv * w[i] + b[i];
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

    /// <summary>Runs <paramref name="body"/>(start, end) over [0, count) in up to <paramref name="threads"/> chunks.</summary>
    public static void ForRanges(int count, int threads, Action<int, int> body)
    {
        if (threads <= 1 || count < 64)
        {
            body(0, count);
            return;
        }
        int chunks = Math.Min(threads * 2, count);
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = threads },
            c => body((int)((long)count * c / chunks), (int)((long)count * (c + 1) / chunks)));
    }
}
