// Access to the instance_reference fixture (tools/fixtures/instance_reference.py): manifest, models, reference
// detections (boxes, labels, scores, bit-packed masks), and the comparisons the parity tests share.
using System.Text.Json;
using SegKit.Instance;
using SegKit.Masks;
using SegKit.Tests.TestSupport;
using Xunit.Abstractions;

namespace SegKit.Tests.Instance;

/// <summary>Reference detections of one case, best score first.</summary>
/// <param name="Uncertain">Per mask, pixels whose reference probability is within 1e-3 of 0.5 (left out of the IoU).</param>
internal sealed record ReferenceDetections(float[] Boxes, long[] Labels, float[] Scores, BinaryMask[] Masks, BinaryMask[]? Uncertain, int Width, int Height)
{
    public int Count => Scores.Length;

    public BoxXyxy Box(int i) => new(Boxes[4 * i], Boxes[4 * i + 1], Boxes[4 * i + 2], Boxes[4 * i + 3]);
}

/// <summary>How SegKit's detections compare with a reference.</summary>
/// <param name="MinMaskIou">Smallest mask IoU over detections whose paste geometry agrees (all of them when the masks
/// are not pasted from boxes).</param>
/// <param name="GeometryDiffers">Detections whose torchvision paste rectangle (the expanded box truncated to integers)
/// differs between the two sides because a box coordinate differing by less than the box tolerance crossed an integer:
/// the whole 28×28 mask is then resampled onto a rectangle one pixel wider or taller, a discontinuity of the
/// algorithm, not an error; their IoU is <paramref name="MinIouGeometryDiffers"/>.</param>
internal sealed record ParityFigures(int Count, double MaxBoxDiff, double MaxScoreDiff, double MinMaskIou, long MaskPixelsDiffering,
    int GeometryDiffers = 0, double MinIouGeometryDiffers = 1)
{
    public override string ToString() =>
        $"{Count} detections: box max diff {MaxBoxDiff:0.######} px, score max diff {MaxScoreDiff:0.########}, " +
        $"min mask IoU {MinMaskIou:0.######}, {MaskPixelsDiffering} mask pixels differ" +
        (GeometryDiffers > 0 ? $"; {GeometryDiffers} paste rectangle(s) differ by a pixel (IoU ≥ {MinIouGeometryDiffers:0.####})" : "");
}

internal static class InstanceReference
{
    public const string FixtureName = "instance_reference";

    public static string Dir => Fixtures.Ensure(FixtureName);

    public static string Path(string file) => System.IO.Path.Combine(Dir, file);

    public static JsonElement Manifest()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path("manifest.json")));
        return doc.RootElement.Clone();
    }

    /// <summary>The case of <paramref name="section"/> ("torchvision", "onnxzoo", "yolo") whose "photo" is <paramref name="photo"/> (and end_to_end flag).</summary>
    public static JsonElement Case(string section, string photo, bool endToEnd = false) =>
        Manifest().GetProperty(section).GetProperty("cases").EnumerateArray()
            .First(c => c.GetProperty("photo").GetString() == photo &&
                        (!c.TryGetProperty("end_to_end", out var e) || e.GetBoolean() == endToEnd));

    public static ReferenceDetections Detections(JsonElement c)
    {
        int n = c.GetProperty("count").GetInt32(), h = c.GetProperty("height").GetInt32(), w = c.GetProperty("width").GetInt32();
        float[] boxes = Npy.Read(Path(c.GetProperty("boxes").GetString()!)).AsFloat32();
        long[] labels = Npy.Read(Path(c.GetProperty("labels").GetString()!)).AsInt64();
        float[] scores = Npy.Read(Path(c.GetProperty("scores").GetString()!)).AsFloat32();
        BinaryMask[] masks = Unpack(c.GetProperty("masks").GetString()!, n, w, h);
        BinaryMask[]? uncertain = c.TryGetProperty("uncertain", out var u) ? Unpack(u.GetString()!, n, w, h) : null;
        return new ReferenceDetections(boxes, labels, scores, masks, uncertain, w, h);
    }

    private static BinaryMask[] Unpack(string file, int n, int w, int h)
    {
        var packed = Npy.Read(Path(file));
        var masks = new BinaryMask[n];
        int rowBytes = n == 0 ? 0 : packed.Shape[1];
        for (int i = 0; i < n; i++)
        {
            var m = new BinaryMask(w, h);
            ReadOnlySpan<byte> bits = packed.Data.AsSpan(i * rowBytes, rowBytes);
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                {
                    long p = (long)y * w + x;
                    if ((bits[(int)(p >> 3)] >> (7 - (int)(p & 7)) & 1) != 0) m.Set(x, y);
                }
            masks[i] = m;
        }
        return masks;
    }

    public static float[] Floats(JsonElement c, string key) => Npy.Read(Path(c.GetProperty(key).GetString()!)).AsFloat32();

    public static Npy Raw(JsonElement c, string key) => Npy.Read(Path(c.GetProperty(key).GetString()!));

    /// <summary>
    /// Compares detections in order (both best first): same count, same labels; returns the figures. Reference boxes
    /// are clipped to the image first when <paramref name="clipReference"/> (a reference that reports raw boxes).
    /// With <paramref name="pasteMaskSide"/> (M of M × M masks pasted from boxes), detections whose paste rectangle
    /// differs between the two boxes are counted apart (see <see cref="ParityFigures.GeometryDiffers"/>);
    /// <paramref name="pasteBoxes"/> gives the boxes the reference pasted with when they are not the ones compared.
    /// </summary>
    /// Pixels the reference marks uncertain are left out when <paramref name="skipUncertain"/> (comparisons through
    /// ONNX Runtime, whose float32 results differ from PyTorch's in the last digits).
    public static ParityFigures Compare(IReadOnlyList<InstanceDetection> actual, ReferenceDetections expected, bool clipReference = false,
        int pasteMaskSide = 0, Func<int, BoxXyxy>? actualPasteBox = null, bool skipUncertain = false)
    {
        Assert.Equal(expected.Count, actual.Count);
        double boxDiff = 0, scoreDiff = 0, minIou = 1, minIouMoved = 1;
        long differing = 0;
        int moved = 0;
        for (int i = 0; i < actual.Count; i++)
        {
            InstanceDetection d = actual[i];
            Assert.Equal(expected.Labels[i], d.ClassId);
            BoxXyxy e = expected.Box(i);
            bool geometryDiffers = pasteMaskSide > 0 &&
                PasteRect(e, pasteMaskSide) != PasteRect(actualPasteBox?.Invoke(i) ?? d.Box, pasteMaskSide);
            if (clipReference) e = e.Clip(expected.Width, expected.Height);
            boxDiff = Math.Max(boxDiff, Math.Max(Math.Max(Math.Abs(e.X1 - d.Box.X1), Math.Abs(e.Y1 - d.Box.Y1)),
                Math.Max(Math.Abs(e.X2 - d.Box.X2), Math.Abs(e.Y2 - d.Box.Y2))));
            scoreDiff = Math.Max(scoreDiff, Math.Abs(expected.Scores[i] - d.Score));
            BinaryMask got = d.Mask.ToBinaryMask(), want = expected.Masks[i];
            if (skipUncertain && expected.Uncertain is { } unc)
            {
                got = got.AndNot(unc[i]);
                want = want.AndNot(unc[i]);
            }
            long union = got.UnionCount(want), inter = got.IntersectionCount(want);
            differing += union - inter;
            // Two empty masks agree perfectly (zero-area boxes give empty masks in both).
            double iou = union == 0 ? 1 : (double)inter / union;
            if (geometryDiffers)
            {
                moved++;
                minIouMoved = Math.Min(minIouMoved, iou);
            }
            else
            {
                minIou = Math.Min(minIou, iou);
            }
        }
        return new ParityFigures(actual.Count, boxDiff, scoreDiff, minIou, differing, moved, minIouMoved);
    }

    /// <summary>torchvision's paste rectangle: the box scaled by (M + 2) / M about its centre, truncated to integers.</summary>
    public static (long, long, long, long) PasteRect(BoxXyxy b, int m)
    {
        float scale = (float)((double)(m + 2) / m);
        float wh = (b.X2 - b.X1) * 0.5f * scale, hh = (b.Y2 - b.Y1) * 0.5f * scale;
        float xc = (b.X2 + b.X1) * 0.5f, yc = (b.Y2 + b.Y1) * 0.5f;
        return ((long)(xc - wh), (long)(yc - hh), (long)(xc + wh), (long)(yc + hh));
    }

    public static void Report(ITestOutputHelper output, string what, ParityFigures f) => output.WriteLine($"{what}: {f}");
}
