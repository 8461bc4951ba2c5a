using SegKit.Imaging;
using SegKit.Imaging.Drawing;
using SegKit.Masks;
using static SegKit.Tests.Imaging.Drawing.DrawTestImages;

namespace SegKit.Tests.Imaging.Drawing;

public class DrawBoundaryTests
{
    private static readonly RgbColor Ink = new(255, 0, 0);

    private static BinaryMask Rect(int w, int h, int x0, int y0, int x1, int y1)
    {
        var m = new BinaryMask(w, h);
        for (int y = y0; y < y1; y++) m.SetRun(y, x0, x1);
        return m;
    }

    [Fact]
    public void MaskBoundary_Thickness1_RingOfSquare()
    {
        RgbImage img = new(7, 7);
        Draw.MaskBoundary(img, Rect(7, 7, 1, 1, 6, 6), Ink);
        Assert.Equal(new[]
        {
            ".......",
            ".#####.",
            ".#...#.",
            ".#...#.",
            ".#...#.",
            ".#####.",
            ".......",
        }, Picture(img, Ink));
    }

    [Fact]
    public void MaskBoundary_Thickness2_CityBlockDistance()
    {
        RgbImage img = new(7, 7);
        Draw.MaskBoundary(img, Rect(7, 7, 0, 0, 7, 7), Ink, thickness: 2);
        // Pixels at city-block distance ≤ 2 from outside the image (the border counts as unset).
        Assert.Equal(new[]
        {
            "#######",
            "#######",
            "##...##",
            "##...##",
            "##...##",
            "#######",
            "#######",
        }, Picture(img, Ink));
    }

    [Fact]
    public void MaskBoundary_AcrossWordBoundary_OnlyEdgePixels()
    {
        var mask = Rect(130, 3, 60, 0, 70, 3);
        RgbImage img = new(130, 3);
        Draw.MaskBoundary(img, mask, Ink);
        // Middle row: only x = 60 and x = 69 (the 64-bit word edge at 64 must not create a boundary).
        for (int x = 0; x < 130; x++)
            Assert.Equal(x is 60 or 69, At(img, x, 1) == Ink);
        for (int x = 0; x < 130; x++)
            Assert.Equal(x is >= 60 and < 70, At(img, x, 0) == Ink);
    }

    [Fact]
    public void MaskBoundary_Width64Mask_RightEdgeIsBoundary()
    {
        var mask = Rect(64, 3, 0, 0, 64, 3);
        RgbImage img = new(64, 3);
        Draw.MaskBoundary(img, mask, Ink);
        Assert.Equal(Ink, At(img, 63, 1));
        Assert.Equal(Ink, At(img, 0, 1));
        Assert.NotEqual(Ink, At(img, 32, 1));
    }

    [Fact]
    public void LabelBoundaries_TwoClassesAndIgnore_BothSidesPaintedIgnoreNot()
    {
        var labels = new LabelMap(6, 3, [
            0, 0, 0, 1, 1, 1,
            0, 0, 0, 1, 1, 1,
            0, 0, 255, 1, 1, 1,
        ]);
        RgbImage img = new(6, 3);
        Draw.LabelBoundaries(img, labels, Ink);
        Assert.Equal(new[]
        {
            "..##..",
            "..##..",
            ".#.#..",
        }, Picture(img, Ink));
    }

    [Fact]
    public void LabelBoundaries_Thickness2_GrowsOneStep()
    {
        var labels = new LabelMap(6, 1, [0, 0, 0, 1, 1, 1]);
        RgbImage img = new(6, 1);
        Draw.LabelBoundaries(img, labels, Ink, thickness: 2);
        Assert.Equal(new[] { ".####." }, Picture(img, Ink));
    }
}
