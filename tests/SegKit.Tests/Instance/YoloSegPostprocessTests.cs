using SegKit.Imaging;
using SegKit.Instance;
using SegKit.Masks;
using SegKit.Tests.TestSupport;
using Xunit.Abstractions;

namespace SegKit.Tests.Instance;

/// <summary>
/// YOLO-seg post-processing against the fixture's Ultralytics-algorithm reference, fed the PyTorch model's own raw
/// outputs (so only post-processing is compared), plus the letterbox pixels against cv2.
/// </summary>
public class YoloSegPostprocessTests(ITestOutputHelper output)
{
    private static readonly IReadOnlyDictionary<int, string> s_names =
        CocoCategories.Coco80.Select((n, i) => (n, i)).ToDictionary(t => t.i, t => t.n);

    private static RunSettings Settings(InstanceSegmenterOptions o, IEnumerable<int>? classes = null) =>
        new(o, classes is null ? null : [.. classes]);

    // Ultralytics predict defaults used by the fixture: conf 0.25, iou 0.7, max_det 300.
    private static readonly InstanceSegmenterOptions s_ultralytics = new() { ScoreThreshold = 0.25f, NmsIou = 0.7f, MaxDetections = 300 };

    private static List<InstanceDetection> Run(System.Text.Json.JsonElement c, bool endToEnd, RunSettings settings)
    {
        var o0 = InstanceReference.Raw(c, "output0");
        var o1 = InstanceReference.Raw(c, "output1");
        int w = c.GetProperty("width").GetInt32(), h = c.GetProperty("height").GetInt32();
        var box = YoloLetterbox.Compute(w, h, 640, 640);
        return YoloSegRunner.Postprocess(o0.AsFloat32(), o0.Shape.Select(d => (long)d).ToArray(), o1.AsFloat32(),
            o1.Shape.Select(d => (long)d).ToArray(), endToEnd, box, w, h, settings, s_names, "yolo_seg.onnx");
    }

    [Theory]
    [InlineData("dog.jpg", false)]
    [InlineData("groceries.jpg", false)]
    [InlineData("truck.jpg", false)]
    [InlineData("dog.jpg", true)]
    public void Postprocess_RawOutputs_MatchesUltralyticsReference(string photo, bool endToEnd)
    {
        var c = InstanceReference.Case("yolo", photo, endToEnd);
        var got = Run(c, endToEnd, Settings(s_ultralytics));
        var f = InstanceReference.Compare(got, InstanceReference.Detections(c));
        InstanceReference.Report(output, $"yolo post {photo} e2e={endToEnd}", f);
        Assert.True(f.Count > 100, "the fixture should yield many detections");
        Assert.True(f.MaxBoxDiff <= 1e-3, f.ToString());
        Assert.Equal(0, f.MaxScoreDiff);
        Assert.True(f.MinMaskIou >= 0.99, f.ToString());
    }

    [Theory]
    [InlineData("dog.jpg")]
    [InlineData("truck.jpg")]
    public void Postprocess_ClassFilter_AppliedBeforeNmsAsUltralytics(string photo)
    {
        var c = InstanceReference.Case("yolo", photo);
        var filtered = c.GetProperty("filtered");
        var got = Run(c, false, Settings(s_ultralytics, [0, 2, 5]));
        var f = InstanceReference.Compare(got, InstanceReference.Detections(filtered));
        InstanceReference.Report(output, $"yolo classes 0,2,5 {photo}", f);
        Assert.True(f.Count > 0);
        Assert.All(got, d => Assert.Contains(d.ClassId, new[] { 0, 2, 5 }));
        Assert.True(f.MinMaskIou >= 0.99 && f.MaxBoxDiff <= 1e-3, f.ToString());
    }

    [Fact]
    public void Postprocess_MoreDetectionsThanMaximum_KeepsHighestScores()
    {
        var c = InstanceReference.Case("yolo", "dog.jpg");
        var all = InstanceReference.Detections(c);
        var got = Run(c, false, Settings(s_ultralytics with { MaxDetections = 7 }));
        Assert.Equal(7, got.Count);
        for (int i = 0; i < 7; i++)
        {
            Assert.Equal(all.Scores[i], got[i].Score);
            Assert.Equal(i + 1, got[i].Id);
        }
    }

    [Fact]
    public void Postprocess_NothingAboveThreshold_NoDetections()
    {
        Assert.Empty(Run(InstanceReference.Case("yolo", "dog.jpg"), false, Settings(s_ultralytics with { ScoreThreshold = 1f })));
        Assert.Empty(Run(InstanceReference.Case("yolo", "dog.jpg", endToEnd: true), true, Settings(s_ultralytics with { ScoreThreshold = 1f })));
    }

    [Fact]
    public void Postprocess_ZeroHeightBoxes_EmptyMasks()
    {
        // Boxes in the letterbox padding collapse to zero height after clipping: reported, with empty masks.
        var c = InstanceReference.Case("yolo", "dog.jpg");
        var got = Run(c, false, Settings(s_ultralytics));
        var flat = got.Where(d => d.Box.Height == 0).ToList();
        Assert.NotEmpty(flat);
        Assert.All(flat, d => Assert.Equal(0, d.Area));
    }

    [Fact]
    public void Postprocess_SyntheticAnchors_NmsPerClassAndScaleBoxes()
    {
        // 4 anchors, 2 classes, 1 prototype channel (2×2 prototypes): a 100×100 image letterboxed into 8×8 (gain 0.08).
        const int nc = 2, nm = 1, a = 4;
        float[] o0 = new float[(4 + nc + nm) * a];
        void Anchor(int i, float cx, float cy, float w, float h, float s0, float s1, float coef)
        {
            o0[i] = cx; o0[a + i] = cy; o0[2 * a + i] = w; o0[3 * a + i] = h;
            o0[4 * a + i] = s0; o0[5 * a + i] = s1; o0[6 * a + i] = coef;
        }
        Anchor(0, 4, 4, 4, 4, 0.9f, 0.1f, 1f);   // class 0, best
        Anchor(1, 4.2f, 4, 4, 4, 0.8f, 0.1f, 1f); // class 0, IoU 0.9 with anchor 0: suppressed
        Anchor(2, 4, 4, 4, 4, 0.1f, 0.7f, 1f);   // class 1, same box: kept (other class)
        Anchor(3, 2, 2, 2, 2, 0.2f, 0.1f, 1f);   // below the threshold
        float[] protos = [1f, 1f, 1f, 1f];
        var box = YoloLetterbox.Compute(100, 100, 8, 8);
        var got = YoloSegRunner.Postprocess(o0, [1, 4 + nc + nm, a], protos, [1, nm, 2, 2], false, box, 100, 100,
            Settings(new InstanceSegmenterOptions { ScoreThreshold = 0.25f, NmsIou = 0.5f }), s_names, "synthetic");
        Assert.Equal(2, got.Count);
        Assert.Equal((0, 0.9f), (got[0].ClassId, got[0].Score));
        Assert.Equal((1, 0.7f), (got[1].ClassId, got[1].Score));
        // Box (2,2)-(6,6) in the 8×8 input: no padding, divided by gain 0.08 → (25,25)-(75,75).
        Assert.Equal(new BoxXyxy(25, 25, 75, 75), got[0].Box);
        // Positive logits everywhere: the mask is exactly the box's pixels 25..74.
        Assert.Equal(50L * 50, got[0].Area);
        Assert.Equal(new BoxXyxy(25, 25, 75, 75), got[0].Mask.BoundingBox());
    }

    [Theory]
    [InlineData("dog.jpg")]
    [InlineData("groceries.jpg")]
    [InlineData("truck.jpg")]
    public void Letterbox_Photo_EqualsUltralyticsWithCv2(string photo)
    {
        var c = InstanceReference.Case("yolo", photo);
        var want = InstanceReference.Raw(c, "letterboxed");
        RgbImage image = ImageDecoder.DecodeRgb(TestPaths.SharedImage(photo));
        var box = YoloLetterbox.Compute(image.Width, image.Height, 640, 640);
        RgbImage got = box.Apply(image);
        Assert.Equal([640, 640, 3], want.Shape);
        Assert.Equal(want.AsUInt8(), got.Data);
    }

    [Fact]
    public void Letterbox_ToTensor_IsTheLetterboxedImageOver255()
    {
        RgbImage image = ImageDecoder.DecodeRgb(TestPaths.SharedImage("groceries.jpg"));
        var box = YoloLetterbox.Compute(image.Width, image.Height, 320, 256);
        RgbImage boxed = box.Apply(image);
        float[] t = box.ToTensor(image);
        int plane = 320 * 256;
        for (int i = 0; i < plane; i++)
            for (int c = 0; c < 3; c++)
                Assert.Equal(boxed.Data[3 * i + c] / 255f, t[c * plane + i]);
    }

    [Fact]
    public void Letterbox_Geometry_RoundsAsUltralytics()
    {
        // 800×534 into 640: r = 0.8, new = (640, round(427.2) = 427), dh = 106.5 → top round(106.4) = 106.
        var b = YoloLetterbox.Compute(800, 534, 640, 640);
        Assert.Equal((640, 427, 0, 106), (b.NewWidth, b.NewHeight, b.Left, b.Top));
        // 1800×1200: r = 0.35556, new = (640, round(426.67) = 427).
        var t = YoloLetterbox.Compute(1800, 1200, 640, 640);
        Assert.Equal((640, 427, 0, 106), (t.NewWidth, t.NewHeight, t.Left, t.Top));
        // A square image needs no padding.
        Assert.Equal((0, 0), (YoloLetterbox.Compute(100, 100, 640, 640).Left, YoloLetterbox.Compute(100, 100, 640, 640).Top));
    }

    // round(1 · 640/1281) = 0: a 1×1281 photo has no letterbox (it crashed `segkit instance`, exit 70, and stopped a folder run).
    [Fact]
    public void Letterbox_SideRoundingToZero_TypedError()
    {
        var e = Assert.Throws<SegKitException>(() => YoloLetterbox.Compute(1, 1281, 640, 640));
        Assert.Contains("a 1×1281 image letterboxed into the model's 640×640 input would be 0×640: too thin", e.Message);
        Assert.Equal(1, YoloLetterbox.Compute(1, 1279, 640, 640).NewWidth); // round(0.5004); 1×1280 rounds half to even, to 0
    }
}
