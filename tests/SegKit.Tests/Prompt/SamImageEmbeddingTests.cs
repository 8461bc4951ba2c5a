using System.Buffers.Binary;
using SegKit.Imaging;
using SegKit.Prompt;
using SegKit.Tests.TestSupport;

namespace SegKit.Tests.Prompt;

public sealed class SamImageEmbeddingTests
{
    private static SamImageEmbedding Sample(SamEncoderIdentity? identity = null)
    {
        var values = new float[2 * 3 * 4];
        for (int i = 0; i < values.Length; i++) values[i] = i * 0.5f - 3f;
        return SamImageEmbedding.Create(values, [1, 2, 3, 4], new ImageSize(1800, 1200),
            identity ?? new SamEncoderIdentity("sam_vit_b.onnx", new string('a', 63) + "b"));
    }

    [Fact]
    public void SaveLoad_RoundTrip_KeepsValuesGeometryAndIdentity()
    {
        string dir = TestPaths.NewTempDir();
        string path = Path.Combine(dir, "e.samemb");
        var e = Sample();
        e.Save(path);
        var back = SamImageEmbedding.Load(path);
        Assert.Equal(e.Values.ToArray(), back.Values.ToArray());
        Assert.Equal([1, 2, 3, 4], back.Shape.ToArray());
        Assert.Equal(new ImageSize(1800, 1200), back.OriginalSize);
        Assert.Equal(new ImageSize(1024, 683), back.InputSize);
        Assert.Equal(e.Encoder, back.Encoder);
        Directory.Delete(dir, true);
    }

    // Version 2 keeps the SHA-256 of the image's pixels; version-1 files (no such field) still read, with it unknown.
    [Fact]
    public void SaveLoad_ImageHashKept_AndVersion1FilesStillRead()
    {
        var image = new RgbImage(3, 2, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18]);
        string hash = SamImageEmbedding.PixelsSha256(image);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(image.Data)), hash);
        var values = new float[24];
        string path = Path.Combine(TestPaths.NewTempDir(), "e.samemb");
        SamImageEmbedding.Wrap(values, [1, 2, 3, 4], new ImageSize(1800, 1200), SamEncoderIdentity.Unknown, 1024, hash).Save(path);
        Assert.Equal(hash, SamImageEmbedding.Load(path).ImageSha256);

        // The same file as version 1 wrote it: no has-image-hash byte and hash, a header 33 bytes shorter.
        byte[] v2 = File.ReadAllBytes(path);
        int headerBytes = BinaryPrimitives.ReadUInt16LittleEndian(v2.AsSpan(10));
        int headerEnd = 12 + headerBytes;
        byte[] body = [.. v2[..(headerEnd - 33)], .. v2[headerEnd..^32]];
        BinaryPrimitives.WriteUInt16LittleEndian(body.AsSpan(8), 1);
        BinaryPrimitives.WriteUInt16LittleEndian(body.AsSpan(10), (ushort)(headerBytes - 33));
        string v1 = Path.Combine(TestPaths.NewTempDir(), "v1.samemb");
        File.WriteAllBytes(v1, [.. body, .. System.Security.Cryptography.SHA256.HashData(body)]);
        var old = SamImageEmbedding.Load(v1);
        Assert.Equal("", old.ImageSha256);
        Assert.Equal(new ImageSize(1800, 1200), old.OriginalSize);
    }

    [Fact]
    public void SaveLoad_UnknownEncoder_StaysUnknown()
    {
        string path = Path.Combine(TestPaths.NewTempDir(), "e.samemb");
        Sample(SamEncoderIdentity.Unknown).Save(path);
        Assert.False(SamImageEmbedding.Load(path).Encoder.IsKnown);
    }

    [Fact]
    public void SaveLoad_ReferenceEmbedding_RoundTripsExactly()
    {
        string path = Path.Combine(TestPaths.NewTempDir(), "truck.samemb");
        SamReference.Embedding.Save(path);
        var back = SamImageEmbedding.Load(path);
        Assert.True(SamReference.Embedding.Values.SequenceEqual(back.Values));
        Assert.Equal("[1,256,64,64]", back.ShapeText);
    }

    public static TheoryData<string, string> Corruptions => new()
    {
        { "magic", "does not start with" },
        { "version", "newer than this SegKit reads" },
        { "version0", "version 0" },
        { "truncated", "truncated" },
        { "padded", "truncated or padded" },
        { "checksum", "checksum mismatch" },
        { "inputsize", "does not follow from" },
        { "type", "not float32" },
        { "empty", "does not start with" },
    };

    [Theory]
    [MemberData(nameof(Corruptions))]
    public void Load_CorruptFile_ThrowsTypedErrorNamingTheCheck(string corruption, string expected)
    {
        string path = Path.Combine(TestPaths.NewTempDir(), "bad.samemb");
        Sample().Save(path);
        byte[] b = File.ReadAllBytes(path);
        switch (corruption)
        {
            case "magic": b[0] = (byte)'X'; break;
            case "version": BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(8), 7); break;
            case "version0": BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(8), 0); break;
            case "truncated": b = b[..^10]; break;
            case "padded": b = [.. b, 0, 0, 0, 0]; break;
            case "checksum": b[60] ^= 1; break;
            case "inputsize": BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(12 + 8), 999); break;
            case "type": b[12 + 20] = 9; break;
            case "empty": b = []; break;
        }
        File.WriteAllBytes(path, b);
        var e = Assert.Throws<SamEmbeddingFileException>(() => SamImageEmbedding.Load(path));
        Assert.Contains(expected, e.Message);
        Assert.Contains(path, e.Message);
        Assert.IsAssignableFrom<SegKitException>(e);
    }

    [Fact]
    public void Load_MissingFile_ThrowsFileNotFound() =>
        Assert.Throws<FileNotFoundException>(() => SamImageEmbedding.Load(Path.Combine(TestPaths.NewTempDir(), "none.samemb")));

    [Fact]
    public void Create_ShapeAndValueCountDisagree_Throws() =>
        Assert.Throws<ArgumentException>(() => SamImageEmbedding.Create(new float[10], [1, 2, 3], new ImageSize(10, 10)));

    // A file with a valid checksum whose values are NaN gave empty masks with scores (exit 0); it is refused on load.
    [Fact]
    public void Load_NonFiniteValues_TypedErrorCountingThem()
    {
        var values = new float[2 * 3 * 4];
        values[5] = float.NaN;
        values[7] = float.PositiveInfinity;
        string path = Path.Combine(TestPaths.NewTempDir(), "nan.samemb");
        SamImageEmbedding.Create(values, [1, 2, 3, 4], new ImageSize(1800, 1200)).Save(path);
        var e = Assert.Throws<SamEmbeddingFileException>(() => SamImageEmbedding.Load(path));
        Assert.Contains("2 of its 24 values are NaN or infinite", e.Message);
    }
}
