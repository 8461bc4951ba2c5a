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

    // Against the definition, pixel by pixel: painted when within city-block distance thickness − 1 of a pixel with a
    // differing 4-neighbour, and not ignore. Widths around the 64-pixel words (and the vector compares, which need a
    // whole word plus one byte in the row), plateaus and noise, ignore pixels included.
    [Theory]
    [InlineData(1, 9, 1, 1)]
    [InlineData(63, 5, 1, 2)]
    [InlineData(64, 6, 1, 3)]
    [InlineData(65, 7, 2, 4)]
    [InlineData(128, 9, 1, 5)]
    [InlineData(130, 11, 3, 6)]
    [InlineData(200, 17, 2, 7)]
    public void LabelBoundaries_RandomMaps_PaintTheDefinitionsPixels(int w, int h, int thickness, int seed)
    {
        var rng = new Random(seed);
        var ids = new byte[w * h];
        for (int p = 0; p < ids.Length; p++)
        {
            int x = p % w, y = p / w;
            // Blocks of one class 8 wide (so edges fall on the words' borders), some noise and a few ignore pixels.
            ids[p] = rng.Next(30) == 0 ? LabelMap.Ignore : rng.Next(10) == 0 ? (byte)rng.Next(4) : (byte)((x / 8 + y / 5) % 4);
        }
        var labels = new LabelMap(w, h, ids);
        var img = new RgbImage(w, h);
        Draw.LabelBoundaries(img, labels, Ink, thickness);

        bool Edge(int x, int y)
        {
            byte v = ids[y * w + x];
            return (x > 0 && ids[y * w + x - 1] != v) || (x + 1 < w && ids[y * w + x + 1] != v)
                || (y > 0 && ids[(y - 1) * w + x] != v) || (y + 1 < h && ids[(y + 1) * w + x] != v);
        }
        int painted = 0;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                bool want = false;
                for (int dy = -(thickness - 1); dy <= thickness - 1 && !want; dy++)
                    for (int dx = -(thickness - 1 - Math.Abs(dy)); dx <= thickness - 1 - Math.Abs(dy) && !want; dx++)
                        want = x + dx >= 0 && x + dx < w && y + dy >= 0 && y + dy < h && Edge(x + dx, y + dy);
                want &= ids[y * w + x] != LabelMap.Ignore;
                var px = img.GetRow(y).Slice(3 * x, 3);
                bool got = px[0] == Ink.R && px[1] == Ink.G && px[2] == Ink.B;
                Assert.True(want == got, $"pixel ({x}, {y}): painted {got}, expected {want}");
                if (got) painted++;
            }
        Assert.True(w == 1 || painted > 0);
    }
}
