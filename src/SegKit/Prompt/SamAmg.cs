// segment-anything's utils/amg.py helpers under their names, number for number: point grids (numpy
// linspace), crop boxes (Python int/ceil arithmetic), stability score (int16 row sums, float32 division),
// batched_mask_to_box (last row/column inclusive, [0,0,0,0] when empty), crop-edge test (torch.isclose,
// atol 20, float32), uncropping, and remove_small_regions with cv2.connectedComponentsWithStats'
// 8-connectivity and label order (its 2 × 2-block scan decides which of two equally large islands is kept).
using System.Numerics;
using SegKit.Masks;

namespace SegKit.Prompt;

/// <summary>
/// An integer XYXY box as segment-anything's automatic mask generator keeps them. Crop boxes are
/// [x0, y0, x1, y1) in image pixels; mask boxes from <see cref="SamAmg.BatchedMaskToBox"/> hold the last
/// column and row (inclusive), so SAM's XYWH bbox is one pixel narrower than the mask's extent.
/// </summary>
public readonly record struct IntBoxXyxy(int X0, int Y0, int X1, int Y1)
{
    /// <summary>box_xyxy_to_xywh: (X0, Y0, X1 − X0, Y1 − Y0).</summary>
    public BoxXywh ToXywh() => new(X0, Y0, X1 - X0, Y1 - Y0);

    /// <summary>As float corners (what torchvision's NMS receives from <c>boxes.float()</c>).</summary>
    public BoxXyxy ToBoxXyxy() => new(X0, Y0, X1, Y1);

    /// <summary>(X1 − X0) · (Y1 − Y0), torchvision's box_area on the integer box.</summary>
    public long Area => (long)(X1 - X0) * (Y1 - Y0);

    /// <inheritdoc/>
    public override string ToString() => $"[{X0}, {Y0}, {X1}, {Y1}]";
}

/// <summary>Which regions <see cref="SamAmg.RemoveSmallRegions"/> removes.</summary>
public enum SamRegionMode
{
    /// <summary>Fill holes (background components) smaller than the threshold.</summary>
    Holes,
    /// <summary>Remove islands (foreground components) smaller than the threshold.</summary>
    Islands,
}

/// <summary>The pure helpers of segment-anything's <c>utils/amg.py</c>, with its semantics.</summary>
public static class SamAmg
{
    /// <summary>build_point_grid: n × n points evenly spaced in [0,1]², row by row (x fastest), offset 1/(2n) from the edges.</summary>
    public static (double X, double Y)[] BuildPointGrid(int nPerSide)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(nPerSide, 1);
        double offset = 1.0 / (2 * nPerSide);
        var side = Linspace(offset, 1 - offset, nPerSide);
        var points = new (double, double)[nPerSide * nPerSide];
        for (int j = 0; j < nPerSide; j++)
            for (int i = 0; i < nPerSide; i++)
                points[j * nPerSide + i] = (side[i], side[j]);
        return points;
    }

    /// <summary>build_all_layer_point_grids: layer i has int(n / scale^i) points per side.</summary>
    public static (double X, double Y)[][] BuildAllLayerPointGrids(int nPerSide, int nLayers, int scalePerLayer)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(nLayers);
        ArgumentOutOfRangeException.ThrowIfLessThan(scalePerLayer, 1);
        var layers = new (double X, double Y)[nLayers + 1][];
        for (int i = 0; i <= nLayers; i++)
        {
            int n = (int)(nPerSide / Math.Pow(scalePerLayer, i));
            if (n < 1)
                throw new ArgumentOutOfRangeException("PointsPerSide",
                    $"crop layer {i} would have int({nPerSide} / {scalePerLayer}^{i}) = 0 points per side (crop_n_points_downscale_factor {scalePerLayer})");
            layers[i] = BuildPointGrid(n);
        }
        return layers;
    }

    // numpy.linspace(start, stop, num) with endpoint: start + i·step, the last value exactly stop.
    private static double[] Linspace(double start, double stop, int num)
    {
        var y = new double[num];
        if (num == 1)
        {
            y[0] = start;
            return y;
        }
        double step = (stop - start) / (num - 1);
        for (int i = 0; i < num; i++) y[i] = i * step + start;
        y[num - 1] = stop;
        return y;
    }

    /// <summary>
    /// generate_crop_boxes: the whole image (layer 0), then for layer i ≥ 1 a 2^i × 2^i grid of overlapping crops,
    /// ordered x0-major as itertools.product(x0s, y0s).
    /// </summary>
    public static (IntBoxXyxy[] Boxes, int[] LayerIndices) GenerateCropBoxes(int height, int width, int nLayers, double overlapRatio)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(nLayers);
        var boxes = new List<IntBoxXyxy> { new(0, 0, width, height) };
        var layers = new List<int> { 0 };
        int shortSide = Math.Min(height, width);
        for (int layer = 0; layer < nLayers; layer++)
        {
            int n = 1 << (layer + 1);
            int overlap = (int)(overlapRatio * shortSide * (2.0 / n));
            int cropW = CropLength(width, n, overlap), cropH = CropLength(height, n, overlap);
            for (int i = 0; i < n; i++)
            {
                int x0 = (int)((double)(cropW - overlap) * i);
                for (int j = 0; j < n; j++)
                {
                    int y0 = (int)((double)(cropH - overlap) * j);
                    boxes.Add(new IntBoxXyxy(x0, y0, Math.Min(x0 + cropW, width), Math.Min(y0 + cropH, height)));
                    layers.Add(layer + 1);
                }
            }
        }
        return (boxes.ToArray(), layers.ToArray());

        static int CropLength(int origLen, int nCrops, int overlap) =>
            (int)Math.Ceiling((double)(overlap * (nCrops - 1) + origLen) / nCrops);
    }

    /// <summary>
    /// calculate_stability_score of one mask's logits [height, width] (row-major): the IoU of the masks thresholded at
    /// threshold ± offset, i.e. count(&gt; t + o) / count(&gt; t − o) in float32 (NaN when both are 0). Row counts are
    /// summed in int16 as segment-anything does (they wrap for rows wider than 32767).
    /// </summary>
    public static float CalculateStabilityScore(ReadOnlySpan<float> logits, int width, float maskThreshold, float thresholdOffset)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        if (logits.Length % width != 0) throw new ArgumentException($"{logits.Length} logits are not rows of {width}", nameof(logits));
        // The thresholds are Python floats compared with a float32 tensor: torch casts them to float32.
        float high = (float)((double)maskThreshold + thresholdOffset), low = (float)((double)maskThreshold - thresholdOffset);
        int inter = 0, union = 0;
        for (int y = 0; y < logits.Length / width; y++)
        {
            short ri = 0, ru = 0;
            foreach (float v in logits.Slice(y * width, width))
            {
                if (v > high) ri++;
                if (v > low) ru++;
            }
            inter += ri;
            union += ru;
        }
        return StabilityScore(inter, union);
    }

    /// <summary>intersections / unions as torch divides two int32 tensors: float32 true division.</summary>
    public static float StabilityScore(long intersections, long unions) => (float)intersections / (float)unions;

    /// <summary>
    /// batched_mask_to_box for one mask: (left, top, right, bottom) with right/bottom the last set column/row;
    /// [0, 0, 0, 0] for an empty mask.
    /// </summary>
    public static IntBoxXyxy BatchedMaskToBox(BinaryMask mask)
    {
        ArgumentNullException.ThrowIfNull(mask);
        return mask.BoundingBox() is { } b ? new IntBoxXyxy((int)b.X1, (int)b.Y1, (int)b.X2 - 1, (int)b.Y2 - 1) : default;
    }

    /// <summary>box_xyxy_to_xywh.</summary>
    public static BoxXywh BoxXyxyToXywh(IntBoxXyxy box) => box.ToXywh();

    /// <summary>
    /// is_box_near_crop_edge: after uncropping, does any side of <paramref name="box"/> (in the crop's frame) lie within
    /// <paramref name="atol"/> of the crop's side without also lying within it of the image's side?
    /// </summary>
    public static bool IsBoxNearCropEdge(IntBoxXyxy box, IntBoxXyxy cropBox, IntBoxXyxy origBox, float atol = 20f)
    {
        var b = UncropBoxXyxy(box, cropBox);
        ReadOnlySpan<float> bs = [b.X0, b.Y0, b.X1, b.Y1];
        ReadOnlySpan<float> cs = [cropBox.X0, cropBox.Y0, cropBox.X1, cropBox.Y1];
        ReadOnlySpan<float> os = [origBox.X0, origBox.Y0, origBox.X1, origBox.Y1];
        for (int i = 0; i < 4; i++)
        {
            // torch.isclose(a, b, atol, rtol=0): |a − b| ≤ atol in float32.
            bool nearCrop = MathF.Abs(bs[i] - cs[i]) <= atol;
            bool nearImage = MathF.Abs(bs[i] - os[i]) <= atol;
            if (nearCrop && !nearImage) return true;
        }
        return false;
    }

    /// <summary>uncrop_boxes_xyxy: moves a box from the crop's frame to the image's.</summary>
    public static IntBoxXyxy UncropBoxXyxy(IntBoxXyxy box, IntBoxXyxy cropBox) =>
        new(box.X0 + cropBox.X0, box.Y0 + cropBox.Y0, box.X1 + cropBox.X0, box.Y1 + cropBox.Y0);

    /// <summary>uncrop_points: moves a point from the crop's frame to the image's (float64).</summary>
    public static (double X, double Y) UncropPoint((double X, double Y) point, IntBoxXyxy cropBox) =>
        (point.X + cropBox.X0, point.Y + cropBox.Y0);

    /// <summary>uncrop_masks: places a crop-size mask at the crop's position in an origWidth × origHeight mask (zero elsewhere).</summary>
    public static BinaryMask UncropMask(BinaryMask mask, IntBoxXyxy cropBox, int origWidth, int origHeight)
    {
        ArgumentNullException.ThrowIfNull(mask);
        if (cropBox.X0 == 0 && cropBox.Y0 == 0 && cropBox.X1 == origWidth && cropBox.Y1 == origHeight)
            return mask;
        if (mask.Width != cropBox.X1 - cropBox.X0 || mask.Height != cropBox.Y1 - cropBox.Y0)
            throw new ArgumentException($"mask {mask.Width}×{mask.Height} does not fit crop {cropBox}", nameof(mask));
        var result = new BinaryMask(origWidth, origHeight);
        for (int y = 0; y < mask.Height; y++)
        {
            var row = mask.GetRowWords(y);
            for (int w = 0; w < row.Length; w++)
            {
                ulong bits = row[w];
                while (bits != 0)
                {
                    int start = BitOperations.TrailingZeroCount(bits);
                    int len = BitOperations.TrailingZeroCount(~(bits >> start));
                    if (start + len > 64) len = 64 - start;
                    int x = (w << 6) + start;
                    result.SetRun(y + cropBox.Y0, x + cropBox.X0, x + len + cropBox.X0);
                    bits = len == 64 ? 0 : bits & ~(((1UL << len) - 1) << start);
                }
            }
        }
        return result;
    }

    /// <summary>
    /// remove_small_regions: fills holes (<see cref="SamRegionMode.Holes"/>) or removes islands
    /// (<see cref="SamRegionMode.Islands"/>) whose 8-connected area is below <paramref name="areaThresh"/>. When every
    /// island is small, the largest is kept (the first in cv2's label order on ties). <paramref name="changed"/> is
    /// true whenever a small region existed (even if, keeping the largest, the mask comes back equal).
    /// </summary>
    public static BinaryMask RemoveSmallRegions(BinaryMask mask, double areaThresh, SamRegionMode mode, out bool changed)
    {
        ArgumentNullException.ThrowIfNull(mask);
        bool holes = mode == SamRegionMode.Holes;
        int w = mask.Width, h = mask.Height;
        var labels = LabelComponents(mask, foreground: !holes, out long[] sizes);
        // sizes[0] is the background of the working mask; labels 1..n are its components in cv2's order.
        var small = new List<int>();
        for (int i = 1; i < sizes.Length; i++) if (sizes[i] < areaThresh) small.Add(i);
        if (small.Count == 0)
        {
            changed = false;
            return mask;
        }
        changed = true;
        var fill = new bool[sizes.Length];
        if (holes)
        {
            fill[0] = true;
            foreach (int i in small) fill[i] = true;
        }
        else
        {
            bool any = false;
            var isSmall = new bool[sizes.Length];
            foreach (int i in small) isSmall[i] = true;
            for (int i = 1; i < sizes.Length; i++) if (!isSmall[i]) { fill[i] = true; any = true; }
            if (!any)
            {
                int best = 1;
                for (int i = 2; i < sizes.Length; i++) if (sizes[i] > sizes[best]) best = i;
                fill[best] = true;
            }
        }
        var result = new BinaryMask(w, h);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                if (fill[labels[y * w + x]]) result.Set(x, y);
        return result;
    }

    // 8-connected components of the pixels equal to `foreground`, labelled 1..n in the order cv2's default
    // (block-based, Spaghetti/BBDT) algorithm numbers them: by the first 2 × 2 block, in block-raster order,
    // holding one of the component's pixels. Label 0 is every other pixel. sizes[label] = pixel count.
    private static int[] LabelComponents(BinaryMask mask, bool foreground, out long[] sizes)
    {
        int w = mask.Width, h = mask.Height;
        byte[] pixels = mask.ToBytes();
        byte want = foreground ? (byte)1 : (byte)0;
        var parent = new int[w * h];
        for (int i = 0; i < parent.Length; i++) parent[i] = -1;
        int Find(int i)
        {
            while (parent[i] != i)
            {
                parent[i] = parent[parent[i]];
                i = parent[i];
            }
            return i;
        }
        void Union(int a, int b)
        {
            a = Find(a);
            b = Find(b);
            if (a != b) parent[Math.Max(a, b)] = Math.Min(a, b);
        }
        for (int y = 0; y < h; y++)
        {
            for (int x = 0; x < w; x++)
            {
                int i = y * w + x;
                if (pixels[i] != want) continue;
                parent[i] = i;
                if (x > 0 && parent[i - 1] >= 0) Union(i, i - 1);
                if (y > 0)
                {
                    int up = i - w;
                    if (x > 0 && parent[up - 1] >= 0) Union(i, up - 1);
                    if (parent[up] >= 0) Union(i, up);
                    if (x < w - 1 && parent[up + 1] >= 0) Union(i, up + 1);
                }
            }
        }
        // Order roots by the block-raster index of their first block.
        int blocksPerRow = (w + 1) / 2;
        var firstBlock = new Dictionary<int, long>();
        for (int y = 0; y < h; y++)
        {
            for (int x = 0; x < w; x++)
            {
                int i = y * w + x;
                if (parent[i] < 0) continue;
                int root = Find(i);
                long block = (long)(y >> 1) * blocksPerRow + (x >> 1);
                if (!firstBlock.TryGetValue(root, out long b) || block < b) firstBlock[root] = block;
            }
        }
        var order = firstBlock.OrderBy(p => p.Value).Select(p => p.Key).ToArray();
        var labelOf = new Dictionary<int, int>(order.Length);
        for (int k = 0; k < order.Length; k++) labelOf[order[k]] = k + 1;
        sizes = new long[order.Length + 1];
        var labels = new int[w * h];
        for (int i = 0; i < labels.Length; i++)
        {
            int l = parent[i] < 0 ? 0 : labelOf[Find(i)];
            labels[i] = l;
            sizes[l]++;
        }
        return labels;
    }
}
