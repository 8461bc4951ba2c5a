using SegKit.Classical;
using SegKit.Imaging;

namespace SegKit.Tests.Classical;

public sealed class RegionMapTests
{
    private static RegionMap Quadrants() => new(4, 4,
    [
        0, 0, 1, 1,
        0, 0, 1, 1,
        2, 2, 3, 3,
        2, 2, 3, 3,
    ], 4);

    [Fact]
    public void Colorize_SameSeed_SameDistinctColours()
    {
        RegionMap map = Quadrants();

        RgbImage a = map.Colorize(seed: 5), b = map.Colorize(seed: 5);

        Assert.Equal(a.Data, b.Data);
        var colours = Enumerable.Range(0, 4).Select(id =>
        {
            int i = Array.IndexOf(map.Labels, id) * 3;
            return (a.Data[i], a.Data[i + 1], a.Data[i + 2]);
        }).ToHashSet();
        Assert.Equal(4, colours.Count);
    }

    [Fact]
    public void GetBoundaryMask_Quadrants_MarksBothSidesOfEachEdge()
    {
        byte[] mask = Quadrants().GetBoundaryMask();

        Assert.Equal(new byte[]
        {
            0, 1, 1, 0,
            1, 1, 1, 1,
            1, 1, 1, 1,
            0, 1, 1, 0,
        }, mask);
    }

    [Fact]
    public void DrawBoundaries_PaintsOnlyBoundaryPixels()
    {
        var image = new RgbImage(4, 4);

        RgbImage drawn = Quadrants().DrawBoundaries(image, 255, 0, 0);

        Assert.Equal(0, drawn.Data[0]);
        Assert.Equal(255, drawn.Data[3]);
        Assert.Equal(0, image.Data[3]);
    }

    [Fact]
    public void GetRegionSizes_Quadrants_FourEach()
    {
        Assert.Equal(new[] { 4, 4, 4, 4 }, Quadrants().GetRegionSizes());
    }

    [Fact]
    public void ColorizeMean_TwoRegions_MeanColours()
    {
        var map = new RegionMap(2, 1, [0, 1], 2);
        var image = new RgbImage(2, 1, [10, 20, 30, 200, 100, 0]);

        Assert.Equal(image.Data, map.ColorizeMean(image).Data);
    }

    [Fact]
    public void Constructor_LabelOutOfRange_Throws()
    {
        Assert.Throws<ArgumentException>(() => new RegionMap(2, 1, [0, 2], 2));
    }
}
