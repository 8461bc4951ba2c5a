// Bilinear resampling of planar float tensors as PyTorch's F.interpolate(mode="bilinear",
// align_corners=False) computes it: source coordinate (dst + 0.5) · in/out − 0.5, clamped at 0; the
// right/bottom neighbour clamped to the last row/column. Used to bring model logits (semantic
// segmentation, SegFormer's 1/4-size output, SAM's low-res masks) back to image size; the fused
// argmax variant never materialises the C × H × W upsampled tensor.

namespace SegKit.Imaging;

/// <summary>Bilinear resampling of planar float tensors [C, H, W] with PyTorch semantics (align_corners = false).</summary>
public static class TensorResize
{
    /// <summary>
    /// Resizes <paramref name="source"/> [channels, inHeight, inWidth] into <paramref name="destination"/>
    /// [channels, outHeight, outWidth] as <c>F.interpolate(x, size=(outHeight, outWidth), mode="bilinear", align_corners=False)</c>.
    /// </summary>
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
    /// largest softmax probability over channels into <paramref name="confidence"/> (same size, or empty).
    /// Equivalent to resizing with <see cref="BilinearChw"/> and then taking argmax / max-softmax, without
    /// allocating the resized tensor. Runs rows in parallel.
    /// </summary>
    public static void BilinearArgmax(ReadOnlyMemory<float> source, int channels, int inHeight, int inWidth,
        Memory<byte> labels, int outHeight, int outWidth, Memory<float> confidence = default)
    {
        CheckShapes(source.Length, channels, inHeight, inWidth, outHeight, outWidth);
        if (channels > 256)
            throw new ArgumentOutOfRangeException(nameof(channels), $"{channels} channels do not fit byte labels (≤ 256)");
        if (labels.Length != (long)outHeight * outWidth)
            throw new ArgumentException($"labels has {labels.Length} bytes; {outHeight}×{outWidth} expected", nameof(labels));
        bool wantConfidence = !confidence.IsEmpty;
        if (wantConfidence && confidence.Length != labels.Length)
            throw new ArgumentException($"confidence has {confidence.Length} floats; {outHeight}×{outWidth} expected", nameof(confidence));

        var xs = Axis.Create(inWidth, outWidth);
        var ys = Axis.Create(inHeight, outHeight);
        if (!wantConfidence)
        {
            ArgmaxPruned(source, channels, inHeight, inWidth, labels, outHeight, outWidth, xs, ys);
            return;
        }
        int inPlane = inHeight * inWidth;
        int rowsPerChunk = Math.Max(1, 16384 / Math.Max(1, outWidth));
        int chunks = (outHeight + rowsPerChunk - 1) / rowsPerChunk;
        Parallel.For(0, chunks, () => new RowScratch(outWidth), (chunk, _, scratch) =>
        {
            var src = source.Span;
            int y0 = chunk * rowsPerChunk, y1 = Math.Min(outHeight, y0 + rowsPerChunk);
            for (int y = y0; y < y1; y++)
            {
                Span<float> best = scratch.Best, value = scratch.Value;
                Span<byte> bestIdx = labels.Span.Slice(y * outWidth, outWidth);
                best.Fill(float.NegativeInfinity);
                bestIdx.Clear();
                for (int c = 0; c < channels; c++)
                {
                    InterpolateRow(src.Slice(c * inPlane, inPlane), inWidth, ys, y, xs, value);
                    for (int x = 0; x < outWidth; x++)
                    {
                        if (value[x] > best[x])
                        {
                            best[x] = value[x];
                            bestIdx[x] = (byte)c;
                        }
                    }
                }
                if (!wantConfidence)
                    continue;
                Span<float> sum = scratch.Sum;
                sum.Clear();
                for (int c = 0; c < channels; c++)
                {
                    InterpolateRow(src.Slice(c * inPlane, inPlane), inWidth, ys, y, xs, value);
                    for (int x = 0; x < outWidth; x++)
                        sum[x] += MathF.Exp(value[x] - best[x]);
                }
                Span<float> conf = confidence.Span.Slice(y * outWidth, outWidth);
                for (int x = 0; x < outWidth; x++)
                    conf[x] = 1f / sum[x];
            }
            return scratch;
        }, _ => { });
    }

    // Exact argmax without interpolating every channel: an interpolated value is a convex combination of
    // its cell's four corners, so it lies between their min and max. In cell (r0, c0) a channel whose
    // corner maximum is below L = max over channels of the corner minimum can never be the largest, and is
    // skipped. Most cells (inside regions) keep one candidate and need no interpolation; the others
    // interpolate only their candidates, with the same formula and channel order as the full computation,
    // so results (ties included) are identical. The margin covers float rounding of the combination.
    private static void ArgmaxPruned(ReadOnlyMemory<float> source, int channels, int inHeight, int inWidth,
        Memory<byte> labels, int outHeight, int outWidth, Axis xs, Axis ys)
    {
        int inPlane = inHeight * inWidth;
        int rowsPerChunk = Math.Max(1, 16384 / Math.Max(1, outWidth));
        int chunks = (outHeight + rowsPerChunk - 1) / rowsPerChunk;
        Parallel.For(0, chunks, () => new CellScratch(channels, inWidth), (chunk, _, sc) =>
        {
            var src = source.Span;
            int yStart = chunk * rowsPerChunk, yEnd = Math.Min(outHeight, yStart + rowsPerChunk);
            int cachedRow = -1;
            for (int y = yStart; y < yEnd; y++)
            {
                int r0 = ys.Index0[y], r1 = r0 + ys.Offset1[y];
                if (r0 != cachedRow)
                {
                    sc.Build(src, channels, inPlane, inWidth, r0, r1);
                    cachedRow = r0;
                }
                float h0 = ys.Weight0[y], h1 = ys.Weight1[y];
                var outRow = labels.Span.Slice(y * outWidth, outWidth);
                for (int x = 0; x < outWidth; x++)
                {
                    int j = xs.Index0[x];
                    int single = sc.Single[j];
                    if (single >= 0)
                    {
                        outRow[x] = (byte)single;
                        continue;
                    }
                    int i0 = j, i1 = j + xs.Offset1[x];
                    float w0 = xs.Weight0[x], w1 = xs.Weight1[x];
                    float best = float.NegativeInfinity;
                    int bestC = 0;
                    int start = sc.CandidateStart[j], end = sc.CandidateStart[j + 1];
                    for (int k = start; k < end; k++)
                    {
                        int c = sc.Candidates[k];
                        var a = src.Slice(c * inPlane + r0 * inWidth, inWidth);
                        var b = src.Slice(c * inPlane + r1 * inWidth, inWidth);
                        float v = h0 * (w0 * a[i0] + w1 * a[i1]) + h1 * (w0 * b[i0] + w1 * b[i1]);
                        if (v > best)
                        {
                            best = v;
                            bestC = c;
                        }
                    }
                    outRow[x] = (byte)bestC;
                }
            }
            return sc;
        }, _ => { });
    }

    /// <summary>Per cell of one source row pair: the channels that can win there.</summary>
    private sealed class CellScratch
    {
        private readonly float[] _lower; // per cell: max over channels of the corner minimum
        private readonly float[] _cornerMax; // [channel][cell]
        public readonly int[] Single; // the only candidate, or -1
        public readonly int[] CandidateStart; // CSR offsets into Candidates for cells with several
        public readonly List<int> CandidatesList = new();
        public int[] Candidates = [];
        private readonly int _width;

        public CellScratch(int channels, int width)
        {
            _width = width;
            _lower = new float[width];
            _cornerMax = new float[channels * width];
            Single = new int[width];
            CandidateStart = new int[width + 1];
        }

        public void Build(ReadOnlySpan<float> src, int channels, int inPlane, int inWidth, int r0, int r1)
        {
            int w = _width;
            _lower.AsSpan().Fill(float.NegativeInfinity);
            for (int c = 0; c < channels; c++)
            {
                var a = src.Slice(c * inPlane + r0 * inWidth, inWidth);
                var b = src.Slice(c * inPlane + r1 * inWidth, inWidth);
                var cmax = _cornerMax.AsSpan(c * w, w);
                for (int j = 0; j < w; j++)
                {
                    int j1 = j + 1 < w ? j + 1 : j;
                    float p = a[j], q = a[j1], r = b[j], t = b[j1];
                    float lo = MathF.Min(MathF.Min(p, q), MathF.Min(r, t));
                    float hi = MathF.Max(MathF.Max(p, q), MathF.Max(r, t));
                    cmax[j] = hi;
                    if (lo > _lower[j]) _lower[j] = lo;
                }
            }
            CandidatesList.Clear();
            for (int j = 0; j < w; j++)
            {
                float lower = _lower[j];
                // Rounding of h0·(w0·a + w1·b) + h1·(...) is a few ulps of the largest corner; 1e-5 relative is ample.
                float threshold = lower - (1e-5f * MathF.Max(1f, MathF.Abs(lower)));
                int first = -1, count = 0;
                CandidateStart[j] = CandidatesList.Count;
                for (int c = 0; c < channels; c++)
                {
                    if (_cornerMax[c * w + j] >= threshold || float.IsNaN(_cornerMax[c * w + j]))
                    {
                        if (count == 0) first = c;
                        count++;
                        CandidatesList.Add(c);
                    }
                }
                if (count == 1)
                {
                    Single[j] = first;
                    CandidatesList.RemoveAt(CandidatesList.Count - 1);
                }
                else
                {
                    Single[j] = -1;
                }
            }
            CandidateStart[w] = CandidatesList.Count;
            Candidates = CandidatesList.Count > Candidates.Length ? new int[CandidatesList.Count * 2] : Candidates;
            CandidatesList.CopyTo(Candidates);
        }
    }

    private sealed class RowScratch(int width)
    {
        public readonly float[] Best = new float[width];
        public readonly float[] Value = new float[width];
        public readonly float[] Sum = new float[width];
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
