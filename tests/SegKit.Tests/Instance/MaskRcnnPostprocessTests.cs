using SegKit.Instance;
using SegKit.Masks;
using SegKit.Models;

namespace SegKit.Tests.Instance;

/// <summary>Mask R-CNN post-processing on hand-made outputs: filters, order, clipping, empty outputs, size checks.</summary>
public class MaskRcnnPostprocessTests
{
    private static RunSettings Settings(float score = 0.5f, int max = 100, params int[] classes) =>
        new(new InstanceSegmenterOptions { ScoreThreshold = score, MaxDetections = max }, classes.Length == 0 ? null : [.. classes]);

    [Fact]
    public void Torchvision_NoDetections_Empty()
    {
        Assert.Empty(TorchvisionMaskRcnnRunner.Postprocess([], [], [], [], 8, 6, Settings(), "m"));
    }

    [Fact]
    public void Torchvision_ScoreClassAndMaxFilters_BestFirstWithCroppedMasks()
    {
        const int w = 8, h = 6;
        float[] boxes = [0, 0, 4, 4, -3, 1, 9, 7, 2, 2, 3, 3, 1, 1, 2, 2];
        long[] labels = [18, 1, 1, 3];
        float[] scores = [0.6f, 0.9f, 0.4f, 0.95f];
        var masks = new float[4 * w * h];
        masks[0 * w * h + 1 * w + 2] = 0.7f;               // detection 0: one pixel (2, 1)
        masks[1 * w * h + 5 * w + 7] = 0.51f;              // detection 1: one pixel (7, 5)
        var got = TorchvisionMaskRcnnRunner.Postprocess(boxes, labels, scores, masks, w, h, Settings(0.5f, 100, 1, 18), "m");
        // Detection 3 (class 3) filtered by class, detection 2 by score; 1 (0.9) before 0 (0.6).
        Assert.Equal([1, 18], got.Select(d => d.ClassId));
        Assert.Equal([1, 2], got.Select(d => d.Id));
        Assert.Equal("person", got[0].ClassName);
        Assert.Equal("dog", got[1].ClassName);
        Assert.Equal(new BoxXyxy(0, 1, 8, 6), got[0].Box); // clipped to the image
        Assert.Equal((7, 5, 1), (got[0].Mask.X, got[0].Mask.Y, got[0].Area));
        Assert.True(got[1].Mask[2, 1]);
        Assert.Single(TorchvisionMaskRcnnRunner.Postprocess(boxes, labels, scores, masks, w, h, Settings(0.5f, 1), "m"));
    }

    [Fact]
    public void Torchvision_SizesDisagree_TypedError()
    {
        Assert.Throws<ModelContractException>(() =>
            TorchvisionMaskRcnnRunner.Postprocess([0, 0, 1, 1], [1], [0.9f], new float[10], 8, 6, Settings(), "m"));
    }

    [Fact]
    public void OnnxZoo_NoDetections_Empty()
    {
        Assert.Empty(OnnxZooMaskRcnnRunner.Postprocess([], [], [], [], 28, 1.5, 800, 534, Settings(), "m"));
    }

    [Fact]
    public void OnnxZoo_BoxesScaledByRatioAndClipped_NamesFromContiguousLabels()
    {
        float[] boxes = [30, 30, 90, 60, 1100, 700, 1300, 900];
        var masks = Enumerable.Repeat(1f, 2 * 28 * 28).ToArray();
        var got = OnnxZooMaskRcnnRunner.Postprocess(boxes, [1, 80], [0.8f, 0.7f], masks, 28, 1.5, 800, 534, Settings(), "m");
        Assert.Equal(new BoxXyxy(20, 20, 60, 40), got[0].Box);
        Assert.Equal("person", got[0].ClassName);
        Assert.Equal("toothbrush", got[1].ClassName);
        // 733..866 × 466..600 lies partly outside the 800×534 image: clipped box, mask inside the image only.
        Assert.Equal(new BoxXyxy(1100 / 1.5f, 700 / 1.5f, 800, 534), got[1].Box);
        Assert.True(got[1].Area > 0);
        Assert.True(got[1].Mask.X + got[1].Mask.Crop.Width <= 800 && got[1].Mask.Y + got[1].Mask.Crop.Height <= 534);
    }
}
