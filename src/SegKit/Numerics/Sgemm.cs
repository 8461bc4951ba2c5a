// Single-precision matrix product C = A·B (+ C) for the decoder SegKit computes itself (SamReformulatedDecoder).
// A and C are row-major float arrays with explicit row strides; B is packed once into 16-column panels
// (panel j holds rows 0..K-1 of columns 16j..16j+15, zero-padded), so the micro-kernel streams it linearly.
// The kernel holds a 6×32 block of C in twelve 512-bit registers (6×16 in 256-bit registers where AVX-512 is
// not accelerated) and broadcasts one A element per row per step, the register-blocking scheme of BLIS/MLAS.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace SegKit.Numerics;

/// <summary>
/// B of a product, packed into 16-column panels (reusable: <see cref="Pack"/> overwrites it), or a row-major
/// matrix whose width is a multiple of 16 used in place (<see cref="OverRows"/>): the kernel reads 16 columns of
/// a row at a time either way, <see cref="RowStride"/> apart, panel p starting at p·<see cref="PanelStride"/>.
/// </summary>
internal sealed class PackedMatrix
{
    public const int PanelWidth = 16;
    private float[] _data = [];

    /// <summary>Floats between rows k and k + 1 of a panel: 16 packed, N row-major.</summary>
    public int RowStride { get; private set; } = PanelWidth;

    /// <summary>Floats between the starts of panels p and p + 1: K·16 packed, 16 row-major.</summary>
    public long PanelStride => RowStride == PanelWidth ? (long)K * PanelWidth : PanelWidth;

    /// <summary>B = the row-major k×n matrix <paramref name="data"/> itself (n a multiple of 16), without a copy.</summary>
    public static PackedMatrix OverRows(float[] data, int k, int n)
    {
        if (n % PanelWidth != 0 || (long)k * n > data.Length)
            throw new ArgumentException($"a {k}×{n} row-major B needs n a multiple of {PanelWidth} and {(long)k * n} floats; {data.Length} given");
        return new PackedMatrix { _data = data, K = k, N = n, RowStride = n };
    }

    private void RequirePacked()
    {
        if (RowStride != PanelWidth) throw new InvalidOperationException("a row-major view is not repacked");
    }

    /// <summary>Rows of B (the inner dimension of the product).</summary>
    public int K { get; private set; }

    /// <summary>Columns of B.</summary>
    public int N { get; private set; }

    public int Panels => (N + PanelWidth - 1) / PanelWidth;

    internal float[] Data => _data;

    /// <summary>Packs the k×n block of <paramref name="b"/> starting at <paramref name="offset"/> with row stride <paramref name="ldb"/>.</summary>
    public PackedMatrix Pack(float[] b, int offset, int k, int n, int ldb)
    {
        RequirePacked();
        K = k;
        N = n;
        int needed = Panels * k * PanelWidth;
        if (_data.Length < needed) _data = new float[needed];
        var dst = _data;
        for (int p = 0; p < Panels; p++)
        {
            int c0 = p * PanelWidth, width = Math.Min(PanelWidth, n - c0);
            int d = p * k * PanelWidth;
            for (int r = 0; r < k; r++, d += PanelWidth)
            {
                int s = offset + r * ldb + c0;
                if (width == PanelWidth) b.AsSpan(s, PanelWidth).CopyTo(dst.AsSpan(d, PanelWidth));
                else
                {
                    b.AsSpan(s, width).CopyTo(dst.AsSpan(d, width));
                    dst.AsSpan(d + width, PanelWidth - width).Clear();
                }
            }
        }
        return this;
    }

    /// <summary>Packs Bᵀ where <paramref name="bt"/> is the n×k row-major matrix (row stride <paramref name="ldbt"/>).</summary>
    public PackedMatrix PackTransposed(float[] bt, int offset, int k, int n, int ldbt)
    {
        RequirePacked();
        K = k;
        N = n;
        int needed = Panels * k * PanelWidth;
        if (_data.Length < needed) _data = new float[needed];
        Array.Clear(_data, 0, needed);
        for (int col = 0; col < n; col++)
        {
            int p = col / PanelWidth, c = col % PanelWidth;
            int d = p * k * PanelWidth + c, s = offset + col * ldbt;
            for (int r = 0; r < k; r++) _data[d + r * PanelWidth] = bt[s + r];
        }
        return this;
    }
}

internal static class Sgemm
{
    private const int Mr = 6;

    /// <summary>
    /// C[m×n] (=|+=) A[m×k]·B for A at <paramref name="aOffset"/> (row stride <paramref name="lda"/>) and C at
    /// <paramref name="cOffset"/> (row stride <paramref name="ldc"/>); k and n are <paramref name="b"/>'s.
    /// Runs on up to <paramref name="threads"/> threads (rows split, or column panels when m is small).
    /// </summary>
    public static void Multiply(float[] a, int aOffset, int lda, int m, PackedMatrix b, float[] c, int cOffset, int ldc,
        bool accumulate = false, int threads = 1)
    {
        int k = b.K, n = b.N;
        if (m == 0 || n == 0) return;
        if (aOffset < 0 || (long)aOffset + (long)(m - 1) * lda + k > a.Length)
            throw new ArgumentException($"A holds {a.Length} floats; {m}×{k} at offset {aOffset}, stride {lda} needs more");
        if (cOffset < 0 || (long)cOffset + (long)(m - 1) * ldc + n > c.Length)
            throw new ArgumentException($"C holds {c.Length} floats; {m}×{n} at offset {cOffset}, stride {ldc} needs more");
        // Long inner dimensions go in blocks of KBlock rows of B, so that a block of B stays in L2 across all row
        // blocks of A; the blocks are fixed by k alone, so the order of every sum is the same on any thread count.
        if (k > 2 * KBlock)
        {
            for (int k0 = 0; k0 < k; k0 += KBlock)
                MultiplyBlock(a, aOffset, lda, m, b, c, cOffset, ldc, accumulate || k0 > 0, threads, k0, Math.Min(KBlock, k - k0));
            return;
        }
        MultiplyBlock(a, aOffset, lda, m, b, c, cOffset, ldc, accumulate, threads, 0, k);
    }

    private const int KBlock = 256;

    private static void MultiplyBlock(float[] a, int aOffset, int lda, int m, PackedMatrix b, float[] c, int cOffset, int ldc,
        bool accumulate, int threads, int k0, int kLen)
    {
        int n = b.N;
        int rowBlocks = (m + Mr - 1) / Mr;
        int panelPairs = (b.Panels + 1) / 2;
        aOffset += k0;
        if (threads <= 1 || (long)m * n * kLen < 1 << 18)
        {
            Run(a, aOffset, lda, b, c, cOffset, ldc, accumulate, 0, rowBlocks, 0, panelPairs, m, k0, kLen);
            return;
        }
        if (rowBlocks >= threads * 4)
        {
            int chunks = Math.Min(rowBlocks, threads * 4);
            Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
                Run(a, aOffset, lda, b, c, cOffset, ldc, accumulate,
                    (int)((long)rowBlocks * t / chunks), (int)((long)rowBlocks * (t + 1) / chunks), 0, panelPairs, m, k0, kLen));
        }
        else
        {
            int chunks = Math.Min(panelPairs, threads * 2);
            Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
                Run(a, aOffset, lda, b, c, cOffset, ldc, accumulate, 0, rowBlocks,
                    (int)((long)panelPairs * t / chunks), (int)((long)panelPairs * (t + 1) / chunks), m, k0, kLen));
        }
    }

    private static unsafe void Run(float[] a, int aOffset, int lda, PackedMatrix b, float[] c, int cOffset, int ldc, bool accumulate,
        int rb0, int rb1, int pp0, int pp1, int m, int k0, int k)
    {
        int n = b.N, panels = b.Panels;
        long panelStride = b.PanelStride;
        int rowStride = b.RowStride;
        float* tmp = stackalloc float[Mr * 32];
        fixed (float* pa0 = a, pb0 = b.Data, pc0 = c)
        {
            // A few rows of A (token-side products): column panels outermost, so that each panel pair of B is read
            // from memory once and stays in L1 across the row blocks. Otherwise row blocks outermost.
            bool panelsOuter = rb1 - rb0 <= 4;
            int outer = panelsOuter ? pp1 - pp0 : rb1 - rb0, inner = panelsOuter ? rb1 - rb0 : pp1 - pp0;
            for (int step = 0; step < outer * inner; step++)
            {
                int o = step / inner, u = step % inner;
                int rb = panelsOuter ? rb0 + u : rb0 + o, pp = panelsOuter ? pp0 + o : pp0 + u;
                int i = rb * Mr, rows = Math.Min(Mr, m - i);
                float* pa = pa0 + aOffset + (long)i * lda;
                int p = 2 * pp;
                int cols = Math.Min(2 * PackedMatrix.PanelWidth, n - p * PackedMatrix.PanelWidth);
                int widthPanels = p + 1 < panels ? 2 : 1;
                float* pb = pb0 + p * panelStride + (long)k0 * rowStride;
                float* pc = pc0 + cOffset + (long)i * ldc + p * PackedMatrix.PanelWidth;
                bool direct = rows == Mr && cols == widthPanels * PackedMatrix.PanelWidth;
                float* dst = direct ? pc : tmp;
                int ldd = direct ? ldc : 32;
                bool acc = accumulate;
                if (!direct)
                {
                    // Edge block: compute into tmp (rows past m read row 0 again; their results are dropped).
                    for (int r = 0; r < Mr; r++)
                        for (int q = 0; q < 32; q++)
                            tmp[r * 32 + q] = accumulate && r < rows && q < cols ? pc[(long)r * ldc + q] : 0f;
                    acc = true;
                }
                float* r0 = pa, r1 = rows > 1 ? pa + lda : pa, r2 = rows > 2 ? pa + 2L * lda : pa,
                    r3 = rows > 3 ? pa + 3L * lda : pa, r4 = rows > 4 ? pa + 4L * lda : pa, r5 = rows > 5 ? pa + 5L * lda : pa;
                if (Vector512.IsHardwareAccelerated)
                {
                    if (widthPanels == 2) Kernel512x2(r0, r1, r2, r3, r4, r5, pb, pb + panelStride, rowStride, dst, ldd, k, acc);
                    else Kernel512x1(r0, r1, r2, r3, r4, r5, pb, rowStride, dst, ldd, k, acc);
                }
                else
                {
                    Kernel256(r0, r1, r2, r3, r4, r5, pb, rowStride, dst, ldd, k, acc);
                    if (widthPanels == 2)
                        Kernel256(r0, r1, r2, r3, r4, r5, pb + panelStride, rowStride, dst + PackedMatrix.PanelWidth, ldd, k, acc);
                }
                if (!direct)
                    for (int r = 0; r < rows; r++)
                        for (int q = 0; q < cols; q++)
                            pc[(long)r * ldc + q] = tmp[r * 32 + q];
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Kernel512x2(float* a0, float* a1, float* a2, float* a3, float* a4, float* a5,
        float* b0p, float* b1p, int bStride, float* c, int ldc, int k, bool accumulate)
    {
        Vector512<float> c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
        if (accumulate)
        {
            c00 = Vector512.Load(c); c01 = Vector512.Load(c + 16);
            c10 = Vector512.Load(c + ldc); c11 = Vector512.Load(c + ldc + 16);
            c20 = Vector512.Load(c + 2 * ldc); c21 = Vector512.Load(c + 2 * ldc + 16);
            c30 = Vector512.Load(c + 3 * ldc); c31 = Vector512.Load(c + 3 * ldc + 16);
            c40 = Vector512.Load(c + 4 * ldc); c41 = Vector512.Load(c + 4 * ldc + 16);
            c50 = Vector512.Load(c + 5 * ldc); c51 = Vector512.Load(c + 5 * ldc + 16);
        }
        else
        {
            c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = Vector512<float>.Zero;
        }
        for (int q = 0; q < k; q++)
        {
            var b0 = Vector512.Load(b0p); var b1 = Vector512.Load(b1p);
            b0p += bStride; b1p += bStride;
            var x = Vector512.Create(a0[q]); c00 = Vector512.FusedMultiplyAdd(x, b0, c00); c01 = Vector512.FusedMultiplyAdd(x, b1, c01);
            x = Vector512.Create(a1[q]); c10 = Vector512.FusedMultiplyAdd(x, b0, c10); c11 = Vector512.FusedMultiplyAdd(x, b1, c11);
            x = Vector512.Create(a2[q]); c20 = Vector512.FusedMultiplyAdd(x, b0, c20); c21 = Vector512.FusedMultiplyAdd(x, b1, c21);
            x = Vector512.Create(a3[q]); c30 = Vector512.FusedMultiplyAdd(x, b0, c30); c31 = Vector512.FusedMultiplyAdd(x, b1, c31);
            x = Vector512.Create(a4[q]); c40 = Vector512.FusedMultiplyAdd(x, b0, c40); c41 = Vector512.FusedMultiplyAdd(x, b1, c41);
            x = Vector512.Create(a5[q]); c50 = Vector512.FusedMultiplyAdd(x, b0, c50); c51 = Vector512.FusedMultiplyAdd(x, b1, c51);
        }
        c00.Store(c); c01.Store(c + 16); c += ldc;
        c10.Store(c); c11.Store(c + 16); c += ldc;
        c20.Store(c); c21.Store(c + 16); c += ldc;
        c30.Store(c); c31.Store(c + 16); c += ldc;
        c40.Store(c); c41.Store(c + 16); c += ldc;
        c50.Store(c); c51.Store(c + 16);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Kernel512x1(float* a0, float* a1, float* a2, float* a3, float* a4, float* a5,
        float* bp, int bStride, float* c, int ldc, int k, bool accumulate)
    {
        Vector512<float> c0, c1, c2, c3, c4, c5;
        if (accumulate)
        {
            c0 = Vector512.Load(c); c1 = Vector512.Load(c + ldc); c2 = Vector512.Load(c + 2 * ldc);
            c3 = Vector512.Load(c + 3 * ldc); c4 = Vector512.Load(c + 4 * ldc); c5 = Vector512.Load(c + 5 * ldc);
        }
        else c0 = c1 = c2 = c3 = c4 = c5 = Vector512<float>.Zero;
        for (int q = 0; q < k; q++)
        {
            var b = Vector512.Load(bp);
            bp += bStride;
            c0 = Vector512.FusedMultiplyAdd(Vector512.Create(a0[q]), b, c0);
            c1 = Vector512.FusedMultiplyAdd(Vector512.Create(a1[q]), b, c1);
            c2 = Vector512.FusedMultiplyAdd(Vector512.Create(a2[q]), b, c2);
            c3 = Vector512.FusedMultiplyAdd(Vector512.Create(a3[q]), b, c3);
            c4 = Vector512.FusedMultiplyAdd(Vector512.Create(a4[q]), b, c4);
            c5 = Vector512.FusedMultiplyAdd(Vector512.Create(a5[q]), b, c5);
        }
        c0.Store(c); c1.Store(c + ldc); c2.Store(c + 2 * ldc); c3.Store(c + 3 * ldc); c4.Store(c + 4 * ldc); c5.Store(c + 5 * ldc);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Kernel256(float* a0, float* a1, float* a2, float* a3, float* a4, float* a5,
        float* bp, int bStride, float* c, int ldc, int k, bool accumulate)
    {
        Vector256<float> c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
        if (accumulate)
        {
            c00 = Vector256.Load(c); c01 = Vector256.Load(c + 8);
            c10 = Vector256.Load(c + ldc); c11 = Vector256.Load(c + ldc + 8);
            c20 = Vector256.Load(c + 2 * ldc); c21 = Vector256.Load(c + 2 * ldc + 8);
            c30 = Vector256.Load(c + 3 * ldc); c31 = Vector256.Load(c + 3 * ldc + 8);
            c40 = Vector256.Load(c + 4 * ldc); c41 = Vector256.Load(c + 4 * ldc + 8);
            c50 = Vector256.Load(c + 5 * ldc); c51 = Vector256.Load(c + 5 * ldc + 8);
        }
        else
        {
            c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = Vector256<float>.Zero;
        }
        for (int q = 0; q < k; q++)
        {
            var b0 = Vector256.Load(bp); var b1 = Vector256.Load(bp + 8);
            bp += bStride;
            var x = Vector256.Create(a0[q]); c00 = Vector256.FusedMultiplyAdd(x, b0, c00); c01 = Vector256.FusedMultiplyAdd(x, b1, c01);
            x = Vector256.Create(a1[q]); c10 = Vector256.FusedMultiplyAdd(x, b0, c10); c11 = Vector256.FusedMultiplyAdd(x, b1, c11);
            x = Vector256.Create(a2[q]); c20 = Vector256.FusedMultiplyAdd(x, b0, c20); c21 = Vector256.FusedMultiplyAdd(x, b1, c21);
            x = Vector256.Create(a3[q]); c30 = Vector256.FusedMultiplyAdd(x, b0, c30); c31 = Vector256.FusedMultiplyAdd(x, b1, c31);
            x = Vector256.Create(a4[q]); c40 = Vector256.FusedMultiplyAdd(x, b0, c40); c41 = Vector256.FusedMultiplyAdd(x, b1, c41);
            x = Vector256.Create(a5[q]); c50 = Vector256.FusedMultiplyAdd(x, b0, c50); c51 = Vector256.FusedMultiplyAdd(x, b1, c51);
        }
        c00.Store(c); c01.Store(c + 8); c += ldc;
        c10.Store(c); c11.Store(c + 8); c += ldc;
        c20.Store(c); c21.Store(c + 8); c += ldc;
        c30.Store(c); c31.Store(c + 8); c += ldc;
        c40.Store(c); c41.Store(c + 8); c += ldc;
        c50.Store(c); c51.Store(c + 8);
    }
}
