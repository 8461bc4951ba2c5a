using SegKit.Instance;
using SegKit.Masks;
using Xunit.Abstractions;

namespace SegKit.Tests.Instance;

/// <summary>
/// torchvision paste_masks_in_image semantics (MaskRaster.PasteTorchvision): hand-computed cases, edge cases, and the
/// ONNX-zoo post-processing against the fixture's torchvision reference fed the PyTorch model's raw outputs.
/// </summary>
public class MaskPasteTests(ITestOutputHelper output)
{
    private static float[] Uniform(int m, float v) => Enumerable.Repeat(v, m * m).ToArray();

    [Fact]
    public void Paste_UniformOnes_CoversExpandedBoxMinusBlurredBorder()
    {
        // M = 2, box (10,10)-(14,14): scale (2+2)/2 = 2 → expanded (8,8)-(16,16), resized 4×4 padded mask to 9×9.
        // Padded rows/cols: [0,1,1,0]; output index d reads src = 4/9·(d + 0.5) − 0.5:
        // d = 0 → 0 (value 0), d = 1 → 0.1667 (value 0.1667), d = 2 → 0.611 (0.611), d = 3..5 → ≥ 1.06 in [1,2] (1),
        // d = 6 → 2.39 (0.611), d = 7 → 2.83 (0.167), d = 8 → 3.28 (0, last index). The 2-D value is the product of
        // the row and column values, so above 0.5: d = 2..6 both ways except the four corners (0.611² = 0.373).
        var m = MaskRaster.PasteTorchvision(Uniform(2, 1f), 2, new BoxXyxy(10, 10, 14, 14), 30, 30, 0.5f);
        Assert.Equal(new BoxXyxy(10, 10, 15, 15), m.BoundingBox());
        Assert.Equal(25 - 4, m.Area);
        Assert.False(m[10, 10]);
        Assert.True(m[10, 11] && m[12, 12] && m[14, 13]);
    }

    [Fact]
    public void Paste_BoxPartlyOutsideImage_ClippedToImage()
    {
        var m = MaskRaster.PasteTorchvision(Uniform(2, 1f), 2, new BoxXyxy(-2, -2, 2, 2), 30, 30, 0.5f);
        // Expanded (-4,-4)-(4,4) → pixels -2..2 set but the corners; inside the image 0..2 without (2, 2).
        Assert.Equal(new BoxXyxy(0, 0, 3, 3), m.BoundingBox());
        Assert.Equal(8, m.Area);
        Assert.False(m[2, 2]);
        var far = MaskRaster.PasteTorchvision(Uniform(28, 1f), 28, new BoxXyxy(100, 100, 120, 120), 30, 30, 0.5f);
        Assert.Equal(0, far.Area);
    }

    [Fact]
    public void Paste_ZeroWidthBox_OneColumnAtMost()
    {
        // Zero width: expanded box has zero width, w = max(0 + 1, 1) = 1 column.
        var m = MaskRaster.PasteTorchvision(Uniform(28, 1f), 28, new BoxXyxy(5, 5, 5, 20), 30, 30, 0.5f);
        Assert.True(m.Area > 0);
        var b = m.BoundingBox()!.Value;
        Assert.Equal(1, b.Width);
        var none = MaskRaster.PasteTorchvision(Uniform(28, 0f), 28, new BoxXyxy(5, 5, 5, 20), 30, 30, 0.5f);
        Assert.Equal(0, none.Area);
    }

    [Fact]
    public void Paste_NanBox_EmptyMask()
    {
        var m = MaskRaster.PasteTorchvision(Uniform(28, 1f), 28, new BoxXyxy(float.NaN, 0, 5, 5), 30, 30, 0.5f);
        Assert.Equal(0, m.Area);
    }

    [Fact]
    public void FromProbabilityPlane_CropsToSetPixels()
    {
        float[] plane = new float[6 * 4];
        plane[1 * 6 + 2] = 0.9f;
        plane[2 * 6 + 4] = 0.6f;
        plane[3 * 6 + 0] = 0.5f; // not above 0.5
        var m = MaskRaster.FromProbabilityPlane(plane, 6, 4, 0.5f);
        Assert.Equal((2, 1, 3, 2), (m.X, m.Y, m.Crop.Width, m.Crop.Height));
        Assert.True(m[2, 1] && m[4, 2] && !m[0, 3]);
        Assert.Equal(2, m.Area);
        Assert.Equal(0, MaskRaster.FromProbabilityPlane(new float[24], 6, 4, 0.5f).Area);
    }

    [Theory]
    [InlineData("dog.jpg")]
    [InlineData("groceries.jpg")]
    public void ZooPostprocess_RawOutputs_MatchesTorchvisionPaste(string photo)
    {
        var c = InstanceReference.Case("onnxzoo", photo);
        var reference = InstanceReference.Detections(c);
        float[] rawBoxes = InstanceReference.Floats(c, "raw_boxes");
        var rawMasks = InstanceReference.Raw(c, "raw_masks");
        long[] labels = reference.Labels;
        double ratio = c.GetProperty("ratio").GetDouble();
        var settings = new RunSettings(new InstanceSegmenterOptions { ScoreThreshold = 0f }, null);
        var got = OnnxZooMaskRcnnRunner.Postprocess(rawBoxes, labels, reference.Scores, rawMasks.AsFloat32(), rawMasks.Shape[3],
            ratio, reference.Width, reference.Height, settings, "zoo");
        var f = InstanceReference.Compare(got, reference, clipReference: true);
        InstanceReference.Report(output, $"zoo paste {photo}", f);
        Assert.True(f.Count >= 8);
        Assert.True(f.MaxBoxDiff <= 1e-3, f.ToString());
        Assert.True(f.MinMaskIou >= 0.99, f.ToString());
    }

    [Fact]
    public void ZooResize_AsReadmePython()
    {
        // ratio = 800/534 = 1.4981..., int(ratio·800) = 1198, int(ratio·534) = 800 (799.99.. would truncate to 799).
        var (ratio, w, h) = OnnxZooMaskRcnnRunner.ResizeFor(800, 534);
        Assert.Equal(800.0 / 534, ratio);
        Assert.Equal((int)(800.0 / 534 * 800), w);
        Assert.Equal((int)(800.0 / 534 * 534), h);
    }

    // A 3×2000 image's shorter side goes to 800: an 800×533,333 input, which took all 24 GiB before the kernel stopped
    // the process. It is refused before anything is allocated.
    [Fact]
    public void OnnxZooPreprocess_ThinImage_RefusedBeforeAllocating()
    {
        var image = new SegKit.Imaging.RgbImage(3, 2000, new byte[3 * 2000 * 3]);
        var e = Assert.Throws<SegKit.Imaging.ImageLimitExceededException>(() => OnnxZooMaskRcnnRunner.Preprocess(image));
        Assert.Equal(800L * 533333, e.Value);
        Assert.Contains("800×533333", e.Message);
    }
}
