// What an instance segmenter returns: per instance a class, a score, a box and a compactly stored mask.
using System.Numerics;
using SegKit.Imaging;
using SegKit.Masks;
using SegKit.Models;

namespace SegKit.Instance;

/// <summary>
/// A binary mask over a <see cref="Width"/> × <see cref="Height"/> image, stored as the bit-packed
/// <see cref="Crop"/> of a rectangle at (<see cref="X"/>, <see cref="Y"/>) that contains every set pixel — a
/// 100-instance result on a 4K photo then costs kilobytes per instance instead of 1.3 MB.
/// <see cref="ToBinaryMask"/> gives the image-size mask.
/// </summary>
public sealed class InstanceMask
{
    /// <summary>Wraps <paramref name="crop"/>, whose pixel (0, 0) is image pixel (<paramref name="x"/>, <paramref name="y"/>); the crop must lie inside the image.</summary>
    public InstanceMask(int width, int height, int x, int y, BinaryMask crop)
    {
        ArgumentNullException.ThrowIfNull(crop);
        if (width < 0 || height < 0) throw new ArgumentOutOfRangeException(nameof(width), $"image size {width}×{height}");
        if (crop.Width > 0 && crop.Height > 0 && (x < 0 || y < 0 || (long)x + crop.Width > width || (long)y + crop.Height > height))
            throw new ArgumentOutOfRangeException(nameof(crop), $"crop {crop.Width}×{crop.Height} at ({x},{y}) is outside the {width}×{height} image");
        Width = width;
        Height = height;
        X = x;
        Y = y;
        Crop = crop;
        Area = crop.Area();
    }

    /// <summary>An all-false mask of an image of <paramref name="width"/> × <paramref name="height"/>.</summary>
    public static InstanceMask Empty(int width, int height) => new(width, height, 0, 0, new BinaryMask(0, 0));

    /// <summary>Compacts an image-size mask (crops it to its bounding box).</summary>
    public static InstanceMask FromBinaryMask(BinaryMask mask)
    {
        ArgumentNullException.ThrowIfNull(mask);
        if (mask.BoundingBox() is not { } b) return Empty(mask.Width, mask.Height);
        int x0 = (int)b.X1, y0 = (int)b.Y1, w = (int)b.Width, h = (int)b.Height;
        var crop = new BinaryMask(w, h);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                if (mask.DangerousGet(x0 + x, y0 + y)) crop.Set(x, y);
        return new InstanceMask(mask.Width, mask.Height, x0, y0, crop);
    }

    /// <summary>Image width in pixels.</summary>
    public int Width { get; }

    /// <summary>Image height in pixels.</summary>
    public int Height { get; }

    /// <summary>Image column of the crop's first column.</summary>
    public int X { get; }

    /// <summary>Image row of the crop's first row.</summary>
    public int Y { get; }

    /// <summary>The stored pixels: crop pixel (cx, cy) is image pixel (X + cx, Y + cy). Pixels outside it are false.</summary>
    public BinaryMask Crop { get; }

    /// <summary>Number of set pixels.</summary>
    public long Area { get; }

    /// <summary>Image pixel (x, y); false outside the crop, throws outside the image.</summary>
    public bool this[int x, int y]
    {
        get
        {
            if ((uint)x >= (uint)Width || (uint)y >= (uint)Height)
                throw new ArgumentOutOfRangeException(nameof(x), $"pixel ({x},{y}) outside {Width}×{Height} image");
            int cx = x - X, cy = y - Y;
            return (uint)cx < (uint)Crop.Width && (uint)cy < (uint)Crop.Height && Crop.DangerousGet(cx, cy);
        }
    }

    /// <summary>The mask at image size (allocates Width × Height bits).</summary>
    public BinaryMask ToBinaryMask()
    {
        var m = new BinaryMask(Width, Height);
        int word0 = X >> 6, shift = X & 63;
        for (int cy = 0; cy < Crop.Height; cy++)
        {
            ReadOnlySpan<ulong> src = Crop.GetRowWords(cy);
            Span<ulong> dst = m.DangerousGetRowWords(Y + cy);
            for (int w = 0; w < src.Length; w++)
            {
                ulong v = src[w];
                if (v == 0) continue;
                dst[word0 + w] |= v << shift;
                if (shift != 0 && word0 + w + 1 < dst.Length) dst[word0 + w + 1] |= v >> (64 - shift);
            }
        }
        return m;
    }

    /// <summary>Tight bounding box of the set pixels in pixel-edge coordinates (X2 = max x + 1); null when empty.</summary>
    public BoxXyxy? BoundingBox() => Crop.BoundingBox() is { } b ? new BoxXyxy(b.X1 + X, b.Y1 + Y, b.X2 + X, b.Y2 + Y) : null;

    /// <summary>
    /// The mask as COCO RLE at image size (column-major runs starting with background, as pycocotools'
    /// <c>encode</c>), computed from the crop without materialising the image-size mask.
    /// </summary>
    public CocoRle ToRle()
    {
        var enc = new RunEncoder();
        enc.Add(false, (long)X * Height);
        if (Crop.Width > 0 && Crop.Height > 0)
        {
            ulong[] cols = BitColumns.Of(Crop, out int wpc);
            int h = Crop.Height;
            for (int cx = 0; cx < Crop.Width; cx++)
            {
                enc.Add(false, Y);
                for (int k = 0; k < wpc; k++)
                    BitColumns.AppendRuns(ref enc, cols[(long)cx * wpc + k], Math.Min(64, h - (k << 6)));
                enc.Add(false, Height - Y - h);
            }
        }
        enc.Add(false, (long)(Width - X - Crop.Width) * Height);
        return new CocoRle(Height, Width, enc.Finish());
    }

    /// <summary>
    /// Outer borders of the mask's 8-connected components as COCO polygons (flat x0, y0, x1, y1, ... of border
    /// pixel centres in image coordinates, as cv2.findContours with CHAIN_APPROX_NONE gives them). Holes are not
    /// represented, as COCO polygons cannot express them; use <see cref="ToRle"/> for exact shapes.
    /// </summary>
    public IReadOnlyList<double[]> ToPolygons()
    {
        if (Area == 0) return [];
        MaskContourSet set = MaskContours.Find(Crop);
        var polygons = new List<double[]>();
        foreach (int i in set.Outers)
        {
            double[] xy = set.Contours[i].ToFlatXy();
            for (int k = 0; k < xy.Length; k += 2)
            {
                xy[k] += X;
                xy[k + 1] += Y;
            }
            polygons.Add(xy);
        }
        return polygons;
    }
}

/// <summary>One detected object.</summary>
public sealed class InstanceDetection
{
    /// <summary>Creates a detection (runners do; tests and callers composing results may too).</summary>
    public InstanceDetection(int id, int classId, string className, float score, BoxXyxy box, InstanceMask mask)
    {
        ArgumentNullException.ThrowIfNull(className);
        ArgumentNullException.ThrowIfNull(mask);
        Id = id;
        ClassId = classId;
        ClassName = className;
        Score = score;
        Box = box;
        Mask = mask;
    }

    /// <summary>1-based rank by decreasing score within its image (the value in the instance-id map).</summary>
    public int Id { get; }

    /// <summary>
    /// The model's class id: the COCO category id (1..90) for torchvision Mask R-CNN, 1..80 for the ONNX-zoo
    /// Mask R-CNN, the index into the model's <c>names</c> for YOLO.
    /// </summary>
    public int ClassId { get; }

    /// <summary>The class name (from the model's metadata or the contract's label set; "class N" when unknown).</summary>
    public string ClassName { get; }

    /// <summary>Confidence in 0..1.</summary>
    public float Score { get; }

    /// <summary>Box in image pixels, XYXY, clipped to the image.</summary>
    public BoxXyxy Box { get; }

    /// <summary>The instance's pixels at image size, stored compactly.</summary>
    public InstanceMask Mask { get; }

    /// <summary>Number of mask pixels.</summary>
    public long Area => Mask.Area;

    /// <summary>The mask as COCO RLE (see <see cref="InstanceMask.ToRle"/>).</summary>
    public CocoRle ToRle() => Mask.ToRle();

    /// <summary>The mask's outer borders as COCO polygons (see <see cref="InstanceMask.ToPolygons"/>).</summary>
    public IReadOnlyList<double[]> ToPolygons() => Mask.ToPolygons();

    /// <summary>"#3 person 0.87 xyxy(...)".</summary>
    public override string ToString() => $"#{Id} {ClassName} {Score:0.00} {Box}";
}

/// <summary>The instances found in one image, best score first.</summary>
public sealed class InstanceResult
{
    /// <summary>Creates a result.</summary>
    public InstanceResult(int imageWidth, int imageHeight, IReadOnlyList<InstanceDetection> instances, ModelContractKind format, StageTimings timings)
    {
        ArgumentNullException.ThrowIfNull(instances);
        ArgumentNullException.ThrowIfNull(timings);
        ImageWidth = imageWidth;
        ImageHeight = imageHeight;
        Instances = instances;
        Format = format;
        Timings = timings;
    }

    /// <summary>Image width in pixels.</summary>
    public int ImageWidth { get; }

    /// <summary>Image height in pixels.</summary>
    public int ImageHeight { get; }

    /// <summary>The instances by decreasing score; <see cref="InstanceDetection.Id"/> is the 1-based position.</summary>
    public IReadOnlyList<InstanceDetection> Instances { get; }

    /// <summary>The model contract that produced them.</summary>
    public ModelContractKind Format { get; }

    /// <summary>Milliseconds per stage (decode when read from a file, preprocess, inference, postprocess).</summary>
    public StageTimings Timings { get; }

    /// <summary>
    /// A 16-bit map of instance ids (0 = background): where instances overlap, the higher-scoring one (lower id) wins.
    /// </summary>
    public Gray16Image ToInstanceIdMap()
    {
        var map = new Gray16Image(ImageWidth, ImageHeight);
        for (int k = Instances.Count - 1; k >= 0; k--)
        {
            InstanceDetection d = Instances[k];
            ushort id = (ushort)d.Id;
            InstanceMask m = d.Mask;
            for (int cy = 0; cy < m.Crop.Height; cy++)
            {
                Span<ushort> row = map.GetRow(m.Y + cy);
                ReadOnlySpan<ulong> words = m.Crop.GetRowWords(cy);
                for (int w = 0; w < words.Length; w++)
                {
                    ulong bits = words[w];
                    while (bits != 0)
                    {
                        row[m.X + (w << 6) + BitOperations.TrailingZeroCount(bits)] = id;
                        bits &= bits - 1;
                    }
                }
            }
        }
        return map;
    }
}
