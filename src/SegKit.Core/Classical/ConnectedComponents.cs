// Connected-component labelling with the numbering of skimage.measure.label / scipy.ndimage.label:
// neighbouring pixels with equal values join (4- or 8-connectivity), components are numbered 1..n in raster order
// of their first pixel and the background value maps to 0. Union-find over earlier neighbours, roots kept at the
// smallest index (as skimage's join_trees does), then one raster pass to number the roots.
namespace SegKit.Classical;

/// <summary>Options for <see cref="ConnectedComponents.Label(ReadOnlySpan{int}, int, int, ConnectedComponentsOptions?)"/>.</summary>
public sealed class ConnectedComponentsOptions
{
    /// <summary>8-connectivity and background 0, as skimage.measure.label defaults to for 2-D images.</summary>
    public static ConnectedComponentsOptions Default { get; } = new();

    /// <summary>Which neighbours join. Default <see cref="Connectivity.Eight"/> (skimage's default; scipy's is Four).</summary>
    public Connectivity Connectivity { get; init; } = Connectivity.Eight;

    /// <summary>
    /// The value that is not part of any component and gets id 0 (default 0). When null every pixel belongs to a
    /// component and components are numbered from 0.
    /// </summary>
    public int? Background { get; init; } = 0;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> for an unknown connectivity.</summary>
    public void Validate()
    {
        if (Connectivity is not (Connectivity.Four or Connectivity.Eight))
            throw new ArgumentOutOfRangeException(nameof(Connectivity), Connectivity, "connectivity must be Four or Eight");
    }
}

/// <summary>Connected-component labelling of label images and binary masks (skimage.measure.label).</summary>
public static class ConnectedComponents
{
    /// <summary>
    /// Labels the connected components of <paramref name="values"/> (row-major, width × height): pixels join when
    /// they are neighbours and have equal values. With a background value (default 0) the map's id 0 is the
    /// background and components are 1..RegionCount−1; otherwise components are 0..RegionCount−1. Ids follow raster
    /// order of each component's first pixel, exactly as skimage.measure.label numbers them.
    /// </summary>
    public static RegionMap Label(ReadOnlySpan<int> values, int width, int height, ConnectedComponentsOptions? options = null)
    {
        options ??= ConnectedComponentsOptions.Default;
        options.Validate();
        CheckSize(values.Length, width, height);
        return LabelCore(values, width, height, options.Connectivity == Connectivity.Eight, options.Background);
    }

    /// <summary>
    /// Labels the components of a byte image or binary mask (row-major, width × height); see
    /// <see cref="Label(ReadOnlySpan{int}, int, int, ConnectedComponentsOptions?)"/>.
    /// </summary>
    public static RegionMap Label(ReadOnlySpan<byte> values, int width, int height, ConnectedComponentsOptions? options = null)
    {
        options ??= ConnectedComponentsOptions.Default;
        options.Validate();
        CheckSize(values.Length, width, height);
        var widened = new int[values.Length];
        for (int i = 0; i < widened.Length; i++) widened[i] = values[i];
        return LabelCore(widened, width, height, options.Connectivity == Connectivity.Eight, options.Background);
    }

    private static void CheckSize(int length, int width, int height)
    {
        if (width < 1 || height < 1)
            throw new ArgumentOutOfRangeException(nameof(width), $"image size {width}×{height}: both sides must be ≥ 1");
        if (length != (long)width * height)
            throw new ArgumentException($"values has {length} entries; {width}×{height} expected", "values");
    }

    private static RegionMap LabelCore(ReadOnlySpan<int> v, int w, int h, bool eight, int? background)
    {
        int n = w * h;
        var forest = new int[n];
        bool hasBg = background.HasValue;
        int bg = background.GetValueOrDefault();
        for (int y = 0; y < h; y++)
        {
            int row = y * w;
            for (int x = 0; x < w; x++)
            {
                int i = row + x;
                forest[i] = i;
                int value = v[i];
                if (hasBg && value == bg) continue;
                if (x > 0 && v[i - 1] == value) Union(forest, i, i - 1);
                if (y == 0) continue;
                if (v[i - w] == value) Union(forest, i, i - w);
                if (!eight) continue;
                if (x > 0 && v[i - w - 1] == value) Union(forest, i, i - w - 1);
                if (x + 1 < w && v[i - w + 1] == value) Union(forest, i, i - w + 1);
            }
        }
        var labels = new int[n];
        int next = hasBg ? 1 : 0;
        for (int i = 0; i < n; i++)
        {
            if (hasBg && v[i] == bg)
            {
                labels[i] = 0;
                continue;
            }
            int r = Find(forest, i);
            labels[i] = r == i ? next++ : labels[r];
        }
        return new RegionMap(w, h, labels, Math.Max(next, 1), trusted: true);
    }

    internal static int Find(int[] forest, int i)
    {
        while (forest[i] < i)
        {
            int parent = forest[i];
            forest[i] = forest[parent];
            i = parent;
        }
        return i;
    }

    private static void Union(int[] forest, int a, int b)
    {
        int ra = Find(forest, a), rb = Find(forest, b);
        if (ra == rb) return;
        if (ra < rb) forest[rb] = ra;
        else forest[ra] = rb;
    }
}
