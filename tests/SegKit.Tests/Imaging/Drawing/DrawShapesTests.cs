using SegKit.Imaging;
using SegKit.Imaging.Drawing;
using SegKit.Masks;
using static SegKit.Tests.Imaging.Drawing.DrawTestImages;

namespace SegKit.Tests.Imaging.Drawing;

public class DrawShapesTests
{
    private static readonly RgbColor Ink = new(0, 255, 0);

    [Fact]
    public void Rectangle_Thickness1_OutlineInsideRoundedBox()
    {
        RgbImage img = new(7, 6);
        // round(0.6) = 1, round(5.5) = 6 (halves up), round(1.2) = 1, round(4.4) = 4 → columns 1..5, rows 1..3.
        Draw.Rectangle(img, new BoxXyxy(0.6f, 1.2f, 5.5f, 4.4f), Ink);
        Assert.Equal(new[]
        {
            ".......",
            ".#####.",
            ".#...#.",
            ".#####.",
            ".......",
            ".......",
        }, Picture(img, Ink));
    }

    [Fact]
    public void Rectangle_Thickness2_PartlyOutside_Clipped()
    {
        RgbImage img = new(5, 5);
        Draw.Rectangle(img, new BoxXyxy(-2, 1, 4, 9), Ink, thickness: 2);
        Assert.Equal(new[]
        {
            ".....",
            "####.",
            "####.",
            "..##.",
            "..##.",
        }, Picture(img, Ink));
    }

    [Fact]
    public void Rectangle_ZeroWidthBox_DrawsOnePixelLine()
    {
        RgbImage img = new(4, 4);
        Draw.Rectangle(img, new BoxXyxy(2, 0, 2, 3), Ink);
        Assert.Equal(new[] { "..#.", "..#.", "..#.", "...." }, Picture(img, Ink));
    }

    [Fact]
    public void Rectangle_EntirelyOutsideOrNaN_NoChange()
    {
        RgbImage img = new(4, 4);
        Draw.Rectangle(img, new BoxXyxy(10, 10, 20, 20), Ink);
        Draw.Rectangle(img, new BoxXyxy(float.NaN, 0, 2, 2), Ink);
        Assert.All(img.Data, b => Assert.Equal(0, b));
    }

    [Fact]
    public void FillRectangle_HalfAlpha_BlendsOnlyInside()
    {
        RgbImage img = Filled(4, 3, 0, 100, 200);
        Draw.FillRectangle(img, new BoxXyxy(1, 1, 3, 3), new RgbColor(255, 255, 255), 0.5f);
        // (0·128 + 255·128 + 128) >> 8 = 128; (100·128 + 255·128 + 128) >> 8 = 178; (200·128 + 32640 + 128) >> 8 = 228.
        Assert.Equal(new RgbColor(128, 178, 228), At(img, 1, 1));
        Assert.Equal(new RgbColor(128, 178, 228), At(img, 2, 2));
        Assert.Equal(new RgbColor(0, 100, 200), At(img, 0, 1));
        Assert.Equal(new RgbColor(0, 100, 200), At(img, 3, 2));
        Assert.Equal(new RgbColor(0, 100, 200), At(img, 1, 0));
    }
}
