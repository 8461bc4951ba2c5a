using SegKit.Imaging;
using SegKit.Instance;
using SegKit.Masks;
using SegKit.Models;
using SegKit.Tests.TestSupport;
using Xunit.Abstractions;

namespace SegKit.Tests.Instance;

/// <summary>
/// End to end through ONNX Runtime against the fixture's PyTorch references: the torchvision Mask R-CNN export
/// (boxes within 0.01 px, labels equal, scores within 2e-4, every mask IoU ≥ 0.99), the ONNX-zoo-shaped Mask R-CNN
/// and the Ultralytics-shaped YOLO-seg models (same tolerances), plus contract selection and errors. The tolerances
/// are ONNX Runtime's float32 arithmetic against PyTorch's in deep random networks (the post-processing alone is
/// compared exactly in YoloSegPostprocessTests and MaskPasteTests); for the same reason mask pixels whose reference
/// probability is within 1e-3 of the 0.5 threshold are left out of the IoU. Masks pasted from 28×28 into boxes are compared
/// at IoU ≥ 0.99 when both sides paste onto the same integer rectangle; a box differing by a few thousandths of a
/// pixel can cross an integer and move that rectangle by one pixel (torchvision truncates the expanded box), which
/// resamples the whole mask: such detections are counted and held to IoU ≥ 0.8.
/// </summary>
public class InstanceSegmenterTests(ITestOutputHelper output)
{
    private const double BoxTolerance = 0.01, ScoreTolerance = 2e-4, MinIou = 0.99, MinIouRectMoved = 0.8;

    private static InstanceSegmenter Load(string section, InstanceSegmenterOptions options, string key = "model") =>
        InstanceSegmenter.Load(InstanceReference.Path(InstanceReference.Manifest().GetProperty(section).GetProperty(key).GetString()!), options);

    private void AssertParity(string what, ParityFigures f)
    {
        InstanceReference.Report(output, what, f);
        Assert.True(f.Count > 0, "the fixture should yield detections");
        Assert.True(f.MaxBoxDiff <= BoxTolerance, f.ToString());
        Assert.True(f.MaxScoreDiff <= ScoreTolerance, f.ToString());
        Assert.True(f.MinMaskIou >= MinIou, f.ToString());
        Assert.True(f.MinIouGeometryDiffers >= MinIouRectMoved, f.ToString());
        Assert.True(f.GeometryDiffers <= Math.Max(1, f.Count / 10), f.ToString());
    }

    [Theory]
    [InlineData("dog.jpg")]
    [InlineData("groceries.jpg")]
    public void TorchvisionMaskRcnn_Photo_MatchesPyTorch(string photo)
    {
        using var seg = Load("torchvision", new InstanceSegmenterOptions { ScoreThreshold = 0f, MaxDetections = 1000, Threads = 2 });
        Assert.Equal(ModelContractKind.TorchvisionMaskRcnn, seg.Format);
        var result = seg.Segment(TestPaths.SharedImage(photo));
        var reference = InstanceReference.Detections(InstanceReference.Case("torchvision", photo));
        AssertParity($"torchvision {photo}", InstanceReference.Compare(result.Instances, reference, pasteMaskSide: 28, skipUncertain: true));
        Assert.All(result.Instances, d => Assert.Equal(CocoCategories.Coco91[d.ClassId], d.ClassName));
        Assert.True(result.Timings.InferenceMs > 0 && result.Timings.PostprocessMs > 0);
    }

    [Fact]
    public void TorchvisionMaskRcnn_MaxDetectionsAndScore_TopScoresOnly()
    {
        var reference = InstanceReference.Detections(InstanceReference.Case("torchvision", "dog.jpg"));
        float cut = reference.Scores[9];
        using var seg = Load("torchvision", new InstanceSegmenterOptions { ScoreThreshold = cut, MaxDetections = 5, Threads = 2 });
        var result = seg.Segment(TestPaths.SharedImage("dog.jpg"));
        Assert.Equal(5, result.Instances.Count);
        Assert.Equal(reference.Scores.Take(5), result.Instances.Select(d => d.Score), new FloatClose(2e-4f));
        Assert.Equal([1, 2, 3, 4, 5], result.Instances.Select(d => d.Id));
    }

    // A 2000×3 image failed inside ONNX Runtime ("Resize node ... Scale value should be greater than 0"). The graph's
    // own resize, as the fixture exports it (min_size 384, max_size 576): scale = min(384/3, 576/2000) = 0.288, so
    // 2000×3 becomes 576×floor(0.864) = 576×0, which torchvision itself refuses ("Input and output sizes should be
    // greater than 0"); 600×2 becomes 576×floor(1.92) = 576×1 and runs in both.
    [Fact]
    public void TorchvisionMaskRcnn_ImageResizedToNothing_TypedErrorBeforeInference()
    {
        string Model(string section) => InstanceReference.Path(InstanceReference.Manifest().GetProperty(section).GetProperty("model").GetString()!);
        var limits = new TorchvisionMaskRcnnRunner.ResizeLimits(384, 576);
        long t = System.Diagnostics.Stopwatch.GetTimestamp();
        Assert.Equal(limits, TorchvisionMaskRcnnRunner.ReadResizeLimits(Model("torchvision")));
        output.WriteLine($"reading the limits from the graph took {System.Diagnostics.Stopwatch.GetElapsedTime(t).TotalMilliseconds:0.0} ms");
        Assert.Equal((576, 0), limits.Resized(2000, 3));
        Assert.Equal((576, 1), limits.Resized(600, 2));

        using var seg = Load("torchvision", new InstanceSegmenterOptions { Threads = 2 });
        var e = Assert.Throws<SegKitException>(() => seg.Segment(new RgbImage(2000, 3)));
        Assert.Contains("2000×3 image: torchvision_maskrcnn.onnx's own resize (min_size 384, max_size 576, read from the model) makes it 576×0", e.Message);
        var thin = seg.Segment(new RgbImage(600, 2));
        Assert.Equal((600, 2), (thin.ImageWidth, thin.ImageHeight));
        // Not a torchvision graph: nothing read, nothing checked.
        Assert.Null(TorchvisionMaskRcnnRunner.ReadResizeLimits(Model("onnxzoo")));
    }

    [Theory]
    [InlineData("dog.jpg")]
    [InlineData("groceries.jpg")]
    public void OnnxZooMaskRcnn_Photo_MatchesReference(string photo)
    {
        using var seg = Load("onnxzoo", new InstanceSegmenterOptions { ScoreThreshold = 0f, MaxDetections = 1000, Threads = 2 });
        Assert.Equal(ModelContractKind.OnnxZooMaskRcnn, seg.Format);
        var result = seg.Segment(TestPaths.SharedImage(photo));
        var reference = InstanceReference.Detections(InstanceReference.Case("onnxzoo", photo));
        // The reference pasted with unclipped boxes; ours are reported clipped, so compare paste rectangles of the raw boxes.
        AssertParity($"onnx-zoo {photo}", InstanceReference.Compare(result.Instances, reference, clipReference: true, pasteMaskSide: 28,
            actualPasteBox: i => UnclippedLike(result.Instances[i].Box, reference.Box(i), reference.Width, reference.Height), skipUncertain: true));
        Assert.All(result.Instances, d => Assert.Equal(CocoCategories.Coco80[d.ClassId - 1], d.ClassName));
    }

    [Theory]
    [InlineData("dog.jpg", false)]
    [InlineData("groceries.jpg", false)]
    [InlineData("truck.jpg", false)]
    [InlineData("dog.jpg", true)]
    public void YoloSeg_Photo_MatchesUltralyticsReference(string photo, bool endToEnd)
    {
        using var seg = Load("yolo", new InstanceSegmenterOptions { ScoreThreshold = 0.25f, NmsIou = 0.7f, MaxDetections = 300, Threads = 2 },
            endToEnd ? "model_e2e" : "model");
        Assert.Equal(endToEnd ? ModelContractKind.YoloSegEndToEnd : ModelContractKind.YoloSeg, seg.Format);
        Assert.Equal("person", seg.ClassNames[0]);
        var result = seg.Segment(TestPaths.SharedImage(photo));
        var reference = InstanceReference.Detections(InstanceReference.Case("yolo", photo, endToEnd));
        AssertParity($"yolo {photo} e2e={endToEnd}", InstanceReference.Compare(result.Instances, reference, skipUncertain: true));
    }

    [Fact]
    public void YoloSeg_ClassFilterByName_OnlyThoseClasses()
    {
        using var seg = Load("yolo", new InstanceSegmenterOptions
        {
            ScoreThreshold = 0.25f, MaxDetections = 300, Threads = 2, ClassFilter = ClassFilter.Parse("person, car,5"),
        });
        var result = seg.Segment(TestPaths.SharedImage("dog.jpg"));
        var reference = InstanceReference.Detections(InstanceReference.Case("yolo", "dog.jpg").GetProperty("filtered"));
        AssertParity("yolo classes person,car,5", InstanceReference.Compare(result.Instances, reference, skipUncertain: true));
        Assert.All(result.Instances, d => Assert.Contains(d.ClassName, new[] { "person", "car", "bus" }));
    }

    [Fact]
    public void Load_UnknownClassName_TypedErrorListsClasses()
    {
        var e = Assert.Throws<SegKitException>(() => Load("yolo", new InstanceSegmenterOptions { ClassFilter = ClassFilter.Of("persn") }));
        Assert.Contains("persn", e.Message);
        Assert.Contains("person", e.Message);
    }

    [Fact]
    public void Load_ModelFittingNoContract_ErrorListsFoundAndExpected()
    {
        var e = Assert.Throws<ModelContractException>(() => Load("not_instance", InstanceSegmenterOptions.Default));
        output.WriteLine(e.Message);
        Assert.Contains("input", e.Message);
        Assert.Contains("[1,3,32,32]", e.Message);
        Assert.Contains("YoloSeg", e.Message);
        Assert.Contains("OnnxZooMaskRcnn", e.Message);
        Assert.Contains("TorchvisionMaskRcnn", e.Message);
    }

    [Fact]
    public void Load_ForcedContractTheModelDoesNotFit_TypedError()
    {
        Assert.Throws<ModelContractException>(() => Load("yolo", new InstanceSegmenterOptions { Format = ModelContractKind.TorchvisionMaskRcnn }));
        Assert.Throws<ModelContractException>(() => Load("torchvision", new InstanceSegmenterOptions { Format = ModelContractKind.YoloSeg }));
        Assert.Throws<ModelContractException>(() => Load("yolo", new InstanceSegmenterOptions { Format = ModelContractKind.UNet }));
    }

    [Fact]
    public void Segment_ImageNotModified_AndResultsConsistent()
    {
        using var seg = Load("yolo", new InstanceSegmenterOptions { ScoreThreshold = 0.5f, Threads = 2 });
        RgbImage image = ImageDecoder.DecodeRgb(TestPaths.SharedImage("groceries.jpg"));
        byte[] before = (byte[])image.Data.Clone();
        var result = seg.Segment(image);
        Assert.Equal(before, image.Data);
        Assert.NotEmpty(result.Instances);
        foreach (var d in result.Instances)
        {
            Assert.True(d.Score > 0.5f);
            Assert.Equal(d.Area, d.Mask.ToBinaryMask().Area());
            Assert.Equal(CocoRle.Encode(d.Mask.ToBinaryMask()), d.ToRle());
            if (d.Area > 0) Assert.True(d.Mask.BoundingBox()!.Value.X1 >= MathF.Floor(d.Box.X1));
        }
        Assert.True(result.Instances.Zip(result.Instances.Skip(1)).All(p => p.First.Score >= p.Second.Score));
    }

    // Our reported box is clipped; where the reference box lies outside the image, use the reference coordinate
    // (it is clipped away on both sides, so only interior coordinates decide the paste rectangle's agreement).
    private static BoxXyxy UnclippedLike(BoxXyxy ours, BoxXyxy reference, int width, int height) => new(
        reference.X1 < 0 ? reference.X1 : ours.X1, reference.Y1 < 0 ? reference.Y1 : ours.Y1,
        reference.X2 > width ? reference.X2 : ours.X2, reference.Y2 > height ? reference.Y2 : ours.Y2);

    private sealed class FloatClose(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float a, float b) => Math.Abs(a - b) <= tolerance;
        public int GetHashCode(float v) => 0;
    }
}
