using SegKit.Instance;
using SegKit.Models;
using SegKit.Onnx;

namespace SegKit.Tests.Models;

/// <summary>Contract recognition on signatures written from DESIGN.md's model contracts.</summary>
public class ModelContractsTests
{
    private static NodeInfo F(string name, params long[] shape) => new(name, TensorElementType.Float, shape, new string[shape.Length].Select(_ => "").ToArray());
    private static NodeInfo I64(string name, params long[] shape) => new(name, TensorElementType.Int64, shape, shape.Select(_ => "").ToArray());
    private static NodeInfo U8(string name, params long[] shape) => new(name, TensorElementType.UInt8, shape, shape.Select(_ => "").ToArray());

    private static ModelSignature Sig(NodeInfo[] inputs, NodeInfo[] outputs, Dictionary<string, string>? meta = null) =>
        new(inputs, outputs, meta ?? new Dictionary<string, string>());

    private static ModelContractKind? Best(ModelSignature s) => ModelContracts.Identify(s) is [var first, ..] ? first.Kind : null;

    [Fact]
    public void Identify_TorchvisionSemanticWithAux_IsTorchvisionSemantic()
    {
        var s = Sig([F("input", 1, 3, -1, -1)], [F("out", 1, 21, -1, -1), F("aux", 1, 21, -1, -1)]);
        var m = ModelContracts.Identify(s)[0];
        Assert.Equal(ModelContractKind.TorchvisionSemantic, m.Kind);
        Assert.Contains("21 classes", m.Detail);
    }

    [Fact]
    public void Identify_SegFormer_IsSegFormerNotUNet()
    {
        var s = Sig([F("pixel_values", 1, 3, 512, 512)], [F("logits", 1, 150, 128, 128)]);
        Assert.Equal(ModelContractKind.SegFormer, Best(s));
    }

    [Fact]
    public void Identify_SegFormerNamesWithWrongScale_IsNotSegFormer()
    {
        var s = Sig([F("pixel_values", 1, 3, 512, 512)], [F("logits", 1, 150, 64, 64)]);
        Assert.DoesNotContain(ModelContracts.Identify(s), m => m.Kind == ModelContractKind.SegFormer);
    }

    [Fact]
    public void Identify_BinaryUNet_IsUNetBinary()
    {
        var s = Sig([F("input", 1, 3, 256, 256)], [F("logits", 1, 1, 256, 256)]);
        var m = ModelContracts.Identify(s)[0];
        Assert.Equal(ModelContractKind.UNet, m.Kind);
        Assert.Contains("binary", m.Detail);
    }

    [Fact]
    public void Identify_TorchvisionMaskRcnn_PastedMasks()
    {
        var s = Sig([F("images", 3, -1, -1)],
            [F("boxes", -1, 4), I64("labels", -1), F("scores", -1), F("masks", -1, 1, -1, -1)]);
        Assert.Equal(ModelContractKind.TorchvisionMaskRcnn, Best(s));
    }

    [Fact]
    public void Identify_OnnxZooMaskRcnn_28x28Masks()
    {
        // MaskRCNN-10's numbered outputs.
        var s = Sig([F("image", 3, -1, -1)],
            [F("6568", -1, 4), I64("6570", -1), F("6572", -1), F("6887", -1, 1, 28, 28)]);
        Assert.Equal(ModelContractKind.OnnxZooMaskRcnn, Best(s));
    }

    [Fact]
    public void Identify_YoloSeg_ReadsClassCount()
    {
        var meta = new Dictionary<string, string> { ["task"] = "segment", ["names"] = "{0: 'person', 1: 'bicycle'}" };
        var s = Sig([F("images", 1, 3, 640, 640)], [F("output0", 1, 4 + 80 + 32, 8400), F("output1", 1, 32, 160, 160)], meta);
        var m = ModelContracts.Identify(s)[0];
        Assert.Equal(ModelContractKind.YoloSeg, m.Kind);
        Assert.StartsWith("80 classes", m.Detail);
    }

    [Fact]
    public void Identify_YoloSegEndToEnd_RecognisedByShape()
    {
        var s = Sig([F("images", 1, 3, 640, 640)], [F("output0", 1, 300, 38), F("output1", 1, 32, 160, 160)]);
        Assert.Equal(ModelContractKind.YoloSegEndToEnd, Best(s));
    }

    [Fact]
    public void Identify_YoloDetectTask_IsNotSeg()
    {
        var meta = new Dictionary<string, string> { ["task"] = "detect" };
        var s = Sig([F("images", 1, 3, 640, 640)], [F("output0", 1, 84 + 32, 8400), F("output1", 1, 32, 160, 160)], meta);
        Assert.DoesNotContain(ModelContracts.Identify(s), m => m.Kind is ModelContractKind.YoloSeg or ModelContractKind.YoloSegEndToEnd);
    }

    [Fact]
    public void Identify_SamEncoders_NormalisedAndRaw()
    {
        var norm = Sig([F("input_image", 1, 3, 1024, 1024)], [F("image_embeddings", 1, 256, 64, 64)]);
        Assert.Equal(ModelContractKind.SamEncoder, Best(norm));
        var raw = Sig([U8("input_image", -1, -1, 3)], [F("image_embeddings", 1, 256, 64, 64)]);
        Assert.Equal(ModelContractKind.SamEncoderRawImage, Best(raw));
    }

    [Fact]
    public void Identify_DynamicSemanticOutput_IsNotTakenForSamEncoder()
    {
        var s = Sig([F("input", 1, 3, -1, -1)], [F("out", -1, -1, -1, -1)]);
        Assert.DoesNotContain(ModelContracts.Identify(s), m => m.Kind == ModelContractKind.SamEncoder);
    }

    [Fact]
    public void Identify_SamDecoder_OfficialNames()
    {
        var s = Sig(
            [F("image_embeddings", 1, 256, 64, 64), F("point_coords", 1, -1, 2), F("point_labels", 1, -1),
             F("mask_input", 1, 1, 256, 256), F("has_mask_input", 1), F("orig_im_size", 2)],
            [F("masks", -1, -1, -1, -1), F("iou_predictions", -1, 4), F("low_res_masks", -1, -1, -1, -1)]);
        Assert.Equal(ModelContractKind.SamDecoder, Best(s));
    }

    [Fact]
    public void Identify_Classifier_FitsNothing()
    {
        var s = Sig([F("input", 1, 3, 224, 224)], [F("logits", 1, 1000)]);
        Assert.Empty(ModelContracts.Identify(s));
        Assert.Equal(Enum.GetValues<ModelContractKind>().Length, ModelContracts.Descriptions.Count);
    }

    [Fact]
    public void TryParseNames_PythonDictLiteral_ParsesQuotesAndEscapes()
    {
        var names = YoloSegContract.TryParseNames("{0: 'person', 1: \"kid's bike\", 2: 'a\\'b', 10: 'x'}");
        Assert.NotNull(names);
        Assert.Equal(4, names!.Count);
        Assert.Equal("person", names[0]);
        Assert.Equal("kid's bike", names[1]);
        Assert.Equal("a'b", names[2]);
        Assert.Equal("x", names[10]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("['person', 'car']")]
    [InlineData("{0: person}")]
    [InlineData("{0: 'person'")]
    public void TryParseNames_NotADictLiteral_ReturnsNull(string text) => Assert.Null(YoloSegContract.TryParseNames(text));
}
