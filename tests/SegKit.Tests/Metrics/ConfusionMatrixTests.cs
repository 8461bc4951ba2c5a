using System.Text.Json;
using SegKit.Masks;
using SegKit.Metrics;
using SegKit.Tests.TestSupport;

namespace SegKit.Tests.Metrics;

public class ConfusionMatrixTests
{
    private static readonly Lazy<JsonDocument> s_doc = new(() =>
        JsonDocument.Parse(File.ReadAllBytes(TestPaths.SharedReference("coco", "semantic_metrics.json"))));

    public static TheoryData<int> Cases()
    {
        var d = new TheoryData<int>();
        for (int i = 0; i < s_doc.Value.RootElement.GetArrayLength(); i++) d.Add(i);
        return d;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Metrics_ReferenceCase_MatchTorchvisionReference(int index)
    {
        JsonElement c = s_doc.Value.RootElement[index];
        int w = c.GetProperty("width").GetInt32(), h = c.GetProperty("height").GetInt32();
        byte[] gt = c.GetProperty("gt").EnumerateArray().Select(e => (byte)e.GetInt32()).ToArray();
        byte[] pred = c.GetProperty("pred").EnumerateArray().Select(e => (byte)e.GetInt32()).ToArray();
        var cm = new ConfusionMatrix(c.GetProperty("num_classes").GetInt32(), c.GetProperty("ignore_index").GetInt32());
        cm.Update(new LabelMap(w, h, pred), new LabelMap(w, h, gt));

        Assert.Equal(c.GetProperty("pixel_accuracy").GetDouble(), cm.PixelAccuracy(), 1e-12);
        Assert.Equal(c.GetProperty("mean_accuracy").GetDouble(), cm.MeanAccuracy(), 1e-12);
        Assert.Equal(c.GetProperty("miou").GetDouble(), cm.MeanIou(), 1e-12);
        Assert.Equal(c.GetProperty("fwiou").GetDouble(), cm.FrequencyWeightedIou(), 1e-12);
        double?[] iou = cm.PerClassIou();
        JsonElement expected = c.GetProperty("per_class_iou");
        Assert.Equal(expected.GetArrayLength(), iou.Length);
        for (int k = 0; k < iou.Length; k++)
        {
            if (expected[k].ValueKind == JsonValueKind.Null) Assert.Null(iou[k]);
            else Assert.Equal(expected[k].GetDouble(), iou[k]!.Value, 1e-12);
        }
    }

    [Fact]
    public void Update_IgnoreAndAbsentClasses_SkippedAndNull()
    {
        var cm = new ConfusionMatrix(4);
        // gt: 0 0 1 255 ; pred: 0 1 1 3. Class 2 absent from both, class 3 only predicted on an ignored pixel.
        cm.Update([0, 1, 1, 3], [0, 0, 1, 255]);
        Assert.Equal(3, cm.Total);
        Assert.Equal(2.0 / 3, cm.PixelAccuracy(), 1e-15);
        Assert.Equal((0.5 + 1.0) / 2, cm.MeanAccuracy(), 1e-15);
        double?[] iou = cm.PerClassIou();
        Assert.Equal(0.5, iou[0]);
        Assert.Equal(0.5, iou[1]);
        Assert.Null(iou[2]);
        Assert.Null(iou[3]);
        Assert.Equal(0.5, cm.MeanIou(), 1e-15);
        Assert.Equal(2.0 / 3 * 0.5 + 1.0 / 3 * 0.5, cm.FrequencyWeightedIou(), 1e-15);
    }

    [Fact]
    public void Update_PredictionOutOfRange_Throws()
    {
        var cm = new ConfusionMatrix(3);
        Assert.Throws<ArgumentException>(() => cm.Update([5], [1]));
        cm.Update([255], [255]); // ignored pixel: its prediction is not looked at
        Assert.Equal(0, cm.Total);
    }

    [Fact]
    public void Update_TwoImages_Accumulates()
    {
        var cm = new ConfusionMatrix(2);
        cm.Update([0, 1], [0, 1]);
        cm.Update([1, 1], [0, 1]);
        Assert.Equal(1, cm[0, 0]);
        Assert.Equal(1, cm[0, 1]);
        Assert.Equal(2, cm[1, 1]);
        cm.Reset();
        Assert.Equal(0, cm.Total);
    }

    // --ignore 0 with 3 classes, by hand: pixel 0 (gt 0) is skipped; the rest give [1,1]=1, [1,0]=1, [2,2]=1.
    // Class 0 has no counted ground truth but one prediction: IoU 0/(0+1−0) = 0 (mmsegmentation's intersect_and_union).
    [Fact]
    public void IgnoreInsideClassRange_SkipsItsGroundTruthOnly()
    {
        var cm = new ConfusionMatrix(3, ignoreIndex: 0);
        cm.Update([1, 1, 0, 2], [0, 1, 1, 2]);
        Assert.Equal(3, cm.Total);
        Assert.Equal(new double?[] { 0.0, 0.5, 1.0 }, cm.PerClassIou());
        Assert.Equal(0.5, cm.MeanIou(), 1e-15);
        Assert.Equal(2.0 / 3, cm.PixelAccuracy(), 1e-15);
        Assert.Equal(new double?[] { null, 0.5, 1.0 }, cm.PerClassAccuracy());

        // Not predicted on counted pixels: class 0 is absent from both and left out of the mean.
        var absent = new ConfusionMatrix(3, ignoreIndex: 0);
        absent.Update([2, 1, 2, 2], [0, 1, 1, 2]);
        Assert.Equal(new double?[] { null, 0.5, 0.5 }, absent.PerClassIou());
        Assert.Equal(0.5, absent.MeanIou(), 1e-15);
    }
}
