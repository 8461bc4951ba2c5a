// Marker-controlled watershed by priority flooding (Meyer's algorithm; Beucher & Meyer 1993), exactly as
// scikit-image 0.19 floods (skimage/segmentation/_watershed_cy.pyx with heap_general.pxi): markers are pushed in raster
// order with age 0, the heap orders by (value, age) with a global age counter incremented per push, neighbours are
// visited in skimage's offset order (up, left, right, down, then the diagonals for 8-connectivity) and labelled when
// pushed. The binary heap replicates skimage's sift-up/sift-down so that equal (value, age) keys — only the markers —
// pop in the same order. Compact watershed (Neubert & Protzel 2014) and watershed lines follow the same code.
// SobelGradient computes skimage.filters.sobel(skimage.color.rgb2gray(image)) as the usual relief to flood.
using SegKit.Imaging;

namespace SegKit.Classical;

/// <summary>Options for <see cref="Watershed.Segment"/>; names follow skimage.segmentation.watershed.</summary>
public sealed class WatershedOptions
{
    /// <summary>skimage's defaults: 4-connectivity, compactness 0, no watershed line.</summary>
    public static WatershedOptions Default { get; } = new();

    /// <summary>Neighbourhood used for flooding. Default <see cref="Connectivity.Four"/> (skimage connectivity=1).</summary>
    public Connectivity Connectivity { get; init; } = Connectivity.Four;

    /// <summary>Compact watershed: priority = value + Compactness × Euclidean distance (pixels) to the seed. ≥ 0, default 0.</summary>
    public double Compactness { get; init; }

    /// <summary>Leave a one-pixel line (id 0) between basins. Default false.</summary>
    public bool WatershedLine { get; init; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (Connectivity is not (Connectivity.Four or Connectivity.Eight))
            throw new ArgumentOutOfRangeException(nameof(Connectivity), Connectivity, "connectivity must be Four or Eight");
        if (!(Compactness >= 0) || double.IsInfinity(Compactness))
            throw new ArgumentOutOfRangeException(nameof(Compactness), Compactness, "watershed compactness must be a finite number ≥ 0");
    }
}

/// <summary>Marker-based watershed (skimage.segmentation.watershed) and the Sobel relief it is usually run on.</summary>
public static class Watershed
{
    private struct HeapItem
    {
        public double Value;
        public int Age;
        public int Index;
        public int Source;
    }

    /// <summary>
    /// Floods <paramref name="image"/> (row-major, width × height, any real values: low = basin) from
    /// <paramref name="markers"/> (same layout; 0 = unlabelled, &gt; 0 = basin id). Pixels where <paramref name="mask"/>
    /// (optional, same layout) is 0 are left unlabelled. Returns a map whose ids are the marker ids, 0 for pixels not
    /// reached, masked out or on a watershed line; RegionCount = largest marker id + 1.
    /// </summary>
    /// <exception cref="ArgumentException">A span has the wrong length, a marker is negative, or the image holds NaN.</exception>
    public static RegionMap Segment(ReadOnlySpan<double> image, ReadOnlySpan<int> markers, int width, int height,
        WatershedOptions? options = null, ReadOnlySpan<byte> mask = default)
    {
        options ??= WatershedOptions.Default;
        options.Validate();
        if (width < 1 || height < 1)
            throw new ArgumentOutOfRangeException(nameof(width), $"image size {width}×{height}: both sides must be ≥ 1");
        int n = width * height;
        if (image.Length != n) throw new ArgumentException($"image has {image.Length} values; {width}×{height} expected", nameof(image));
        if (markers.Length != n) throw new ArgumentException($"markers has {markers.Length} values; {width}×{height} expected", nameof(markers));
        if (!mask.IsEmpty && mask.Length != n) throw new ArgumentException($"mask has {mask.Length} values; {width}×{height} expected", nameof(mask));

        var inside = new byte[n];
        if (mask.IsEmpty) inside.AsSpan().Fill(1);
        else for (int i = 0; i < n; i++) inside[i] = mask[i] != 0 ? (byte)1 : (byte)0;
        var output = new int[n];
        int maxLabel = 0;
        for (int i = 0; i < n; i++)
        {
            if (double.IsNaN(image[i])) throw new ArgumentException($"image value at {i % width},{i / width} is NaN", nameof(image));
            int m = markers[i];
            if (m < 0) throw new ArgumentException($"marker {m} at {i % width},{i / width} is negative", nameof(markers));
            if (inside[i] == 0) m = 0;
            output[i] = m;
            if (m > maxLabel) maxLabel = m;
        }

        bool eight = options.Connectivity == Connectivity.Eight;
        ReadOnlySpan<int> dys = eight ? [-1, 0, 0, 1, -1, -1, 1, 1] : [-1, 0, 0, 1];
        ReadOnlySpan<int> dxs = eight ? [0, -1, 1, 0, -1, 1, -1, 1] : [0, -1, 1, 0];
        double compactness = options.Compactness;
        bool compact = compactness > 0, wsl = options.WatershedLine;

        var heap = new List<HeapItem>(Math.Max(16, n / 4));
        for (int i = 0; i < n; i++)
        {
            if (output[i] != 0)
                Push(heap, new HeapItem { Value = image[i], Age = 0, Index = i, Source = i });
        }
        int age = 1;
        while (heap.Count > 0)
        {
            HeapItem elem = Pop(heap);
            if (compact || wsl)
            {
                if (output[elem.Index] != 0 && elem.Index != elem.Source) continue;
                if (wsl && DiffNeighbours(output, inside, elem.Index, width, height, dys, dxs)) continue;
                output[elem.Index] = output[elem.Source];
            }
            int ey = elem.Index / width, ex = elem.Index - ey * width;
            for (int d = 0; d < dys.Length; d++)
            {
                int ny = ey + dys[d], nx = ex + dxs[d];
                if ((uint)ny >= (uint)height || (uint)nx >= (uint)width) continue;
                int q = ny * width + nx;
                if (inside[q] == 0 || output[q] != 0) continue;
                age++;
                double value = image[q];
                if (compact)
                {
                    int sy = elem.Source / width, sx = elem.Source - sy * width;
                    double ddy = ny - sy, ddx = nx - sx;
                    value += compactness * Math.Sqrt(ddy * ddy + ddx * ddx);
                }
                else if (!wsl)
                {
                    output[q] = output[elem.Index];
                }
                Push(heap, new HeapItem { Value = value, Age = age, Index = q, Source = elem.Source });
            }
        }
        return new RegionMap(width, height, output, maxLabel + 1, trusted: true);
    }

    // skimage _diff_neighbors: true (and the pixel becomes a line) when its labelled neighbours disagree.
    private static bool DiffNeighbours(int[] output, byte[] inside, int index, int w, int h, ReadOnlySpan<int> dys, ReadOnlySpan<int> dxs)
    {
        if (inside[index] == 0) return true;
        int label0 = 0;
        int y = index / w, x = index - y * w;
        for (int d = 0; d < dys.Length; d++)
        {
            int ny = y + dys[d], nx = x + dxs[d];
            if ((uint)ny >= (uint)h || (uint)nx >= (uint)w) continue;
            int q = ny * w + nx;
            if (inside[q] == 0) continue;
            if (label0 == 0)
            {
                label0 = output[q];
            }
            else
            {
                int label1 = output[q];
                if (label1 != 0 && label1 != label0)
                {
                    inside[index] = 0;
                    return true;
                }
            }
        }
        return false;
    }

    private static bool Smaller(in HeapItem a, in HeapItem b) => a.Value != b.Value ? a.Value < b.Value : a.Age < b.Age;

    private static void Push(List<HeapItem> heap, HeapItem item)
    {
        heap.Add(item);
        int child = heap.Count - 1;
        while (child > 0)
        {
            int parent = (child + 1) / 2 - 1;
            if (!Smaller(heap[child], heap[parent])) break;
            (heap[child], heap[parent]) = (heap[parent], heap[child]);
            child = parent;
        }
    }

    private static HeapItem Pop(List<HeapItem> heap)
    {
        HeapItem top = heap[0];
        int items = heap.Count - 1;
        if (items == 0)
        {
            heap.RemoveAt(0);
            return top;
        }
        heap[0] = heap[items];
        heap.RemoveAt(items);
        int i = 0, smallest = 0;
        while (true)
        {
            int l = 2 * i + 1, r = 2 * i + 2;
            if (l >= items) break;
            if (Smaller(heap[l], heap[i])) smallest = l;
            if (r < items && Smaller(heap[r], heap[smallest])) smallest = r;
            if (smallest == i) break;
            (heap[i], heap[smallest]) = (heap[smallest], heap[i]);
            i = smallest;
        }
        return top;
    }

    /// <summary>
    /// skimage.filters.sobel(skimage.color.rgb2gray(image)): luminance (0.2125 R + 0.7154 G + 0.0721 B on [0, 1]),
    /// then √((Gy² + Gx²) / 2) with Sobel kernels [1, 0, −1] ⊗ [1, 2, 1]/4 and "reflect" borders.
    /// Returns row-major Width × Height values in [0, 1].
    /// </summary>
    public static double[] SobelGradient(RgbImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        int w = image.Width, h = image.Height;
        byte[] rgb = image.Data;
        var gray = new double[w * h];
        double inv = 1.0 / 255;
        for (int i = 0; i < gray.Length; i++)
            gray[i] = (rgb[3 * i] * inv * 0.2125 + rgb[3 * i + 1] * inv * 0.7154) + rgb[3 * i + 2] * inv * 0.0721;
        var result = new double[w * h];
        double sqrt2 = Math.Sqrt(2.0);
        ParallelBands.For(h, -1, (y0, y1) =>
        {
            for (int y = y0; y < y1; y++)
            {
                int up = ScipyGaussian.Reflect(y - 1, h) * w, mid = y * w, down = ScipyGaussian.Reflect(y + 1, h) * w;
                for (int x = 0; x < w; x++)
                {
                    int l = ScipyGaussian.Reflect(x - 1, w), r = ScipyGaussian.Reflect(x + 1, w);
                    // scipy ndi.convolve: Σ w·v over the flipped kernel's non-zero taps in raster order, from 0.
                    double gy = 0;
                    gy += -0.25 * gray[up + l]; gy += -0.5 * gray[up + x]; gy += -0.25 * gray[up + r];
                    gy += 0.25 * gray[down + l]; gy += 0.5 * gray[down + x]; gy += 0.25 * gray[down + r];
                    double gx = 0;
                    gx += -0.25 * gray[up + l]; gx += 0.25 * gray[up + r];
                    gx += -0.5 * gray[mid + l]; gx += 0.5 * gray[mid + r];
                    gx += -0.25 * gray[down + l]; gx += 0.25 * gray[down + r];
                    double sum = 0;
                    sum += gy * gy;
                    sum += gx * gx;
                    result[mid + x] = Math.Sqrt(sum) / sqrt2;
                }
            }
        });
        return result;
    }
}
