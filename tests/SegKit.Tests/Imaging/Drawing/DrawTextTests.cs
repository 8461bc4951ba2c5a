using SegKit.Imaging;
using SegKit.Imaging.Drawing;
using SegKit.Masks;
using static SegKit.Tests.Imaging.Drawing.DrawTestImages;

namespace SegKit.Tests.Imaging.Drawing;

public class DrawTextTests
{
    private static readonly RgbColor Ink = new(255, 255, 255);

    [Fact]
    public void Text_LetterA_MatchesGlyph()
    {
        RgbImage img = new(7, 9);
        Draw.Text(img, "A", 1, 1, Ink);
        Assert.Equal(new[]
        {
            ".......",
            "..###..",
            ".#...#.",
            ".#...#.",
            ".#####.",
            ".#...#.",
            ".#...#.",
            ".#...#.",
            ".......",
        }, Picture(img, Ink));
    }

    [Fact]
    public void Text_Scale2_EachFontPixelIsA2x2Block()
    {
        RgbImage img = new(10, 14);
        Draw.Text(img, "1", 0, 0, Ink, scale: 2);
        string[] p = Picture(img, Ink);
        Assert.Equal("....##....", p[0]);
        Assert.Equal("....##....", p[1]);
        Assert.Equal("..####....", p[2]);
        Assert.Equal("..######..", p[12]);
        Assert.Equal("..######..", p[13]);
    }

    [Fact]
    public void Text_TwoCharacters_AdvanceSixColumns_ClippedAtEdge()
    {
        RgbImage img = new(8, 7);
        Draw.Text(img, "||", 0, 0, Ink);
        // '|' has ink in glyph column 2: columns 2 and 8 (the second is clipped away).
        for (int y = 0; y < 7; y++) Assert.Equal("..#.....", Picture(img, Ink)[y]);
    }

    [Fact]
    public void Text_NonAscii_DrawsQuestionMark()
    {
        RgbImage a = new(5, 7), b = new(5, 7);
        Draw.Text(a, "é", 0, 0, Ink);
        Draw.Text(b, "?", 0, 0, Ink);
        Assert.Equal(b.Data, a.Data);
    }

    [Fact]
    public void Measure_WidthExcludesTrailingGap()
    {
        Assert.Equal((17, 7), BitmapFont.Default5x7.Measure("abc"));
        Assert.Equal((34, 14), BitmapFont.Default5x7.Measure("abc", 2));
        Assert.Equal((0, 0), BitmapFont.Default5x7.Measure(""));
    }

    [Fact]
    public void Font_EveryPrintableGlyphHasInkExceptSpace()
    {
        for (char c = '!'; c <= '~'; c++)
        {
            bool any = false;
            for (int y = 0; y < 7; y++)
                for (int x = 0; x < 5; x++)
                    any |= BitmapFont.Default5x7.IsInk(c, x, y);
            Assert.True(any, $"glyph '{c}' is blank");
        }
    }

    [Fact]
    public void Label_BackgroundPaddingAndContrastingText()
    {
        RgbImage img = new(20, 12);
        var style = new LabelStyle { Background = new RgbColor(255, 255, 0), Scale = 1, Padding = 1 };
        var rect = Draw.Label(img, "-", 2, 3, style);
        Assert.Equal((2, 3, 7, 9), rect);
        // Yellow is light, so the text is black; '-' is glyph row 3 → image row 3 + 1 + 3 = 7, columns 3..7.
        Assert.Equal(new RgbColor(255, 255, 0), At(img, 2, 3));
        Assert.Equal(new RgbColor(255, 255, 0), At(img, 8, 11));
        Assert.Equal(RgbColor.Black, At(img, 3, 7));
        Assert.Equal(RgbColor.Black, At(img, 7, 7));
        Assert.Equal(new RgbColor(255, 255, 0), At(img, 8, 7));
        Assert.Equal(RgbColor.Black, At(img, 9, 7)); // outside the tag: untouched black background
        Assert.Equal(new RgbColor(255, 255, 0), At(img, 3, 6));
    }

    [Fact]
    public void BoxLabel_RoomAbove_SitsOnTopEdge_ElseInside()
    {
        var style = new LabelStyle { Scale = 1, Padding = 1, Background = new RgbColor(9, 9, 9) };
        RgbImage img = new(40, 40);
        Assert.Equal((5, 11, 13, 9), Draw.BoxLabel(img, new BoxXyxy(5, 20, 30, 30), "ab", style));
        Assert.Equal((5, 2, 13, 9), Draw.BoxLabel(img, new BoxXyxy(5, 2, 30, 30), "ab", style));
        // Clamped into the image at the right edge.
        Assert.Equal((27, 0, 13, 9), Draw.BoxLabel(img, new BoxXyxy(35, 0, 40, 5), "ab", style));
    }

    [Fact]
    public void LabelStyle_InvalidScale_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new LabelStyle { Scale = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new LabelStyle { Padding = -1 });
    }
}
