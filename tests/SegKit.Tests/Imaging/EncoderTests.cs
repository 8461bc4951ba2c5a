// Encode → decode round trips: PNG lossless (RGB, RGBA, gray 8/16, VOC palette with alpha), JPEG PSNR,
// and atomic file writes.
using SegKit.Imaging;
using SegKit.Tests.TestSupport;

namespace SegKit.Tests.Imaging;

public sealed class EncoderTests
{
    private static byte[] RandomBytes(int n, int seed)
    {
        var b = new byte[n];
        new Random(seed).NextBytes(b);
        return b;
    }

    [Fact]
    public void EncodePng_Rgb_RoundTripsExactly()
    {
        var image = new RgbImage(31, 17, RandomBytes(31 * 17 * 3, 1));
        var back = PngDecoder.DecodeRgb(PngEncoder.Encode(image));
        Assert.Equal(image.Data, back.Data);
    }

    [Fact]
    public void EncodePng_Rgba_RoundTripsExactly()
    {
        var image = new RgbaImage(9, 14, RandomBytes(9 * 14 * 4, 2));
        var back = PngDecoder.DecodeRgba(PngEncoder.Encode(image));
        Assert.Equal(image.Data, back.Data);
    }

    [Fact]
    public void EncodePng_Gray8_RoundTripsExactly()
    {
        var image = new GrayImage(33, 5, RandomBytes(33 * 5, 3));
        var png = PngEncoder.Encode(image, new PngEncoderOptions { CompressionLevel = 9 });
        Assert.Equal(image.Data, PngDecoder.ReadGray8(png).Data);
        Assert.Equal(new PngInfo(33, 5, 8, PngColorType.Gray, false), PngDecoder.ReadInfo(png));
    }

    [Fact]
    public void EncodePng_Gray16_RoundTripsExactly()
    {
        var values = new ushort[21 * 11];
        var rng = new Random(4);
        for (int i = 0; i < values.Length; i++) values[i] = (ushort)rng.Next(65536);
        var png = PngEncoder.Encode(new Gray16Image(21, 11, values));
        Assert.Equal(new PngInfo(21, 11, 16, PngColorType.Gray, false), PngDecoder.ReadInfo(png));
        Assert.Equal(values, PngDecoder.ReadGray16(png).Data);
        // PIL semantics on the way back to RGB: clip to 255.
        var rgb = PngDecoder.DecodeRgb(png);
        Assert.Equal((byte)Math.Min(values[7], (ushort)255), rgb.Data[7 * 3]);
    }

    [Fact]
    public void EncodePng_Gray16File_EqualsPilWrittenFixtureValues()
    {
        // Our 16-bit writer must produce what PIL wrote (big-endian on disk): re-encode PIL's values, read back, compare.
        var pil = PngDecoder.ReadGray16(PilImages.PathOf("png/gray16.png"));
        var again = PngDecoder.ReadGray16(PngEncoder.Encode(pil));
        Assert.Equal(PilImages.ReadU16("png/gray16_raw.npy"), again.Data);
    }

    [Fact]
    public void EncodePng_VocLabelMapWithAlpha_RoundTripsIndicesAndPalette()
    {
        var indices = RandomBytes(40 * 30, 5).Select(b => (byte)(b % 22 == 21 ? 255 : b % 22)).ToArray();
        var palette = new ColorPalette(ColorPalette.PascalVoc.Rgb.Span, [0, 255, 128]);
        string dir = TestPaths.NewTempDir();
        string path = Path.Combine(dir, "label.png");
        PngEncoder.Save(new IndexedImage(40, 30, indices, palette), path);
        var back = PngDecoder.ReadIndexed(path);
        Assert.Equal(indices, back.Indices);
        Assert.Equal(ColorPalette.PascalVoc.Rgb.ToArray(), back.Palette.Rgb.ToArray());
        Assert.Equal(new byte[] { 0, 255, 128 }, back.Palette.Alpha.ToArray());
    }

    [Fact]
    public void EncodePng_EveryStrategy_RoundTripsLabelMap_AutoIsRleForPalette()
    {
        // Blocky label map (runs along rows, like a segmentation) so the strategies really produce different streams.
        var indices = new byte[64 * 48];
        for (int y = 0; y < 48; y++)
            for (int x = 0; x < 64; x++)
                indices[y * 64 + x] = (byte)((x / 9 + y / 7) % 5);
        var image = new IndexedImage(64, 48, indices, ColorPalette.PascalVoc);
        var streams = new Dictionary<PngCompressionStrategy, byte[]>();
        foreach (var strategy in Enum.GetValues<PngCompressionStrategy>())
        {
            var png = PngEncoder.Encode(image, new PngEncoderOptions { Strategy = strategy });
            Assert.Equal(indices, PngDecoder.ReadIndexed(png).Indices);
            streams[strategy] = png;
        }
        Assert.Equal(streams[PngCompressionStrategy.Rle], streams[PngCompressionStrategy.Auto]);
        Assert.NotEqual(streams[PngCompressionStrategy.Default], streams[PngCompressionStrategy.Rle]);
        Assert.NotEqual(streams[PngCompressionStrategy.Default], streams[PngCompressionStrategy.HuffmanOnly]);
        Assert.Throws<ArgumentOutOfRangeException>(() => new PngEncoderOptions { Strategy = (PngCompressionStrategy)7 });
    }

    [Fact]
    public void EncodeJpeg_Quality95Photo_DecodesAbove35DbPsnr()
    {
        var photo = JpegDecoder.DecodeRgb(TestPaths.SharedImage("dog.jpg"));
        var jpeg = JpegEncoder.Encode(photo, new JpegEncoderOptions { Quality = 95 });
        var info = JpegDecoder.ReadInfo(jpeg);
        Assert.Equal(JpegChromaSubsampling.Yuv420, info.Subsampling);
        var back = JpegDecoder.DecodeRgb(jpeg);
        double mse = 0;
        for (int i = 0; i < photo.Data.Length; i++)
        {
            double d = photo.Data[i] - back.Data[i];
            mse += d * d;
        }
        mse /= photo.Data.Length;
        double psnr = 10 * Math.Log10(255.0 * 255.0 / mse);
        Assert.True(psnr > 35, $"PSNR {psnr:F2} dB");
    }

    [Fact]
    public void EncodeJpeg_Gray_DecodesAsGrayJpeg()
    {
        var gray = new GrayImage(16, 16, Enumerable.Range(0, 256).Select(i => (byte)i).ToArray());
        var jpeg = JpegEncoder.Encode(gray, new JpegEncoderOptions { Quality = 100 });
        Assert.Equal(JpegColorSpace.Gray, JpegDecoder.ReadInfo(jpeg).ColorSpace);
        var rgb = JpegDecoder.DecodeRgb(jpeg);
        for (int i = 0; i < 256; i++) Assert.InRange(rgb.Data[i * 3] - i, -3, 3);
    }

    [Fact]
    public void SaveJpeg_ExistingFile_IsReplacedAndNoTempFileRemains()
    {
        string dir = TestPaths.NewTempDir();
        string path = Path.Combine(dir, "out.jpg");
        File.WriteAllText(path, "old contents");
        var image = new RgbImage(8, 8, RandomBytes(8 * 8 * 3, 6));
        JpegEncoder.Save(image, path);
        Assert.Equal(ImageFileFormat.Jpeg, ImageFormatDetector.DetectFile(path));
        Assert.Equal(new[] { "out.jpg" }, Directory.GetFiles(dir).Select(f => Path.GetFileName(f)).ToArray());
    }

    [Fact]
    public void SavePng_MissingFolder_ThrowsAndLeavesNothing()
    {
        string dir = Path.Combine(TestPaths.NewTempDir(), "missing");
        Assert.ThrowsAny<IOException>(() => PngEncoder.Save(new RgbImage(2, 2), Path.Combine(dir, "a.png")));
        Assert.False(Directory.Exists(dir));
    }

    [Fact]
    public void JpegEncoderOptions_QualityOutOfRange_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new JpegEncoderOptions { Quality = 0 });
}
