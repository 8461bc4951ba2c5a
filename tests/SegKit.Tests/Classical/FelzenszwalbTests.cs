using SegKit.Classical;
using SegKit.Imaging;
using Xunit.Abstractions;

namespace SegKit.Tests.Classical;

public sealed class FelzenszwalbTests(ITestOutputHelper output)
{
    public static TheoryData<string, string> Cases => new()
    {
        { "truck", "a" }, { "truck", "b" }, { "dog", "a" }, { "dog", "b" }, { "groceries", "a" }, { "groceries", "b" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Segment_Photo_MatchesSkimage(string photo, string set)
    {
        RgbImage image = ClassicalReference.Photo(photo);
        var p = ClassicalReference.Params.GetProperty("felzenszwalb").GetProperty(set);
        var options = new FelzenszwalbOptions
        {
            Scale = p.GetProperty("scale").GetDouble(),
            Sigma = p.GetProperty("sigma").GetDouble(),
            MinSize = p.GetProperty("min_size").GetInt32(),
        };
        var (w, h, expected) = ClassicalReference.Labels($"{photo}.felzenszwalb.{set}.npy");

        RegionMap map = Felzenszwalb.Segment(image, options);

        Assert.Equal((w, h), (map.Width, map.Height));
        int expectedCount = expected.Max() + 1;
        double ari = Partition.AdjustedRandIndex(map.Labels, expected);
        int identical = 0;
        for (int i = 0; i < expected.Length; i++) if (map.Labels[i] == expected[i]) identical++;
        double countDiff = Math.Abs(map.RegionCount - expectedCount) / (double)expectedCount;
        output.WriteLine($"{photo}/{set}: ARI {ari:F5}, regions {map.RegionCount} vs skimage {expectedCount} ({countDiff:P2}), identical ids {identical / (double)expected.Length:P3}");
        Assert.True(ari >= 0.95, $"ARI {ari:F4} < 0.95");
        Assert.True(countDiff <= 0.05, $"region count {map.RegionCount} vs {expectedCount}");
    }

    [Fact]
    public void Segment_UniformImage_OneRegion()
    {
        var image = new RgbImage(37, 21);
        image.Data.AsSpan().Fill(90);

        RegionMap map = Felzenszwalb.Segment(image);

        Assert.Equal(1, map.RegionCount);
        Assert.All(map.Labels, id => Assert.Equal(0, id));
    }

    [Fact]
    public void Segment_TwoHalves_TwoRegionsInRasterOrder()
    {
        var image = new RgbImage(40, 30);
        for (int y = 0; y < 30; y++)
            for (int x = 20; x < 40; x++)
                image.GetRow(y)[x * 3] = 255;

        RegionMap map = Felzenszwalb.Segment(image, new FelzenszwalbOptions { Scale = 10, Sigma = 0, MinSize = 10 });

        Assert.Equal(2, map.RegionCount);
        Assert.Equal(0, map[0, 0]);
        Assert.Equal(1, map[39, 29]);
        Assert.Equal(new[] { 600, 600 }, map.GetRegionSizes());
    }

    [Theory]
    [InlineData(0.0, 0.8, 20)]
    [InlineData(100.0, -1.0, 20)]
    [InlineData(100.0, 0.8, -5)]
    public void Segment_InvalidOptions_Throws(double scale, double sigma, int minSize)
    {
        var options = new FelzenszwalbOptions { Scale = scale, Sigma = sigma, MinSize = minSize };
        Assert.Throws<ArgumentOutOfRangeException>(() => Felzenszwalb.Segment(new RgbImage(4, 4), options));
    }
}
