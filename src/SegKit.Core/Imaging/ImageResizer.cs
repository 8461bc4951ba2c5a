// Resizing with PIL 9.4 parity.
// Bilinear = PIL's ImagingResample with the triangle filter: separable convolution, support scaled by the
// downscale factor (antialiasing when shrinking), coefficients normalised then rounded to 22-bit fixed point
// (PRECISION_BITS = 32 − 8 − 2), accumulation from 1 << 21, clip8; horizontal pass first (only over the
// rows the vertical pass reads), then vertical; a pass is skipped when that side keeps its size. With AVX-512 VBMI the
// horizontal pass gathers the taps of up to 16 output bytes with one byte permute per tap (GatherPlan): the same
// integer sums, so the same bytes.
// Nearest = PIL's resize(NEAREST) = ImagingScaleAffine: source x = (int)(xo) with xo starting at scale/2
// and advanced by += scale per pixel (floating accumulation, as in C), same for y.
using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SegKit.Imaging;

/// <summary>Bilinear (antialiased) and nearest-neighbour resizing, bit-exact with PIL 9.4's <c>Image.resize</c>.</summary>
public static class ImageResizer
{
    private const int PrecisionBits = 32 - 8 - 2;
    private const int Half = 1 << (PrecisionBits - 1);

    /// <summary>Output pixels × taps above which passes run in parallel over row blocks.</summary>
    private const long ParallelWork = 1 << 18;

    /// <summary>PIL <c>resize((width, height), BILINEAR)</c> of an RGB image.</summary>
    public static RgbImage ResizeBilinear(RgbImage image, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(image);
        var result = RgbImage.CreateUninitialized(width, height);
        ResizeBilinear(image.Data, image.Width, image.Height, 3, result.Data, width, height);
        return result;
    }

    /// <summary>PIL <c>resize((width, height), BILINEAR)</c> of an 8-bit single-channel image (mode L).</summary>
    public static GrayImage ResizeBilinear(GrayImage image, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(image);
        var result = new GrayImage(width, height);
        ResizeBilinear(image.Data, image.Width, image.Height, 1, result.Data, width, height);
        return result;
    }

    /// <summary>PIL <c>resize((width, height), NEAREST)</c> of an RGB image.</summary>
    public static RgbImage ResizeNearest(RgbImage image, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(image);
        var result = RgbImage.CreateUninitialized(width, height);
        ResizeNearest(image.Data, image.Width, image.Height, 3, result.Data, width, height);
        return result;
    }

    /// <summary>PIL <c>resize((width, height), NEAREST)</c> of an 8-bit single-channel image.</summary>
    public static GrayImage ResizeNearest(GrayImage image, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(image);
        var result = new GrayImage(width, height);
        ResizeNearest(image.Data, image.Width, image.Height, 1, result.Data, width, height);
        return result;
    }

    /// <summary>Nearest-neighbour resize of a label map / palette image (PIL resizes mode P with NEAREST only); the palette is shared.</summary>
    public static IndexedImage ResizeNearest(IndexedImage image, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(image);
        var indices = new byte[ImageSize.CheckedPixelCount(width, height, 1)];
        ResizeNearest(image.Indices, image.Width, image.Height, 1, indices, width, height);
        return new IndexedImage(width, height, indices, image.Palette);
    }

    /// <summary>
    /// Bilinear resize of interleaved 8-bit pixels: <paramref name="source"/> is srcHeight × srcWidth × channels
    /// (row-major, unpadded), <paramref name="destination"/> dstHeight × dstWidth × channels. channels is 1..4.
    /// </summary>
    public static unsafe void ResizeBilinear(ReadOnlySpan<byte> source, int srcWidth, int srcHeight, int channels,
        Span<byte> destination, int dstWidth, int dstHeight)
    {
        CheckArgs(source, srcWidth, srcHeight, channels, destination, dstWidth, dstHeight);
        bool needHorizontal = dstWidth != srcWidth;
        bool needVertical = dstHeight != srcHeight;
        if (!needHorizontal && !needVertical)
        {
            source[..(srcWidth * srcHeight * channels)].CopyTo(destination);
            return;
        }

        var horiz = Coefficients.Bilinear(srcWidth, dstWidth);
        var vert = Coefficients.Bilinear(srcHeight, dstHeight);
        // Rows of the source the vertical pass will read.
        int yFirst = vert.Bounds[0];
        int yLast = vert.Bounds[dstHeight * 2 - 2] + vert.Bounds[dstHeight * 2 - 1];

        fixed (byte* src = source)
        fixed (byte* dst = destination)
        {
            if (needHorizontal && !needVertical)
            {
                Horizontal(src, srcWidth, channels, 0, dst, dstWidth, dstHeight, horiz);
                return;
            }
            if (!needHorizontal)
            {
                Vertical(src, srcWidth * channels, vert, 0, dst, dstHeight);
                return;
            }
            int tempRows = yLast - yFirst;
            int tempLength = checked(tempRows * dstWidth * channels);
            byte[] temp = ArrayPool<byte>.Shared.Rent(tempLength);
            try
            {
                fixed (byte* t = temp)
                {
                    Horizontal(src, srcWidth, channels, yFirst, t, dstWidth, tempRows, horiz);
                    Vertical(t, dstWidth * channels, vert, yFirst, dst, dstHeight);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(temp);
            }
        }
    }

    /// <summary>
    /// Nearest-neighbour resize of interleaved 8-bit pixels (layouts as in
    /// <see cref="ResizeBilinear(ReadOnlySpan{byte}, int, int, int, Span{byte}, int, int)"/>), channels 1..4.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void ResizeNearest(ReadOnlySpan<byte> source, int srcWidth, int srcHeight, int channels,
        Span<byte> destination, int dstWidth, int dstHeight)
    {
        CheckArgs(source, srcWidth, srcHeight, channels, destination, dstWidth, dstHeight);
        if (dstWidth == srcWidth && dstHeight == srcHeight)
        {
            source[..(srcWidth * srcHeight * channels)].CopyTo(destination);
            return;
        }
        // ImagingScaleAffine: a[0] = in/out, xo = a[0] * 0.5, xo += a[0] per pixel; COORD(v) = v < 0 ? -1 : (int)v.
        int[] xin = ArrayPool<int>.Shared.Rent(dstWidth);
        try
        {
            double a0 = (double)srcWidth / dstWidth, a4 = (double)srcHeight / dstHeight;
            double xo = a0 * 0.5;
            int xmin = dstWidth, xmax = 0;
            for (int x = 0; x < dstWidth; x++)
            {
                int xi = xo < 0.0 ? -1 : (int)xo;
                if (xi >= 0 && xi < srcWidth)
                {
                    xmax = x + 1;
                    if (x < xmin) xmin = x;
                    xin[x] = xi;
                }
                xo += a0;
            }
            var dst = destination[..(dstWidth * dstHeight * channels)];
            double yo = a4 * 0.5;
            int srcStride = srcWidth * channels, dstStride = dstWidth * channels;
            fixed (byte* sp = source)
            fixed (byte* dp = dst)
            fixed (int* xi = xin)
            {
                for (int y = 0; y < dstHeight; y++)
                {
                    int yi = yo < 0.0 ? -1 : (int)yo;
                    yo += a4;
                    byte* o = dp + (long)y * dstStride;
                    if (yi < 0 || yi >= srcHeight)
                    {
                        new Span<byte>(o, dstStride).Clear(); // PIL fills pixels that map outside the source with 0
                        continue;
                    }
                    if (xmin > 0) new Span<byte>(o, xmin * channels).Clear();
                    if (xmax < dstWidth) new Span<byte>(o + xmax * channels, (dstWidth - xmax) * channels).Clear();
                    byte* r = sp + (long)yi * srcStride;
                    switch (channels)
                    {
                        case 1:
                            for (int x = xmin; x < xmax; x++) o[x] = r[xi[x]];
                            break;
                        case 3:
                            for (int x = xmin; x < xmax; x++)
                            {
                                byte* q = r + xi[x] * 3;
                                byte* t = o + x * 3;
                                t[0] = q[0];
                                t[1] = q[1];
                                t[2] = q[2];
                            }
                            break;
                        default:
                            for (int x = xmin; x < xmax; x++)
                                for (int ch = 0; ch < channels; ch++) o[x * channels + ch] = r[xi[x] * channels + ch];
                            break;
                    }
                }
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(xin);
        }
    }

    private static void CheckArgs(ReadOnlySpan<byte> source, int srcWidth, int srcHeight, int channels, Span<byte> destination, int dstWidth, int dstHeight)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(channels, 4);
        long srcLen = ImageSize.CheckedPixelCount(srcWidth, srcHeight, channels);
        long dstLen = ImageSize.CheckedPixelCount(dstWidth, dstHeight, channels);
        if (source.Length < srcLen)
            throw new ArgumentException($"source has {source.Length} bytes; {srcWidth}×{srcHeight}×{channels} = {srcLen} expected", nameof(source));
        if (destination.Length < dstLen)
            throw new ArgumentException($"destination has {destination.Length} bytes; {dstWidth}×{dstHeight}×{channels} = {dstLen} expected", nameof(destination));
    }

    /// <summary>Runs body(first, end) over [0, count) in blocks, in parallel when the work is large enough.</summary>
    private static void ForRowBlocks(int count, long work, Action<int, int> body)
    {
        int workers = Environment.ProcessorCount;
        if (work < ParallelWork || workers < 2 || count < 2)
        {
            body(0, count);
            return;
        }
        int blocks = Math.Min(count, workers * 4);
        Parallel.For(0, blocks, b =>
        {
            int start = (int)((long)count * b / blocks), end = (int)((long)count * (b + 1) / blocks);
            body(start, end);
        });
    }

    private static unsafe void Horizontal(byte* src, int srcWidth, int channels, int firstRow, byte* dst, int dstWidth, int rows, Coefficients c)
    {
        nint s = (nint)src, d = (nint)dst;
        // The SIMD path loads 4 bytes per RGB pixel; the very last pixel of the rows read has no 4th byte after it.
        nint safeEnd = (nint)(src + (long)(firstRow + rows) * srcWidth * channels - 1);
        var gathered = GatherPlan.TryCreate(c, channels, dstWidth);
        ForRowBlocks(rows, (long)rows * dstWidth * c.KSize * channels, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (start, end) =>
        {
            fixed (int* kk = c.K)
            fixed (int* bounds = c.Bounds)
            {
                for (int y = start; y < end; y++)
                {
                    byte* inRow = (byte*)s + (long)(y + firstRow) * srcWidth * channels;
                    byte* outRow = (byte*)d + (long)y * dstWidth * channels;
                    if (gathered is not null) HorizontalRowGathered(inRow, outRow, dstWidth, channels, kk, bounds, c.KSize, gathered, (byte*)safeEnd + 1);
                    else if (channels == 3 && Sse41.IsSupported) HorizontalRow3Sse41(inRow, outRow, dstWidth, kk, bounds, c.KSize, (byte*)safeEnd);
                    else if (channels == 3) HorizontalRow3(inRow, outRow, dstWidth, kk, bounds, c.KSize);
                    else HorizontalRowN(inRow, outRow, dstWidth, channels, kk, bounds, c.KSize);
                }
            }
        });
    }

    /// <summary>
    /// The horizontal pass 16 output bytes at a time (AVX-512 VBMI): a group of up to 16 / channels neighbouring
    /// output pixels reads a window of at most 64 source bytes, so for each tap one byte permute gathers every
    /// lane's source byte, and one multiply-add per tap accumulates all lanes. The integer sums are PIL's (exact
    /// in 32 bits, so the order of the taps does not matter); a tap past a pixel's own count has weight 0.
    /// </summary>
    private sealed class GatherPlan
    {
        public required int[] FirstPixel;          // per group: first output pixel
        public required int[] Pixels;              // per group: output pixels
        public required int[] Window;              // per group: first source byte of the 64-byte window, from the row start
        public required int Taps;                  // taps per group (the most any of its pixels has)
        public required Vector128<byte>[] Index;   // per group and tap: per lane, the byte of the window it reads
        public required Vector512<int>[] Weight;   // per group and tap: per lane, its weight (0 past the pixel's taps)

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static GatherPlan? TryCreate(Coefficients c, int channels, int dstWidth)
        {
            if (!Avx512Vbmi.IsSupported || channels is not (1 or 3)) return null;
            int most = 16 / channels;
            int taps = 0;
            for (int xx = 0; xx < dstWidth; xx++) taps = Math.Max(taps, c.Bounds[xx * 2 + 1]);
            var first = new List<int>();
            var pixels = new List<int>();
            var window = new List<int>();
            for (int xx = 0; xx < dstWidth;)
            {
                int start = c.Bounds[xx * 2], n = 0;
                // As many pixels as fit 16 lanes and a 64-byte window (the sources' starts grow with xx).
                while (n < most && xx + n < dstWidth && (c.Bounds[(xx + n) * 2] + c.Bounds[(xx + n) * 2 + 1] - start) * channels <= 64) n++;
                if (n == 0) return null; // one pixel reads more than 64 bytes: a strong downscale, left to the tap loop
                first.Add(xx);
                pixels.Add(n);
                window.Add(start * channels);
                xx += n;
            }
            int groups = first.Count;
            var index = new Vector128<byte>[groups * taps];
            var weight = new Vector512<int>[groups * taps];
            Span<byte> lanesIndex = stackalloc byte[16];
            Span<int> lanesWeight = stackalloc int[16];
            for (int g = 0; g < groups; g++)
                for (int t = 0; t < taps; t++)
                {
                    lanesIndex.Clear();
                    lanesWeight.Clear();
                    for (int j = 0; j < pixels[g]; j++)
                    {
                        int xx = first[g] + j, xmin = c.Bounds[xx * 2], count = c.Bounds[xx * 2 + 1];
                        if (t >= count) continue;
                        for (int ch = 0; ch < channels; ch++)
                        {
                            lanesIndex[j * channels + ch] = (byte)((xmin + t) * channels + ch - window[g]);
                            lanesWeight[j * channels + ch] = c.K[xx * c.KSize + t];
                        }
                    }
                    index[g * taps + t] = Vector128.Create<byte>(lanesIndex);
                    weight[g * taps + t] = Vector512.Create<int>(lanesWeight);
                }
            return new GatherPlan
            {
                FirstPixel = [.. first], Pixels = [.. pixels], Window = [.. window], Taps = taps, Index = index, Weight = weight,
            };
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void HorizontalRowGathered(byte* inRow, byte* outRow, int dstWidth, int channels, int* kk, int* bounds, int ksize,
        GatherPlan plan, byte* sourceEnd)
    {
        var half = Vector512.Create(Half);
        var max = Vector512.Create(255);
        int taps = plan.Taps;
        byte* rowEnd = outRow + dstWidth * channels;
        byte* tail = stackalloc byte[16];
        fixed (Vector128<byte>* index = plan.Index)
        fixed (Vector512<int>* weight = plan.Weight)
        {
            for (int g = 0; g < plan.FirstPixel.Length; g++)
            {
                byte* w = inRow + plan.Window[g];
                byte* o = outRow + plan.FirstPixel[g] * channels;
                int bytes = plan.Pixels[g] * channels;
                if (w + 64 > sourceEnd)
                {
                    // The window would read past the source buffer (the last pixels of the last row): per pixel.
                    HorizontalPixelsN(inRow, outRow, plan.FirstPixel[g], plan.FirstPixel[g] + plan.Pixels[g], channels, kk, bounds, ksize);
                    continue;
                }
                var source = Vector512.Load(w);
                var acc = half;
                Vector128<byte>* gi = index + g * taps;
                Vector512<int>* gw = weight + g * taps;
                for (int t = 0; t < taps; t++)
                {
                    var picked = Avx512Vbmi.PermuteVar64x8(source, gi[t].ToVector256Unsafe().ToVector512Unsafe()).GetLower().GetLower();
                    acc = Avx512F.Add(acc, Avx512F.MultiplyLow(Avx512F.ConvertToVector512Int32(picked), gw[t]));
                }
                var v = Avx512F.Min(Avx512F.Max(Avx512F.ShiftRightArithmetic(acc, PrecisionBits), Vector512<int>.Zero), max);
                var packed = Avx512F.ConvertToVector128Byte(v);
                if (o + 16 <= rowEnd) packed.Store(o); // the bytes past this group's are the next group's, written after
                else
                {
                    packed.Store(tail);
                    Buffer.MemoryCopy(tail, o, bytes, bytes);
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void HorizontalRow3(byte* inRow, byte* outRow, int dstWidth, int* kk, int* bounds, int ksize)
    {
        for (int xx = 0; xx < dstWidth; xx++)
        {
            int xmin = bounds[xx * 2], xmax = bounds[xx * 2 + 1];
            int* k = kk + xx * ksize;
            byte* p = inRow + xmin * 3;
            int ss0 = Half, ss1 = Half, ss2 = Half;
            for (int x = 0; x < xmax; x++, p += 3)
            {
                int w = k[x];
                ss0 += p[0] * w;
                ss1 += p[1] * w;
                ss2 += p[2] * w;
            }
            outRow[xx * 3] = Clip8(ss0);
            outRow[xx * 3 + 1] = Clip8(ss1);
            outRow[xx * 3 + 2] = Clip8(ss2);
        }
    }

    /// <summary>RGB row with one 4-lane multiply-add per tap (same integer sums as the scalar loop, so bit-identical).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void HorizontalRow3Sse41(byte* inRow, byte* outRow, int dstWidth, int* kk, int* bounds, int ksize, byte* safeEnd)
    {
        var half = Vector128.Create(Half);
        for (int xx = 0; xx < dstWidth; xx++)
        {
            int xmin = bounds[xx * 2], xmax = bounds[xx * 2 + 1];
            int* k = kk + xx * ksize;
            byte* p = inRow + xmin * 3;
            if (p + xmax * 3 > safeEnd)
            {
                HorizontalPixel3(p, outRow + xx * 3, k, xmax);
                continue;
            }
            var ss = half;
            for (int x = 0; x < xmax; x++, p += 3)
                ss = Sse2.Add(ss, Sse41.MultiplyLow(Sse41.ConvertToVector128Int32(p), Vector128.Create(k[x])));
            var v = Sse2.ShiftRightArithmetic(ss, PrecisionBits);
            outRow[xx * 3] = Clamp8(v.GetElement(0));
            outRow[xx * 3 + 1] = Clamp8(v.GetElement(1));
            outRow[xx * 3 + 2] = Clamp8(v.GetElement(2));
        }
    }

    private static unsafe void HorizontalPixel3(byte* p, byte* o, int* k, int xmax)
    {
        int ss0 = Half, ss1 = Half, ss2 = Half;
        for (int x = 0; x < xmax; x++, p += 3)
        {
            ss0 += p[0] * k[x];
            ss1 += p[1] * k[x];
            ss2 += p[2] * k[x];
        }
        o[0] = Clip8(ss0);
        o[1] = Clip8(ss1);
        o[2] = Clip8(ss2);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void HorizontalRowN(byte* inRow, byte* outRow, int dstWidth, int channels, int* kk, int* bounds, int ksize) =>
        HorizontalPixelsN(inRow, outRow, 0, dstWidth, channels, kk, bounds, ksize);

    // Output pixels [from, to) of a row, any channel count, one tap at a time.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void HorizontalPixelsN(byte* inRow, byte* outRow, int from, int to, int channels, int* kk, int* bounds, int ksize)
    {
        for (int xx = from; xx < to; xx++)
        {
            int xmin = bounds[xx * 2], xmax = bounds[xx * 2 + 1];
            int* k = kk + xx * ksize;
            for (int ch = 0; ch < channels; ch++)
            {
                byte* p = inRow + xmin * channels + ch;
                int ss = Half;
                for (int x = 0; x < xmax; x++, p += channels) ss += *p * k[x];
                outRow[xx * channels + ch] = Clip8(ss);
            }
        }
    }

    private static unsafe void Vertical(byte* src, int rowBytes, Coefficients c, int boundsShift, byte* dst, int dstHeight)
    {
        nint s = (nint)src, d = (nint)dst;
        ForRowBlocks(dstHeight, (long)dstHeight * rowBytes * c.KSize, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (start, end) =>
        {
            int[] acc = ArrayPool<int>.Shared.Rent(rowBytes);
            try
            {
                fixed (int* a = acc)
                fixed (int* kk = c.K)
                {
                    for (int yy = start; yy < end; yy++)
                    {
                        int ymin = c.Bounds[yy * 2] - boundsShift, ymax = c.Bounds[yy * 2 + 1];
                        int* k = kk + yy * c.KSize;
                        new Span<int>(a, rowBytes).Fill(Half);
                        // Row-by-row accumulation: integer sums, so the order does not change the result.
                        for (int y = 0; y < ymax; y++)
                        {
                            byte* inRow = (byte*)s + (long)(y + ymin) * rowBytes;
                            int w = k[y];
                            int i = 0;
                            if (Avx2.IsSupported)
                            {
                                var wv = Vector256.Create(w);
                                for (; i + 8 <= rowBytes; i += 8)
                                    Avx.Store(a + i, Avx2.Add(Avx.LoadVector256(a + i), Avx2.MultiplyLow(Avx2.ConvertToVector256Int32(inRow + i), wv)));
                            }
                            for (; i < rowBytes; i++) a[i] += inRow[i] * w;
                        }
                        byte* outRow = (byte*)d + (long)yy * rowBytes;
                        for (int i = 0; i < rowBytes; i++) outRow[i] = Clip8(a[i]);
                    }
                }
            }
            finally
            {
                ArrayPool<int>.Shared.Return(acc);
            }
        });
    }

    // Inlined by hand: without profile data (a method compiled optimised on first call) the JIT left these
    // per-pixel calls out of line, and the resize of truck.jpg took 10–30 ms instead of 5.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static byte Clamp8(int v) => (byte)(v < 0 ? 0 : v > 255 ? 255 : v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static byte Clip8(int ss)
    {
        int v = ss >> PrecisionBits;
        return (byte)(v < 0 ? 0 : v > 255 ? 255 : v);
    }

    /// <summary>PIL precompute_coeffs + normalize_coeffs_8bpc for the bilinear (triangle, support 1) filter.</summary>
    private sealed class Coefficients
    {
        public required int KSize { get; init; }
        /// <summary>Per output pixel: first input index, number of taps.</summary>
        public required int[] Bounds { get; init; }
        /// <summary>Per output pixel: KSize fixed-point weights.</summary>
        public required int[] K { get; init; }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static Coefficients Bilinear(int inSize, int outSize)
        {
            double scale = (double)inSize / outSize;
            double filterScale = Math.Max(scale, 1.0);
            double support = 1.0 * filterScale;
            int ksize = (int)Math.Ceiling(support) * 2 + 1;
            var bounds = new int[outSize * 2];
            var kk = new int[outSize * ksize];
            Span<double> k = ksize <= 256 ? stackalloc double[ksize] : new double[ksize];
            for (int xx = 0; xx < outSize; xx++)
            {
                double center = (xx + 0.5) * scale;
                double ww = 0.0;
                double ss = 1.0 / filterScale;
                int xmin = (int)(center - support + 0.5);
                if (xmin < 0) xmin = 0;
                int xmax = (int)(center + support + 0.5);
                if (xmax > inSize) xmax = inSize;
                xmax -= xmin;
                for (int x = 0; x < xmax; x++)
                {
                    double w = Triangle((x + xmin - center + 0.5) * ss);
                    k[x] = w;
                    ww += w;
                }
                for (int x = 0; x < xmax; x++)
                {
                    double v = ww != 0.0 ? k[x] / ww : k[x];
                    kk[xx * ksize + x] = v < 0 ? (int)(-0.5 + v * (1 << PrecisionBits)) : (int)(0.5 + v * (1 << PrecisionBits));
                }
                bounds[xx * 2] = xmin;
                bounds[xx * 2 + 1] = xmax;
            }
            return new Coefficients { KSize = ksize, Bounds = bounds, K = kk };
        }

        private static double Triangle(double x)
        {
            if (x < 0.0) x = -x;
            return x < 1.0 ? 1.0 - x : 0.0;
        }
    }
}
