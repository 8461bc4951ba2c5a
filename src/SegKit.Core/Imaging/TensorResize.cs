// Bilinear resampling of planar float tensors as PyTorch's F.interpolate(mode="bilinear",
// align_corners=False) computes it: source coordinate (dst + 0.5) · in/out − 0.5, clamped at 0; the
// right/bottom neighbour clamped to the last row/column. Used to bring model logits (semantic
// segmentation, SegFormer's 1/4-size output, SAM's low-res masks) back to image size; the fused
// argmax variant never materialises the C × H × W upsampled tensor.

using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SegKit.Imaging;

/// <summary>Bilinear resampling of planar float tensors [C, H, W] with PyTorch semantics (align_corners = false).</summary>
public static partial class TensorResize
{
    /// <summary>
    /// Resizes <paramref name="source"/> [channels, inHeight, inWidth] into <paramref name="destination"/>
    /// [channels, outHeight, outWidth] as <c>F.interpolate(x, size=(outHeight, outWidth), mode="bilinear", align_corners=False)</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void BilinearChw(ReadOnlySpan<float> source, int channels, int inHeight, int inWidth,
        Span<float> destination, int outHeight, int outWidth)
    {
        CheckShapes(source.Length, channels, inHeight, inWidth, outHeight, outWidth);
        if (destination.Length != (long)channels * outHeight * outWidth)
            throw new ArgumentException($"destination has {destination.Length} floats; {channels}×{outHeight}×{outWidth} expected", nameof(destination));
        var xs = Axis.Create(inWidth, outWidth);
        var ys = Axis.Create(inHeight, outHeight);
        int inPlane = inHeight * inWidth, outPlane = outHeight * outWidth;
        for (int c = 0; c < channels; c++)
        {
            var src = source.Slice(c * inPlane, inPlane);
            var dst = destination.Slice(c * outPlane, outPlane);
            for (int y = 0; y < outHeight; y++)
                InterpolateRow(src, inWidth, ys, y, xs, dst.Slice(y * outWidth, outWidth));
        }
    }

    /// <summary>
    /// For every output pixel, the channel with the largest bilinearly resized value (first one on ties,
    /// as torch.argmax), written to <paramref name="labels"/> [outHeight × outWidth]; optionally the
    /// largest softmax probability over channels into <paramref name="confidence"/> (same size, or empty)
    /// and the number of pixels of each channel into <paramref name="counts"/> (length ≥ channels, or
    /// empty; overwritten). The same floats as resizing with <see cref="BilinearChw"/> and then taking
    /// argmax / max-softmax, without allocating the resized tensor. Runs bands of rows in parallel.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void BilinearArgmax(ReadOnlyMemory<float> source, int channels, int inHeight, int inWidth,
        Memory<byte> labels, int outHeight, int outWidth, Memory<float> confidence = default, Memory<long> counts = default)
    {
        CheckShapes(source.Length, channels, inHeight, inWidth, outHeight, outWidth);
        if (channels > 256)
            throw new ArgumentOutOfRangeException(nameof(channels), $"{channels} channels do not fit byte labels (≤ 256)");
        CheckLabelsAndCounts(labels.Length, counts.Length, channels, outHeight, outWidth);
        bool wantConfidence = !confidence.IsEmpty;
        if (wantConfidence && confidence.Length != labels.Length)
            throw new ArgumentException($"confidence has {confidence.Length} floats; {outHeight}×{outWidth} expected", nameof(confidence));

        if (!wantConfidence && channels <= 255 && (long)outHeight * outWidth >= 16L * inHeight * inWidth)
        {
            // The two-stage kernel with a first stage that keeps the size: the same floats, and it skips the
            // blocks whose source neighbourhoods share a winner (most of an upsampling of a trained model's logits).
            // Only for strong upsamplings (SegFormer's 1/4-size logits to a photo: 130×): finding the source
            // winners reads the whole source once more, which at 5× (a 520×780 map to 1200×1800, 34 MB) costs
            // 3–4 ms: 11.8 against 7.1 ms on salt-and-pepper logits, 3.3 against 6.8 ms on region-like ones.
            BilinearTwiceArgmax(source, channels, inHeight, inWidth, inHeight, inWidth, labels, outHeight, outWidth, counts);
            return;
        }
        var xs = Axis.Create(inWidth, outWidth);
        var ys = Axis.Create(inHeight, outHeight);
        var plan = new RowPlan(xs, inWidth, outWidth);
        RunBands(outHeight, channels, counts, () => new ArgmaxScratch(channels, outWidth), _ => { }, (y0, y1, bandCounts, scratch) =>
            ArgmaxBand(source.Span, channels, inHeight * inWidth, inWidth, ys, plan, y0, y1, labels.Span, outWidth,
                wantConfidence ? confidence.Span : default, bandCounts, scratch));
    }

    /// <summary>
    /// One-logit segmentation: labels 1 where <paramref name="source"/> [inHeight, inWidth], resized bilinearly to
    /// [outHeight, outWidth] as <see cref="BilinearChw"/> does (the same floats), is &gt; 0 (sigmoid &gt; 0.5), else 0;
    /// optionally the probability of the chosen label, max(σ(v), 1 − σ(v)), into <paramref name="confidence"/> (same
    /// size, or empty) and the two label counts into <paramref name="counts"/> (length ≥ 2, or empty; overwritten).
    /// Rows run in bands in parallel; the resized map is never materialised.
    /// </summary>
    public static void BilinearBinary(ReadOnlyMemory<float> source, int inHeight, int inWidth, Memory<byte> labels, int outHeight, int outWidth,
        Memory<float> confidence = default, Memory<long> counts = default)
    {
        CheckShapes(source.Length, 1, inHeight, inWidth, outHeight, outWidth);
        CheckLabelsAndCounts(labels.Length, counts.Length, 2, outHeight, outWidth);
        bool wantConfidence = !confidence.IsEmpty;
        if (wantConfidence && confidence.Length != labels.Length)
            throw new ArgumentException($"confidence has {confidence.Length} floats; {outHeight}×{outWidth} expected", nameof(confidence));
        var xs = Axis.Create(inWidth, outWidth);
        var ys = Axis.Create(inHeight, outHeight);
        RunBands(outHeight, 2, counts, () => new float[outWidth], _ => { },
            [MethodImpl(MethodImplOptions.AggressiveOptimization)] (y0, y1, bandCounts, row) =>
            {
                var src = source.Span;
                var outLabels = labels.Span;
                var outConfidence = confidence.Span;
                long foreground = 0;
                for (int y = y0; y < y1; y++)
                {
                    InterpolateRow(src, inWidth, ys, y, xs, row);
                    int at = y * outWidth;
                    for (int x = 0; x < outWidth; x++)
                    {
                        byte label = row[x] > 0 ? (byte)1 : (byte)0;
                        outLabels[at + x] = label;
                        foreground += label;
                        if (wantConfidence)
                        {
                            float p = 1f / (1f + MathF.Exp(-row[x]));
                            outConfidence[at + x] = MathF.Max(p, 1f - p);
                        }
                    }
                }
                if (bandCounts is not null)
                {
                    bandCounts[1] = foreground;
                    bandCounts[0] = (long)(y1 - y0) * outWidth - foreground;
                }
            });
    }

    // Output rows [0, outHeight) in bands run in parallel, each worker with its scratch (from take, handed to keep
    // when the worker is done). With counts, each band counts into its own array (length channels) and the totals
    // are written to counts.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RunBands<TScratch>(int outHeight, int channels, Memory<long> counts, Func<TScratch> take, Action<TScratch> keep,
        Action<int, int, long[]?, TScratch> band)
    {
        int bands = Math.Min(outHeight, Math.Max(1, Environment.ProcessorCount * 4));
        int rowsPerBand = (outHeight + bands - 1) / bands;
        bands = (outHeight + rowsPerBand - 1) / rowsPerBand;
        var perBandCounts = counts.IsEmpty ? null : new long[bands][];
        Parallel.For(0, bands, take, (b, _, scratch) =>
        {
            int y0 = b * rowsPerBand, y1 = Math.Min(outHeight, y0 + rowsPerBand);
            long[]? bandCounts = perBandCounts is null ? null : perBandCounts[b] = new long[channels];
            band(y0, y1, bandCounts, scratch);
            return scratch;
        }, keep);
        if (perBandCounts is not null)
        {
            var total = counts.Span;
            total.Clear();
            foreach (var bc in perBandCounts)
                for (int c = 0; c < channels; c++) total[c] += bc[c];
        }
    }

    // Adds a row's labels (each < classes) to a 4 × 256 histogram; TotalCounts folds it. Up to 32 classes with
    // AVX-512, 64 labels at a time: per class one compare and one population count, which for 21 classes is a
    // quarter of the table's work. Otherwise four interleaved counters, so consecutive pixels do not wait on one
    // another's increments.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CountLabels(ReadOnlySpan<byte> row, Span<long> hist, int classes)
    {
        int x = 0;
        if (Vector512.IsHardwareAccelerated && Avx512BW.IsSupported && classes <= 32 && row.Length >= 64)
        {
            int whole = row.Length & ~63;
            ref byte r = ref MemoryMarshal.GetReference(row);
            for (int c = 0; c < classes; c++)
            {
                var label = Vector512.Create((byte)c);
                long n = 0;
                for (int i = 0; i < whole; i += 64)
                    n += BitOperations.PopCount(Vector512.Equals(Vector512.LoadUnsafe(ref r, (nuint)i), label).ExtractMostSignificantBits());
                hist[c] += n;
            }
            x = whole;
        }
        for (; x + 4 <= row.Length; x += 4)
        {
            hist[row[x]]++;
            hist[256 + row[x + 1]]++;
            hist[512 + row[x + 2]]++;
            hist[768 + row[x + 3]]++;
        }
        for (; x < row.Length; x++) hist[row[x]]++;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TotalCounts(ReadOnlySpan<long> hist, long[] counts)
    {
        for (int c = 0; c < counts.Length; c++)
            counts[c] = hist[c] + hist[256 + c] + hist[512 + c] + hist[768 + c];
    }

    // Output rows y0..y1 of the fused upsample + argmax. PyTorch's value is h0·(w0·a0 + w1·a1) + h1·(w0·b0 + w1·b1):
    // the inner horizontal terms depend only on the source row, so each source row is interpolated
    // horizontally once (all channels, into Rows[slot]) and reused by every output row between it and
    // the next; the vertical blend, the running maximum and the softmax sum then run 8 pixels at a time.
    // The operations and their order are PyTorch's, so the floats (and ties) are exactly theirs.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ArgmaxBand(ReadOnlySpan<float> src, int channels, int inPlane, int inWidth, Axis ys, RowPlan plan,
        int y0, int y1, Span<byte> labels, int outWidth, Span<float> confidence, long[]? counts, ArgmaxScratch s)
    {
        s.CachedRow[0] = s.CachedRow[1] = -1;
        Span<long> hist = stackalloc long[counts is null ? 0 : 4 * 256];
        for (int y = y0; y < y1;)
        {
            int r0 = ys.Index0[y], r1 = r0 + ys.Offset1[y];
            float[] top = s.Horizontal(src, channels, inPlane, inWidth, r0, plan, keep: r1);
            float[] bottom = s.Horizontal(src, channels, inPlane, inWidth, r1, plan, keep: r0);
            float h0 = ys.Weight0[y], h1 = ys.Weight1[y];
            var outRow = labels.Slice(y * outWidth, outWidth);
            if (PairKernel && confidence.IsEmpty && y + 1 < y1 && ys.Index0[y + 1] == r0 && ys.Offset1[y + 1] == ys.Offset1[y])
            {
                // The next row blends the same two source rows: both at once (see LabelRowPair).
                var nextRow = labels.Slice((y + 1) * outWidth, outWidth);
                LabelRowPair(top, bottom, h0, h1, ys.Weight0[y + 1], ys.Weight1[y + 1], channels, 0, outWidth, outRow, nextRow, s.Best, s.Index);
                if (counts is not null)
                {
                    CountLabels(outRow, hist, channels);
                    CountLabels(nextRow, hist, channels);
                }
                y += 2;
                continue;
            }
            BestRange(top, bottom, h0, h1, channels, 0, outWidth, s.Best, s.Index);
            NarrowIndices(s.Index, outRow);
            if (counts is not null) CountLabels(outRow, hist, channels);
            if (!confidence.IsEmpty)
                SoftmaxMax(top, bottom, h0, h1, channels, outWidth, s.Best, s.Value, confidence.Slice(y * outWidth, outWidth));
            y++;
        }
        if (counts is not null) TotalCounts(hist, counts);
    }

    // best[x], index[x] = max / first argmax over channels of h0·top[c][x] + h1·bottom[c][x], for x in [from, width).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BestRange(float[] top, float[] bottom, float h0, float h1, int channels, int from, int width, float[] best, int[] index)
    {
        int stride = top.Length / channels;
        int x = from;
        ref float t0 = ref MemoryMarshal.GetArrayDataReference(top);
        ref float b0 = ref MemoryMarshal.GetArrayDataReference(bottom);
        if (Vector512.IsHardwareAccelerated && Avx512F.IsSupported && width - x >= 16)
        {
            // 16 pixels per vector, two vectors per step (two independent chains of maxima); lane by lane the
            // same float operations as the 8-wide and scalar paths. MAXPS(v, b) is v > b ? v : b exactly
            // (NaN and ±0 included), so the running maximum is the compare-and-select of the scalar loop.
            var vh0 = Vector512.Create(h0);
            var vh1 = Vector512.Create(h1);
            for (; x + 32 <= width; x += 32)
            {
                var bA = Vector512.Create(float.NegativeInfinity);
                var bB = bA;
                var iA = Vector512<int>.Zero;
                var iB = iA;
                for (int c = 0; c < channels; c++)
                {
                    nuint at = (nuint)(c * stride + x);
                    var vA = vh0 * Vector512.LoadUnsafe(ref t0, at) + vh1 * Vector512.LoadUnsafe(ref b0, at);
                    var vB = vh0 * Vector512.LoadUnsafe(ref t0, at + 16) + vh1 * Vector512.LoadUnsafe(ref b0, at + 16);
                    var vc = Vector512.Create(c);
                    iA = Vector512.ConditionalSelect(Vector512.GreaterThan(vA, bA).AsInt32(), vc, iA);
                    iB = Vector512.ConditionalSelect(Vector512.GreaterThan(vB, bB).AsInt32(), vc, iB);
                    bA = Avx512F.Max(vA, bA);
                    bB = Avx512F.Max(vB, bB);
                }
                bA.StoreUnsafe(ref best[x]);
                bB.StoreUnsafe(ref best[x + 16]);
                iA.StoreUnsafe(ref index[x]);
                iB.StoreUnsafe(ref index[x + 16]);
            }
            for (; x + 16 <= width; x += 16)
            {
                var b = Vector512.Create(float.NegativeInfinity);
                var idx = Vector512<int>.Zero;
                for (int c = 0; c < channels; c++)
                {
                    nuint at = (nuint)(c * stride + x);
                    var v = vh0 * Vector512.LoadUnsafe(ref t0, at) + vh1 * Vector512.LoadUnsafe(ref b0, at);
                    idx = Vector512.ConditionalSelect(Vector512.GreaterThan(v, b).AsInt32(), Vector512.Create(c), idx);
                    b = Avx512F.Max(v, b);
                }
                b.StoreUnsafe(ref best[x]);
                idx.StoreUnsafe(ref index[x]);
            }
        }
        if (Vector256.IsHardwareAccelerated)
        {
            var vh0 = Vector256.Create(h0);
            var vh1 = Vector256.Create(h1);
            for (; x + 8 <= width; x += 8)
            {
                var b = Vector256.Create(float.NegativeInfinity);
                var idx = Vector256<int>.Zero;
                for (int c = 0; c < channels; c++)
                {
                    nuint at = (nuint)(c * stride + x);
                    var v = vh0 * Vector256.LoadUnsafe(ref t0, at) + vh1 * Vector256.LoadUnsafe(ref b0, at);
                    var greater = Vector256.GreaterThan(v, b);
                    b = Vector256.ConditionalSelect(greater, v, b);
                    idx = Vector256.ConditionalSelect(greater.AsInt32(), Vector256.Create(c), idx);
                }
                b.StoreUnsafe(ref best[x]);
                idx.StoreUnsafe(ref index[x]);
            }
        }
        for (; x < width; x++)
        {
            float b = float.NegativeInfinity;
            int bi = 0;
            for (int c = 0; c < channels; c++)
            {
                float v = h0 * top[c * stride + x] + h1 * bottom[c * stride + x];
                if (v > b)
                {
                    b = v;
                    bi = c;
                }
            }
            best[x] = b;
            index[x] = bi;
        }
    }

    /// <summary>Whether <see cref="LabelRowPair"/> runs here (else rows go one at a time through BestRange).</summary>
    private static bool PairKernel => Vector512.IsHardwareAccelerated && Avx512F.IsSupported;

    // Labels at columns [from, to) of two output rows that blend the same two horizontally resized rows with
    // their own vertical weights (an upsampling makes runs of such rows): each value is loaded once for both,
    // which halves the reads from L2 that bound the one-row loop. Per lane the floats of BestRange, so the
    // labels are exactly its first maxima; the narrowing to bytes happens in registers. AVX-512 only.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void LabelRowPair(float[] top, float[] bottom, float h0a, float h1a, float h0b, float h1b, int channels,
        int from, int to, Span<byte> rowA, Span<byte> rowB, float[] best, int[] index)
    {
        int stride = top.Length / channels;
        int x = from;
        ref float t0 = ref MemoryMarshal.GetArrayDataReference(top);
        ref float b0 = ref MemoryMarshal.GetArrayDataReference(bottom);
        ref byte outA = ref MemoryMarshal.GetReference(rowA);
        ref byte outB = ref MemoryMarshal.GetReference(rowB);
        var wa0 = Vector512.Create(h0a);
        var wa1 = Vector512.Create(h1a);
        var wb0 = Vector512.Create(h0b);
        var wb1 = Vector512.Create(h1b);
        for (; x + 32 <= to; x += 32)
        {
            // Four independent chains of maxima: rows A and B, pixels x .. x+15 (1) and x+16 .. x+31 (2).
            var ba1 = Vector512.Create(float.NegativeInfinity);
            var ba2 = ba1;
            var bb1 = ba1;
            var bb2 = ba1;
            var ia1 = Vector512<int>.Zero;
            var ia2 = ia1;
            var ib1 = ia1;
            var ib2 = ia1;
            for (int c = 0; c < channels; c++)
            {
                nuint at = (nuint)(c * stride + x);
                var t1 = Vector512.LoadUnsafe(ref t0, at);
                var u1 = Vector512.LoadUnsafe(ref b0, at);
                var t2 = Vector512.LoadUnsafe(ref t0, at + 16);
                var u2 = Vector512.LoadUnsafe(ref b0, at + 16);
                var vc = Vector512.Create(c);
                var va1 = wa0 * t1 + wa1 * u1;
                var va2 = wa0 * t2 + wa1 * u2;
                var vb1 = wb0 * t1 + wb1 * u1;
                var vb2 = wb0 * t2 + wb1 * u2;
                ia1 = Vector512.ConditionalSelect(Vector512.GreaterThan(va1, ba1).AsInt32(), vc, ia1);
                ia2 = Vector512.ConditionalSelect(Vector512.GreaterThan(va2, ba2).AsInt32(), vc, ia2);
                ib1 = Vector512.ConditionalSelect(Vector512.GreaterThan(vb1, bb1).AsInt32(), vc, ib1);
                ib2 = Vector512.ConditionalSelect(Vector512.GreaterThan(vb2, bb2).AsInt32(), vc, ib2);
                ba1 = Avx512F.Max(va1, ba1);
                ba2 = Avx512F.Max(va2, ba2);
                bb1 = Avx512F.Max(vb1, bb1);
                bb2 = Avx512F.Max(vb2, bb2);
            }
            int at0 = x - from;
            Avx512F.ConvertToVector128Byte(ia1).StoreUnsafe(ref outA, (nuint)at0);
            Avx512F.ConvertToVector128Byte(ia2).StoreUnsafe(ref outA, (nuint)(at0 + 16));
            Avx512F.ConvertToVector128Byte(ib1).StoreUnsafe(ref outB, (nuint)at0);
            Avx512F.ConvertToVector128Byte(ib2).StoreUnsafe(ref outB, (nuint)(at0 + 16));
        }
        if (x < to)
        {
            // The last 1..31 columns, one row at a time.
            BestRange(top, bottom, h0a, h1a, channels, x, to, best, index);
            NarrowIndices(index.AsSpan(x, to - x), rowA[(x - from)..]);
            BestRange(top, bottom, h0b, h1b, channels, x, to, best, index);
            NarrowIndices(index.AsSpan(x, to - x), rowB[(x - from)..]);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void NarrowIndices(ReadOnlySpan<int> index, Span<byte> output)
    {
        int x = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; x + 32 <= output.Length; x += 32)
            {
                var lo = Vector256.Narrow(Vector256.Create(index.Slice(x, 8)), Vector256.Create(index.Slice(x + 8, 8)));
                var hi = Vector256.Narrow(Vector256.Create(index.Slice(x + 16, 8)), Vector256.Create(index.Slice(x + 24, 8)));
                Vector256.Narrow(lo.AsUInt16(), hi.AsUInt16()).StoreUnsafe(ref output[x]);
            }
        }
        for (; x < output.Length; x++) output[x] = (byte)index[x];
    }

    // Largest softmax probability: 1 / Σ_c exp(v_c − max), v_c recomputed exactly as in BestRange.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SoftmaxMax(float[] top, float[] bottom, float h0, float h1, int channels, int width,
        float[] best, float[] value, Span<float> confidence)
    {
        int stride = top.Length / channels;
        Span<float> sum = value.AsSpan(0, width);
        sum.Clear();
        for (int c = 0; c < channels; c++)
            for (int x = 0; x < width; x++)
                sum[x] += MathF.Exp(h0 * top[c * stride + x] + h1 * bottom[c * stride + x] - best[x]);
        for (int x = 0; x < width; x++)
            confidence[x] = 1f / sum[x];
    }

    /// <summary>How a source row becomes a horizontally interpolated output row, 8 output pixels at a time:
    /// per block, the window of source values it reads (8 or 16 from Base) and which lane each output takes.</summary>
    private sealed class RowPlan
    {
        private const int Narrow = 0, Wide = 1, Scalar = 2;
        private readonly Axis _xs;
        private readonly int _outWidth;
        private readonly int[] _kind;   // per block: Narrow (8-value window), Wide (16), Scalar
        private readonly int[] _base;   // per block: first source index of the window
        private readonly Vector256<int>[] _left, _right;      // lane of the left/right neighbour in the window
        private readonly Vector256<float>[] _leftHi, _rightHi; // Wide: all-ones where that lane is in the upper 8
        private readonly Vector256<float>[] _w0, _w1;
        // Blocks b and b + 1 together, where their sources fit one 16-value window from _base[b] (AVX-512 only):
        private readonly bool[] _pair;
        private readonly Vector512<int>[] _left16, _right16;
        private readonly Vector512<float>[] _w0x16, _w1x16;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public RowPlan(Axis xs, int inWidth, int outWidth)
        {
            _xs = xs;
            _outWidth = outWidth;
            int blocks = Vector256.IsHardwareAccelerated && Avx2.IsSupported ? outWidth / 8 : 0;
            _kind = new int[blocks];
            _base = new int[blocks];
            _left = new Vector256<int>[blocks];
            _right = new Vector256<int>[blocks];
            _leftHi = new Vector256<float>[blocks];
            _rightHi = new Vector256<float>[blocks];
            _w0 = new Vector256<float>[blocks];
            _w1 = new Vector256<float>[blocks];
            Span<int> l = stackalloc int[8], r = stackalloc int[8];
            for (int b = 0; b < blocks; b++)
            {
                int x0 = b * 8, first = xs.Index0[x0];
                int span = WindowLanes(xs, x0, l, r);
                _kind[b] = span <= 8 && first + 8 <= inWidth ? Narrow : span <= 16 && first + 16 <= inWidth ? Wide : Scalar;
                _base[b] = first;
                _left[b] = Vector256.Create<int>(l);
                _right[b] = Vector256.Create<int>(r);
                _leftHi[b] = Vector256.GreaterThan(_left[b], Vector256.Create(7)).AsSingle();
                _rightHi[b] = Vector256.GreaterThan(_right[b], Vector256.Create(7)).AsSingle();
                _w0[b] = Vector256.Create<float>(xs.Weight0.AsSpan(x0, 8));
                _w1[b] = Vector256.Create<float>(xs.Weight1.AsSpan(x0, 8));
            }
            bool wide = Vector512.IsHardwareAccelerated && Avx512F.IsSupported;
            _pair = new bool[blocks];
            _left16 = new Vector512<int>[wide ? blocks : 0];
            _right16 = new Vector512<int>[wide ? blocks : 0];
            _w0x16 = new Vector512<float>[wide ? blocks : 0];
            _w1x16 = new Vector512<float>[wide ? blocks : 0];
            Span<int> l16 = stackalloc int[16], r16 = stackalloc int[16];
            for (int b = 0; wide && b + 1 < blocks; b++)
            {
                int x0 = b * 8, first = xs.Index0[x0];
                if (WindowLanes(xs, x0, l16, r16) > 16 || first + 16 > inWidth) continue;
                _pair[b] = true;
                _left16[b] = Vector512.Create<int>(l16);
                _right16[b] = Vector512.Create<int>(r16);
                _w0x16[b] = Vector512.Create<float>(xs.Weight0.AsSpan(x0, 16));
                _w1x16[b] = Vector512.Create<float>(xs.Weight1.AsSpan(x0, 16));
            }
        }

        // For outputs x0 .. x0 + left.Length − 1: each one's left and right source index, counted from the first
        // output's left one; returns how many source values they span (the indices grow with x).
        private static int WindowLanes(Axis xs, int x0, Span<int> left, Span<int> right)
        {
            int first = xs.Index0[x0];
            for (int k = 0; k < left.Length; k++)
            {
                left[k] = xs.Index0[x0 + k] - first;
                right[k] = left[k] + xs.Offset1[x0 + k];
            }
            return right[^1] + 1;
        }

        // dst[c·stride + x] = w0·row_c[i0] + w1·row_c[i1] for every channel c and output x, where row_c is
        // source row r of channel c. Blocks outer, channels inner: a block's lanes and weights load once.
        public void Interpolate(ReadOnlySpan<float> src, int channels, int inPlane, int rowOffset, float[] dst, int stride) =>
            InterpolateBlocks(src, channels, inPlane, rowOffset, dst, stride, 0, _kind.Length + 1);

        /// <summary>Whole 8-pixel blocks of an output row (the rest is the tail).</summary>
        public int Blocks => _kind.Length;

        /// <summary>Interpolate for blocks [b0, b1); block <see cref="Blocks"/> stands for the tail.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void InterpolateBlocks(ReadOnlySpan<float> src, int channels, int inPlane, int rowOffset, float[] dst, int stride, int b0, int b1)
        {
            int whole = Math.Min(b1, _kind.Length);
            for (int b = b0; b < whole; b++)
            {
                if (b + 1 < whole && _pair[b])
                {
                    InterpolatePair(src, channels, inPlane, rowOffset, dst, stride, b);
                    b++;
                }
                else InterpolateBlock(src, channels, inPlane, rowOffset, dst, stride, b);
            }
            if (b1 > _kind.Length)
                InterpolateTail(src, channels, inPlane, rowOffset, dst, stride);
        }

        /// <summary>Interpolate for the output pixels past the last whole block.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void InterpolateTail(ReadOnlySpan<float> src, int channels, int inPlane, int rowOffset, float[] dst, int stride)
        {
            for (int c = 0; c < channels; c++)
                InterpolateScalar(src.Slice(rowOffset + c * inPlane), _kind.Length * 8, _outWidth, dst.AsSpan(c * stride));
        }

        /// <summary>Interpolate for output pixels 8·b .. 8·b + 15 (blocks b and b + 1, whose sources fit one 16-value window).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void InterpolatePair(ReadOnlySpan<float> src, int channels, int inPlane, int rowOffset, float[] dst, int stride, int b)
        {
            ref float s = ref Unsafe.Add(ref MemoryMarshal.GetReference(src), rowOffset + _base[b]);
            ref float d = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(dst), b * 8);
            Vector512<float> w0 = _w0x16[b], w1 = _w1x16[b];
            Vector512<int> left = _left16[b], right = _right16[b];
            for (int c = 0; c < channels; c++)
            {
                var v = Vector512.LoadUnsafe(ref Unsafe.Add(ref s, c * inPlane));
                (w0 * Avx512F.PermuteVar16x32(v, left) + w1 * Avx512F.PermuteVar16x32(v, right)).StoreUnsafe(ref Unsafe.Add(ref d, c * stride));
            }
        }

        /// <summary>Whether block b is a whole block that reads an 8-value window, and that window.</summary>
        public bool TryNarrow(int b, out NarrowWindow window)
        {
            bool narrow = b < _kind.Length && _kind[b] == Narrow;
            window = narrow ? new NarrowWindow(_base[b], _left[b], _right[b], _w0[b], _w1[b]) : default;
            return narrow;
        }

        /// <summary>Interpolate for output pixels 8·b .. 8·b + 7 only.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void InterpolateBlock(ReadOnlySpan<float> src, int channels, int inPlane, int rowOffset, float[] dst, int stride, int b)
        {
            ref float s0 = ref Unsafe.Add(ref MemoryMarshal.GetReference(src), rowOffset);
            ref float d0 = ref MemoryMarshal.GetArrayDataReference(dst);
            int x = b * 8;
            ref float s = ref Unsafe.Add(ref s0, _base[b]);
            ref float d = ref Unsafe.Add(ref d0, x);
            Vector256<float> w0 = _w0[b], w1 = _w1[b];
            Vector256<int> left = _left[b], right = _right[b];
            switch (_kind[b])
            {
                case Narrow:
                    for (int c = 0; c < channels; c++)
                    {
                        var v = Vector256.LoadUnsafe(ref Unsafe.Add(ref s, c * inPlane));
                        (w0 * Avx2.PermuteVar8x32(v, left) + w1 * Avx2.PermuteVar8x32(v, right)).StoreUnsafe(ref Unsafe.Add(ref d, c * stride));
                    }
                    break;
                case Wide:
                    Vector256<float> leftHi = _leftHi[b], rightHi = _rightHi[b];
                    for (int c = 0; c < channels; c++)
                    {
                        ref float sc = ref Unsafe.Add(ref s, c * inPlane);
                        var lo = Vector256.LoadUnsafe(ref sc);
                        var hi = Vector256.LoadUnsafe(ref sc, 8);
                        var a = Vector256.ConditionalSelect(leftHi, Avx2.PermuteVar8x32(hi, left), Avx2.PermuteVar8x32(lo, left));
                        var e = Vector256.ConditionalSelect(rightHi, Avx2.PermuteVar8x32(hi, right), Avx2.PermuteVar8x32(lo, right));
                        (w0 * a + w1 * e).StoreUnsafe(ref Unsafe.Add(ref d, c * stride));
                    }
                    break;
                default:
                    for (int c = 0; c < channels; c++)
                        InterpolateScalar(src.Slice(rowOffset + c * inPlane), x, x + 8, dst.AsSpan(c * stride));
                    break;
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void InterpolateScalar(ReadOnlySpan<float> row, int from, int to, Span<float> output)
        {
            var xs = _xs;
            for (int x = from; x < to; x++)
            {
                int i0 = xs.Index0[x];
                output[x] = xs.Weight0[x] * row[i0] + xs.Weight1[x] * row[i0 + xs.Offset1[x]];
            }
        }
    }

    /// <summary>An output block's 8-value source window: its first source index, the lane of each output's left and
    /// right neighbour in it, and their weights (output = W0 · left + W1 · right).</summary>
    private readonly record struct NarrowWindow(int Start, Vector256<int> Left, Vector256<int> Right, Vector256<float> W0, Vector256<float> W1);

    /// <summary>Per worker: two horizontally interpolated source rows (all channels) and row buffers.</summary>
    private sealed class ArgmaxScratch
    {
        private readonly float[][] _rows;
        public readonly int[] CachedRow = [-1, -1];
        public readonly float[] Best, Value;
        public readonly int[] Index;
        private readonly int _stride;

        public ArgmaxScratch(int channels, int outWidth)
        {
            _stride = outWidth;
            _rows = [new float[channels * outWidth], new float[channels * outWidth]];
            Best = new float[outWidth];
            Value = new float[outWidth];
            Index = new int[outWidth];
        }

        // Source row r interpolated horizontally, from cache when present; never evicts row `keep`.
        public float[] Horizontal(ReadOnlySpan<float> src, int channels, int inPlane, int inWidth, int r, RowPlan plan, int keep = -1)
        {
            if (CachedRow[0] == r) return _rows[0];
            if (CachedRow[1] == r) return _rows[1];
            int slot = CachedRow[0] == keep ? 1 : 0;
            var dst = _rows[slot];
            plan.Interpolate(src, channels, inPlane, r * inWidth, dst, _stride);
            CachedRow[slot] = r;
            return dst;
        }
    }

    // counts may be empty (not wanted).
    private static void CheckLabelsAndCounts(int labelsLength, int countsLength, int channels, int outHeight, int outWidth)
    {
        if (labelsLength != (long)outHeight * outWidth)
            throw new ArgumentException($"labels has {labelsLength} bytes; {outHeight}×{outWidth} expected", "labels");
        if (countsLength != 0 && countsLength < channels)
            throw new ArgumentException($"counts has {countsLength} entries; at least {channels} expected", "counts");
    }

    private static void CheckShapes(int sourceLength, int channels, int inHeight, int inWidth, int outHeight, int outWidth)
    {
        if (channels < 1 || inHeight < 1 || inWidth < 1 || outHeight < 1 || outWidth < 1)
            throw new ArgumentOutOfRangeException(nameof(channels),
                $"tensor shapes must be positive: [{channels},{inHeight},{inWidth}] → [{channels},{outHeight},{outWidth}]");
        if (sourceLength != (long)channels * inHeight * inWidth)
            throw new ArgumentException($"source has {sourceLength} floats; {channels}×{inHeight}×{inWidth} expected", "source");
    }

    // One output row: h0·(w0·a[x0] + w1·a[x1]) + h1·(w0·b[x0] + w1·b[x1]), PyTorch's formula.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void InterpolateRow(ReadOnlySpan<float> plane, int inWidth, Axis ys, int y, Axis xs, Span<float> output)
    {
        int r0 = ys.Index0[y];
        var a = plane.Slice(r0 * inWidth, inWidth);
        var b = plane.Slice((r0 + ys.Offset1[y]) * inWidth, inWidth);
        float h0 = ys.Weight0[y], h1 = ys.Weight1[y];
        for (int x = 0; x < output.Length; x++)
        {
            int i0 = xs.Index0[x], i1 = i0 + xs.Offset1[x];
            float w0 = xs.Weight0[x], w1 = xs.Weight1[x];
            output[x] = h0 * (w0 * a[i0] + w1 * a[i1]) + h1 * (w0 * b[i0] + w1 * b[i1]);
        }
    }

    /// <summary>Per output index along one axis: the two source indices and their weights.</summary>
    private sealed class Axis
    {
        public required int[] Index0 { get; init; }
        public required int[] Offset1 { get; init; }
        public required float[] Weight0 { get; init; }
        public required float[] Weight1 { get; init; }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static Axis Create(int inSize, int outSize)
        {
            float scale = (float)inSize / outSize;
            var axis = new Axis
            {
                Index0 = new int[outSize],
                Offset1 = new int[outSize],
                Weight0 = new float[outSize],
                Weight1 = new float[outSize],
            };
            for (int i = 0; i < outSize; i++)
            {
                float src = scale * (i + 0.5f) - 0.5f;
                if (src < 0) src = 0;
                int i0 = (int)src;
                float l1 = Math.Clamp(src - i0, 0f, 1f);
                axis.Index0[i] = i0;
                axis.Offset1[i] = i0 < inSize - 1 ? 1 : 0;
                axis.Weight1[i] = l1;
                axis.Weight0[i] = 1f - l1;
            }
            return axis;
        }
    }
}
