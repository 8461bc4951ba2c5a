using SegKit.Imaging;
using SegKit.Imaging.Drawing;
using static SegKit.Tests.Imaging.Drawing.DrawTestImages;

namespace SegKit.Tests.Imaging.Drawing;

public class LegendTests
{
    [Fact]
    public void Render_TwoRows_SizeSwatchesAndText()
    {
        var red = new RgbColor(255, 0, 0);
        var blue = new RgbColor(0, 0, 255);
        var options = new LegendOptions { Scale = 1, Padding = 2 };
        RgbImage img = Legend.Render([new LegendEntry("cat", red), new LegendEntry("person", blue)], options);
        // swatch = 7 + 4 = 11; width = 2 + 11 + 2 + (6·6 − 1) + 2 = 52; height = 2 + 2·(11 + 2) = 28.
        Assert.Equal(52, img.Width);
        Assert.Equal(28, img.Height);
        Assert.Equal(RgbColor.White, At(img, 0, 0));
        Assert.Equal(RgbColor.Black, At(img, 2, 2));      // outline
        Assert.Equal(red, At(img, 3, 3));                 // first swatch interior
        Assert.Equal(red, At(img, 11, 11));
        Assert.Equal(RgbColor.Black, At(img, 12, 12));
        Assert.Equal(blue, At(img, 7, 20));               // second swatch at y = 15..25
        // "cat": text at x = 15, y = 2 + (11 − 7) / 2 = 4; 'c' row 2 is ".###." → (16, 6) ink, (15, 6) not.
        Assert.Equal(RgbColor.Black, At(img, 16, 6));
        Assert.Equal(RgbColor.White, At(img, 15, 6));
    }

    [Fact]
    public void Render_Empty_IsSmallBackgroundImage()
    {
        RgbImage img = Legend.Render([], new LegendOptions { Padding = 0 });
        Assert.True(img.Width >= 1 && img.Height >= 1);
    }
}
