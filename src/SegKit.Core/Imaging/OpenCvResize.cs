// Bilinear resizing of 8-bit images exactly as OpenCV 4.x's cv2.resize(..., interpolation=INTER_LINEAR) computes
// it (checked against Debian's cv2 4.6 on hundreds of sizes). Ultralytics letterboxes with it, so YOLO models see
// these pixels, not PIL's (which average over the whole footprint when shrinking). Fixed point, as OpenCV:
//   per axis, source coordinate f = (float)((d + 0.5) · scale − 0.5) with scale = 1 / (dst / src) in double;
//   s = floor(f), weights round((1 − (f − s)) · 2048) and round((f − s) · 2048) (ties to even);
//   horizontally, s < 0 becomes (s = 0, f = 0) and s ≥ src − 1 becomes (s = src − 1, f = 0); vertically the
//   weights are kept and the two rows are clamped into the image instead;
//   horizontal pass in integers: H = p[s]·a0 + p[s+1]·a1 (≤ 2^19);
//   vertical pass as OpenCV's SIMD kernel rounds it:
//   out = sat_u8(((((H0 >> 4) · b0) >> 16) + (((H1 >> 4) · b1) >> 16) + 2) >> 2).

using System.Runtime.Intrinsics;

namespace SegKit.Imaging;

/// <summary>OpenCV-compatible resampling of 8-bit interleaved images (cv2.resize semantics, bit-exact).</summary>
public static class OpenCvResize
{
    private const int CoefBits = 11;
    private const float CoefScale = 1 << CoefBits;
    private const long ParallelWork = 1 << 17;

    /// <summary>
    /// Resizes <paramref name="source"/> to <paramref name="width"/> × <paramref name="height"/> as
    /// <c>cv2.resize(img, (width, height), interpolation=cv2.INTER_LINEAR)</c> (no antialiasing when shrinking).
    /// Returns a copy when the size is unchanged. The source is not modified.
    /// </summary>
    public static RgbImage Linear(RgbImage source, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(source);
        var result = new RgbImage(width, height);
        Linear(source.Data, source.Width, source.Height, 3, result.Data, width, height);
        return result;
    }

    /// <summary>
    /// The same on raw interleaved pixels: <paramref name="source"/> holds srcHeight rows of srcWidth × channels
    /// bytes, <paramref name="destination"/> receives dstHeight rows of dstWidth × channels bytes (no row padding).
    /// </summary>
    public static void Linear(ReadOnlySpan<byte> source, int srcWidth, int srcHeight, int channels,
        Span<byte> destination, int dstWidth, int dstHeight)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(channels, 4);
        long srcLen = ImageSize.CheckedPixelCount(srcWidth, srcHeight, channels);
        long dstLen = ImageSize.CheckedPixelCount(dstWidth, dstHeight, channels);
        if (source.Length < srcLen)
            throw new ArgumentException($"source has {source.Length} bytes; {srcWidth}×{srcHeight}×{channels} = {srcLen} expected", nameof(source));
        if (destination.Length < dstLen)
            throw new ArgumentException($"destination has {destination.Length} bytes; {dstWidth}×{dstHeight}×{channels} = {dstLen} expected", nameof(destination));
        if (srcWidth == dstWidth && srcHeight == dstHeight)
        {
            source[..(int)srcLen].CopyTo(destination);
            return;
        }

        var (xIndex, xWeights) = Coefficients(srcWidth, dstWidth, clampEdges: true);
        var (yIndex, yWeights) = Coefficients(srcHeight, dstHeight, clampEdges: false);
        // Element offsets of the two horizontal taps for every destination element (pixel × channel).
        int rowElems = dstWidth * channels;
        var tap0 = new int[rowElems];
        var tap1 = new int[rowElems];
        var a0 = new int[rowElems];
        var a1 = new int[rowElems];
        for (int x = 0; x < dstWidth; x++)
        {
            int s0 = xIndex[x], s1 = Math.Min(s0 + 1, srcWidth - 1);
            for (int c = 0; c < channels; c++)
            {
                int e = x * channels + c;
                tap0[e] = s0 * channels + c;
                tap1[e] = s1 * channels + c;
                a0[e] = xWeights[2 * x];
                a1[e] = xWeights[2 * x + 1];
            }
        }

        unsafe
        {
            fixed (byte* srcPtr = source)
            fixed (byte* dstPtr = destination)
            {
                nint src = (nint)srcPtr, dst = (nint)dstPtr;
                int srcStride = srcWidth * channels;
                ForRowBlocks(dstHeight, (long)dstHeight * rowElems, (y0, y1) =>
                {
                    // Horizontally resized rows, cached by source row (consecutive output rows share them).
                    int[] rowA = new int[rowElems], rowB = new int[rowElems];
                    int rowAIndex = -1, rowBIndex = -1;
                    for (int y = y0; y < y1; y++)
                    {
                        int sy = yIndex[y];
                        int r0 = Math.Clamp(sy, 0, srcHeight - 1), r1 = Math.Clamp(sy + 1, 0, srcHeight - 1);
                        int[] h0 = GetRow(r0, keep: r1), h1 = GetRow(r1, keep: r0);
                        int b0 = yWeights[2 * y], b1 = yWeights[2 * y + 1];
                        VerticalPass(h0, h1, b0, b1, new Span<byte>((byte*)dst + (long)y * rowElems, rowElems));
                    }

                    int[] GetRow(int r, int keep)
                    {
                        if (r == rowAIndex) return rowA;
                        if (r == rowBIndex) return rowB;
                        bool useB = rowAIndex == keep;
                        int[] target = useB ? rowB : rowA;
                        if (useB) rowBIndex = r; else rowAIndex = r;
                        var p = new ReadOnlySpan<byte>((byte*)src + (long)r * srcStride, srcStride);
                        for (int e = 0; e < rowElems; e++)
                            target[e] = p[tap0[e]] * a0[e] + p[tap1[e]] * a1[e];
                        return target;
                    }
                });
            }
        }
    }

    // out = sat_u8(((((h0 >> 4)·b0) >> 16) + (((h1 >> 4)·b1) >> 16) + 2) >> 2), 32 elements per step where AVX2 is there.
    private static void VerticalPass(int[] h0, int[] h1, int b0, int b1, Span<byte> output)
    {
        int e = 0, n = output.Length;
        if (Vector256.IsHardwareAccelerated)
        {
            var vb0 = Vector256.Create(b0);
            var vb1 = Vector256.Create(b1);
            var two = Vector256.Create(2);
            var max = Vector256.Create(255);
            for (; e <= n - 32; e += 32)
            {
                var v0 = Lane(h0, h1, e, vb0, vb1, two, max);
                var v1 = Lane(h0, h1, e + 8, vb0, vb1, two, max);
                var v2 = Lane(h0, h1, e + 16, vb0, vb1, two, max);
                var v3 = Lane(h0, h1, e + 24, vb0, vb1, two, max);
                Vector256<ushort> lo = Vector256.Narrow(v0.AsUInt32(), v1.AsUInt32());
                Vector256<ushort> hi = Vector256.Narrow(v2.AsUInt32(), v3.AsUInt32());
                Vector256.Narrow(lo, hi).CopyTo(output.Slice(e, 32));
            }
        }
        for (; e < n; e++)
        {
            int v = ((((h0[e] >> 4) * b0) >> 16) + (((h1[e] >> 4) * b1) >> 16) + 2) >> 2;
            output[e] = (byte)Math.Clamp(v, 0, 255);
        }
    }

    private static Vector256<int> Lane(int[] h0, int[] h1, int e, Vector256<int> b0, Vector256<int> b1, Vector256<int> two, Vector256<int> max)
    {
        var x0 = Vector256.ShiftRightArithmetic(Vector256.Create(h0.AsSpan(e, 8)), 4);
        var x1 = Vector256.ShiftRightArithmetic(Vector256.Create(h1.AsSpan(e, 8)), 4);
        var v = Vector256.ShiftRightArithmetic(Vector256.ShiftRightArithmetic(x0 * b0, 16) + Vector256.ShiftRightArithmetic(x1 * b1, 16) + two, 2);
        return Vector256.Max(Vector256.Min(v, max), Vector256<int>.Zero);
    }

    /// <summary>Per destination index: the first source index and the two 11-bit fixed-point weights.</summary>
    private static (int[] Index, short[] Weights) Coefficients(int src, int dst, bool clampEdges)
    {
        double scale = 1.0 / ((double)dst / src);
        var index = new int[dst];
        var weights = new short[2 * dst];
        for (int d = 0; d < dst; d++)
        {
            float f = (float)((d + 0.5) * scale - 0.5);
            int s = (int)MathF.Floor(f);
            f -= s;
            if (clampEdges)
            {
                if (s < 0) { s = 0; f = 0; }
                if (s >= src - 1) { s = src - 1; f = 0; }
            }
            index[d] = s;
            weights[2 * d] = SaturateShort(MathF.Round((1f - f) * CoefScale, MidpointRounding.ToEven));
            weights[2 * d + 1] = SaturateShort(MathF.Round(f * CoefScale, MidpointRounding.ToEven));
        }
        return (index, weights);
    }

    private static short SaturateShort(float v) => (short)Math.Clamp(v, short.MinValue, short.MaxValue);

    private static void ForRowBlocks(int rows, long work, Action<int, int> body)
    {
        int workers = Environment.ProcessorCount;
        if (work < ParallelWork || workers < 2 || rows < 2)
        {
            body(0, rows);
            return;
        }
        int blocks = Math.Min(rows, workers * 2);
        Parallel.For(0, blocks, b => body((int)((long)rows * b / blocks), (int)((long)rows * (b + 1) / blocks)));
    }
}
