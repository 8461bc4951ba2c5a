// PNG decoding against PIL 9.4 for every colour type and bit depth, and raw index / 16-bit reads.
using System.Text.Json;
using SegKit.Imaging;

namespace SegKit.Tests.Imaging;

public sealed class PngDecoderTests
{
    public static TheoryData<string> Kinds()
    {
        var data = new TheoryData<string>();
        foreach (var c in PilImages.Cases("png").EnumerateArray())
            data.Add(c.GetProperty("kind").GetString()!);
        return data;
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void DecodeRgb_EveryColourTypeAndDepth_EqualsPilConvertRgb(string kind)
    {
        var image = PngDecoder.DecodeRgb(PilImages.PathOf($"png/{kind}.png"));
        var (h, w, expected) = PilImages.ReadU8($"png/{kind}_rgb.npy");
        Assert.Equal((w, h), (image.Width, image.Height));
        PilImages.AssertBytesEqual(expected, image.Data, kind);
    }

    [Theory]
    [InlineData("pal1")]
    [InlineData("pal2")]
    [InlineData("pal4")]
    [InlineData("pal8")]
    [InlineData("pal8_trns")]
    [InlineData("voc_label")]
    public void ReadIndexed_PalettePng_ReturnsIndicesAsWritten(string kind)
    {
        var indexed = PngDecoder.ReadIndexed(PilImages.PathOf($"png/{kind}.png"));
        var (h, w, expected) = PilImages.ReadU8($"png/{kind}_raw.npy");
        Assert.Equal((w, h), (indexed.Width, indexed.Height));
        PilImages.AssertBytesEqual(expected, indexed.Indices, kind);
        // The indices looked up in the palette give PIL's convert("RGB").
        var (_, _, rgb) = PilImages.ReadU8($"png/{kind}_rgb.npy");
        PilImages.AssertBytesEqual(rgb, indexed.ToRgb().Data, kind + " via palette");
    }

    [Fact]
    public void ReadIndexed_VocLabelMap_PaletteIsPascalVoc()
    {
        var indexed = PngDecoder.ReadIndexed(PilImages.PathOf("png/voc_label.png"));
        var (_, _, pilPalette) = PilImages.ReadU8("png/voc_palette.npy");
        Assert.Equal(pilPalette, indexed.Palette.Rgb.ToArray());
        Assert.Equal(pilPalette, ColorPalette.PascalVoc.Rgb.ToArray());
        Assert.Contains((byte)255, indexed.Indices);
    }

    [Fact]
    public void ReadIndexed_PaletteWithTrns_ReturnsAlpha()
    {
        var indexed = PngDecoder.ReadIndexed(PilImages.PathOf("png/pal8_trns.png"));
        Assert.Equal(Enumerable.Range(0, 16).Select(i => (byte)(i * 16)).ToArray(), indexed.Palette.Alpha.ToArray());
    }

    [Fact]
    public void ReadGray16_SixteenBitGray_ReturnsStoredValues()
    {
        var image = PngDecoder.ReadGray16(PilImages.PathOf("png/gray16.png"));
        Assert.Equal(PilImages.ReadU16("png/gray16_raw.npy"), image.Data);
    }

    [Theory]
    [InlineData("gray2")]
    [InlineData("gray4")]
    [InlineData("gray8")]
    public void ReadGray8_LowDepthGray_ReturnsUnscaledSamples(string kind)
    {
        var image = PngDecoder.ReadGray8(PilImages.PathOf($"png/{kind}.png"));
        var (_, _, expected) = PilImages.ReadU8($"png/{kind}_raw.npy");
        Assert.Equal(expected, image.Data);
    }

    [Fact]
    public void DecodeRgba_RgbaSixteenBit_TakesHighBytes()
    {
        var image = PngDecoder.DecodeRgba(PilImages.PathOf("png/rgba16.png"));
        var raw = PilImages.ReadU16("png/rgba16_raw.npy");
        Assert.Equal(raw.Select(v => (byte)(v >> 8)).ToArray(), image.Data);
    }

    [Fact]
    public void DecodeRgba_GrayWithTrns_MakesThatValueTransparent()
    {
        var image = PngDecoder.DecodeRgba(PilImages.PathOf("png/gray8_trns.png"));
        var (_, _, gray) = PilImages.ReadU8("png/gray8_raw.npy");
        for (int i = 0; i < gray.Length; i++)
            Assert.Equal(gray[i] == gray[0] ? 0 : 255, image.Data[i * 4 + 3]);
    }

    [Fact]
    public void ReadIndexed_RgbPng_ThrowsImageFormatException()
    {
        string path = PilImages.PathOf("png/rgb8.png");
        var ex = Assert.Throws<ImageFormatException>(() => PngDecoder.ReadIndexed(path));
        Assert.Contains("rgb8.png", ex.Message);
    }

    [Fact]
    public void ReadInfo_SixteenBitRgb_ReportsIhdr()
    {
        var info = PngDecoder.ReadInfo(File.ReadAllBytes(PilImages.PathOf("png/rgb16.png")));
        Assert.Equal(new PngInfo(37, 23, 16, PngColorType.Rgb, false), info);
    }
}
