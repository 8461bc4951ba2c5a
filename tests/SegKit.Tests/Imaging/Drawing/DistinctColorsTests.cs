using SegKit.Imaging.Drawing;

namespace SegKit.Tests.Imaging.Drawing;

public class DistinctColorsTests
{
    [Fact]
    public void ForIndex_FirstColours_HandComputedHsv()
    {
        // h = 0: (V, p, p) with V = 0.95·255 = 242.25 → 242, p = 242.25·0.35 = 84.79 → 85.
        Assert.Equal(new RgbColor(242, 85, 85), DistinctColors.ForIndex(0));
        // h = 0.618034 → sector 3, f = 0.708204: (p, q, V), q = 0.95·(1 − 0.65·0.708204)·255 = 130.66 → 131.
        Assert.Equal(new RgbColor(85, 131, 242), DistinctColors.ForIndex(1));
    }

    [Fact]
    public void ForIndex_Deterministic_AndNeighboursDiffer()
    {
        RgbColor[] a = DistinctColors.Take(50), b = DistinctColors.Take(50);
        Assert.Equal(a, b);
        for (int i = 1; i < a.Length; i++) Assert.NotEqual(a[i - 1], a[i]);
        Assert.Equal(50, a.Distinct().Count());
    }

    [Fact]
    public void FromHsv_PrimaryHues()
    {
        Assert.Equal(new RgbColor(255, 0, 0), DistinctColors.FromHsv(0, 1, 1));
        Assert.Equal(new RgbColor(0, 255, 0), DistinctColors.FromHsv(1.0 / 3, 1, 1));
        Assert.Equal(new RgbColor(0, 0, 255), DistinctColors.FromHsv(2.0 / 3, 1, 1));
        Assert.Equal(new RgbColor(128, 128, 128), DistinctColors.FromHsv(0.3, 0, 0.5));
    }
}
