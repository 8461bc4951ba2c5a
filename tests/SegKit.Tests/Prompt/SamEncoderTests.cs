using System.Security.Cryptography;
using SegKit.Imaging;
using SegKit.Prompt;
using SegKit.Tests.TestSupport;
using Xunit.Abstractions;

namespace SegKit.Tests.Prompt;

/// <summary>
/// The encoder side: SegKit's preprocessing against segment-anything's set_image (ResizeLongestSide through PIL,
/// Sam.preprocess), computed with PIL/torch on the photos, and end-to-end embeddings from fixture encoders with
/// the SAM encoder's I/O (normalised 1024² input, and a raw-HWC variant whose graph preprocesses).
/// </summary>
public sealed class SamEncoderTests(ITestOutputHelper output)
{
    public static TheoryData<string> Photos => new(["truck", "dog", "groceries"]);

    private static string Fixture(string file) => Fixtures.File("sam_reference", file);

    [Theory]
    [MemberData(nameof(Photos))]
    public void Preprocess_Photo_EqualsSegmentAnythingSetImage(string photo)
    {
        var image = ImageDecoder.DecodeRgb(TestPaths.SharedImage(photo + ".jpg"));
        byte[] pil = Npy.Read(Fixture(photo + "_pixels.npy")).AsUInt8();
        Assert.Equal(pil, image.Data); // libjpeg-turbo decodes as PIL does

        var resized = SamEncoder.ResizeForEncoder(image);
        var expectedResized = Npy.Read(Fixture(photo + "_resized.npy"));
        Assert.Equal([resized.Height, resized.Width, 3], expectedResized.Shape);
        int maxDiff = 0;
        byte[] r = expectedResized.AsUInt8();
        for (int i = 0; i < r.Length; i++) maxDiff = Math.Max(maxDiff, Math.Abs(r[i] - resized.Data[i]));
        Assert.Equal(0, maxDiff); // PIL bilinear, bit-exact (the contract allows ±1)

        float[] input = SamEncoder.Preprocess(image);
        float[] expected = Npy.Read(Fixture(photo + "_input.npy")).AsFloat32();
        Assert.Equal(expected.Length, input.Length);
        for (int i = 0; i < input.Length; i++)
            if (expected[i] != input[i]) Assert.Fail($"{photo}: normalised input differs at {i}: {input[i]} vs {expected[i]}");
        output.WriteLine($"{photo}: {image.Width}×{image.Height} → {resized.Width}×{resized.Height}, resize max |Δ| {maxDiff}, normalised input bit-identical");
    }

    [Theory]
    [MemberData(nameof(Photos))]
    public void Encode_FixtureEncoder_MatchesTorchEmbedding(string photo)
    {
        using var encoder = SamEncoder.Open(Fixture("sam_fixture_encoder.onnx"), new SegKit.Onnx.SessionOptions { IntraOpThreads = 2 });
        Assert.Equal(SamEncoderInput.Normalized1024, encoder.InputKind);
        var image = ImageDecoder.DecodeRgb(TestPaths.SharedImage(photo + ".jpg"));
        var embedding = encoder.Encode(image);
        AssertClose(Npy.Read(Fixture(photo + "_embedding.npy")), embedding, photo);
        Assert.Equal(new ImageSize(image.Width, image.Height), embedding.OriginalSize);
        Assert.Equal(ImageSize.ForLongestSide(image.Width, image.Height, 1024), embedding.InputSize);
        Assert.Equal("sam_fixture_encoder.onnx", embedding.Encoder.Name);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Fixture("sam_fixture_encoder.onnx")))), embedding.Encoder.Sha256);
    }

    [Theory]
    [MemberData(nameof(Photos))]
    public void Encode_RawHwcEncoder_FeedsTheDecodedPixels(string photo)
    {
        using var encoder = SamEncoder.Open(Fixture("sam_fixture_encoder_raw.onnx"));
        Assert.Equal(SamEncoderInput.RawHwcUInt8, encoder.InputKind);
        var image = ImageDecoder.DecodeRgb(TestPaths.SharedImage(photo + ".jpg"));
        var embedding = encoder.Encode(image);
        AssertClose(Npy.Read(Fixture(photo + "_raw_embedding.npy")), embedding, photo + " (raw)");
        Assert.Equal(ImageSize.ForLongestSide(image.Width, image.Height, 1024), embedding.InputSize);
    }

    [Fact]
    public void Open_DecoderAsEncoder_ThrowsModelMismatchNamingTheFile()
    {
        var e = Assert.Throws<SamModelMismatchException>(() => SamEncoder.Open(SamReference.Decoder));
        Assert.Contains("sam_vitb_rand_decoder.onnx", e.Message);
        Assert.Contains("not a SAM image encoder", e.Message);
    }

    [Fact]
    public void Open_EncoderAsDecoder_SaysItIsAnEncoder_OtherModelsNameWhatIsMissing()
    {
        var e = Assert.Throws<SamModelMismatchException>(() => SamDecoder.Open(Fixture("sam_fixture_encoder.onnx")));
        Assert.Contains("is a SAM image encoder, not a decoder", e.Message);
        var other = Assert.Throws<SamModelMismatchException>(() => SamDecoder.Open(Fixtures.File("semantic_reference", "lraspp_mobilenet_v3_large.onnx")));
        Assert.Contains("not a SAM decoder", other.Message);
        Assert.Contains("point_coords", other.Message);
    }

    private void AssertClose(Npy expected, SamImageEmbedding actual, string what)
    {
        Assert.Equal(expected.Shape, actual.Shape.ToArray());
        float[] e = expected.AsFloat32();
        var a = actual.Values;
        float max = 0;
        for (int i = 0; i < e.Length; i++) max = MathF.Max(max, MathF.Abs(e[i] - a[i]));
        output.WriteLine($"{what}: embedding max |Δ| {max:E2}");
        Assert.True(max <= 1e-4f, $"{what}: embedding differs by {max}");
    }
}

public sealed class SamPredictorPairingTests
{
    [Fact]
    public void Constructor_EncoderOutputDecoderDoesNotTake_ThrowsWithBothShapes()
    {
        using var decoder = SamDecoder.Open(Fixtures.File("sam_reference", "sam_toy_decoder_32.onnx"));
        using var encoder = SamEncoder.Open(Fixtures.File("sam_reference", "sam_fixture_encoder.onnx"));
        var e = Assert.Throws<SamModelMismatchException>(() => new SamPredictor(decoder, encoder));
        Assert.Contains("produces embeddings [1,256,64,64]", e.Message);
        Assert.Contains("takes image_embeddings [1,256,32,32]", e.Message);
        Assert.Contains("not a pair", e.Message);
        Assert.Throws<SamModelMismatchException>(() =>
            SamPredictor.Open(Fixtures.File("sam_reference", "sam_fixture_encoder.onnx"), Fixtures.File("sam_reference", "sam_toy_decoder_32.onnx")));
    }
}
