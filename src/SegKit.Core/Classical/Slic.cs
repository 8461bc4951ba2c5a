// SLIC superpixels: Achanta et al., "SLIC Superpixels Compared to State-of-the-art Superpixel Methods", TPAMI 2012,
// as scikit-image 0.19 implements it (skimage/segmentation/slic_superpixels.py and _slic.pyx), for 2-D RGB images:
//   - uint8 → float64 ×1/255, rescaled so the image's min..max spans [0, 1], then skimage rgb2lab (D65, 2°);
//   - optional Gaussian σ (scipy "reflect"; skimage also filters the singleton depth axis, reproduced);
//   - seeds on skimage.util.regular_grid((1, H, W), n_segments) with zero initial colour; window ±2·step;
//     distance = (dy² + dx²)/step² + |colour/compactness|²; ties go to the lower seed index;
//   - always max_num_iter assignment/update rounds (skimage's "no change" test never fires: distances are reset);
//   - connectivity enforced by skimage's breadth-first relabelling (min/max size factors 0.5 / 3).
// Labels equal skimage's with start_label=0. The assignment step runs in parallel over row bands; the centre update
// is sequential in raster order so that sums round exactly as skimage's do.
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using SegKit.Imaging;

namespace SegKit.Classical;

/// <summary>SLIC superpixels of an RGB image (skimage.segmentation.slic with start_label=0).</summary>
public static class Slic
{
    /// <summary>
    /// Partitions <paramref name="image"/> into roughly <see cref="SlicOptions.NSegments"/> compact superpixels.
    /// Returns a <see cref="RegionMap"/> of the image's size whose ids are skimage's labels (start_label=0).
    /// </summary>
    public static RegionMap Segment(RgbImage image, SlicOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        options ??= SlicOptions.Default;
        options.Validate();
        int w = image.Width, h = image.Height, n = w * h;
        int dop = options.MaxDegreeOfParallelism;

        var features = new double[3][];
        for (int c = 0; c < 3; c++) features[c] = GC.AllocateUninitializedArray<double>(n);
        ConvertColour(image, options, features, dop);
        if (options.Sigma > 0)
            Smooth(features, w, h, options.Sigma, dop);
        double ratio = 1.0 / options.Compactness;
        ParallelBands.For(n, dop, (s, e) =>
        {
            for (int c = 0; c < 3; c++)
            {
                Span<double> f = features[c].AsSpan(s, e - s);
                for (int i = 0; i < f.Length; i++) f[i] *= ratio;
            }
        }, minBand: 1 << 15);

        // Seeds: skimage's _get_grid_centroids on shape (1, H, W).
        var grid = RegularGrid([1, h, w], options.NSegments);
        var seeds = new List<(int Y, int X)>();
        for (int y = grid[1].Start; y < h; y += grid[1].Step)
            for (int x = grid[2].Start; x < w; x += grid[2].Step)
                seeds.Add((y, x));
        int k = seeds.Count;
        // step = max(steps) where the depth step is 1; _slic_cython recomputes the grid for the actual seed count.
        float step = Math.Max(1, Math.Max(grid[1].Step, grid[2].Step));
        var windowGrid = RegularGrid([1, h, w], k);
        var state = new ClusterState(k, seeds, step, windowGrid[1].Step, windowGrid[2].Step);

        int[] labels = Iterate(features, w, h, state, options, dop);
        int count = k;
        if (options.EnforceConnectivity)
        {
            double segmentSize = (double)n / k;
            int minSize = (int)(options.MinSizeFactor * segmentSize);
            int maxSize = Math.Max(1, (int)(options.MaxSizeFactor * segmentSize));
            labels = EnforceConnectivity(labels, w, h, minSize, maxSize, out count);
        }
        return new RegionMap(w, h, labels, Math.Max(count, 1), trusted: true);
    }

    private sealed class ClusterState
    {
        public readonly int Count;
        public readonly double[] Y, X, C0, C1, C2;
        public readonly double[] MaxColour;
        public readonly bool[] Dead;
        public readonly double SpatialWeight;
        public readonly int StepY, StepX;

        public ClusterState(int count, List<(int Y, int X)> seeds, float step, int stepY, int stepX)
        {
            Count = count;
            Y = new double[count];
            X = new double[count];
            C0 = new double[count];
            C1 = new double[count];
            C2 = new double[count];
            MaxColour = new double[count];
            Array.Fill(MaxColour, 1.0);
            Dead = new bool[count];
            for (int i = 0; i < count; i++) (Y[i], X[i]) = (seeds[i].Y, seeds[i].X);
            SpatialWeight = 1.0 / ((double)step * step);
            StepY = stepY;
            StepX = stepX;
        }
    }

    private static int[] Iterate(double[][] f, int w, int h, ClusterState s, SlicOptions options, int dop)
    {
        int n = w * h;
        var labels = new int[n];
        Array.Fill(labels, -1);
        var distance = GC.AllocateUninitializedArray<double>(n);
        double[] f0 = f[0], f1 = f[1], f2 = f[2];
        bool slicZero = options.SlicZero;
        var count = new long[s.Count];
        var sums = new double[5 * s.Count];

        for (int iter = 0; iter < options.MaxNumIter; iter++)
        {
            AssignAll(f, w, h, s, distance, labels, slicZero, dop);

            // Centre update in raster order (skimage sums sequentially; the same order gives the same rounding).
            Array.Clear(count);
            Array.Clear(sums);
            for (int y = 0; y < h; y++)
            {
                int row = y * w;
                for (int x = 0; x < w; x++)
                {
                    int k = labels[row + x];
                    if (k < 0) continue;
                    count[k]++;
                    int o = 5 * k;
                    sums[o] += y;
                    sums[o + 1] += x;
                    sums[o + 2] += f0[row + x];
                    sums[o + 3] += f1[row + x];
                    sums[o + 4] += f2[row + x];
                }
            }
            for (int k = 0; k < s.Count; k++)
            {
                if (count[k] == 0)
                {
                    // skimage divides 0 by 0 here; the NaN centre never attracts a pixel again.
                    s.Dead[k] = true;
                    continue;
                }
                double c = count[k];
                int o = 5 * k;
                s.Y[k] = sums[o] / c;
                s.X[k] = sums[o + 1] / c;
                s.C0[k] = sums[o + 2] / c;
                s.C1[k] = sums[o + 3] / c;
                s.C2[k] = sums[o + 4] / c;
            }
            if (slicZero)
            {
                for (int i = 0; i < n; i++)
                {
                    int k = labels[i];
                    if (k < 0) continue;
                    double t0 = f0[i] - s.C0[k], t1 = f1[i] - s.C1[k], t2 = f2[i] - s.C2[k];
                    double colour = t0 * t0 + t1 * t1 + t2 * t2;
                    if (s.MaxColour[k] < colour) s.MaxColour[k] = colour;
                }
            }
        }
        return labels;
    }

    // The assignment step over row bands. Kept out of Iterate so that Iterate's locals are not hoisted into a closure.
    private static void AssignAll(double[][] f, int w, int h, ClusterState s, double[] distance, int[] labels, bool slicZero, int dop) =>
        ParallelBands.For(h, dop, (y0, y1) => AssignBand(f[0], f[1], f[2], w, h, y0, y1, s, distance, labels, slicZero));

    private static void AssignBand(double[] f0, double[] f1, double[] f2, int w, int h, int y0, int y1, ClusterState s,
        double[] distance, int[] labels, bool slicZero)
    {
        distance.AsSpan(y0 * w, (y1 - y0) * w).Fill(double.MaxValue);
        ref double p0 = ref MemoryMarshal.GetArrayDataReference(f0);
        ref double p1 = ref MemoryMarshal.GetArrayDataReference(f1);
        ref double p2 = ref MemoryMarshal.GetArrayDataReference(f2);
        ref double pd = ref MemoryMarshal.GetArrayDataReference(distance);
        ref int pl = ref MemoryMarshal.GetArrayDataReference(labels);
        for (int k = 0; k < s.Count; k++)
        {
            if (s.Dead[k]) continue;
            double cy = s.Y[k], cx = s.X[k];
            // Window bounds truncated toward zero, as skimage's C casts do.
            int yMin = (int)Math.Max(cy - 2 * s.StepY, 0);
            int yMax = (int)Math.Min(cy + 2 * s.StepY + 1, h);
            if (yMin < y0) yMin = y0;
            if (yMax > y1) yMax = y1;
            if (yMin >= yMax) continue;
            int xMin = (int)Math.Max(cx - 2 * s.StepX, 0);
            int xMax = (int)Math.Min(cx + 2 * s.StepX + 1, w);
            var centre = new Centre(k, cx, s.C0[k], s.C1[k], s.C2[k], s.SpatialWeight, slicZero ? s.MaxColour[k] : 1.0, slicZero);
            for (int y = yMin; y < yMax; y++)
            {
                double dy = cy - y;
                dy *= dy;
                int row = y * w;
                AssignRow(ref Unsafe.Add(ref p0, row), ref Unsafe.Add(ref p1, row), ref Unsafe.Add(ref p2, row),
                    ref Unsafe.Add(ref pd, row), ref Unsafe.Add(ref pl, row), xMin, xMax, dy, in centre);
            }
        }
    }

    private readonly record struct Centre(int K, double X, double C0, double C1, double C2, double SpatialWeight, double ColourScale, bool SlicZero);

    // distance = (dy² + dx²)·w_s + ((t0² + t1²) + t2²) [/ colour scale], in skimage's operation order (no FMA),
    // so the vector and scalar paths give bit-identical results.
    private static void AssignRow(ref double f0, ref double f1, ref double f2, ref double dist, ref int label,
        int start, int end, double dy, in Centre c)
    {
        int x = start;
        if (Vector256.IsHardwareAccelerated)
        {
            var vcx = Vector256.Create(c.X);
            var vdy = Vector256.Create(dy);
            var vsw = Vector256.Create(c.SpatialWeight);
            var v0 = Vector256.Create(c.C0);
            var v1 = Vector256.Create(c.C1);
            var v2 = Vector256.Create(c.C2);
            var vscale = Vector256.Create(c.ColourScale);
            var vk = Vector256.Create(c.K);
            var lane = Vector256.Create(0.0, 1.0, 2.0, 3.0);
            var four = Vector256.Create(4.0);
            for (; x + 8 <= end; x += 8)
            {
                var xa = Vector256.Create((double)x) + lane;
                var ma = Candidate(ref f0, ref f1, ref f2, ref dist, x, xa, vcx, vdy, vsw, v0, v1, v2, vscale, c.SlicZero);
                var mb = Candidate(ref f0, ref f1, ref f2, ref dist, x + 4, xa + four, vcx, vdy, vsw, v0, v1, v2, vscale, c.SlicZero);
                var mask = Vector256.Narrow(ma.AsInt64(), mb.AsInt64());
                if (mask == Vector256<int>.Zero) continue;
                var old = Vector256.LoadUnsafe(ref label, (nuint)x);
                Vector256.ConditionalSelect(mask, vk, old).StoreUnsafe(ref label, (nuint)x);
            }
        }
        for (; x < end; x++)
        {
            double dx = c.X - x;
            dx *= dx;
            double d = (dy + dx) * c.SpatialWeight;
            double t0 = Unsafe.Add(ref f0, x) - c.C0, t1 = Unsafe.Add(ref f1, x) - c.C1, t2 = Unsafe.Add(ref f2, x) - c.C2;
            double colour = t0 * t0 + t1 * t1 + t2 * t2;
            if (c.SlicZero) colour /= c.ColourScale;
            d += colour;
            ref double slot = ref Unsafe.Add(ref dist, x);
            if (slot > d)
            {
                slot = d;
                Unsafe.Add(ref label, x) = c.K;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> Candidate(ref double f0, ref double f1, ref double f2, ref double dist, int x,
        Vector256<double> xs, Vector256<double> vcx, Vector256<double> vdy, Vector256<double> vsw,
        Vector256<double> v0, Vector256<double> v1, Vector256<double> v2, Vector256<double> vscale, bool slicZero)
    {
        var dx = vcx - xs;
        dx *= dx;
        var d = (vdy + dx) * vsw;
        var t0 = Vector256.LoadUnsafe(ref f0, (nuint)x) - v0;
        var t1 = Vector256.LoadUnsafe(ref f1, (nuint)x) - v1;
        var t2 = Vector256.LoadUnsafe(ref f2, (nuint)x) - v2;
        var colour = t0 * t0 + t1 * t1;
        colour += t2 * t2;
        if (slicZero) colour /= vscale;
        d += colour;
        var old = Vector256.LoadUnsafe(ref dist, (nuint)x);
        var better = Vector256.GreaterThan(old, d);
        Vector256.ConditionalSelect(better, d, old).StoreUnsafe(ref dist, (nuint)x);
        return better;
    }

    // skimage _enforce_label_connectivity_cython (2-D, start_label 0): breadth-first relabelling in raster order;
    // fragments below minSize take the label of the last differently-labelled neighbour met; searches stop at maxSize.
    private static int[] EnforceConnectivity(int[] segments, int w, int h, int minSize, int maxSize, out int count)
    {
        int n = w * h;
        var connected = new int[n];
        Array.Fill(connected, -1);
        var queue = new int[maxSize];
        int next = 0;
        for (int start = 0; start < n; start++)
        {
            if (segments[start] < 0 || connected[start] >= 0) continue;
            int adjacent = next;
            int label = segments[start];
            connected[start] = next;
            int size = 1, visited = 0;
            queue[0] = start;
            while (visited < size && size < maxSize)
            {
                int p = queue[visited];
                int py = p / w, px = p - py * w;
                for (int dir = 0; dir < 4; dir++)
                {
                    int qx = px, qy = py;
                    switch (dir)
                    {
                        case 0: qx++; break;
                        case 1: qx--; break;
                        case 2: qy++; break;
                        default: qy--; break;
                    }
                    if ((uint)qx >= (uint)w || (uint)qy >= (uint)h) continue;
                    int q = qy * w + qx;
                    if (segments[q] == label && connected[q] == -1)
                    {
                        connected[q] = next;
                        queue[size++] = q;
                        if (size >= maxSize) break;
                    }
                    else if (connected[q] > -1 && connected[q] != next)
                    {
                        adjacent = connected[q];
                    }
                }
                visited++;
            }
            if (size < minSize)
            {
                for (int i = 0; i < size; i++) connected[queue[i]] = adjacent;
            }
            else
            {
                next++;
            }
        }
        // Pixels no window ever reached keep −1 in skimage; give them a neighbour's label instead.
        for (int i = 0; i < n; i++)
            if (connected[i] < 0) connected[i] = i > 0 ? connected[i - 1] : 0;
        count = Math.Max(next, MaxPlusOne(connected));
        return connected;
    }

    private static int MaxPlusOne(int[] a)
    {
        int m = -1;
        foreach (int v in a) if (v > m) m = v;
        return m + 1;
    }

    private static void ConvertColour(RgbImage image, SlicOptions options, double[][] features, int dop)
    {
        byte[] src = image.Data;
        byte lo = 255, hi = 0;
        foreach (byte b in src)
        {
            if (b < lo) lo = b;
            if (b > hi) hi = b;
        }
        // img_as_float (×1/255), then image -= min; image /= max (when max ≠ 0): per byte value, so a 256-entry table.
        double inv = 1.0 / 255;
        double min = lo * inv, max = hi * inv - min;
        var norm = new double[256];
        for (int v = 0; v < 256; v++)
        {
            double t = v * inv - min;
            norm[v] = max != 0 ? t / max : t;
        }
        double[] f0 = features[0], f1 = features[1], f2 = features[2];
        if (!options.ConvertToLab)
        {
            ParallelBands.For(f0.Length, dop, (s, e) =>
            {
                for (int i = s; i < e; i++)
                {
                    f0[i] = norm[src[3 * i]];
                    f1[i] = norm[src[3 * i + 1]];
                    f2[i] = norm[src[3 * i + 2]];
                }
            }, minBand: 1 << 14);
            return;
        }
        var linear = new double[256];
        for (int v = 0; v < 256; v++) linear[v] = SkimageColor.Linearize(norm[v]);
        ParallelBands.For(f0.Length, dop, (s, e) =>
        {
            Span<double> lab = stackalloc double[3];
            int previous = -1;
            for (int i = s; i < e; i++)
            {
                int rgb = src[3 * i] << 16 | src[3 * i + 1] << 8 | src[3 * i + 2];
                // Photos repeat colours along rows (sky, walls, saturated areas): reuse the last conversion.
                if (rgb != previous)
                {
                    SkimageColor.LinearRgbToLab(linear[rgb >> 16], linear[(rgb >> 8) & 0xFF], linear[rgb & 0xFF], lab);
                    previous = rgb;
                }
                f0[i] = lab[0];
                f1[i] = lab[1];
                f2[i] = lab[2];
            }
        }, minBand: 1 << 14);
    }

    private static void Smooth(double[][] features, int w, int h, double sigma, int dop)
    {
        // skimage passes sigma (σ, σ, σ, 0) for (depth, rows, columns, channels): the depth-1 axis goes first.
        double[] kernel = ScipyGaussian.HalfKernel(sigma);
        foreach (double[] plane in features)
        {
            ParallelBands.For(plane.Length, dop, (s, e) =>
            {
                for (int i = s; i < e; i++) plane[i] = ScipyGaussian.SingletonAxis(plane[i], kernel);
            }, minBand: 1 << 15);
            ScipyGaussian.Filter2D(plane, w, h, 1, sigma, dop);
        }
    }

    /// <summary>
    /// skimage.util.regular_grid: per dimension the (start, step) of about <paramref name="nPoints"/> regularly spaced points.
    /// </summary>
    internal static (int Start, int Step)[] RegularGrid(int[] shape, int nPoints)
    {
        int ndim = shape.Length;
        int[] order = Enumerable.Range(0, ndim).OrderBy(i => shape[i]).ToArray(); // stable, like numpy on 3 items
        double[] sorted = order.Select(i => (double)shape[i]).ToArray();
        double space = shape.Aggregate(1.0, (a, b) => a * b);
        var result = new (int Start, int Step)[ndim];
        if (space <= nPoints)
        {
            for (int i = 0; i < ndim; i++) result[i] = (0, 1);
            return result;
        }
        var steps = new double[ndim];
        Array.Fill(steps, Math.Pow(space / nPoints, 1.0 / ndim));
        if (Enumerable.Range(0, ndim).Any(d => sorted[d] < steps[d]))
        {
            for (int dim = 0; dim < ndim; dim++)
            {
                steps[dim] = sorted[dim];
                if (dim + 1 == ndim) break;
                double rest = 1;
                for (int j = dim + 1; j < ndim; j++) rest *= sorted[j];
                double s = Math.Pow(rest / nPoints, 1.0 / (ndim - dim - 1));
                for (int j = dim + 1; j < ndim; j++) steps[j] = s;
                if (Enumerable.Range(0, ndim).All(d => sorted[d] >= steps[d])) break;
            }
        }
        for (int rank = 0; rank < ndim; rank++)
        {
            int start = (int)Math.Floor(steps[rank] / 2);
            int step = (int)Math.Round(steps[rank], MidpointRounding.ToEven);
            result[order[rank]] = (start, Math.Max(step, 1));
        }
        return result;
    }
}
