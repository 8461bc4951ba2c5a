// SAM's mask postprocessing (Sam.postprocess_masks, SamOnnxModel.mask_postprocessing): low-res logits
// [256,256] → bilinear to [1024,1024] → crop to the unpadded input size [input_h, input_w] → bilinear to
// the original size [H, W], both resizes as F.interpolate(mode="bilinear", align_corners=False).
// Bit-exact with torch 1.13's CPU kernel for multi-channel input (what the multimask outputs take): the
// scale is float32 in/out, the source index scale·(i + 0.5) − 0.5 is evaluated in double, the weight
// rounded to float32; each stage combines as fma(a, w0, b·w1) (width), then fma(t0, h0, t1·h1) (height).
// (A single-channel tensor takes torch's channels-last kernel, a few ulps away: the predictor's
// single-mask answer; SegKit uses the one formula for both.)
//
// Two ways to get there, bit-identical by construction:
//  - Literal: materialise every stage (what the reference does for every candidate mask).
//  - Fast thresholding: an output pixel is a convex combination (up to float rounding) of the low-res
//    values in a small block (≤ 3 × 3) it depends on. Output pixels are grouped into rectangles that
//    depend on the same low-res block; when the block's max is below t − δ (or its min above t + δ) every
//    pixel of the rectangle is ≤ t (> t) without computing it. δ = 1e-5·(1 + max|v|) is more than ten times
//    the worst rounding of the two bilinear stages (≈ 15 unit roundoffs · max|v| ≈ 9e-7·max|v|). Mixed
//    rectangles are evaluated with the very expression tree (same FMAs) of the literal path, so they agree bit for bit.
//    NaN or ±∞ make a block mixed. Tests compare both paths on decoder outputs and adversarial logits.
using System.Numerics;
using System.Runtime.Intrinsics;
using SegKit.Masks;

namespace SegKit.Prompt;

/// <summary>
/// Upscales SAM low-resolution mask logits to an image size (torch bilinear, align_corners=False, two stages
/// with the padding cropped in between), and thresholds or counts them without materialising the upscaled logits.
/// Immutable and thread-safe once built; one per (low-res size, input size, output size).
/// </summary>
internal sealed class SamMaskUpscaler
{
    private readonly Axis _y1, _x1, _y2, _x2;
    private readonly Band[] _rowBands, _colBands;
    private readonly int _maxBandInputRows;

    /// <param name="lowResSize">Side of the square low-res logits (256 for SAM).</param>
    /// <param name="modelSide">The encoder's input side the first stage resizes to (1024).</param>
    /// <param name="inputWidth">Unpadded input width (ResizeLongestSide of the output size).</param>
    /// <param name="inputHeight">Unpadded input height.</param>
    /// <param name="outputWidth">Original image width.</param>
    /// <param name="outputHeight">Original image height.</param>
    public SamMaskUpscaler(int lowResSize, int modelSide, int inputWidth, int inputHeight, int outputWidth, int outputHeight)
    {
        if (lowResSize < 1 || modelSide < 1 || inputWidth < 1 || inputHeight < 1 || outputWidth < 1 || outputHeight < 1
            || inputWidth > modelSide || inputHeight > modelSide)
            throw new ArgumentOutOfRangeException(nameof(lowResSize),
                $"bad upscale geometry: low-res {lowResSize}, model side {modelSide}, input {inputWidth}×{inputHeight}, output {outputWidth}×{outputHeight}");
        LowResSize = lowResSize;
        ModelSide = modelSide;
        InputWidth = inputWidth;
        InputHeight = inputHeight;
        OutputWidth = outputWidth;
        OutputHeight = outputHeight;
        _y1 = Axis.Create(lowResSize, modelSide, inputHeight);
        _x1 = Axis.Create(lowResSize, modelSide, inputWidth);
        _y2 = Axis.Create(inputHeight, outputHeight, outputHeight);
        _x2 = Axis.Create(inputWidth, outputWidth, outputWidth);
        _rowBands = Band.Build(_y2, _y1);
        _colBands = Band.Build(_x2, _x1);
        foreach (var b in _rowBands)
            _maxBandInputRows = Math.Max(_maxBandInputRows, _y2.I1[b.End - 1] - _y2.I0[b.Start] + 1);
    }

    public int LowResSize { get; }
    public int ModelSide { get; }
    public int InputWidth { get; }
    public int InputHeight { get; }
    public int OutputWidth { get; }
    public int OutputHeight { get; }

    private int LowResPlane => LowResSize * LowResSize;

    /// <summary>
    /// The upscaled logits [OutputHeight, OutputWidth] of one low-res mask [LowResSize, LowResSize], every stage
    /// materialised (the reference path).
    /// </summary>
    public void UpscaleLogits(ReadOnlySpan<float> lowRes, Span<float> destination)
    {
        CheckLowRes(lowRes);
        if (destination.Length != (long)OutputWidth * OutputHeight)
            throw new ArgumentException($"destination has {destination.Length} floats; {OutputHeight}×{OutputWidth} expected", nameof(destination));
        int iw = InputWidth, ih = InputHeight, ow = OutputWidth, ls = LowResSize;
        // Stage 1: horizontal pass on every low-res row, vertical combination per input row.
        var hl = new float[ls * iw];
        for (int r = 0; r < ls; r++)
            Horizontal(lowRes.Slice(r * ls, ls), _x1, hl.AsSpan(r * iw, iw));
        var mid = new float[ih * iw];
        for (int r = 0; r < ih; r++)
            Vertical(hl.AsSpan(_y1.I0[r] * iw, iw), hl.AsSpan(_y1.I1[r] * iw, iw), _y1.W0[r], _y1.W1[r], mid.AsSpan(r * iw, iw));
        // Stage 2: same on the cropped input-size logits.
        var h2 = new float[ih * ow];
        for (int r = 0; r < ih; r++)
            Horizontal(mid.AsSpan(r * iw, iw), _x2, h2.AsSpan(r * ow, ow));
        for (int y = 0; y < OutputHeight; y++)
            Vertical(h2.AsSpan(_y2.I0[y] * ow, ow), h2.AsSpan(_y2.I1[y] * ow, ow), _y2.W0[y], _y2.W1[y], destination.Slice(y * ow, ow));
    }

    /// <summary>The upscaled logits thresholded (value &gt; <paramref name="threshold"/>), through the fast path.</summary>
    public BinaryMask Threshold(ReadOnlySpan<float> lowRes, float threshold)
    {
        using var session = Open(lowRes);
        return session.Threshold(threshold);
    }

    /// <summary>
    /// How many upscaled pixels are &gt; <paramref name="high"/> and how many &gt; <paramref name="low"/>
    /// (<paramref name="low"/> ≤ <paramref name="high"/>), through the fast path: SAM's stability-score counts.
    /// </summary>
    public (long AboveHigh, long AboveLow) CountAbove(ReadOnlySpan<float> lowRes, float high, float low)
    {
        using var session = Open(lowRes);
        return session.CountAbove(high, low);
    }

    /// <summary>A fast-path session over one low-res mask (its intermediate rows are computed once and shared by its queries).</summary>
    public Session Open(ReadOnlySpan<float> lowRes)
    {
        CheckLowRes(lowRes);
        return new Session(this, lowRes);
    }

    private void CheckLowRes(ReadOnlySpan<float> lowRes)
    {
        if (lowRes.Length != LowResPlane)
            throw new ArgumentException($"low-res logits have {lowRes.Length} floats; {LowResSize}×{LowResSize} expected", nameof(lowRes));
    }

    // out[x] = fma(s[i0], w0, s[i1]·w1): the inner (width) step of torch's bilinear kernel.
    private static void Horizontal(ReadOnlySpan<float> src, Axis xs, Span<float> dst, int from = 0)
    {
        int[] i0 = xs.I0, i1 = xs.I1;
        float[] w0 = xs.W0, w1 = xs.W1;
        for (int x = 0; x < dst.Length; x++)
        {
            int o = from + x;
            dst[x] = MathF.FusedMultiplyAdd(src[i0[o]], w0[o], src[i1[o]] * w1[o]);
        }
    }

    // out = fma(a, h0, b·h1): the outer (height) step.
    private static void Vertical(ReadOnlySpan<float> a, ReadOnlySpan<float> b, float h0, float h1, Span<float> dst)
    {
        int x = 0;
        if (Vector.IsHardwareAccelerated && dst.Length >= Vector<float>.Count)
        {
            var vh0 = new Vector<float>(h0);
            var vh1 = new Vector<float>(h1);
            for (; x <= dst.Length - Vector<float>.Count; x += Vector<float>.Count)
                Vector.FusedMultiplyAdd(new Vector<float>(a[x..]), vh0, new Vector<float>(b[x..]) * vh1).CopyTo(dst[x..]);
        }
        for (; x < dst.Length; x++)
            dst[x] = MathF.FusedMultiplyAdd(a[x], h0, b[x] * h1);
    }

    /// <summary>
    /// One low-res mask's fast-path queries. Not thread-safe; dispose to return its pooled buffers.
    /// </summary>
    public sealed class Session : IDisposable
    {
        private readonly SamMaskUpscaler _u;
        private readonly float[] _low, _hl, _mid, _h2, _row;
        private readonly bool[] _hlDone, _midDone;
        // Per low-res column over a row band's low-res rows: min / max of the column, of columns c..c+1, c..c+2.
        private readonly float[] _colMin, _colMax, _pairMin, _pairMax, _triMin, _triMax;
        // Decided level per low-res column / pair / triple (−1: straddles a threshold).
        private readonly int[] _lvCol, _lvPair, _lvTri;
        private readonly sbyte[] _levels;
        private readonly ulong[] _bandWords, _rowWords;
        private readonly List<(int X0, int X1)> _mixed = [];
        // Stage-2 horizontal rows of the input-frame logits, cached by slot r % _h2Slots for the column span they
        // cover: consecutive row bands share input rows, and a band never needs more than _h2Slots − 1 of them.
        private readonly int _h2Slots;
        private readonly (int Row, int X0, int X1)[] _h2Key;

        internal Session(SamMaskUpscaler u, ReadOnlySpan<float> lowRes)
        {
            _u = u;
            var pool = System.Buffers.ArrayPool<float>.Shared;
            int ls = u.LowResSize;
            _low = pool.Rent(lowRes.Length);
            lowRes.CopyTo(_low);
            _hl = pool.Rent(ls * u.InputWidth);
            _mid = pool.Rent(u.InputHeight * u.InputWidth);
            _h2Slots = u._maxBandInputRows + 1;
            _h2 = pool.Rent(_h2Slots * u.OutputWidth);
            _h2Key = new (int Row, int X0, int X1)[_h2Slots];
            Array.Fill(_h2Key, (-1, 0, 0));
            _row = pool.Rent(u.OutputWidth);
            _colMin = pool.Rent(ls);
            _colMax = pool.Rent(ls);
            _pairMin = pool.Rent(ls);
            _pairMax = pool.Rent(ls);
            _triMin = pool.Rent(ls);
            _triMax = pool.Rent(ls);
            _lvCol = new int[ls];
            _lvPair = new int[ls];
            _lvTri = new int[ls];
            _hlDone = new bool[ls];
            _midDone = new bool[u.InputHeight];
            _levels = new sbyte[u._colBands.Length];
            int words = (u.OutputWidth + 63) >> 6;
            _bandWords = new ulong[words];
            _rowWords = new ulong[words];
        }

        /// <summary>The upscaled logits &gt; <paramref name="threshold"/>.</summary>
        public BinaryMask Threshold(float threshold) => Analyze([threshold], 0, out _)!;

        /// <summary>Pixels &gt; <paramref name="high"/> and pixels &gt; <paramref name="low"/> (low ≤ high).</summary>
        public (long AboveHigh, long AboveLow) CountAbove(float high, float low)
        {
            if (!(low <= high)) throw new ArgumentException($"low threshold {low} must be ≤ high threshold {high}");
            Analyze([low, high], -1, out var counts);
            return (counts[1], counts[0]);
        }

        /// <summary>
        /// In one pass: pixels &gt; <paramref name="high"/>, pixels &gt; <paramref name="low"/>, and the mask of pixels
        /// &gt; <paramref name="maskThreshold"/> (low ≤ maskThreshold ≤ high): SAM's stability counts and its mask.
        /// </summary>
        public (long AboveHigh, long AboveLow, BinaryMask Mask) CountAboveAndThreshold(float high, float low, float maskThreshold)
        {
            if (!(low <= maskThreshold && maskThreshold <= high))
                throw new ArgumentException($"thresholds must satisfy low {low} ≤ mask {maskThreshold} ≤ high {high}");
            var mask = Analyze([low, maskThreshold, high], 1, out var counts)!;
            return (counts[2], counts[0], mask);
        }

        /// <summary>Returns the buffers to the pool.</summary>
        public void Dispose()
        {
            var pool = System.Buffers.ArrayPool<float>.Shared;
            foreach (var a in new[] { _low, _hl, _mid, _h2, _row, _colMin, _colMax, _pairMin, _pairMax, _triMin, _triMax }) pool.Return(a);
        }

        private ReadOnlySpan<float> MidRow(int r)
        {
            int iw = _u.InputWidth, ls = _u.LowResSize;
            if (!_midDone[r])
            {
                foreach (int q in (ReadOnlySpan<int>)[_u._y1.I0[r], _u._y1.I1[r]])
                {
                    if (_hlDone[q]) continue;
                    Horizontal(_low.AsSpan(q * ls, ls), _u._x1, _hl.AsSpan(q * iw, iw));
                    _hlDone[q] = true;
                }
                Vertical(_hl.AsSpan(_u._y1.I0[r] * iw, iw), _hl.AsSpan(_u._y1.I1[r] * iw, iw), _u._y1.W0[r], _u._y1.W1[r], _mid.AsSpan(r * iw, iw));
                _midDone[r] = true;
            }
            return _mid.AsSpan(r * iw, iw);
        }

        // Counts the output pixels above each threshold (ascending) and, when maskIndex ≥ 0, builds the mask of those
        // above thresholds[maskIndex], skipping every rectangle whose low-res block decides all comparisons.
        private BinaryMask? Analyze(ReadOnlySpan<float> thresholds, int maskIndex, out long[] counts)
        {
            int ls = _u.LowResSize, ow = _u.OutputWidth;
            counts = new long[thresholds.Length];
            var mask = maskIndex >= 0 ? new BinaryMask(ow, _u.OutputHeight) : null;
            var lowRes = _low.AsSpan(0, _u.LowResPlane);
            var colBands = _u._colBands;
            foreach (Band rb in _u._rowBands)
            {
                int rows = rb.End - rb.Start;
                MinMaxOverRows(lowRes, rb.Lo, rb.Hi);
                // The whole band at once when its block of low-res rows decides every threshold.
                float gmin = TensorMin(_colMin.AsSpan(0, ls)), gmax = TensorMax(_colMax.AsSpan(0, ls));
                int whole = Classify(gmin, gmax, thresholds);
                if (whole >= 0)
                {
                    for (int k = 0; k < whole; k++) counts[k] += (long)rows * ow;
                    if (mask is not null && whole > maskIndex)
                        for (int y = rb.Start; y < rb.End; y++) mask.SetRun(y, 0, ow);
                    continue;
                }
                Levels(thresholds);
                if (mask is not null) Array.Clear(_bandWords);
                _mixed.Clear();
                for (int j = 0; j < colBands.Length; j++)
                {
                    Band cb = colBands[j];
                    int level = (cb.Hi - cb.Lo) switch { 0 => _lvCol[cb.Lo], 1 => _lvPair[cb.Lo], _ => _lvTri[cb.Lo] };
                    _levels[j] = (sbyte)level;
                    if (level < 0)
                    {
                        if (_mixed.Count > 0 && _mixed[^1].X1 == cb.Start) _mixed[^1] = (_mixed[^1].X0, cb.End);
                        else _mixed.Add((cb.Start, cb.End));
                        continue;
                    }
                    long n = (long)rows * (cb.End - cb.Start);
                    for (int k = 0; k < level; k++) counts[k] += n;
                    if (mask is not null && level > maskIndex) SetBits(_bandWords, cb.Start, cb.End);
                }
                if (_mixed.Count > 0)
                {
                    EvaluateMixed(rb, thresholds, maskIndex, counts, mask);
                }
                else if (mask is not null)
                {
                    for (int y = rb.Start; y < rb.End; y++) mask.OrRowWords(y, _bandWords);
                }
            }
            return mask;
        }

        // colMin/colMax over low-res rows lo..hi, then the pair and triple versions.
        private void MinMaxOverRows(ReadOnlySpan<float> lowRes, int lo, int hi)
        {
            int ls = _u.LowResSize;
            Span<float> cmin = _colMin.AsSpan(0, ls), cmax = _colMax.AsSpan(0, ls);
            lowRes.Slice(lo * ls, ls).CopyTo(cmin);
            lowRes.Slice(lo * ls, ls).CopyTo(cmax);
            for (int r = lo + 1; r <= hi; r++)
            {
                var row = lowRes.Slice(r * ls, ls);
                MinInto(cmin, row, cmin);
                MaxInto(cmax, row, cmax);
            }
            if (ls < 2) return;
            MinInto(cmin[..^1], cmin[1..], _pairMin.AsSpan(0, ls - 1));
            MaxInto(cmax[..^1], cmax[1..], _pairMax.AsSpan(0, ls - 1));
            if (ls < 3) return;
            MinInto(_pairMin.AsSpan(0, ls - 2), cmin[2..], _triMin.AsSpan(0, ls - 2));
            MaxInto(_pairMax.AsSpan(0, ls - 2), cmax[2..], _triMax.AsSpan(0, ls - 2));
        }

        private void Levels(ReadOnlySpan<float> thresholds)
        {
            int ls = _u.LowResSize;
            Levels(_colMin.AsSpan(0, ls), _colMax.AsSpan(0, ls), thresholds, _lvCol);
            if (ls > 1) Levels(_pairMin.AsSpan(0, ls - 1), _pairMax.AsSpan(0, ls - 1), thresholds, _lvPair);
            if (ls > 2) Levels(_triMin.AsSpan(0, ls - 2), _triMax.AsSpan(0, ls - 2), thresholds, _lvTri);
        }

        // Classify over arrays, eight blocks at a time (same rule: decided only with the δ margin on every threshold).
        private static void Levels(ReadOnlySpan<float> min, ReadOnlySpan<float> max, ReadOnlySpan<float> thresholds, Span<int> levels)
        {
            int i = 0;
            if (Vector256.IsHardwareAccelerated)
            {
                var one = Vector256.Create(1f);
                var eps = Vector256.Create(1e-5f);
                var minusOne = Vector256.Create(-1);
                for (; i <= min.Length - 8; i += 8)
                {
                    var mn = Vector256.Create(min.Slice(i, 8));
                    var mx = Vector256.Create(max.Slice(i, 8));
                    var delta = eps * (one + Vector256.Max(Vector256.Abs(mn), Vector256.Abs(mx)));
                    var level = Vector256<int>.Zero;
                    var mixed = Vector256<int>.Zero;
                    foreach (float t in thresholds)
                    {
                        var vt = Vector256.Create(t);
                        var above = Vector256.GreaterThan(mn, vt + delta).AsInt32();
                        var below = Vector256.LessThan(mx, vt - delta).AsInt32();
                        level -= above; // true lanes are −1
                        mixed |= ~(above | below);
                    }
                    Vector256.ConditionalSelect(mixed, minusOne, level).CopyTo(levels.Slice(i, 8));
                }
            }
            for (; i < min.Length; i++) levels[i] = Classify(min[i], max[i], thresholds);
        }

        // Elementwise min / max that propagate NaN (a block holding a NaN is never decided: the literal path's NaN
        // pixels compare false, whatever the other values are).
        private static void MinInto(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> dst) => Combine(a, b, dst, max: false);

        private static void MaxInto(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> dst) => Combine(a, b, dst, max: true);

        private static void Combine(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> dst, bool max)
        {
            int i = 0;
            if (Vector256.IsHardwareAccelerated)
            {
                var nan = Vector256.Create(float.NaN);
                for (; i <= dst.Length - 8; i += 8)
                {
                    var x = Vector256.Create(a.Slice(i, 8));
                    var y = Vector256.Create(b.Slice(i, 8));
                    var m = max ? Vector256.Max(x, y) : Vector256.Min(x, y);
                    var isNan = ~(Vector256.Equals(x, x) & Vector256.Equals(y, y));
                    Vector256.ConditionalSelect(isNan, nan, m).CopyTo(dst.Slice(i, 8));
                }
            }
            for (; i < dst.Length; i++) dst[i] = max ? MathF.Max(a[i], b[i]) : MathF.Min(a[i], b[i]);
        }

        // Min / max over a span, NaN if any element is NaN.
        private static float TensorMin(ReadOnlySpan<float> v) => Reduce(v, max: false);

        private static float TensorMax(ReadOnlySpan<float> v) => Reduce(v, max: true);

        private static float Reduce(ReadOnlySpan<float> v, bool max)
        {
            int i = 0;
            float m = v[0];
            if (Vector256.IsHardwareAccelerated && v.Length >= 8)
            {
                var acc = Vector256.Create(v[..8]);
                var ok = Vector256.Equals(acc, acc);
                for (i = 8; i <= v.Length - 8; i += 8)
                {
                    var x = Vector256.Create(v.Slice(i, 8));
                    acc = max ? Vector256.Max(acc, x) : Vector256.Min(acc, x);
                    ok &= Vector256.Equals(x, x);
                }
                if (ok.ExtractMostSignificantBits() != 0xFF) return float.NaN;
                for (int k = 0; k < 8; k++) m = max ? MathF.Max(m, acc[k]) : MathF.Min(m, acc[k]);
            }
            for (; i < v.Length; i++) m = max ? MathF.Max(m, v[i]) : MathF.Min(m, v[i]);
            return m;
        }

        // How many thresholds every pixel of a block with values in [min, max] exceeds, or −1 when the block may
        // straddle one. δ = 1e-5·(1 + max|v|) exceeds the bilinear stages' rounding (≈ 9e-7·max|v|) tenfold.
        private static int Classify(float min, float max, ReadOnlySpan<float> thresholds)
        {
            float delta = 1e-5f * (1f + MathF.Max(MathF.Abs(min), MathF.Abs(max)));
            int level = 0;
            foreach (float t in thresholds)
            {
                if (min > t + delta) level++;
                else if (!(max < t - delta)) return -1;
            }
            return level;
        }

        private static void SetBits(Span<ulong> words, int x0, int x1)
        {
            while (x0 < x1)
            {
                int w = x0 >> 6, b = x0 & 63;
                int n = Math.Min(64 - b, x1 - x0);
                words[w] |= n == 64 ? ulong.MaxValue : ((1UL << n) - 1) << b;
                x0 += n;
            }
        }

        // Computes the band's output rows over its mixed columns exactly as UpscaleLogits does (same stages, same
        // FMAs), then counts and sets the pixels of the mixed ranges.
        private void EvaluateMixed(Band rb, ReadOnlySpan<float> thresholds, int maskIndex, long[] counts, BinaryMask? mask)
        {
            int xa = _mixed[0].X0, xb = _mixed[^1].X1, span = xb - xa, stride = _u.OutputWidth;
            int r0 = _u._y2.I0[rb.Start], r1 = _u._y2.I1[rb.End - 1];
            for (int r = r0; r <= r1; r++)
            {
                int slot = r % _h2Slots;
                var key = _h2Key[slot];
                if (key.Row == r && key.X0 <= xa && key.X1 >= xb) continue;
                Horizontal(MidRow(r), _u._x2, _h2.AsSpan(slot * stride + xa, span), xa);
                _h2Key[slot] = (r, xa, xb);
            }
            var row = _row.AsSpan(0, span);
            for (int y = rb.Start; y < rb.End; y++)
            {
                Vertical(_h2.AsSpan(_u._y2.I0[y] % _h2Slots * stride + xa, span), _h2.AsSpan(_u._y2.I1[y] % _h2Slots * stride + xa, span),
                    _u._y2.W0[y], _u._y2.W1[y], row);
                if (mask is not null) _bandWords.CopyTo(_rowWords, 0);
                foreach (var (x0, x1) in _mixed)
                {
                    var v = row.Slice(x0 - xa, x1 - x0);
                    for (int k = 0; k < thresholds.Length; k++) counts[k] += CountGreater(v, thresholds[k]);
                    if (mask is not null) SetBitsWhereGreater(_rowWords, x0, v, thresholds[maskIndex]);
                }
                mask?.OrRowWords(y, _rowWords);
            }
        }

        private static int CountGreater(ReadOnlySpan<float> v, float t)
        {
            int n = 0, i = 0;
            if (Vector256.IsHardwareAccelerated)
            {
                var vt = Vector256.Create(t);
                for (; i <= v.Length - 8; i += 8)
                    n += BitOperations.PopCount(Vector256.GreaterThan(
                        Vector256.Create(v.Slice(i, 8)), vt).ExtractMostSignificantBits());
            }
            for (; i < v.Length; i++) if (v[i] > t) n++;
            return n;
        }

        private static void SetBitsWhereGreater(Span<ulong> words, int x0, ReadOnlySpan<float> v, float t)
        {
            int i = 0;
            if (Vector256.IsHardwareAccelerated)
            {
                var vt = Vector256.Create(t);
                for (; i <= v.Length - 8; i += 8)
                {
                    ulong m = Vector256.GreaterThan(Vector256.Create(v.Slice(i, 8)), vt).ExtractMostSignificantBits();
                    if (m == 0) continue;
                    int pos = x0 + i, w = pos >> 6, b = pos & 63;
                    words[w] |= m << b;
                    if (b > 56) words[w + 1] |= m >> (64 - b);
                }
            }
            for (; i < v.Length; i++)
            {
                if (v[i] > t)
                {
                    int pos = x0 + i;
                    words[pos >> 6] |= 1UL << (pos & 63);
                }
            }
        }
    }

    /// <summary>Per output index along one axis: torch's two source indices and weights (upsample_bilinear2d, CPU).</summary>
    internal sealed class Axis
    {
        public required int[] I0 { get; init; }
        public required int[] I1 { get; init; }
        public required float[] W0 { get; init; }
        public required float[] W1 { get; init; }

        /// <summary>The first <paramref name="count"/> entries of the in → out mapping.</summary>
        public static Axis Create(int inSize, int outSize, int count)
        {
            var a = new Axis { I0 = new int[count], I1 = new int[count], W0 = new float[count], W1 = new float[count] };
            // area_pixel_compute_scale without a scale factor: (float)in / out; the source index in double.
            double scale = (float)inSize / outSize;
            for (int i = 0; i < count; i++)
            {
                if (inSize == outSize)
                {
                    // compute_source_index_and_lambda's identity branch.
                    a.I0[i] = a.I1[i] = i;
                    a.W0[i] = 1f;
                    a.W1[i] = 0f;
                    continue;
                }
                double src = scale * (i + 0.5) - 0.5;
                if (src < 0) src = 0;
                int i0 = Math.Min((int)Math.Floor(src), inSize - 1);
                float l1 = (float)Math.Min(Math.Max(src - i0, 0.0), 1.0);
                a.I0[i] = i0;
                a.I1[i] = i0 + (i0 < inSize - 1 ? 1 : 0);
                a.W1[i] = l1;
                a.W0[i] = 1f - l1;
            }
            return a;
        }
    }

    /// <summary>
    /// A run of output indices [Start, End) along one axis whose values depend on the same low-res indices
    /// [Lo, Hi] through both stages.
    /// </summary>
    private readonly record struct Band(int Start, int End, int Lo, int Hi)
    {
        public static Band[] Build(Axis stage2, Axis stage1)
        {
            var bands = new List<Band>();
            int n = stage2.I0.Length;
            int start = 0, lo = -1, hi = -1;
            for (int i = 0; i < n; i++)
            {
                int l = stage1.I0[stage2.I0[i]];
                int h = Math.Max(stage1.I1[stage2.I0[i]], stage1.I1[stage2.I1[i]]);
                if (i > 0 && (l != lo || h != hi))
                {
                    bands.Add(new Band(start, i, lo, hi));
                    start = i;
                }
                lo = l;
                hi = h;
            }
            if (n > 0) bands.Add(new Band(start, n, lo, hi));
            return bands.ToArray();
        }
    }
}
