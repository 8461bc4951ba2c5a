using SegKit.Datasets;
using SegKit.Models;
using SegKit.Semantic;
using SegKit.Tests.TestSupport;

namespace SegKit.Tests.Semantic;

public class SemanticPresetTests
{
    private static string Model(string name) => Fixtures.File("semantic_reference", name + ".onnx");

    private static string WritePreset(string json)
    {
        string path = Path.Combine(TestPaths.NewTempDir(), "preset.json");
        File.WriteAllText(path, json);
        return path;
    }

    [Fact]
    public void Load_NoPreset_ChoosesPresetFromContract()
    {
        using var tv = SemanticSegmenter.Load(Model("lraspp_mobilenet_v3_large"));
        Assert.Equal("torchvision", tv.Preset.Name);
        Assert.Equal(ModelContractKind.TorchvisionSemantic, tv.Contract);
        Assert.Equal(ResizePolicy.ShorterSide(520), tv.Resize);
        using var sf = SemanticSegmenter.Load(Model("segformer_shaped"));
        Assert.Equal("segformer", sf.Preset.Name);
        using var un = SemanticSegmenter.Load(Model("unet_shaped"));
        Assert.Equal("unet", un.Preset.Name);
        Assert.Equal(ResizePolicy.Fixed(256, 256), un.Resize);
    }

    [Fact]
    public void Load_TorchvisionPresetOnFixedSizeModel_NamesTensorShapeAndExpectation()
    {
        var e = Assert.Throws<ModelContractException>(() => SemanticSegmenter.Load(Model("segformer_shaped"), SemanticPreset.Torchvision));
        // segformer_shaped has no 'out' output
        Assert.Equal("out", e.TensorName);
        Assert.Contains("logits: float32 [1,150,128,128]", e.Message);

        var e2 = Assert.Throws<ModelContractException>(() => SemanticSegmenter.Load(Model("unet_shaped"), SemanticPreset.SegFormer));
        // unet_shaped also names its output 'logits', so the size is what does not fit.
        Assert.Contains("fixed size 256×256", e2.Message);
        Assert.Contains("'512×512'", e2.Message);
    }

    [Fact]
    public void Load_FixedModelWithShorterSideResize_IsTypedErrorNamingSizes()
    {
        string path = WritePreset("""{"name":"p","mean":[0,0,0],"std":[1,1,1],"resize":{"shorter_side":520}}""");
        var e = Assert.Throws<ModelContractException>(() => SemanticSegmenter.Load(Model("unet_shaped"), SemanticPreset.FromJson(path)));
        Assert.Equal("input", e.TensorName);
        Assert.Contains("fixed size 256×256", e.Message);
        Assert.Contains("shorter side 520", e.Message);
    }

    [Fact]
    public void Load_LabelCountDisagreesWithOutput_IsTypedError()
    {
        string path = WritePreset("""{"name":"three","mean":[0,0,0],"std":[1,1,1],"resize":"model","labels":["a","b","c"]}""");
        var e = Assert.Throws<ModelContractException>(() =>
        {
            using var s = SemanticSegmenter.Load(Model("segformer_shaped"), SemanticPreset.FromJson(path));
        });
        Assert.Contains("150 classes", e.Message);
        Assert.Contains("3 classes", e.Message);
    }

    [Fact]
    public void FromJson_FullPreset_ParsesEveryField()
    {
        string path = WritePreset("""
            {"name":"mine","mean":[0.5,0.4,0.3],"std":[0.2,0.3,0.4],"pixel_divisor":1,"channel_order":"bgr",
             "resize":{"fixed":[320,240]},"output":"seg","labels":["bg","cat"],"palette":[[1,2,3],[4,5,6]]}
            """);
        var p = SemanticPreset.FromJson(path);
        Assert.Equal("mine", p.Name);
        Assert.Equal([0.5f, 0.4f, 0.3f], p.Mean);
        Assert.Equal(1f, p.PixelDivisor);
        Assert.Equal(ChannelOrder.Bgr, p.ChannelOrder);
        Assert.Equal(ResizePolicy.Fixed(320, 240), p.Resize);
        Assert.Equal("seg", p.OutputName);
        Assert.Equal(["bg", "cat"], p.Labels!.Names);
        Assert.Equal(((byte)4, (byte)5, (byte)6), p.Labels.ColorOf(1));
    }

    [Theory]
    [InlineData("""{"mean":[0,0,0],"std":[1,1,1]}""", "'name'")]
    [InlineData("""{"name":"x","mean":[0,0],"std":[1,1,1]}""", "'mean'")]
    [InlineData("""{"name":"x","mean":[0,0,0],"std":[1,0,1]}""", "'std'")]
    [InlineData("""{"name":"x","mean":[0,0,0],"std":[1,1,1],"resize":"huge"}""", "'resize'")]
    [InlineData("""{"name":"x","mean":[0,0,0],"std":[1,1,1],"channel_order":"rbg"}""", "'channel_order'")]
    [InlineData("""{"name":"x","mean":[0,0,0],"std":[1,1,1],"labels":["a"],"palette":[[1,2]]}""", "'palette'")]
    [InlineData("""{"name":"x",""", "not valid JSON")]
    // Values of the wrong JSON kind (these were InvalidOperationExceptions, exit 70) and numbers that overflow float.
    [InlineData("""{"name":"x","mean":[0,0,0],"std":[1,1,1],"channel_order":5}""", "'channel_order'")]
    [InlineData("""{"name":"x","mean":[0,0,0],"std":[1,1,1],"resize":{"shorter_side":"520"}}""", "'resize'")]
    [InlineData("""{"name":"x","mean":[0,0,0],"std":[1,1,1],"resize":{"shorter_side":null}}""", "'resize'")]
    [InlineData("""{"name":"x","mean":[0,0,0],"std":[1,1,1],"resize":{"fixed":["1",1]}}""", "'resize'")]
    [InlineData("""{"name":"x","mean":[0,0,0],"std":[1,1,1],"resize":{"fixed":[{},[]]}}""", "'resize'")]
    [InlineData("""{"name":"x","mean":[0,0,0],"std":[1,1,1],"labels":["a"],"palette":[["1",2,3]]}""", "'palette'")]
    [InlineData("""{"name":"x","mean":[0,0,0],"std":[1,1,1],"labels":["a"],"palette":[[null,2,3]]}""", "'palette'")]
    [InlineData("""{"name":"x","mean":[1e300,0,0],"std":[1,1,1]}""", "'mean'")]
    [InlineData("""{"name":"x","mean":[0,0,0],"std":[1e300,1,1]}""", "'std'")]
    [InlineData("""{"name":"x","mean":[3e38,0,0],"std":[1e-30,1,1]}""", "'mean'")]
    [InlineData("""{"name":"x","mean":[0,0,0],"std":[1,1,1],"pixel_divisor":1e-45}""", "'pixel_divisor' make channel 0")]
    [InlineData("""{"name":"x","mean":[0,0,0],"std":[1,1,1],"pixel_divisor":1e300}""", "'pixel_divisor'")]
    public void FromJson_BadField_NamesFileAndField(string json, string expected)
    {
        string path = WritePreset(json);
        var e = Assert.Throws<SegKitException>(() => SemanticPreset.FromJson(path));
        Assert.Contains(path, e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void FromName_Unknown_ListsBuiltIns()
    {
        var e = Assert.Throws<SegKitException>(() => SemanticPreset.FromName("deeplab"));
        Assert.Contains("torchvision, segformer, unet", e.Message);
    }

    [Fact]
    public void Segment_Confidence_IsMaxSoftmaxOfWinningClass()
    {
        using var s = SemanticSegmenter.Load(Model("lraspp_mobilenet_v3_large"), null,
            new SemanticSegmenterOptions { ComputeConfidence = true, ResizeOverride = ResizePolicy.None, KeepLogits = true });
        var image = SegKit.Imaging.ImageDecoder.DecodeRgb(TestPaths.SharedImage("dog.jpg"));
        var r = s.Segment(image);
        // With no resize the logits are at the image size: confidence = softmax max at each pixel.
        int plane = r.Width * r.Height, classes = (int)r.LogitsShape![1];
        foreach (int p in new[] { 0, 12345, plane / 2, plane - 1 })
        {
            double max = double.NegativeInfinity, sum = 0;
            for (int c = 0; c < classes; c++) max = Math.Max(max, r.Logits![c * plane + p]);
            for (int c = 0; c < classes; c++) sum += Math.Exp(r.Logits![c * plane + p] - max);
            Assert.Equal(1 / sum, r.Confidence![p], 5);
        }
        Assert.Equal(r.Width * (long)r.Height, r.PixelCounts.Sum());
        Assert.Equal(21, r.PixelCounts.Length);
    }

    // The input tensor is torch's to_tensor + normalize of the PIL-resized photo, element for element:
    // ((float)v / divisor − mean[c]) / std[c] in float32, for RGB and BGR presets, with a resize and without
    // (the 16-pixel path and the pixels left to the per-pixel loop both).
    [Theory]
    [InlineData(false, 255f, 200)]
    [InlineData(true, 1f, 200)]
    [InlineData(false, 255f, 0)]
    public void Preprocess_Photo_TensorIsTorchsFormulaOverThePilResize(bool bgr, float divisor, int shorterSide)
    {
        float[] mean = divisor == 1f ? [120f, 110f, 100f] : [0.3f, 0.5f, 0.7f];
        float[] std = divisor == 1f ? [50f, 60f, 70f] : [0.2f, 0.25f, 0.3f];
        var preset = SemanticPreset.Torchvision with
        {
            ChannelOrder = bgr ? ChannelOrder.Bgr : ChannelOrder.Rgb, PixelDivisor = divisor, Mean = mean, Std = std,
        };
        using var s = SemanticSegmenter.Load(Model("lraspp_mobilenet_v3_large"), preset, new SemanticSegmenterOptions
        {
            ResizeOverride = shorterSide == 0 ? ResizePolicy.None : ResizePolicy.ShorterSide(shorterSide),
        });
        var image = SegKit.Imaging.ImageDecoder.DecodeRgb(TestPaths.SharedImage("dog.jpg"));
        var (tensor, size) = s.Preprocess(image);
        byte[] resized = shorterSide == 0 ? image.Data : SegKit.Imaging.ImageResizer.ResizeBilinear(image, size.Width, size.Height).Data;
        int plane = size.Width * size.Height;
        // torchvision: the longer side is int(200 · 800 / 534) = 299.
        Assert.Equal(shorterSide == 0 ? (800, 534) : (299, 200), (size.Width, size.Height));
        var expected = new float[3 * plane];
        for (int c = 0; c < 3; c++)
            for (int p = 0; p < plane; p++)
                expected[c * plane + p] = ((float)resized[p * 3 + (bgr ? 2 - c : c)] / divisor - mean[c]) / std[c];
        Assert.Equal(expected, tensor);
    }

    [Fact]
    public void Segment_DoesNotModifyInputImage()
    {
        using var s = SemanticSegmenter.Load(Model("unet_shaped"));
        var image = SegKit.Imaging.ImageDecoder.DecodeRgb(TestPaths.SharedImage("dog.jpg"));
        byte[] before = (byte[])image.Data.Clone();
        var r = s.Segment(image);
        Assert.Equal(before, image.Data);
        Assert.Equal(["background", "foreground"], r.LabelSet.Names);
    }

    // A preset path that is a folder, and a model path that is a folder, are named as such.
    [Fact]
    public void Load_PresetOrModelPathIsAFolder_NamedAsAFolder()
    {
        string folder = TestPaths.NewTempDir();
        Assert.Contains("is a folder", Assert.Throws<SegKitException>(() => SemanticPreset.FromJson(folder)).Message);
        Assert.Contains("is a folder", Assert.Throws<FileNotFoundException>(() => SemanticSegmenter.Load(folder)).Message);
    }

    // A binary (one-logit) model takes a preset's two class names, and refuses any other number of them (they were
    // ignored), at load when the model declares one channel, else at its first image.
    [Fact]
    public void Segment_BinaryModelWithPresetLabels_TwoNamesUsedOthersRefused()
    {
        string model = Fixtures.File("semantic_final_resize", "binary.onnx");
        string two = WritePreset("""{"name":"sky","mean":[0.485,0.456,0.406],"std":[0.229,0.224,0.225],"resize":{"shorter_side":96},"labels":["ground","sky"]}""");
        using (var segmenter = SemanticSegmenter.Load(model, SemanticPreset.FromJson(two)))
            Assert.Equal(["ground", "sky"], segmenter.Segment(TestPaths.SharedImage("dog.jpg")).LabelSet.Names);
        string three = WritePreset("""{"name":"three","mean":[0.485,0.456,0.406],"std":[0.229,0.224,0.225],"resize":{"shorter_side":96},"labels":["a","b","c"]}""");
        var e = Assert.Throws<ModelContractException>(() =>
        {
            using var segmenter = SemanticSegmenter.Load(model, SemanticPreset.FromJson(three));
            segmenter.Segment(TestPaths.SharedImage("dog.jpg"));
        });
        Assert.Contains("one channel", e.Message);
        Assert.Contains("3 classes", e.Message);
    }

    // A preset palette colours the classes however they are named: it replaces a built-in label set's colours, and
    // without names it colours "class 0", "class 1", ... (it was ignored unless 'labels' was an array of names).
    [Fact]
    public void FromJson_PaletteWithLabelSetIdOrNoLabels_IsUsed()
    {
        string colours = string.Join(",", Enumerable.Range(0, 21).Select(i => $"[{i},{2 * i},{255 - i}]"));
        var voc = SemanticPreset.FromJson(WritePreset($$"""{"name":"v","mean":[0,0,0],"std":[1,1,1],"labels":"voc","palette":[{{colours}}]}"""));
        Assert.Equal(LabelSet.Voc.Names, voc.Labels!.Names);
        Assert.Equal(((byte)12, (byte)24, (byte)243), voc.Labels.ColorOf(12));
        Assert.Equal(((byte)128, (byte)0, (byte)0), LabelSet.Voc.ColorOf(1)); // the built-in set is not changed

        var e = Assert.Throws<SegKitException>(() => SemanticPreset.FromJson(WritePreset("""{"name":"v","mean":[0,0,0],"std":[1,1,1],"labels":"voc","palette":[[1,2,3]]}""")));
        Assert.Contains("'palette' has 1 colours but 'labels' has 21 classes", e.Message);

        string path = WritePreset($$"""{"name":"n","mean":[0.485,0.456,0.406],"std":[0.229,0.224,0.225],"resize":{"shorter_side":96},"palette":[{{colours}}]}""");
        var unnamed = SemanticPreset.FromJson(path);
        Assert.Null(unnamed.Labels);
        using var s = SemanticSegmenter.Load(Model("lraspp_mobilenet_v3_large"), unnamed);
        var r = s.Segment(TestPaths.SharedImage("dog.jpg"));
        Assert.Equal("class 7", r.LabelSet.Names[7]);
        Assert.Equal(((byte)7, (byte)14, (byte)248), r.LabelSet.ColorOf(7));
        var png = SemanticPictures.LabelImage(r);
        Assert.Equal([(byte)20, (byte)40, (byte)235], png.Palette.Rgb.Slice(60, 3).ToArray());
        Assert.Equal([(byte)224, (byte)224, (byte)192], png.Palette.Rgb.Slice(3 * 255, 3).ToArray()); // VOC beyond the classes
    }

    [Fact]
    public void Load_PaletteCountDisagreesWithModel_IsTypedError()
    {
        string path = WritePreset("""{"name":"two","mean":[0,0,0],"std":[1,1,1],"resize":"model","palette":[[0,0,0],[9,9,9]]}""");
        var e = Assert.Throws<ModelContractException>(() =>
        {
            using var s = SemanticSegmenter.Load(Model("segformer_shaped"), SemanticPreset.FromJson(path));
        });
        Assert.Contains("150 classes", e.Message);
        Assert.Contains("2 palette colours", e.Message);
        // A model whose class count is symbolic is checked at its first image.
        string dynamicPath = WritePreset("""{"name":"two","mean":[0,0,0],"std":[1,1,1],"resize":{"shorter_side":96},"palette":[[0,0,0],[9,9,9]]}""");
        using (var lraspp = SemanticSegmenter.Load(Model("lraspp_mobilenet_v3_large"), SemanticPreset.FromJson(dynamicPath)))
            Assert.Contains("21 classes but preset 'two' gives 2 palette colours",
                Assert.Throws<ModelContractException>(() => lraspp.Segment(TestPaths.SharedImage("dog.jpg"))).Message);

        // A one-logit model has two classes: two colours are its palette.
        string binary = WritePreset("""{"name":"b","mean":[0.485,0.456,0.406],"std":[0.229,0.224,0.225],"resize":{"shorter_side":96},"palette":[[0,0,255],[255,255,0]]}""");
        using var b = SemanticSegmenter.Load(Fixtures.File("semantic_final_resize", "binary.onnx"), SemanticPreset.FromJson(binary));
        var r = b.Segment(TestPaths.SharedImage("dog.jpg"));
        Assert.Equal(["background", "foreground"], r.LabelSet.Names);
        Assert.Equal(((byte)255, (byte)255, (byte)0), r.LabelSet.ColorOf(1));
    }
}
