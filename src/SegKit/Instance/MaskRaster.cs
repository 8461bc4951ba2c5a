// Turning model mask outputs into compact image-size masks without image-size float buffers:
//  - TorchBilinear: F.interpolate(mode="bilinear", align_corners=False) evaluated only over an output rectangle,
//    thresholded straight into packed bits (torchvision's mask pasting and Ultralytics' scale_masks both resize
//    this way, then keep only a box's worth of pixels);
//  - PasteTorchvision: torchvision 0.14 roi_heads.paste_masks_in_image for one mask;
//  - FromProbabilityPlane: threshold an image-size probability plane (masks a graph has pasted itself).
using System.Numerics;
using System.Runtime.Intrinsics;
using SegKit.Masks;

namespace SegKit.Instance;

/// <summary>Mask rasterisation shared by the instance runners.</summary>
internal static class MaskRaster
{
    /// <summary>
    /// Pastes an M × M mask of probabilities into the image as torchvision 0.14's <c>paste_masks_in_image</c>
    /// (padding 1) does: the mask is zero-padded to (M+2)², the box is scaled about its centre by (M+2)/M and
    /// truncated to integers (x0, y0, x1, y1), the padded mask is resized bilinearly (align_corners=False) to
    /// (y1 − y0 + 1) × (x1 − x0 + 1) (each side at least 1) and placed with its corner at (x0, y0), clipped to the
    /// image; pixels above <paramref name="threshold"/> are set. Only the clipped box region is computed.
    /// </summary>
    /// <remarks><paramref name="mask"/> holds M × M probabilities row-major (<paramref name="m"/> = M, 28 for Mask R-CNN);
    /// <paramref name="box"/> is the detection box in image pixels (XYXY, unclipped).</remarks>
    public static InstanceMask PasteTorchvision(ReadOnlySpan<float> mask, int m, BoxXyxy box, int imageWidth, int imageHeight, float threshold)
    {
        if (mask.Length != m * m) throw new ArgumentException($"mask has {mask.Length} values; {m}×{m} expected", nameof(mask));
        // expand_masks: F.pad(mask, (1, 1, 1, 1)), scale = float(M + 2) / M (a Python float, applied in float32).
        int p = m + 2;
        var padded = new float[p * p];
        for (int y = 0; y < m; y++)
            mask.Slice(y * m, m).CopyTo(padded.AsSpan((y + 1) * p + 1, m));
        float scale = (float)((double)p / m);
        // expand_boxes in float32, then .to(torch.int64) (truncation toward zero).
        float wHalf = (box.X2 - box.X1) * 0.5f * scale, hHalf = (box.Y2 - box.Y1) * 0.5f * scale;
        float xc = (box.X2 + box.X1) * 0.5f, yc = (box.Y2 + box.Y1) * 0.5f;
        if (!float.IsFinite(wHalf) || !float.IsFinite(hHalf) || !float.IsFinite(xc) || !float.IsFinite(yc))
            return InstanceMask.Empty(imageWidth, imageHeight);
        long bx0 = Trunc(xc - wHalf), by0 = Trunc(yc - hHalf), bx1 = Trunc(xc + wHalf), by1 = Trunc(yc + hHalf);
        long w = Math.Max(bx1 - bx0 + 1, 1), h = Math.Max(by1 - by0 + 1, 1);
        long x0 = Math.Max(bx0, 0), x1 = Math.Min(bx1 + 1, imageWidth);
        long y0 = Math.Max(by0, 0), y1 = Math.Min(by1 + 1, imageHeight);
        if (x0 >= x1 || y0 >= y1) return InstanceMask.Empty(imageWidth, imageHeight);
        var crop = ResampleThreshold(padded, p, p, 0, 0, p, p, w, h, x0 - bx0, y0 - by0, (int)(x1 - x0), (int)(y1 - y0), threshold);
        return new InstanceMask(imageWidth, imageHeight, (int)x0, (int)y0, crop);
    }

    // float32 → int64 as torch's .to(torch.int64): truncation; clamped far outside any image so sizes stay sane.
    private static long Trunc(float v) => (long)Math.Clamp(v, -1e9f, 1e9f);

    /// <summary>
    /// Thresholds an image-size probability plane (values &gt; threshold are set) into a mask cropped to the
    /// bounding box of its set pixels.
    /// </summary>
    public static InstanceMask FromProbabilityPlane(ReadOnlySpan<float> plane, int width, int height, float threshold)
    {
        if (plane.Length != (long)width * height) throw new ArgumentException($"plane has {plane.Length} values; {width}×{height} expected", nameof(plane));
        int minX = int.MaxValue, maxX = -1, minY = -1, maxY = -1;
        for (int y = 0; y < height; y++)
        {
            ReadOnlySpan<float> row = plane.Slice(y * width, width);
            int first = FirstAbove(row, threshold);
            if (first < 0) continue;
            int last = LastAbove(row, threshold);
            if (minY < 0) minY = y;
            maxY = y;
            minX = Math.Min(minX, first);
            maxX = Math.Max(maxX, last);
        }
        if (minY < 0) return InstanceMask.Empty(width, height);
        int cw = maxX - minX + 1, ch = maxY - minY + 1;
        var crop = new BinaryMask(cw, ch);
        for (int y = 0; y < ch; y++)
            ThresholdToBits(plane.Slice((minY + y) * width + minX, cw), threshold, crop.DangerousGetRowWords(y));
        return new InstanceMask(width, height, minX, minY, crop);
    }

    /// <summary>
    /// Resizes a plane bilinearly as <c>F.interpolate(x, (outHeight, outWidth), mode="bilinear", align_corners=False)</c>
    /// but evaluates only the output rectangle [ox, ox + cw) × [oy, oy + ch) and returns it thresholded
    /// (value &gt; <paramref name="threshold"/>) as a cw × ch mask.
    /// </summary>
    /// <remarks><paramref name="source"/> holds the values of the source rows [srcY0, srcY0 + srcRows) and columns [srcX0, srcX0 + srcCols) of the
    /// full inWidth × inHeight plane (row-major, srcCols per row); it must cover every source pixel the rectangle reads
    /// (see <see cref="SourceSpan"/>).</remarks>
    public static BinaryMask ResampleThreshold(ReadOnlySpan<float> source, int srcCols, int srcRows, int srcX0, int srcY0,
        int inWidth, int inHeight, long outWidth, long outHeight, long ox, long oy, int cw, int ch, float threshold)
    {
        var crop = new BinaryMask(cw, ch);
        if (cw == 0 || ch == 0) return crop;
        var xs = TorchAxis.Create(inWidth, outWidth, ox, cw);
        var ys = TorchAxis.Create(inHeight, outHeight, oy, ch);
        int r0 = ys.MinIndex, r1 = ys.MaxIndex;
        // Horizontal pass once per source row used: hrow[x] = a[i0]·w0 + a[i1]·w1 (PyTorch's order).
        int rows = r1 - r0 + 1;
        var hrows = new float[(long)rows * cw];
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> a = source.Slice((r0 + r - srcY0) * srcCols, srcCols);
            Span<float> dst = hrows.AsSpan(r * cw, cw);
            for (int x = 0; x < cw; x++)
                dst[x] = a[xs.I0[x] - srcX0] * xs.W0[x] + a[xs.I1[x] - srcX0] * xs.W1[x];
        }
        var value = new float[cw];
        for (int y = 0; y < ch; y++)
        {
            ReadOnlySpan<float> a = hrows.AsSpan((ys.I0[y] - r0) * cw, cw);
            ReadOnlySpan<float> b = hrows.AsSpan((ys.I1[y] - r0) * cw, cw);
            Combine(a, ys.W0[y], b, ys.W1[y], value);
            ThresholdToBits(value, threshold, crop.DangerousGetRowWords(y));
        }
        return crop;
    }

    /// <summary>The source columns (or rows) [first, last] that output indices [o, o + count) of a torch bilinear resize read.</summary>
    public static (int First, int Last) SourceSpan(int inSize, long outSize, long o, int count)
    {
        var axis = TorchAxis.Create(inSize, outSize, o, count);
        return (axis.MinIndex, axis.MaxIndex);
    }

    // value[x] = a[x]·wa + b[x]·wb
    private static void Combine(ReadOnlySpan<float> a, float wa, ReadOnlySpan<float> b, float wb, Span<float> value)
    {
        int x = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var va = Vector256.Create(wa);
            var vb = Vector256.Create(wb);
            for (; x <= value.Length - 8; x += 8)
                (Vector256.Create(a.Slice(x, 8)) * va + Vector256.Create(b.Slice(x, 8)) * vb).CopyTo(value.Slice(x, 8));
        }
        for (; x < value.Length; x++) value[x] = a[x] * wa + b[x] * wb;
    }

    // bits of row: bit x set where values[x] > threshold (NaN is false); words beyond the values stay zero.
    private static void ThresholdToBits(ReadOnlySpan<float> values, float threshold, Span<ulong> words)
    {
        int n = values.Length, x = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var t = Vector256.Create(threshold);
            for (; x <= n - 64; x += 64)
            {
                ulong word = 0;
                for (int k = 0; k < 64; k += 8)
                    word |= (ulong)Vector256.GreaterThan(Vector256.Create(values.Slice(x + k, 8)), t).ExtractMostSignificantBits() << k;
                words[x >> 6] = word;
            }
        }
        for (; x < n; x++)
            if (values[x] > threshold) words[x >> 6] |= 1UL << (x & 63);
    }

    private static int FirstAbove(ReadOnlySpan<float> row, float threshold)
    {
        int x = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var t = Vector256.Create(threshold);
            for (; x <= row.Length - 8; x += 8)
            {
                uint bits = Vector256.GreaterThan(Vector256.Create(row.Slice(x, 8)), t).ExtractMostSignificantBits();
                if (bits != 0) return x + BitOperations.TrailingZeroCount(bits);
            }
        }
        for (; x < row.Length; x++) if (row[x] > threshold) return x;
        return -1;
    }

    private static int LastAbove(ReadOnlySpan<float> row, float threshold)
    {
        for (int x = row.Length - 1; x >= 0; x--) if (row[x] > threshold) return x;
        return -1;
    }

    /// <summary>
    /// PyTorch's bilinear source indices and weights (upsample_bilinear2d, align_corners=False, CPU) for output
    /// indices [o, o + count): scale = (float)in / out; real = scale · (d + 0.5) − 0.5 in double, 0 when negative;
    /// i0 = (int)real; λ1 = (float)(real − i0); λ0 = 1 − λ1; i1 = i0 + 1 unless i0 is the last index.
    /// </summary>
    private sealed class TorchAxis
    {
        public required int[] I0 { get; init; }
        public required int[] I1 { get; init; }
        public required float[] W0 { get; init; }
        public required float[] W1 { get; init; }
        public int MinIndex { get; private init; }
        public int MaxIndex { get; private init; }

        public static TorchAxis Create(int inSize, long outSize, long o, int count)
        {
            double scale = (float)inSize / outSize;
            var i0s = new int[count];
            var i1s = new int[count];
            var w0s = new float[count];
            var w1s = new float[count];
            int min = int.MaxValue, max = int.MinValue;
            for (int k = 0; k < count; k++)
            {
                double real = scale * (o + k + 0.5) - 0.5;
                if (real < 0) real = 0;
                int i0 = (int)Math.Min(real, inSize - 1);
                float l1 = Math.Clamp((float)(real - i0), 0f, 1f);
                int i1 = i0 < inSize - 1 ? i0 + 1 : i0;
                i0s[k] = i0;
                i1s[k] = i1;
                w1s[k] = l1;
                w0s[k] = 1f - l1;
                min = Math.Min(min, i0);
                max = Math.Max(max, i1);
            }
            return new TorchAxis { I0 = i0s, I1 = i1s, W0 = w0s, W1 = w1s, MinIndex = min, MaxIndex = max };
        }
    }
}
