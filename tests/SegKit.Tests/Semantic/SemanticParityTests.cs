using SegKit.Semantic;
using SegKit.Tests.TestSupport;
using Xunit.Abstractions;

namespace SegKit.Tests.Semantic;

/// <summary>
/// Parity with the reference pipelines of tools/fixtures/semantic_reference.py (PyTorch/torchvision, PIL):
/// label maps at the original size agree on ≥ 99.9 % of pixels whose top-2 logits differ by ≥ 1e-4, and
/// the model's logits agree within 1e-3 (compared at every 7th pixel of the model output).
/// </summary>
public class SemanticParityTests(ITestOutputHelper output)
{
    private const string Fixture = "semantic_reference";

    public static TheoryData<string, string, string, string> Cases() => new()
    {
        // model, preset, photo, variant
        { "fcn_resnet50", "torchvision", "dog", "resize520" },
        { "fcn_resnet50", "torchvision", "dog", "noresize" },
        { "deeplabv3_mobilenet_v3_large", "torchvision", "dog", "resize520" },
        { "deeplabv3_mobilenet_v3_large", "torchvision", "dog", "noresize" },
        { "deeplabv3_mobilenet_v3_large", "torchvision", "groceries", "resize520" },
        { "deeplabv3_mobilenet_v3_large", "torchvision", "groceries", "noresize" },
        { "deeplabv3_mobilenet_v3_large", "torchvision", "truck", "resize520" },
        { "deeplabv3_mobilenet_v3_large", "torchvision", "truck", "noresize" },
        { "lraspp_mobilenet_v3_large", "torchvision", "dog", "resize520" },
        { "lraspp_mobilenet_v3_large", "torchvision", "dog", "noresize" },
        { "lraspp_mobilenet_v3_large", "torchvision", "groceries", "resize520" },
        { "lraspp_mobilenet_v3_large", "torchvision", "groceries", "noresize" },
        { "lraspp_mobilenet_v3_large", "torchvision", "truck", "resize520" },
        { "lraspp_mobilenet_v3_large", "torchvision", "truck", "noresize" },
        { "segformer_shaped", "segformer", "dog", "resize512" },
        { "segformer_shaped", "segformer", "groceries", "resize512" },
        { "segformer_shaped", "segformer", "truck", "resize512" },
        { "unet_shaped", "unet", "dog", "resize256" },
        { "unet_shaped", "unet", "groceries", "resize256" },
        { "unet_shaped", "unet", "truck", "resize256" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Segment_MatchesReferencePipeline(string model, string preset, string photo, string variant)
    {
        string dir = Fixtures.Ensure(Fixture);
        var options = new SemanticSegmenterOptions
        {
            Threads = 2,
            KeepLogits = true,
            ResizeOverride = variant == "noresize" ? ResizePolicy.None : null,
        };
        using var segmenter = SemanticSegmenter.Load(Path.Combine(dir, model + ".onnx"), SemanticPreset.FromName(preset), options);
        // torchvision's models end with F.interpolate to the input size: SegKit fuses that Resize with its own.
        Assert.True(segmenter.FusesModelResize == (preset == "torchvision"), segmenter.UpsamplingNote);
        var result = segmenter.Segment(TestPaths.SharedImage(photo + ".jpg"));

        string key = $"{model}_{photo}_{variant}";
        var expected = Npy.Read(Path.Combine(dir, key + "_labels.npy"));
        float[] margin = Npy.Read(Path.Combine(dir, key + "_margin.npy")).AsFloat32();
        Assert.Equal([result.Height, result.Width], expected.Shape);
        byte[] want = expected.AsUInt8();
        long compared = 0, agree = 0, nearTies = 0;
        for (int i = 0; i < want.Length; i++)
        {
            if (margin[i] < 1e-4f) { nearTies++; continue; }
            compared++;
            if (result.Labels.Data[i] == want[i]) agree++;
        }
        double fraction = (double)agree / compared;

        // Logits at every 7th pixel of the model output.
        var sample = Npy.Read(Path.Combine(dir, key + "_logits_sample.npy"));
        float[] want7 = sample.AsFloat32();
        long[] shape = result.LogitsShape!;
        int c = (int)shape[1], h = (int)shape[2], w = (int)shape[3];
        int sh = sample.Shape[1], sw = sample.Shape[2];
        Assert.Equal(c, sample.Shape[0]);
        Assert.Equal((h + 6) / 7, sh);
        Assert.Equal((w + 6) / 7, sw);
        double maxLogitDiff = 0;
        for (int ch = 0; ch < c; ch++)
            for (int y = 0; y < sh; y++)
                for (int x = 0; x < sw; x++)
                {
                    float got = result.Logits![(ch * h + y * 7) * w + x * 7];
                    maxLogitDiff = Math.Max(maxLogitDiff, Math.Abs(got - want7[(ch * sh + y) * sw + x]));
                }

        output.WriteLine(segmenter.UpsamplingNote);
        output.WriteLine($"{key}: agreement {fraction:P4} of {compared} px ({nearTies} near-ties excluded), max logit diff {maxLogitDiff:E2}, " +
                         $"model input {result.ModelInputSize.Width}×{result.ModelInputSize.Height}");
        Assert.True(fraction >= 0.999, $"{key}: labels agree on {fraction:P4}");
        Assert.True(maxLogitDiff <= 1e-3, $"{key}: max logit diff {maxLogitDiff}");
    }
}
