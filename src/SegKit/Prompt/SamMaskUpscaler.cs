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

    /// <summary>
    /// A fast-path session over one low-res mask: intermediate rows computed for one query are reused by the next
    /// (e.g. the stability counts, then the thresholded mask). Not thread-safe; dispose to return its buffers.
    /// </summary>
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

    /// <summary>One low-res mask's fast-path queries, sharing lazily computed intermediate rows.</summary>
    public sealed class Session : IDisposable
    {
        private readonly SamMaskUpscaler _u;
        private readonly float[] _low;
        private readonly float[] _hl, _mid, _h2, _row;
        private readonly bool[] _hlDone, _midDone;
        private readonly float[] _colMin, _colMax;
        private readonly sbyte[] _levels;

        internal Session(SamMaskUpscaler u, ReadOnlySpan<float> lowRes)
        {
            _u = u;
            var pool = System.Buffers.ArrayPool<float>.Shared;
            _low = pool.Rent(lowRes.Length);
            lowRes.CopyTo(_low);
            _hl = pool.Rent(u.LowResSize * u.InputWidth);
            _mid = pool.Rent(u.InputHeight * u.InputWidth);
            _h2 = pool.Rent(u._maxBandInputRows * u.OutputWidth);
            _row = pool.Rent(u.OutputWidth);
            _colMin = pool.Rent(u.LowResSize);
            _colMax = pool.Rent(u.LowResSize);
            _hlDone = new bool[u.LowResSize];
            _midDone = new bool[u.InputHeight];
            _levels = new sbyte[u._colBands.Length];
        }

        /// <summary>The upscaled logits &gt; <paramref name="threshold"/>.</summary>
        public BinaryMask Threshold(float threshold)
        {
            var sink = new MaskSink(new BinaryMask(_u.OutputWidth, _u.OutputHeight));
            Scan(threshold, threshold, ref sink);
            return sink.Mask;
        }

        /// <summary>Pixels &gt; <paramref name="high"/> and pixels &gt; <paramref name="low"/>.</summary>
        public (long AboveHigh, long AboveLow) CountAbove(float high, float low)
        {
            if (!(low <= high)) throw new ArgumentException($"low threshold {low} must be ≤ high threshold {high}");
            var sink = new CountSink();
            Scan(high, low, ref sink);
            return (sink.High, sink.Low);
        }

        /// <summary>Returns the buffers to the pool.</summary>
        public void Dispose()
        {
            var pool = System.Buffers.ArrayPool<float>.Shared;
            foreach (var a in new[] { _low, _hl, _mid, _h2, _row, _colMin, _colMax }) pool.Return(a);
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

        // Visits every output pixel above `low` (reporting whether it is also above `high`), skipping the
        // computation wherever the low-res block a rectangle depends on decides both comparisons.
        private void Scan<TSink>(float high, float low, ref TSink sink) where TSink : struct, ISink
        {
            int ls = _u.LowResSize;
            var lowRes = _low.AsSpan(0, _u.LowResPlane);
            Span<float> colMin = _colMin.AsSpan(0, ls), colMax = _colMax.AsSpan(0, ls);
            var colBands = _u._colBands;
            foreach (Band rb in _u._rowBands)
            {
                // Per low-res column: min / max over the band's low-res rows (NaN propagates through MathF.Min/Max).
                var first = lowRes.Slice(rb.Lo * ls, ls);
                first.CopyTo(colMin);
                first.CopyTo(colMax);
                for (int r = rb.Lo + 1; r <= rb.Hi; r++)
                {
                    var row = lowRes.Slice(r * ls, ls);
                    for (int c = 0; c < ls; c++)
                    {
                        colMin[c] = MathF.Min(colMin[c], row[c]);
                        colMax[c] = MathF.Max(colMax[c], row[c]);
                    }
                }
                // level: 0 = every pixel ≤ low, 1 = every pixel > low and ≤ high, 2 = every pixel > high, -1 = mixed.
                int mixedFrom = -1, mixedTo = -1;
                for (int j = 0; j < colBands.Length; j++)
                {
                    Band cb = colBands[j];
                    float bmin = colMin[cb.Lo], bmax = colMax[cb.Lo];
                    for (int c = cb.Lo + 1; c <= cb.Hi; c++)
                    {
                        bmin = MathF.Min(bmin, colMin[c]);
                        bmax = MathF.Max(bmax, colMax[c]);
                    }
                    float delta = 1e-5f * (1f + MathF.Max(MathF.Abs(bmin), MathF.Abs(bmax)));
                    sbyte level;
                    if (bmax < low - delta) level = 0;
                    else if (bmin > high + delta) level = 2;
                    else if (bmin > low + delta && bmax < high - delta) level = 1;
                    else level = -1;
                    _levels[j] = level;
                    if (level < 0)
                    {
                        if (mixedFrom < 0) mixedFrom = j;
                        mixedTo = j;
                    }
                }
                // Decided rectangles: consecutive ones of one level become one run.
                int runStart = -1, runLevel = 0;
                for (int j = 0; j <= colBands.Length; j++)
                {
                    int level = j < colBands.Length ? _levels[j] : 0;
                    if (runStart >= 0 && level != runLevel)
                    {
                        sink.Fill(rb.Start, rb.End, runStart, colBands[j - 1].End, runLevel);
                        runStart = -1;
                    }
                    if (level > 0 && runStart < 0)
                    {
                        runStart = colBands[j].Start;
                        runLevel = level;
                    }
                }
                if (mixedFrom >= 0) EvaluateMixed(rb, mixedFrom, mixedTo, high, low, ref sink);
            }
        }

        // Computes the band's output rows over the columns of its mixed rectangles exactly as UpscaleLogits does
        // (same stages, same FMAs), then reports the pixels of the mixed rectangles.
        private void EvaluateMixed<TSink>(Band rb, int fromBand, int toBand, float high, float low, ref TSink sink) where TSink : struct, ISink
        {
            var colBands = _u._colBands;
            int xa = colBands[fromBand].Start, xb = colBands[toBand].End, span = xb - xa;
            int r0 = _u._y2.I0[rb.Start], r1 = _u._y2.I1[rb.End - 1];
            for (int r = r0; r <= r1; r++)
                Horizontal(MidRow(r), _u._x2, _h2.AsSpan((r - r0) * span, span), xa);
            var row = _row.AsSpan(0, span);
            for (int y = rb.Start; y < rb.End; y++)
            {
                Vertical(_h2.AsSpan((_u._y2.I0[y] - r0) * span, span), _h2.AsSpan((_u._y2.I1[y] - r0) * span, span),
                    _u._y2.W0[y], _u._y2.W1[y], row);
                for (int j = fromBand; j <= toBand; j++)
                {
                    if (_levels[j] >= 0) continue;
                    for (int x = colBands[j].Start; x < colBands[j].End; x++)
                    {
                        float v = row[x - xa];
                        if (v > low) sink.Pixel(x, y, v > high ? 2 : 1);
                    }
                }
            }
        }
    }

    private interface ISink
    {
        /// <summary>Pixels [x0, x1) of rows [y0, y1) are above the high (level 2) or only the low (level 1) threshold.</summary>
        void Fill(int y0, int y1, int x0, int x1, int level);
        /// <summary>Pixel (x, y) is above the high (2) or only the low (1) threshold.</summary>
        void Pixel(int x, int y, int level);
    }

    private struct CountSink : ISink
    {
        public long High, Low;

        public void Fill(int y0, int y1, int x0, int x1, int level)
        {
            long n = (long)(y1 - y0) * (x1 - x0);
            Low += n;
            if (level == 2) High += n;
        }

        public void Pixel(int x, int y, int level)
        {
            Low++;
            if (level == 2) High++;
        }
    }

    private readonly struct MaskSink(BinaryMask mask) : ISink
    {
        public BinaryMask Mask { get; } = mask;

        public void Fill(int y0, int y1, int x0, int x1, int level)
        {
            for (int y = y0; y < y1; y++) Mask.SetRun(y, x0, x1);
        }

        public void Pixel(int x, int y, int level) => Mask.Set(x, y);
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
