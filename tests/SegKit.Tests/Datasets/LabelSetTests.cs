using SegKit.Datasets;
using SegKit.Imaging;

namespace SegKit.Tests.Datasets;

public class LabelSetTests
{
    [Theory]
    // Values of the VOC devkit's colour map (VOClabelcolormap.m), which the label PNGs of VOC2012 use.
    [InlineData(0, 0, 0, 0)]
    [InlineData(1, 128, 0, 0)]
    [InlineData(2, 0, 128, 0)]
    [InlineData(3, 128, 128, 0)]
    [InlineData(12, 64, 0, 128)]     // dog
    [InlineData(15, 192, 128, 128)]  // person
    [InlineData(20, 0, 64, 128)]     // tvmonitor
    [InlineData(255, 224, 224, 192)] // the 'ignore' border colour
    public void PascalVocPalette_KnownIds_MatchDevkit(int id, int r, int g, int b)
    {
        var map = ColorPalette.PascalVoc.Rgb.Span;
        Assert.Equal((byte)r, map[3 * id]);
        Assert.Equal((byte)g, map[3 * id + 1]);
        Assert.Equal((byte)b, map[3 * id + 2]);
    }

    [Fact]
    public void BuiltIns_ClassCountsAndKnownEntries_AreTheUsualOnes()
    {
        Assert.Equal(21, LabelSet.Voc.Count);
        Assert.Equal(((byte)192, (byte)128, (byte)128), LabelSet.Voc.ColorOf(15));
        Assert.Equal("person", LabelSet.Voc.Names[15]);
        Assert.Equal(150, LabelSet.Ade20k.Count);
        Assert.Equal("wall", LabelSet.Ade20k.Names[0]);
        Assert.Equal("flag", LabelSet.Ade20k.Names[149]);
        Assert.Equal(((byte)120, (byte)120, (byte)120), LabelSet.Ade20k.ColorOf(0));
        Assert.Equal(19, LabelSet.Cityscapes.Count);
        Assert.Equal("person", LabelSet.Cityscapes.Names[11]);
        Assert.Equal(((byte)220, (byte)20, (byte)60), LabelSet.Cityscapes.ColorOf(11));
        Assert.Same(LabelSet.Ade20k, LabelSet.FromId("ADE20K"));
        Assert.Null(LabelSet.FromId("imagenet"));
    }

    [Fact]
    public void Constructor_PaletteLengthMismatch_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => new LabelSet("x", ["a", "b"], new byte[5]));
        Assert.Contains("2 × 3", e.Message);
    }
}
