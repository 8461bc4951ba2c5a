using SegKit.Models;
using SegKit.Imaging;
using SegKit.Onnx;
using SegKit.Semantic;
using SegKit.Tests.TestSupport;

namespace SegKit.Tests.Semantic;

/// <summary>
/// Fusing a model's final Resize with SegKit's resize to the photo's size (tools/fixtures/semantic_final_resize.py):
/// fused only when the Resize is bilinear, half-pixel and to the input's size (checked at load); labels equal
/// PyTorch's argmax(F.interpolate(model(x), photo size)) either way, on every pixel that is not a near-tie.
/// </summary>
public sealed class ModelFinalResizeTests
{
    private const string Fixture = "semantic_final_resize";

    private static SemanticSegmenter Load(string model, SemanticSegmenterOptions? options = null) =>
        SemanticSegmenter.Load(Fixtures.File(Fixture, model + ".onnx"), SemanticPreset.Torchvision,
            options ?? new SemanticSegmenterOptions { Threads = 2, ResizeOverride = ResizePolicy.ShorterSide(96) });

    private static void AssertMatchesPyTorch(string model, SemanticResult result)
    {
        byte[] want = Npy.Read(Fixtures.File(Fixture, model + "_labels.npy")).AsUInt8();
        float[] margin = Npy.Read(Fixtures.File(Fixture, model + "_margin.npy")).AsFloat32();
        Assert.Equal(want.Length, result.Labels.Data.Length);
        int compared = 0, differ = 0;
        for (int i = 0; i < want.Length; i++)
        {
            if (margin[i] < 1e-4f) continue;
            compared++;
            if (result.Labels.Data[i] != want[i]) differ++;
        }
        Assert.True(compared > want.Length * 0.99, $"{compared} of {want.Length} pixels compared");
        Assert.Equal(0, differ);
    }

    // fusable: like torchvision; fixed_size: the load check refuses it; align_corners: never a candidate;
    // height96: ORT refuses the check's small inputs, and the model still loads with its own output path; scale8: a
    // Resize by scales that is right at inputs divisible by 8 only, caught by the odd-sized check input.
    [Theory]
    [InlineData("fusable", true, "fused")]
    [InlineData("fixed_size", false, "resizes to 56×40 for a 64×48 input, not to the input's size")]
    [InlineData("align_corners", false, "no output is made by a final bilinear Resize")]
    [InlineData("height96", false, "the check run at a 64×48 input failed")]
    [InlineData("scale8", false, "resizes to 64×48 for a 61×45 input, not to the input's size")]
    public void Segment_FinalResizeKinds_FusedOnlyWhenItMayBeAndEqualToPyTorch(string model, bool fused, string note)
    {
        using var segmenter = Load(model);
        Assert.True(segmenter.FusesModelResize == fused, segmenter.UpsamplingNote);
        Assert.Contains(note, segmenter.UpsamplingNote);
        AssertMatchesPyTorch(model, segmenter.Segment(TestPaths.SharedImage("dog.jpg")));
    }

    // A model with one fixed input side ([1,3,48,width]) is refused at load unless the resize is fixed to that side
    // (every photo failed with ORT's shape message, which did not name the model); with such a resize it segments
    // as PyTorch does, with the model's final Resize fused.
    [Fact]
    public void Load_OneFixedInputSide_NeedsAFixedResizeToThatSide()
    {
        string model = Fixtures.File(Fixture, "height48.onnx");
        foreach (var (resize, said) in new[] { (ResizePolicy.ShorterSide(520), "shorter side 520"), (ResizePolicy.None, "none"),
                     (ResizePolicy.ModelInput, "model input size"), (ResizePolicy.Fixed(72, 40), "72×40") })
        {
            var e = Assert.Throws<ModelContractException>(() => SemanticSegmenter.Load(model, SemanticPreset.Torchvision with { Resize = resize }));
            Assert.Equal("input", e.TensorName);
            Assert.Contains(model, e.Message);
            Assert.Contains("has a fixed height 48 and a free width", e.Message);
            Assert.Contains($"the resize is '{said}'", e.Message);
            Assert.Contains("{\"fixed\": [W, 48]}", e.Message);
        }
        using var segmenter = SemanticSegmenter.Load(model, SemanticPreset.Torchvision with { Resize = ResizePolicy.Fixed(72, 48) },
            new SemanticSegmenterOptions { Threads = 2 });
        // The fusion check keeps the fixed side (its sizes were 48×64, 56×40, 45×61 whatever the model took).
        Assert.True(segmenter.FusesModelResize, segmenter.UpsamplingNote);
        AssertMatchesPyTorch("height48", segmenter.Segment(TestPaths.SharedImage("dog.jpg")));
    }

    // One output channel (sigmoid > 0.5) through the fused path: the model's resize, then the one to the photo.
    [Fact]
    public void Segment_FusedBinaryModel_EqualToPyTorch()
    {
        using var segmenter = SemanticSegmenter.Load(Fixtures.File(Fixture, "binary.onnx"),
            SemanticPreset.Torchvision with { Labels = null, Resize = ResizePolicy.ShorterSide(96) }, new SemanticSegmenterOptions { Threads = 2 });
        Assert.True(segmenter.FusesModelResize, segmenter.UpsamplingNote);
        AssertMatchesPyTorch("binary", segmenter.Segment(TestPaths.SharedImage("dog.jpg")));
    }

    // The input tensor is reused from one image to the next: alternating photos of different sizes gives each
    // photo the labels it gets alone.
    [Fact]
    public void Segment_AlternatingPhotos_SameLabelsAsAlone()
    {
        using var segmenter = Load("fusable");
        var dog = segmenter.Segment(TestPaths.SharedImage("dog.jpg")).Labels.Data;
        var truck = segmenter.Segment(TestPaths.SharedImage("truck.jpg")).Labels.Data;
        Assert.Equal(dog, segmenter.Segment(TestPaths.SharedImage("dog.jpg")).Labels.Data);
        Assert.Equal(truck, segmenter.Segment(TestPaths.SharedImage("truck.jpg")).Labels.Data);
        using var fresh = Load("fusable");
        Assert.Equal(truck, fresh.Segment(TestPaths.SharedImage("truck.jpg")).Labels.Data);
        AssertMatchesPyTorch("fusable", segmenter.Segment(TestPaths.SharedImage("dog.jpg")));
    }

    // A recycled result of the same size lends its label map (and confidence) to the next one, which overwrites every
    // pixel: dog.jpg and groceries.jpg are both 800×534, so the second run is also copied into the first run's
    // low-resolution logits. A result of another size is not reused.
    [Fact]
    public void Segment_IntoRecycledResult_ReusesItsArraysAndEqualsAFreshRun()
    {
        var dog = ImageDecoder.DecodeRgb(TestPaths.SharedImage("dog.jpg"));
        var groceries = ImageDecoder.DecodeRgb(TestPaths.SharedImage("groceries.jpg"));
        Assert.Equal((dog.Width, dog.Height), (groceries.Width, groceries.Height));
        byte[] groceriesAlone;
        using (var fresh = Load("fusable")) groceriesAlone = fresh.Segment(groceries).Labels.Data;

        using var segmenter = Load("fusable");
        var first = segmenter.Segment(dog);
        byte[] array = first.Labels.Data;
        Array.Fill(array, (byte)7);
        var second = segmenter.Segment(groceries, first);
        Assert.Same(array, second.Labels.Data);
        Assert.Equal(groceriesAlone, second.Labels.Data);
        var third = segmenter.Segment(dog, second);
        Assert.Same(array, third.Labels.Data);
        AssertMatchesPyTorch("fusable", third);
        var truck = segmenter.Segment(ImageDecoder.DecodeRgb(TestPaths.SharedImage("truck.jpg")), third);
        Assert.NotSame(array, truck.Labels.Data);

        var options = new SemanticSegmenterOptions { Threads = 2, ResizeOverride = ResizePolicy.ShorterSide(96), ComputeConfidence = true };
        using var confident = Load("fusable", options);
        float[] confidenceAlone = confident.Segment(groceries).Confidence!;
        var lender = confident.Segment(dog);
        float[] lent = lender.Confidence!;
        Array.Fill(lent, -1f);
        var again = confident.Segment(groceries, lender);
        Assert.Same(lent, again.Confidence);
        Assert.Equal(confidenceAlone, again.Confidence);
        Assert.Equal(groceriesAlone, again.Labels.Data);
    }

    // Segment(path) decodes each photo into the pixels of the last one of its size: photos of one size, one after
    // another and through the recycling overload, get the labels of their own decoded images.
    [Fact]
    public void Segment_PathsOfOneSize_EachLabelledAsItsDecodedImage()
    {
        using var reference = Load("fusable");
        byte[] Alone(string photo) => reference.Segment(ImageDecoder.DecodeRgb(TestPaths.SharedImage(photo))).Labels.Data;
        byte[] dog = Alone("dog.jpg"), groceries = Alone("groceries.jpg");
        Assert.NotEqual(dog, groceries);

        using var segmenter = Load("fusable");
        var first = segmenter.Segment(TestPaths.SharedImage("dog.jpg"));
        Assert.Equal(dog, first.Labels.Data);
        Assert.Equal(groceries, segmenter.Segment(TestPaths.SharedImage("groceries.jpg")).Labels.Data);
        var again = segmenter.Segment(TestPaths.SharedImage("groceries.jpg"), null, first);
        Assert.Same(first.Labels, again.Labels);
        Assert.Equal(groceries, again.Labels.Data);
        Assert.Equal(dog, segmenter.Segment(TestPaths.SharedImage("dog.jpg")).Labels.Data);
    }

    // Kept logits are the model's own output (as ORT computes it for the unedited file), and confidence, which
    // needs every class at every pixel, takes the unfused path: its labels equal PyTorch's too.
    [Fact]
    public void Segment_FusedWithKeptLogitsOrConfidence_LogitsAreTheModelsOutputAndLabelsAgree()
    {
        string path = Fixtures.File(Fixture, "fusable.onnx");
        var photo = ImageDecoder.DecodeRgb(TestPaths.SharedImage("dog.jpg"));
        using var plain = Load("fusable");
        var labels = plain.Segment(photo).Labels.Data;

        using var keeping = Load("fusable", new SemanticSegmenterOptions { Threads = 2, ResizeOverride = ResizePolicy.ShorterSide(96), KeepLogits = true });
        var kept = keeping.Segment(photo);
        var (tensor, size) = keeping.Preprocess(photo);
        using var session = InferenceSession.FromFile(path, new SessionOptions { IntraOpThreads = 2 });
        using var x = OrtTensor.FromArray(tensor, [1, 3, size.Height, size.Width]);
        var direct = session.Run(new Dictionary<string, OrtTensor> { ["input"] = x })["out"];
        Assert.Equal(direct.Shape.ToArray(), kept.LogitsShape);
        Assert.Equal(direct.AsFloat(), kept.Logits);
        Assert.Equal(labels, kept.Labels.Data);

        using var confident = Load("fusable", new SemanticSegmenterOptions { Threads = 2, ResizeOverride = ResizePolicy.ShorterSide(96), ComputeConfidence = true });
        var withConfidence = confident.Segment(photo);
        Assert.NotNull(withConfidence.Confidence);
        AssertMatchesPyTorch("fusable", withConfidence);
    }

    // The resize is checked against MaxInputPixels before anything is allocated: a 1×1 image resized to a shorter side
    // of 100000 (10^10 pixels) and a 1×5000 strip at a shorter side of 520 (520 × 2,600,000) are refused with the
    // model input's size in the message; exactly at the limit passes, one pixel over fails.
    [Fact]
    public void Segment_ModelInputOverMaxInputPixels_ImageLimitExceededBeforeAllocating()
    {
        using var huge = Load("fusable", new SemanticSegmenterOptions { Threads = 2, ResizeOverride = ResizePolicy.ShorterSide(100000) });
        var e = Assert.Throws<ImageLimitExceededException>(() => huge.Segment(new RgbImage(1, 1, new byte[3])));
        Assert.Equal("MaxInputPixels", e.LimitName);
        Assert.Equal(10_000_000_000L, e.Value);
        Assert.Equal(4096L * 4096, e.Limit);
        Assert.Contains("100000×100000", e.Message);
        Assert.Contains("shorter side 100000", e.Message);

        using var strip = Load("fusable", new SemanticSegmenterOptions { Threads = 2, ResizeOverride = ResizePolicy.ShorterSide(520) });
        e = Assert.Throws<ImageLimitExceededException>(() => strip.Segment(new RgbImage(1, 5000, new byte[3 * 5000])));
        Assert.Equal(520L * 2_600_000, e.Value);
        Assert.Contains("520×2600000", e.Message);

        // dog.jpg (800×534) at a shorter side of 96: 143×96 = 13,728 pixels.
        var dog = ImageDecoder.DecodeRgb(TestPaths.SharedImage("dog.jpg"));
        using var atLimit = Load("fusable", new SemanticSegmenterOptions { Threads = 2, ResizeOverride = ResizePolicy.ShorterSide(96), MaxInputPixels = 143 * 96 });
        Assert.Equal((143, 96), atLimit.Segment(dog).ModelInputSize);
        using var over = Load("fusable", new SemanticSegmenterOptions { Threads = 2, ResizeOverride = ResizePolicy.ShorterSide(96), MaxInputPixels = 143 * 96 - 1 });
        Assert.Equal(143L * 96, Assert.Throws<ImageLimitExceededException>(() => over.Segment(dog)).Value);
        Assert.Throws<ArgumentOutOfRangeException>(() => new SemanticSegmenterOptions { MaxInputPixels = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new SemanticSegmenterOptions { MaxInputPixels = SemanticSegmenterOptions.MaxInputPixelsCeiling + 1 });
    }

    // A model whose logits are NaN or infinite (y / (y − y)): the image is refused with the tensor named, not labelled.
    // (The fused path checks the logits before the final Resize the same way; no fixture reaches it, as the load
    // check's runs are NaN too and refuse the fusion.)
    [Fact]
    public void Segment_NonFiniteLogits_RefusedNamingTheOutput()
    {
        using var segmenter = Load("nan");
        Assert.False(segmenter.FusesModelResize); // its check runs give NaN too
        var e = Assert.Throws<ModelContractException>(() => segmenter.Segment(TestPaths.SharedImage("dog.jpg")));
        Assert.Contains("'out'", e.Message);
        Assert.Contains("holds 288,288 NaN or infinite values of 288,288", e.Message); // 21 × 96 × 143: every one
    }

    // The finiteness test against float.IsFinite, value by value, at every position of a 16-lane block and its tail.
    [Fact]
    public void AllFinite_EachKindOfNonFiniteValueAnywhere_Found()
    {
        foreach (float bad in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity })
            for (int length = 1; length <= 40; length++)
                for (int at = 0; at < length; at++)
                {
                    var values = Enumerable.Range(0, length).Select(i => (float)Math.Sin(i) * 1e30f).ToArray();
                    Assert.True(SegKit.Numerics.VectorMath.AllFinite(values));
                    values[at] = bad;
                    Assert.False(SegKit.Numerics.VectorMath.AllFinite(values), $"{bad} at {at} of {length}");
                }
        Assert.True(SegKit.Numerics.VectorMath.AllFinite([float.MaxValue, float.MinValue, float.Epsilon, -0f]));
    }
}
