// Two bilinear resizes and an argmax in one pass: the labels of
//   argmax_c F.interpolate(F.interpolate(x, mid), out)[c]        (bilinear, align_corners=False, both)
// which is what a torchvision segmentation model (whose last node resizes its low-resolution logits to the
// input size) followed by the reference pipeline's resize to the photo's size computes. Neither resized
// tensor is materialised (21 × 520 × 780 floats would be 34 MB), and most output pixels are not computed:
// - A bilinear value is a convex combination of its sources. If every source's first maximum is channel
//   c and beats every other channel by more than the rounding of two interpolations can move, the result's
//   first maximum is c too (each term w·x[c] ≥ w·x[k] stays ordered under rounding; the margin covers
//   the strict "first" order). Such a pixel's label is known without its values.
// - Mid pixels whose four source pixels are known with one label are known; output pixels whose four mid
//   pixels are known with one label are known. Only 8-pixel blocks holding an unknown pixel are computed,
//   with the same operations in the same order as BilinearChw followed by BilinearArgmax, so the labels are
//   exactly theirs (tested), ties included.
// - When the first stage keeps the size (a strong one-stage upsampling such as SegFormer's, routed here by
//   BilinearArgmax) and there are many classes, a computed block evaluates only the classes that can win in its
//   source cells: a class whose largest corner is below the best smallest corner (by more than the margin) is
//   below that class everywhere in the cell.

using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SegKit.Imaging;

public static partial class TensorResize
{
    /// <summary>Stands for "not known without computing" in the per-pixel label maps of the two-stage kernel.</summary>
    private const byte Unknown = 255;

    /// <summary>
    /// The labels (first argmax over channels) of <paramref name="source"/> [channels, inHeight, inWidth] resized
    /// bilinearly to [midHeight, midWidth] and then to [outHeight, outWidth] (PyTorch's F.interpolate,
    /// align_corners=False, both times), into <paramref name="labels"/> [outHeight × outWidth]; optionally the
    /// pixel count of each channel into <paramref name="counts"/> (length ≥ channels, overwritten). Exactly the
    /// labels of <see cref="BilinearChw"/> to the mid size followed by <see cref="BilinearArgmax"/>, without
    /// either resized tensor; only blocks of pixels near a change of label are computed. channels ≤ 255.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void BilinearTwiceArgmax(ReadOnlyMemory<float> source, int channels, int inHeight, int inWidth,
        int midHeight, int midWidth, Memory<byte> labels, int outHeight, int outWidth, Memory<long> counts = default)
    {
        CheckShapes(source.Length, channels, inHeight, inWidth, midHeight, midWidth);
        if (midHeight < 1 || midWidth < 1 || outHeight < 1 || outWidth < 1)
            throw new ArgumentOutOfRangeException(nameof(midHeight),
                $"sizes must be positive: mid {midHeight}×{midWidth}, output {outHeight}×{outWidth}");
        if (channels > 255)
            throw new ArgumentOutOfRangeException(nameof(channels), $"{channels} channels: the two-stage kernel takes at most 255");
        CheckLabelsAndCounts(labels.Length, counts.Length, channels, outHeight, outWidth);

        var xs1 = Axis.Create(inWidth, midWidth);
        var ys1 = Axis.Create(inHeight, midHeight);
        var xs2 = Axis.Create(midWidth, outWidth);
        var ys2 = Axis.Create(midHeight, outHeight);
        var plan1 = new RowPlan(xs1, inWidth, midWidth);
        var plan2 = new RowPlan(xs2, midWidth, outWidth);

        byte[] sourceKnown = SourceWinners(source, channels, inHeight * inWidth, out float tau);
        try
        {
            var stages = new TwoStage(source, channels, inHeight * inWidth, inWidth, xs1, ys1, plan1, sourceKnown, tau, midWidth, xs2, plan2, outWidth);
            try
            {
                RunBands(outHeight, channels, counts, () => TwoStageScratch.Take(channels, midWidth, outWidth), TwoStageScratch.Keep,
                    (y0, y1, bandCounts, scratch) => stages.Band(ys2, y0, y1, labels.Span, bandCounts, scratch));
            }
            finally
            {
                stages.Release();
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(sourceKnown);
        }
    }

    // Per source pixel: its first maximum channel where that beats every other channel by more than the
    // rounding of two interpolations can move (2^-16 of the largest magnitude; rounding moves at most a few
    // 2^-24 of it per interpolation), else Unknown. Non-finite values make every pixel Unknown. Chunks of pixels
    // run in parallel; the result is rented from ArrayPool<byte>.Shared (length ≥ plane), for the caller to return.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static byte[] SourceWinners(ReadOnlyMemory<float> source, int channels, int plane, out float tau)
    {
        float[] best = ArrayPool<float>.Shared.Rent(plane), second = ArrayPool<float>.Shared.Rent(plane);
        int[] index = ArrayPool<int>.Shared.Rent(plane);
        byte[] known = ArrayPool<byte>.Shared.Rent(plane);
        try
        {
            int chunks = plane >= 1 << 15 ? Math.Max(1, Environment.ProcessorCount * 2) : 1;
            var largest = new float[chunks]; // per chunk: the largest magnitude, NaN if a value is NaN
            Parallel.For(0, chunks, k =>
            {
                int from = (int)((long)plane * k / chunks), to = (int)((long)plane * (k + 1) / chunks);
                largest[k] = BestTwo(source.Span, channels, plane, from, to, best, second, index);
            });
            float maxAbs = 0;
            foreach (float m in largest)
                if (!(m <= maxAbs)) maxAbs = m; // NaN propagates
            if (!float.IsFinite(maxAbs))
            {
                known.AsSpan(0, plane).Fill(Unknown);
                tau = float.NaN;
                return known;
            }
            float margin = tau = maxAbs * (1f / 65536f);
            Parallel.For(0, chunks, k =>
            {
                int from = (int)((long)plane * k / chunks), to = (int)((long)plane * (k + 1) / chunks);
                for (int p = from; p < to; p++)
                    known[p] = best[p] - second[p] > margin ? (byte)index[p] : Unknown;
            });
            return known;
        }
        finally
        {
            ArrayPool<float>.Shared.Return(best);
            ArrayPool<float>.Shared.Return(second);
            ArrayPool<int>.Shared.Return(index);
        }
    }

    // Pixels [from, to): the largest and second-largest value over channels and the first channel with the largest.
    // Returns the largest magnitude among those values (NaN when one is NaN).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float BestTwo(ReadOnlySpan<float> src, int channels, int plane, int from, int to, float[] best, float[] second, int[] index)
    {
        best.AsSpan(from, to - from).Fill(float.NegativeInfinity);
        second.AsSpan(from, to - from).Fill(float.NegativeInfinity);
        float maxAbs = 0;
        bool nan = false;
        var vMax = Vector512<float>.Zero;
        var vNan = Vector512<float>.Zero;
        ref float s0 = ref MemoryMarshal.GetReference(src);
        ref float b0 = ref MemoryMarshal.GetArrayDataReference(best);
        ref float t0 = ref MemoryMarshal.GetArrayDataReference(second);
        ref int i0 = ref MemoryMarshal.GetArrayDataReference(index);
        // Tiles of 512 pixels, all channels each, so the running best, second and index stay in L1.
        for (int tile = from; tile < to; tile += 512)
        {
            int tileEnd = Math.Min(to, tile + 512);
            for (int c = 0; c < channels; c++)
            {
                ref float row = ref Unsafe.Add(ref s0, c * plane);
                int x = tile;
                if (Vector512.IsHardwareAccelerated)
                {
                    var vc = Vector512.Create(c);
                    for (; x + 16 <= tileEnd; x += 16)
                    {
                        var v = Vector512.LoadUnsafe(ref row, (nuint)x);
                        vMax = Vector512.Max(vMax, Vector512.Abs(v));
                        vNan |= ~Vector512.Equals(v, v);
                        var b = Vector512.LoadUnsafe(ref b0, (nuint)x);
                        var greater = Vector512.GreaterThan(v, b);
                        Vector512.ConditionalSelect(greater, b, Vector512.Max(Vector512.LoadUnsafe(ref t0, (nuint)x), v)).StoreUnsafe(ref t0, (nuint)x);
                        Vector512.ConditionalSelect(greater, v, b).StoreUnsafe(ref b0, (nuint)x);
                        Vector512.ConditionalSelect(greater.AsInt32(), vc, Vector512.LoadUnsafe(ref i0, (nuint)x)).StoreUnsafe(ref i0, (nuint)x);
                    }
                }
                for (; x < tileEnd; x++)
                {
                    float v = Unsafe.Add(ref row, x);
                    float a = MathF.Abs(v);
                    if (!(a <= maxAbs)) maxAbs = a;
                    nan |= float.IsNaN(v);
                    if (v > best[x])
                    {
                        second[x] = best[x];
                        best[x] = v;
                        index[x] = c;
                    }
                    else if (v > second[x]) second[x] = v;
                }
            }
        }
        for (int i = 0; i < Vector512<float>.Count; i++)
            maxAbs = MathF.Max(maxAbs, vMax[i]);
        return nan || vNan != Vector512<float>.Zero ? float.NaN : maxAbs;
    }

    /// <summary>The shared, read-only part of one two-stage call.</summary>
    private sealed class TwoStage
    {
        private readonly ReadOnlyMemory<float> source;
        private readonly int channels, inPlane, inWidth, midWidth, outWidth;
        private readonly Axis xs1, ys1;
        private readonly RowPlan plan1, plan2;
        private readonly byte[] sourceKnown;
        private readonly byte[] _sourceKnownH; // per source row and mid column: known where both horizontal sources agree
        // The first stage keeps the size (a one-stage resize run through this kernel): mid rows are source rows, read in place.
        private readonly bool identity;
        // Identity only, with many classes: per source cell (the 2×2 pixels from (r, c)), the classes that can win
        // anywhere in it, ascending, CellCapacity at most (_cellCount = Crowded: more, so all are computed).
        private readonly byte[]? _cellCandidates;
        private readonly byte[]? _cellCount;
        private const int CellCapacity = 32, CandidateMinChannels = 16;
        private const byte Crowded = 255;
        // Per output block (8 pixels; the last may be the ragged tail): the first and last mid column it reads.
        private readonly int[] _blockFirst, _blockLast;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public TwoStage(ReadOnlyMemory<float> source, int channels, int inPlane, int inWidth, Axis xs1, Axis ys1, RowPlan plan1,
            byte[] sourceKnown, float tau, int midWidth, Axis xs2, RowPlan plan2, int outWidth)
        {
            this.source = source;
            this.channels = channels;
            this.inPlane = inPlane;
            this.inWidth = inWidth;
            this.xs1 = xs1;
            this.ys1 = ys1;
            this.plan1 = plan1;
            this.sourceKnown = sourceKnown;
            this.midWidth = midWidth;
            this.plan2 = plan2;
            this.outWidth = outWidth;
            identity = ys1.Index0.Length == inPlane / inWidth && midWidth == inWidth;
            _sourceKnownH = identity ? sourceKnown : new byte[(inPlane / inWidth) * midWidth];
            for (int r = 0; !identity && r < inPlane / inWidth; r++)
                for (int x = 0; x < midWidth; x++)
                {
                    int i0 = xs1.Index0[x];
                    byte k = sourceKnown[r * inWidth + i0];
                    _sourceKnownH[r * midWidth + x] = k == sourceKnown[r * inWidth + i0 + xs1.Offset1[x]] ? k : Unknown;
                }
            int total = (outWidth + 7) / 8;
            _blockFirst = new int[total];
            _blockLast = new int[total];
            for (int b = 0; b < total; b++)
            {
                int x0 = b * 8, x1 = Math.Min(x0 + 8, outWidth) - 1;
                _blockFirst[b] = xs2.Index0[x0];
                _blockLast[b] = xs2.Index0[x1] + xs2.Offset1[x1]; // the source columns grow with x
            }
            if (identity && channels >= CandidateMinChannels && float.IsFinite(tau) && PairKernel)
                (_cellCandidates, _cellCount) = CellCandidates(source, channels, inPlane / inWidth, inWidth, tau);
        }

        // A pixel resized from a cell is a convex combination of its four corners, so class k's value there is at
        // most U_k (its largest corner) and the winner's at least L = max_k (smallest corner of k), both up to
        // rounding. A class with U_k < L − tau (tau far above two interpolations' rounding) is below another class
        // everywhere in the cell, so it is never the first maximum: only the rest are evaluated.
        // One source row of cells per iteration, class by class so that each class's two rows are read in order (a
        // class-inner loop strode 64 KB between loads and took 3.7-4.3 ms on SegFormer's 150 × 128 × 128).
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static (byte[] Lists, byte[] Counts) CellCandidates(ReadOnlyMemory<float> source, int channels, int height, int width, float tau)
        {
            // Pooled (a fresh 512 KB array per call costs page faults here); a list is read up to its count only.
            var lists = ArrayPool<byte>.Shared.Rent(height * width * CellCapacity);
            var counts = ArrayPool<byte>.Shared.Rent(height * width);
            counts.AsSpan(0, height * width).Clear();
            Parallel.For(0, height, r =>
            {
                ref float v = ref MemoryMarshal.GetReference(source.Span);
                int plane = height * width, r1 = Math.Min(r + 1, height - 1);
                // Per cell of the row: L, the best smallest corner; per class and cell: the largest corner.
                float[] lower = ArrayPool<float>.Shared.Rent(width), highs = ArrayPool<float>.Shared.Rent(channels * width);
                try
                {
                    ref float lo = ref MemoryMarshal.GetArrayDataReference(lower);
                    ref float hi = ref MemoryMarshal.GetArrayDataReference(highs);
                    lower.AsSpan(0, width).Fill(float.NegativeInfinity);
                    for (int k = 0; k < channels; k++)
                    {
                        ref float top = ref Unsafe.Add(ref v, k * plane + r * width);
                        ref float bottom = ref Unsafe.Add(ref v, k * plane + r1 * width);
                        ref float h = ref Unsafe.Add(ref hi, k * width);
                        int x = 0;
                        for (; x + 17 <= width; x += 16) // the right corners load from x + 1 .. x + 16
                        {
                            var a = Vector512.LoadUnsafe(ref top, (nuint)x);
                            var b = Vector512.LoadUnsafe(ref top, (nuint)x + 1);
                            var e = Vector512.LoadUnsafe(ref bottom, (nuint)x);
                            var f = Vector512.LoadUnsafe(ref bottom, (nuint)x + 1);
                            Vector512.Max(Vector512.LoadUnsafe(ref lo, (nuint)x), Vector512.Min(Vector512.Min(a, b), Vector512.Min(e, f)))
                                .StoreUnsafe(ref lo, (nuint)x);
                            Vector512.Max(Vector512.Max(a, b), Vector512.Max(e, f)).StoreUnsafe(ref h, (nuint)x);
                        }
                        for (; x < width; x++)
                        {
                            int x1 = Math.Min(x + 1, width - 1);
                            float a = Unsafe.Add(ref top, x), b = Unsafe.Add(ref top, x1), e = Unsafe.Add(ref bottom, x), f = Unsafe.Add(ref bottom, x1);
                            float low = MathF.Min(MathF.Min(a, b), MathF.Min(e, f));
                            if (low > Unsafe.Add(ref lo, x)) Unsafe.Add(ref lo, x) = low;
                            Unsafe.Add(ref h, x) = MathF.Max(MathF.Max(a, b), MathF.Max(e, f));
                        }
                    }
                    // The classes whose largest corner reaches L − tau, ascending per cell.
                    for (int k = 0; k < channels; k++)
                    {
                        ref float h = ref Unsafe.Add(ref hi, k * width);
                        int x = 0;
                        for (; x + 16 <= width; x += 16)
                        {
                            var reach = Vector512.GreaterThanOrEqual(Vector512.LoadUnsafe(ref h, (nuint)x),
                                Vector512.LoadUnsafe(ref lo, (nuint)x) - Vector512.Create(tau));
                            for (ulong bits = reach.ExtractMostSignificantBits(); bits != 0; bits &= bits - 1)
                                Add(r * width + x + BitOperations.TrailingZeroCount(bits), k);
                        }
                        for (; x < width; x++)
                            if (Unsafe.Add(ref h, x) >= Unsafe.Add(ref lo, x) - tau) Add(r * width + x, k);
                    }
                }
                finally
                {
                    ArrayPool<float>.Shared.Return(lower);
                    ArrayPool<float>.Shared.Return(highs);
                }
            });
            return (lists, counts);

            void Add(int cell, int k)
            {
                if (counts[cell] == Crowded) return;
                if (counts[cell] == CellCapacity) counts[cell] = Crowded;
                else lists[cell * CellCapacity + counts[cell]++] = (byte)k;
            }
        }

        /// <summary>Returns the pooled candidate lists; the instance is not used afterwards.</summary>
        public void Release()
        {
            if (_cellCandidates is not null) ArrayPool<byte>.Shared.Return(_cellCandidates);
            if (_cellCount is not null) ArrayPool<byte>.Shared.Return(_cellCount);
        }

        // The classes that can win in output block b of a row resized from source row r (its cells' candidates,
        // as a 256-bit set); false when a cell has too many. Only blocks with an 8-value window ask (their first
        // source column is at most inWidth − 8), so when the width is upsampled the last six cells are never read.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private bool BlockCandidates(int r, int b, Span<ulong> set)
        {
            set.Clear();
            int last = Math.Min(_blockLast[b], inWidth - 1);
            for (int c = _blockFirst[b]; c <= last; c++)
            {
                int cell = r * inWidth + c, n = _cellCount![cell];
                if (n == Crowded) return false;
                for (int i = 0; i < n; i++)
                {
                    int k = _cellCandidates![cell * CellCapacity + i];
                    set[k >> 6] |= 1UL << (k & 63);
                }
            }
            return true;
        }

        // Labels of whole block b (an 8-value window, see RowPlan.TryNarrow) on one or two output rows blending
        // source rows r0 and r1, from the candidate classes only, with the floats of InterpolateBlocks and BestRange
        // and their first-maximum rule (candidates ascend like channels).
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void LabelBlockByCandidates(ReadOnlySpan<ulong> set, int r0, int r1, float h0a, float h1a, float h0b, float h1b, bool two,
            int b, NarrowWindow window, Span<byte> rowA, Span<byte> rowB)
        {
            ref float top = ref Unsafe.Add(ref MemoryMarshal.GetReference(source.Span), r0 * inWidth + window.Start);
            ref float bottom = ref Unsafe.Add(ref MemoryMarshal.GetReference(source.Span), r1 * inWidth + window.Start);
            var (left, right, w0, w1) = (window.Left, window.Right, window.W0, window.W1);
            var wa0 = Vector256.Create(h0a);
            var wa1 = Vector256.Create(h1a);
            var wb0 = Vector256.Create(h0b);
            var wb1 = Vector256.Create(h1b);
            var bestA = Vector256.Create(float.NegativeInfinity);
            var bestB = bestA;
            var indexA = Vector256<int>.Zero;
            var indexB = indexA;
            for (int word = 0; word < set.Length; word++)
                for (ulong bits = set[word]; bits != 0; bits &= bits - 1)
                {
                    int k = word * 64 + BitOperations.TrailingZeroCount(bits);
                    var vt = Vector256.LoadUnsafe(ref top, (nuint)(k * inPlane));
                    var vu = Vector256.LoadUnsafe(ref bottom, (nuint)(k * inPlane));
                    var t = w0 * Avx2.PermuteVar8x32(vt, left) + w1 * Avx2.PermuteVar8x32(vt, right);
                    var u = w0 * Avx2.PermuteVar8x32(vu, left) + w1 * Avx2.PermuteVar8x32(vu, right);
                    var vk = Vector256.Create(k);
                    var va = wa0 * t + wa1 * u;
                    indexA = Vector256.ConditionalSelect(Vector256.GreaterThan(va, bestA).AsInt32(), vk, indexA);
                    bestA = Avx.Max(va, bestA);
                    if (two)
                    {
                        var vb = wb0 * t + wb1 * u;
                        indexB = Vector256.ConditionalSelect(Vector256.GreaterThan(vb, bestB).AsInt32(), vk, indexB);
                        bestB = Avx.Max(vb, bestB);
                    }
                }
            MemoryMarshal.Write(rowA.Slice(b * 8, 8), Avx512F.VL.ConvertToVector128Byte(indexA).AsUInt64().ToScalar());
            if (two) MemoryMarshal.Write(rowB.Slice(b * 8, 8), Avx512F.VL.ConvertToVector128Byte(indexB).AsUInt64().ToScalar());
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Band(Axis ys2, int y0, int y1, Span<byte> labels, long[]? counts, TwoStageScratch s)
        {
            s.Reset();
            Span<long> hist = stackalloc long[counts is null ? 0 : 4 * 256];
            Span<ulong> set = stackalloc ulong[4]; // candidate classes of a block
            for (int y = y0; y < y1;)
            {
                int m0 = ys2.Index0[y], m1 = m0 + ys2.Offset1[y];
                // Rows y and y + 1 share their mid rows (so their known blocks too) in most of an upsampling:
                // they are done together, each value read once for both.
                int rows = PairKernel && y + 1 < y1 && ys2.Index0[y + 1] == m0 && ys2.Offset1[y + 1] == ys2.Offset1[y] ? 2 : 1;
                int top = s.MidSlot(m0, keep: m1, this), bottom = s.MidSlot(m1, keep: m0, this);
                var rowA = labels.Slice(y * outWidth, outWidth);
                var rowB = rows == 2 ? labels.Slice((y + 1) * outWidth, outWidth) : default;
                // Blocks 0 .. blocks-1 hold 8 pixels each; block `blocks` is the ragged tail when there is one.
                int total = _blockFirst.Length;
                for (int b = 0; b < total;)
                {
                    int label = KnownLabel(s, top, bottom, b);
                    if (label >= 0)
                    {
                        // A run of known blocks with one label: filled, and counted, at once.
                        int e = b + 1;
                        while (e < total && KnownLabel(s, top, bottom, e) == label) e++;
                        int x = b * 8, end = Math.Min(e * 8, outWidth);
                        rowA[x..end].Fill((byte)label);
                        if (rows == 2) rowB[x..end].Fill((byte)label);
                        if (counts is not null) hist[label] += (long)(end - x) * rows;
                        b = e;
                        continue;
                    }
                    // A run of blocks to compute: their horizontally resized mid values, then the argmax.
                    int f = b + 1;
                    while (f < total && KnownLabel(s, top, bottom, f) < 0) f++;
                    int x0 = b * 8, x1 = Math.Min(f * 8, outWidth);
                    if (_cellCandidates is null) ComputeRun(s, top, bottom, ys2, y, rows, b, f, rowA, rowB);
                    else
                    {
                        // Whole blocks from their cells' candidate classes; the rest (crowded cells, other
                        // windows, the tail) in sub-runs from every class.
                        for (int bb = b; bb < f;)
                        {
                            // The next block with a window and few enough candidates (its set is then in `set`);
                            // those before it from every class.
                            int g = bb;
                            NarrowWindow window = default;
                            while (g < f && !(plan2.TryNarrow(g, out window) && BlockCandidates(m0, g, set))) g++;
                            if (g > bb) ComputeRun(s, top, bottom, ys2, y, rows, bb, g, rowA, rowB);
                            if (g < f)
                                LabelBlockByCandidates(set, m0, m1, ys2.Weight0[y], ys2.Weight1[y],
                                    rows == 2 ? ys2.Weight0[y + 1] : 0f, rows == 2 ? ys2.Weight1[y + 1] : 0f, rows == 2, g, window, rowA, rowB);
                            bb = g + 1;
                        }
                    }
                    if (counts is not null)
                    {
                        CountLabels(rowA[x0..x1], hist, channels);
                        if (rows == 2) CountLabels(rowB[x0..x1], hist, channels);
                    }
                    b = f;
                }
                y += rows;
            }
            if (counts is not null) TotalCounts(hist, counts);
        }

        // Blocks [b, f) of output row y (and y + 1 when rows is 2) from every class: the mid rows' horizontally
        // resized values, then the argmax (no counting).
        private void ComputeRun(TwoStageScratch s, int top, int bottom, Axis ys2, int y, int rows, int b, int f, Span<byte> rowA, Span<byte> rowB)
        {
            s.EnsureBlocks(top, b, f, this);
            s.EnsureBlocks(bottom, b, f, this);
            int x0 = b * 8, x1 = Math.Min(f * 8, outWidth);
            if (rows == 2)
                LabelRowPair(s.MidH[top], s.MidH[bottom], ys2.Weight0[y], ys2.Weight1[y], ys2.Weight0[y + 1], ys2.Weight1[y + 1],
                    channels, x0, x1, rowA[x0..x1], rowB[x0..x1], s.Best, s.Index);
            else
            {
                BestRange(s.MidH[top], s.MidH[bottom], ys2.Weight0[y], ys2.Weight1[y], channels, x0, x1, s.Best, s.Index);
                NarrowIndices(s.Index.AsSpan(x0, x1 - x0), rowA[x0..x1]);
            }
        }

        // The label of output block b when every mid pixel it reads, in both mid rows, is known with one label; else −1.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private int KnownLabel(TwoStageScratch s, int top, int bottom, int b)
        {
            int first = _blockFirst[b], last = _blockLast[b];
            byte k = s.MidKnown[top][first];
            return k != Unknown && s.RunEnd[top][first] >= last && s.MidKnown[bottom][first] == k && s.RunEnd[bottom][first] >= last ? k : -1;
        }

        // Mid row m's known labels (known where its four source pixels are known and equal) and, per column,
        // the last column of the run of equal labels that starts there.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void FillMidKnown(int m, byte[] known, int[] runEnd)
        {
            var top = _sourceKnownH.AsSpan(ys1.Index0[m] * midWidth, midWidth);
            var bottom = identity ? top : _sourceKnownH.AsSpan((ys1.Index0[m] + ys1.Offset1[m]) * midWidth, midWidth);
            int x = 0;
            if (Vector256.IsHardwareAccelerated)
            {
                var unknown = Vector256.Create(Unknown);
                for (; x + 32 <= midWidth; x += 32)
                {
                    var a = Vector256.Create<byte>(top.Slice(x, 32));
                    Vector256.ConditionalSelect(Vector256.Equals(a, Vector256.Create<byte>(bottom.Slice(x, 32))), a, unknown)
                        .CopyTo(known.AsSpan(x, 32));
                }
            }
            for (; x < midWidth; x++)
                known[x] = top[x] == bottom[x] ? top[x] : Unknown;
            runEnd[midWidth - 1] = midWidth - 1;
            for (x = midWidth - 2; x >= 0; x--)
                runEnd[x] = known[x] == known[x + 1] ? runEnd[x + 1] : x;
        }

        // Columns [from, to) of mid row m, all channels ([c][x], stride midWidth): the vertical blend of two
        // horizontally resized source rows.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void ComputeMidColumns(int m, float[] mid, int from, int to, TwoStageScratch s)
        {
            int r0 = ys1.Index0[m], r1 = r0 + ys1.Offset1[m];
            float[] top = s.SourceRow(r0, keep: r1, this), bottom = s.SourceRow(r1, keep: r0, this);
            float h0 = ys1.Weight0[m], h1 = ys1.Weight1[m];
            ref float t = ref MemoryMarshal.GetArrayDataReference(top);
            ref float u = ref MemoryMarshal.GetArrayDataReference(bottom);
            ref float d = ref MemoryMarshal.GetArrayDataReference(mid);
            for (int c = 0; c < channels; c++)
            {
                int i = c * midWidth + from, end = c * midWidth + to;
                if (Vector512.IsHardwareAccelerated)
                {
                    var vh0 = Vector512.Create(h0);
                    var vh1 = Vector512.Create(h1);
                    for (; i + 16 <= end; i += 16)
                        (vh0 * Vector512.LoadUnsafe(ref t, (nuint)i) + vh1 * Vector512.LoadUnsafe(ref u, (nuint)i)).StoreUnsafe(ref d, (nuint)i);
                }
                if (Vector256.IsHardwareAccelerated)
                {
                    var vh0 = Vector256.Create(h0);
                    var vh1 = Vector256.Create(h1);
                    for (; i + 8 <= end; i += 8)
                        (vh0 * Vector256.LoadUnsafe(ref t, (nuint)i) + vh1 * Vector256.LoadUnsafe(ref u, (nuint)i)).StoreUnsafe(ref d, (nuint)i);
                }
                for (; i < end; i++) mid[i] = h0 * top[i] + h1 * bottom[i];
            }
        }

        /// <summary>The mid columns that output blocks [b0, b1) read: their sources and the windows the 8-wide resize loads.</summary>
        public (int From, int To) MidColumns(int b0, int b1) =>
            (_blockFirst[b0], Math.Min(midWidth, Math.Max(_blockLast[b1 - 1] + 1, _blockFirst[b1 - 1] + 16)));

        /// <summary>Columns per flag of a mid row's "computed" map.</summary>
        public const int ChunkColumns = 32;

        public int MidWidth => midWidth;

        public void ResizeSourceRow(int r, float[] dst) => plan1.Interpolate(source.Span, channels, inPlane, r * inWidth, dst, midWidth);

        public void ResizeMidBlocks(float[] mid, int b0, int b1, float[] dst) =>
            plan2.InterpolateBlocks(mid, channels, midWidth, 0, dst, outWidth, b0, b1);

        /// <summary>True when mid rows are the source's own rows (the first stage keeps the size).</summary>
        public bool Identity => identity;

        /// <summary>Blocks [b0, b1) of mid row m resized to the output width, read straight from the source (<see cref="Identity"/>).</summary>
        public void ResizeSourceBlocks(int m, int b0, int b1, float[] dst) =>
            plan2.InterpolateBlocks(source.Span, channels, inPlane, m * inWidth, dst, outWidth, b0, b1);
    }

    /// <summary>Per worker: two mid rows (values computed on first use, horizontally resized block by block)
    /// and the two source rows they were blended from.</summary>
    private sealed class TwoStageScratch
    {
        public readonly float[][] MidH;      // mid row resized to the output width, [c][x], stride outWidth
        public readonly byte[][] MidKnown;   // the mid row's known labels per mid column
        public readonly int[][] RunEnd;      // per mid column: the last column of its run of equal known labels
        private readonly float[][] _mid;     // the mid row itself, [c][x], stride midWidth
        private readonly bool[][] _midChunkReady;
        private readonly bool[][] _blockReady;
        private readonly int[] _midRow = [-1, -1];
        private readonly float[][] _sourceH; // source rows resized to the mid width
        private readonly int[] _sourceRow = [-1, -1];
        public readonly float[] Best;
        public readonly int[] Index;

        // One per worker thread, kept for the next call of the same shape (a photo folder): 0.5 MB of fresh arrays
        // per worker and call otherwise, which cost page faults here.
        [ThreadStatic] private static TwoStageScratch? t_kept;
        private readonly (int, int, int) _shape;

        public static TwoStageScratch Take(int channels, int midWidth, int outWidth)
        {
            var kept = t_kept;
            t_kept = null;
            return kept is not null && kept._shape == (channels, midWidth, outWidth) ? kept : new TwoStageScratch(channels, midWidth, outWidth);
        }

        public static void Keep(TwoStageScratch scratch) => t_kept = scratch;

        private TwoStageScratch(int channels, int midWidth, int outWidth)
        {
            _shape = (channels, midWidth, outWidth);
            MidH = [new float[channels * outWidth], new float[channels * outWidth]];
            MidKnown = [new byte[midWidth], new byte[midWidth]];
            RunEnd = [new int[midWidth], new int[midWidth]];
            _mid = [new float[channels * midWidth], new float[channels * midWidth]];
            int blocks = outWidth / 8 + 1;
            _blockReady = [new bool[blocks], new bool[blocks]];
            int chunks = (midWidth + TwoStage.ChunkColumns - 1) / TwoStage.ChunkColumns;
            _midChunkReady = [new bool[chunks], new bool[chunks]];
            _sourceH = [new float[channels * midWidth], new float[channels * midWidth]];
            Best = new float[outWidth];
            Index = new int[outWidth];
        }

        public void Reset()
        {
            _midRow[0] = _midRow[1] = -1;
            _sourceRow[0] = _sourceRow[1] = -1;
        }

        // The slot holding mid row m (its known labels filled; values on demand); never evicts row `keep`.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public int MidSlot(int m, int keep, TwoStage stages)
        {
            if (_midRow[0] == m) return 0;
            if (_midRow[1] == m) return 1;
            int slot = _midRow[0] == keep ? 1 : 0;
            _midRow[slot] = m;
            Array.Clear(_midChunkReady[slot]);
            Array.Clear(_blockReady[slot]);
            stages.FillMidKnown(m, MidKnown[slot], RunEnd[slot]);
            return slot;
        }

        // MidH[slot] holds blocks [b0, b1) once this returns (each block resized once per mid row).
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void EnsureBlocks(int slot, int b0, int b1, TwoStage stages)
        {
            bool[] ready = _blockReady[slot];
            for (int b = b0; NextToDo(ready, ref b, b1, out int e); b = e)
            {
                if (stages.Identity)
                {
                    stages.ResizeSourceBlocks(_midRow[slot], b, e, MidH[slot]);
                    continue;
                }
                EnsureMidColumns(slot, stages.MidColumns(b, e), stages);
                stages.ResizeMidBlocks(_mid[slot], b, e, MidH[slot]);
            }
        }

        // The mid row in `slot` holds columns [from, to) (computed in chunks, each once per row).
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void EnsureMidColumns(int slot, (int From, int To) columns, TwoStage stages)
        {
            bool[] ready = _midChunkReady[slot];
            int c1 = (columns.To + TwoStage.ChunkColumns - 1) / TwoStage.ChunkColumns;
            for (int c = columns.From / TwoStage.ChunkColumns; NextToDo(ready, ref c, c1, out int e); c = e)
                stages.ComputeMidColumns(_midRow[slot], _mid[slot], c * TwoStage.ChunkColumns,
                    Math.Min(stages.MidWidth, e * TwoStage.ChunkColumns), this);
        }

        // The next run [from, end) of entries of done[.. to) not yet done, searching from `from`, marked done now
        // (the caller does them); false when there is none.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static bool NextToDo(bool[] done, ref int from, int to, out int end)
        {
            while (from < to && done[from]) from++;
            end = from;
            while (end < to && !done[end]) end++;
            done.AsSpan(from, end - from).Fill(true);
            return from < to;
        }

        public float[] SourceRow(int r, int keep, TwoStage stages)
        {
            if (_sourceRow[0] == r) return _sourceH[0];
            if (_sourceRow[1] == r) return _sourceH[1];
            int slot = _sourceRow[0] == keep ? 1 : 0;
            stages.ResizeSourceRow(r, _sourceH[slot]);
            _sourceRow[slot] = r;
            return _sourceH[slot];
        }
    }
}
