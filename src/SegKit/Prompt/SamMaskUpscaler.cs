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
        CheckLowRes(lowRes);
        var sink = new MaskSink(new BinaryMask(OutputWidth, OutputHeight));
        Scan(lowRes, threshold, threshold, ref sink);
        return sink.Mask;
    }

    /// <summary>
    /// How many upscaled pixels are &gt; <paramref name="high"/> and how many &gt; <paramref name="low"/>
    /// (<paramref name="low"/> ≤ <paramref name="high"/>), through the fast path: SAM's stability-score counts.
    /// </summary>
    public (long AboveHigh, long AboveLow) CountAbove(ReadOnlySpan<float> lowRes, float high, float low)
    {
        CheckLowRes(lowRes);
        if (!(low <= high)) throw new ArgumentException($"low threshold {low} must be ≤ high threshold {high}");
        var sink = new CountSink();
        Scan(lowRes, high, low, ref sink);
        return (sink.High, sink.Low);
    }

    private void CheckLowRes(ReadOnlySpan<float> lowRes)
    {
        if (lowRes.Length != LowResPlane)
            throw new ArgumentException($"low-res logits have {lowRes.Length} floats; {LowResSize}×{LowResSize} expected", nameof(lowRes));
    }

    // out[x] = fma(s[i0], w0, s[i1]·w1): the inner (width) step of torch's bilinear kernel.
    private static void Horizontal(ReadOnlySpan<float> src, Axis xs, Span<float> dst)
    {
        int[] i0 = xs.I0, i1 = xs.I1;
        float[] w0 = xs.W0, w1 = xs.W1;
        for (int x = 0; x < dst.Length; x++)
            dst[x] = MathF.FusedMultiplyAdd(src[i0[x]], w0[x], src[i1[x]] * w1[x]);
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

    // Visits every output pixel above `low` (reporting whether it is also above `high`), skipping the
    // computation wherever the low-res block a rectangle depends on decides both comparisons.
    private void Scan<TSink>(ReadOnlySpan<float> lowRes, float high, float low, ref TSink sink) where TSink : struct, ISink
    {
        int ls = LowResSize;
        Span<float> colMin = ls <= 1024 ? stackalloc float[ls] : new float[ls];
        Span<float> colMax = ls <= 1024 ? stackalloc float[ls] : new float[ls];
        // Scratch for a mixed rectangle's intermediate (input-frame) logits.
        float[] tile = new float[64];
        foreach (Band rb in _rowBands)
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
            int runStart = -1, runLevel = 0;
            foreach (Band cb in _colBands)
            {
                float bmin = colMin[cb.Lo], bmax = colMax[cb.Lo];
                for (int c = cb.Lo + 1; c <= cb.Hi; c++)
                {
                    bmin = MathF.Min(bmin, colMin[c]);
                    bmax = MathF.Max(bmax, colMax[c]);
                }
                float delta = 1e-5f * (1f + MathF.Max(MathF.Abs(bmin), MathF.Abs(bmax)));
                // level: 0 = every pixel ≤ low, 1 = every pixel > low and ≤ high, 2 = every pixel > high, -1 = mixed.
                int level;
                if (bmax < low - delta) level = 0;
                else if (bmin > high + delta) level = 2;
                else if (bmin > low + delta && bmax < high - delta) level = 1;
                else level = -1;
                // Merge consecutive decided rectangles of one level into one run.
                if (level != runLevel || level <= 0)
                {
                    if (runStart >= 0) sink.Fill(rb.Start, rb.End, runStart, cb.Start, runLevel);
                    runStart = -1;
                }
                if (level > 0)
                {
                    if (runStart < 0) runStart = cb.Start;
                    runLevel = level;
                }
                else
                {
                    runLevel = level;
                    if (level < 0) EvaluateMixed(lowRes, rb, cb, high, low, ref tile, ref sink);
                }
            }
            if (runStart >= 0) sink.Fill(rb.Start, rb.End, runStart, OutputWidth, runLevel);
        }
    }

    // Computes a rectangle's pixels exactly as UpscaleLogits does: the intermediate logits it reads, then
    // each output pixel, with the same expression trees.
    private void EvaluateMixed<TSink>(ReadOnlySpan<float> lowRes, Band rb, Band cb, float high, float low, ref float[] tile, ref TSink sink)
        where TSink : struct, ISink
    {
        int ls = LowResSize;
        int r0 = _y2.I0[rb.Start], r1 = _y2.I1[rb.End - 1];
        int c0 = _x2.I0[cb.Start], c1 = _x2.I1[cb.End - 1];
        int th = r1 - r0 + 1, tw = c1 - c0 + 1;
        if (tile.Length < th * tw) tile = new float[th * tw];
        for (int r = r0; r <= r1; r++)
        {
            var a = lowRes.Slice(_y1.I0[r] * ls, ls);
            var b = lowRes.Slice(_y1.I1[r] * ls, ls);
            float h0 = _y1.W0[r], h1 = _y1.W1[r];
            int t = (r - r0) * tw - c0;
            for (int c = c0; c <= c1; c++)
            {
                int i0 = _x1.I0[c], i1 = _x1.I1[c];
                float w0 = _x1.W0[c], w1 = _x1.W1[c];
                tile[t + c] = MathF.FusedMultiplyAdd(MathF.FusedMultiplyAdd(a[i0], w0, a[i1] * w1), h0,
                    MathF.FusedMultiplyAdd(b[i0], w0, b[i1] * w1) * h1);
            }
        }
        for (int y = rb.Start; y < rb.End; y++)
        {
            int ta = (_y2.I0[y] - r0) * tw - c0, tb = (_y2.I1[y] - r0) * tw - c0;
            float h0 = _y2.W0[y], h1 = _y2.W1[y];
            for (int x = cb.Start; x < cb.End; x++)
            {
                int i0 = _x2.I0[x], i1 = _x2.I1[x];
                float w0 = _x2.W0[x], w1 = _x2.W1[x];
                float v = MathF.FusedMultiplyAdd(MathF.FusedMultiplyAdd(tile[ta + i0], w0, tile[ta + i1] * w1), h0,
                    MathF.FusedMultiplyAdd(tile[tb + i0], w0, tile[tb + i1] * w1) * h1);
                if (v > low) sink.Pixel(x, y, v > high ? 2 : 1);
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
