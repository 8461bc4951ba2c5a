// A dense region map: one region id per pixel, as returned by scikit-image's segmentation functions
// (felzenszwalb, slic, watershed, measure.label), plus the two ways to look at one:
// random colours (skimage.color.label2rgb-like) and region boundaries (skimage.segmentation.find_boundaries,
// mode "thick") drawn over the image (mark_boundaries).
using SegKit.Imaging;

namespace SegKit.Classical;

/// <summary>
/// One region id per pixel: <see cref="Labels"/> is row-major, length <see cref="Width"/> × <see cref="Height"/>,
/// ids in 0 .. <see cref="RegionCount"/> − 1. Segmenters number regions in raster order of their first pixel
/// unless their documentation says otherwise (SLIC keeps skimage's numbering; watershed keeps the marker ids,
/// with 0 meaning "not reached").
/// </summary>
public sealed class RegionMap
{
    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>Number of region ids (max id + 1). Some ids may have no pixels (e.g. background 0 of a label map with no background).</summary>
    public int RegionCount { get; }

    /// <summary>Region id of every pixel, row-major (index y × Width + x), values in [0, RegionCount).</summary>
    public int[] Labels { get; }

    /// <summary>Wraps <paramref name="labels"/> (row-major, length width × height, values in [0, regionCount)) without copying.</summary>
    /// <exception cref="ArgumentException">The length or a value is out of range.</exception>
    public RegionMap(int width, int height, int[] labels, int regionCount)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (width < 1 || height < 1)
            throw new ArgumentOutOfRangeException(nameof(width), $"region map size {width}×{height}: both sides must be ≥ 1");
        if (labels.LongLength != (long)width * height)
            throw new ArgumentException($"labels has {labels.Length} entries; {width}×{height} expected", nameof(labels));
        ArgumentOutOfRangeException.ThrowIfNegative(regionCount);
        foreach (int id in labels)
        {
            if ((uint)id >= (uint)regionCount)
                throw new ArgumentException($"label {id} is outside [0, {regionCount})", nameof(labels));
        }
        Width = width;
        Height = height;
        Labels = labels;
        RegionCount = regionCount;
    }

    // For segmenters that guarantee the invariants themselves.
    internal RegionMap(int width, int height, int[] labels, int regionCount, bool trusted)
    {
        _ = trusted;
        Width = width;
        Height = height;
        Labels = labels;
        RegionCount = regionCount;
    }

    /// <summary>Builds a map from non-negative labels, taking RegionCount = max label + 1 (no copy).</summary>
    public static RegionMap FromLabels(int width, int height, int[] labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        int max = -1;
        foreach (int id in labels)
        {
            if (id < 0) throw new ArgumentException($"label {id} is negative", nameof(labels));
            if (id > max) max = id;
        }
        return new RegionMap(width, height, labels, max + 1);
    }

    /// <summary>Region id at column <paramref name="x"/>, row <paramref name="y"/>.</summary>
    public int this[int x, int y]
    {
        get
        {
            if ((uint)x >= (uint)Width) throw new ArgumentOutOfRangeException(nameof(x));
            if ((uint)y >= (uint)Height) throw new ArgumentOutOfRangeException(nameof(y));
            return Labels[y * Width + x];
        }
    }

    /// <summary>Row <paramref name="y"/> of region ids (Width entries).</summary>
    public ReadOnlySpan<int> GetRow(int y)
    {
        if ((uint)y >= (uint)Height) throw new ArgumentOutOfRangeException(nameof(y));
        return Labels.AsSpan(y * Width, Width);
    }

    /// <summary>Pixel count of every region id: an array of length RegionCount.</summary>
    public int[] GetRegionSizes()
    {
        var sizes = new int[RegionCount];
        foreach (int id in Labels) sizes[id]++;
        return sizes;
    }

    /// <summary>
    /// Random distinct colours, one per region id, as an RGB image of the map's size.
    /// The same <paramref name="seed"/> gives the same colours. When <paramref name="zeroIsBlack"/> is true,
    /// id 0 (background / unlabelled in label and watershed maps) is drawn black.
    /// </summary>
    public RgbImage Colorize(int seed = 0, bool zeroIsBlack = false)
    {
        byte[] palette = CreatePalette(RegionCount, seed);
        if (zeroIsBlack && RegionCount > 0) palette[0] = palette[1] = palette[2] = 0;
        var image = new RgbImage(Width, Height);
        Span<byte> rgb = image.Data;
        int[] labels = Labels;
        for (int i = 0; i < labels.Length; i++)
        {
            int p = labels[i] * 3;
            rgb[i * 3] = palette[p];
            rgb[i * 3 + 1] = palette[p + 1];
            rgb[i * 3 + 2] = palette[p + 2];
        }
        return image;
    }

    /// <summary>
    /// Every region painted with the mean colour of <paramref name="image"/> over it
    /// (skimage.color.label2rgb(kind="avg")). The image must have the map's size.
    /// </summary>
    public RgbImage ColorizeMean(RgbImage image)
    {
        CheckSameSize(image);
        var sums = new long[RegionCount * 3];
        var counts = new int[RegionCount];
        byte[] src = image.Data;
        for (int i = 0; i < Labels.Length; i++)
        {
            int id = Labels[i];
            counts[id]++;
            sums[id * 3] += src[i * 3];
            sums[id * 3 + 1] += src[i * 3 + 1];
            sums[id * 3 + 2] += src[i * 3 + 2];
        }
        var mean = new byte[RegionCount * 3];
        for (int id = 0; id < RegionCount; id++)
        {
            if (counts[id] == 0) continue;
            for (int c = 0; c < 3; c++)
                mean[id * 3 + c] = (byte)((sums[id * 3 + c] + counts[id] / 2) / counts[id]);
        }
        var result = new RgbImage(Width, Height);
        byte[] dst = result.Data;
        for (int i = 0; i < Labels.Length; i++)
        {
            int p = Labels[i] * 3;
            dst[i * 3] = mean[p];
            dst[i * 3 + 1] = mean[p + 1];
            dst[i * 3 + 2] = mean[p + 2];
        }
        return result;
    }

    /// <summary>
    /// Boundary pixels: 1 where a 4-neighbour has a different id, else 0 (skimage find_boundaries, mode "thick").
    /// Row-major, length Width × Height.
    /// </summary>
    public byte[] GetBoundaryMask()
    {
        var mask = new byte[Labels.Length];
        int w = Width;
        for (int y = 0; y < Height; y++)
        {
            int row = y * w;
            for (int x = 0; x < w; x++)
            {
                int i = row + x;
                int id = Labels[i];
                if (x + 1 < w && Labels[i + 1] != id) { mask[i] = 1; mask[i + 1] = 1; }
                if (y + 1 < Height && Labels[i + w] != id) { mask[i] = 1; mask[i + w] = 1; }
            }
        }
        return mask;
    }

    /// <summary>
    /// A copy of <paramref name="image"/> (same size as the map) with boundary pixels (see <see cref="GetBoundaryMask"/>)
    /// set to the colour (<paramref name="r"/>, <paramref name="g"/>, <paramref name="b"/>), like skimage mark_boundaries.
    /// </summary>
    public RgbImage DrawBoundaries(RgbImage image, byte r = 255, byte g = 255, byte b = 0)
    {
        CheckSameSize(image);
        byte[] mask = GetBoundaryMask();
        RgbImage result = image.Clone();
        byte[] dst = result.Data;
        for (int i = 0; i < mask.Length; i++)
        {
            if (mask[i] == 0) continue;
            dst[i * 3] = r;
            dst[i * 3 + 1] = g;
            dst[i * 3 + 2] = b;
        }
        return result;
    }

    private void CheckSameSize(RgbImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.Width != Width || image.Height != Height)
            throw new ArgumentException($"image is {image.Width}×{image.Height}; the region map is {Width}×{Height}", nameof(image));
    }

    // Distinct random colours: rejection of repeats keeps neighbouring ids from sharing a colour by chance.
    private static byte[] CreatePalette(int count, int seed)
    {
        var palette = new byte[Math.Max(count, 1) * 3];
        var random = new Random(seed);
        var used = new HashSet<int>();
        for (int id = 0; id < count; id++)
        {
            int rgb;
            do
            {
                rgb = random.Next(1 << 24);
            } while (count <= (1 << 23) && !used.Add(rgb));
            palette[id * 3] = (byte)(rgb >> 16);
            palette[id * 3 + 1] = (byte)(rgb >> 8);
            palette[id * 3 + 2] = (byte)rgb;
        }
        return palette;
    }
}
