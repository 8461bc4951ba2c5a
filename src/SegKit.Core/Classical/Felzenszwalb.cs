// Felzenszwalb & Huttenlocher, "Efficient Graph-Based Image Segmentation", IJCV 2004, as scikit-image 0.19
// implements it (skimage/segmentation/_felzenszwalb_cy.pyx):
//   - image as float64 in [0, 1] (uint8 × 1/255), Gaussian σ per channel (scipy, mode "reflect");
//   - 8-connected grid graph with edges listed right, down, down-right, up-right; weight = Euclidean distance over
//     all three channels jointly;
//   - edges sorted by weight (here a stable radix sort; numpy's argsort is an unstable quicksort, so ties may be
//     visited in another order), merged when w < min(Int(C1) + k/|C1|, Int(C2) + k/|C2|) with k = scale/255 and
//     the thresholds rounded to float32 as skimage's Cython does;
//   - a second pass over the sorted edges merges components smaller than min_size;
//   - components numbered in raster order of their first pixel (skimage's np.unique over minimum-index roots).
using SegKit.Imaging;

namespace SegKit.Classical;

/// <summary>Felzenszwalb–Huttenlocher graph-based segmentation of an RGB image (skimage.segmentation.felzenszwalb).</summary>
public static class Felzenszwalb
{
    /// <summary>
    /// Segments <paramref name="image"/> into regions of similar colour.
    /// Returns a <see cref="RegionMap"/> of the image's size whose ids 0..n−1 follow raster order of each region's first pixel.
    /// </summary>
    public static RegionMap Segment(RgbImage image, FelzenszwalbOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        options ??= FelzenszwalbOptions.Default;
        options.Validate();
        int dop = options.MaxDegreeOfParallelism;
        int w = image.Width, h = image.Height, n = w * h;

        double[] pixels = ToUnitFloat(image, dop);
        ScipyGaussian.Filter2D(pixels, w, h, 3, options.Sigma, dop);

        (ulong[] keys, int[] edges) = BuildEdges(pixels, w, h, dop);
        (keys, edges) = RadixSort.Sort(keys, edges, dop);

        int[] forest = new int[n];
        for (int i = 0; i < n; i++) forest[i] = i;
        var size = new long[n];
        Array.Fill(size, 1L);
        var internalCost = new double[n];
        double k = options.Scale / 255.0;
        // Endpoint offsets per direction code: (a, b) = (p + da, p + db).
        ReadOnlySpan<int> da = [1, w, w + 1, 1];
        ReadOnlySpan<int> db = [0, 0, 0, w];

        for (int e = 0; e < edges.Length; e++)
        {
            int code = edges[e];
            int p = code >> 2, dir = code & 3;
            int s0 = FindRoot(forest, p + da[dir]);
            int s1 = FindRoot(forest, p + db[dir]);
            if (s0 == s1) continue;
            // skimage stores these in C floats before comparing with the double weight.
            float inner0 = (float)(internalCost[s0] + k / size[s0]);
            float inner1 = (float)(internalCost[s1] + k / size[s1]);
            double cost = BitConverter.UInt64BitsToDouble(keys[e]);
            if (cost < Math.Min(inner0, inner1))
            {
                int root = Math.Min(s0, s1), child = Math.Max(s0, s1);
                forest[child] = root;
                size[root] = size[s0] + size[s1];
                internalCost[root] = cost;
            }
        }

        int minSize = options.MinSize;
        if (minSize > 1)
        {
            for (int e = 0; e < edges.Length; e++)
            {
                int code = edges[e];
                int p = code >> 2, dir = code & 3;
                int s0 = FindRoot(forest, p + da[dir]);
                int s1 = FindRoot(forest, p + db[dir]);
                if (s0 == s1) continue;
                if (size[s0] < minSize || size[s1] < minSize)
                {
                    int root = Math.Min(s0, s1), child = Math.Max(s0, s1);
                    forest[child] = root;
                    size[root] = size[s0] + size[s1];
                }
            }
        }

        // Roots are each component's smallest pixel index, so one raster pass numbers them in first-pixel order.
        var labels = new int[n];
        int count = 0;
        for (int i = 0; i < n; i++)
        {
            int r = FindRoot(forest, i);
            labels[i] = r == i ? count++ : labels[r];
        }
        return new RegionMap(w, h, labels, count, trusted: true);
    }

    // The root is always the smallest index in its tree; path halving only shortens later searches.
    private static int FindRoot(int[] forest, int i)
    {
        while (forest[i] < i)
        {
            int parent = forest[i];
            int grand = forest[parent];
            forest[i] = grand;
            i = grand;
        }
        return i;
    }

    internal static double[] ToUnitFloat(RgbImage image, int dop)
    {
        // skimage img_as_float64: np.multiply(image, 1. / 255).
        Span<double> lut = stackalloc double[256];
        double inv = 1.0 / 255;
        for (int v = 0; v < 256; v++) lut[v] = v * inv;
        double[] table = lut.ToArray();
        byte[] src = image.Data;
        var dst = GC.AllocateUninitializedArray<double>(src.Length);
        ParallelBands.For(src.Length, dop, (s, e) =>
        {
            for (int i = s; i < e; i++) dst[i] = table[src[i]];
        }, minBand: 1 << 16);
        return dst;
    }

    // Edge code = pixel index × 4 + direction (0 right, 1 down, 2 down-right, 3 up-right), listed block by block in
    // skimage's order so that a stable sort keeps skimage's initial order among equal weights.
    private static (ulong[] Keys, int[] Codes) BuildEdges(double[] img, int w, int h, int dop)
    {
        if ((long)w * h * 4 > int.MaxValue)
            throw new ArgumentException($"image {w}×{h} is too large for Felzenszwalb's edge list (at most {int.MaxValue / 4} pixels)");
        long nR = (long)h * (w - 1), nD = (long)(h - 1) * w, nDiag = (long)(h - 1) * (w - 1);
        long total = nR + nD + 2 * nDiag;
        var keys = GC.AllocateUninitializedArray<ulong>((int)total);
        var codes = GC.AllocateUninitializedArray<int>((int)total);
        int stride = w * 3;
        long offD = nR, offDR = nR + nD, offUR = nR + nD + nDiag;

        ParallelBands.For(h, dop, (y0, y1) =>
        {
            for (int y = y0; y < y1; y++)
            {
                int row = y * stride;
                long eR = (long)y * (w - 1);
                for (int x = 0; x < w - 1; x++)
                {
                    int a = row + (x + 1) * 3, b = row + x * 3;
                    keys[eR + x] = Weight(img, a, b);
                    codes[eR + x] = ((y * w + x) << 2) | 0;
                }
                if (y == h - 1) continue;
                long eD = offD + (long)y * w;
                for (int x = 0; x < w; x++)
                {
                    int a = row + stride + x * 3, b = row + x * 3;
                    keys[eD + x] = Weight(img, a, b);
                    codes[eD + x] = ((y * w + x) << 2) | 1;
                }
                long eDR = offDR + (long)y * (w - 1), eUR = offUR + (long)y * (w - 1);
                for (int x = 0; x < w - 1; x++)
                {
                    int p = row + x * 3;
                    keys[eDR + x] = Weight(img, p + stride + 3, p);
                    codes[eDR + x] = ((y * w + x) << 2) | 2;
                    // skimage: image[1:, :w-1] - image[:h-1, 1:], endpoints (y, x+1) and (y+1, x).
                    keys[eUR + x] = Weight(img, p + stride, p + 3);
                    codes[eUR + x] = ((y * w + x) << 2) | 3;
                }
            }
        });
        return (keys, codes);
    }

    private static ulong Weight(double[] img, int a, int b)
    {
        double d0 = img[a] - img[b], d1 = img[a + 1] - img[b + 1], d2 = img[a + 2] - img[b + 2];
        double cost = Math.Sqrt(d0 * d0 + d1 * d1 + d2 * d2);
        return BitConverter.DoubleToUInt64Bits(cost);
    }
}
