using SegKit.Classical;
using SegKit.Imaging;
using Xunit.Abstractions;

namespace SegKit.Tests.Classical;

public sealed class SlicTests(ITestOutputHelper output)
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
        var p = ClassicalReference.Params.GetProperty("slic").GetProperty(set);
        var options = new SlicOptions
        {
            NSegments = p.GetProperty("n_segments").GetInt32(),
            Compactness = p.GetProperty("compactness").GetDouble(),
            Sigma = p.GetProperty("sigma").GetDouble(),
        };
        var (w, h, expected) = ClassicalReference.Labels($"{photo}.slic.{set}.npy");

        RegionMap map = Slic.Segment(image, options);

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

    [Theory]
    [InlineData(new[] { 20, 40 }, 8, new[] { 5, 5 }, new[] { 10, 10 })]
    [InlineData(new[] { 20, 40 }, 32, new[] { 2, 2 }, new[] { 5, 5 })]
    [InlineData(new[] { 3, 20, 40 }, 8, new[] { 1, 5, 5 }, new[] { 3, 10, 10 })]
    [InlineData(new[] { 1, 534, 800 }, 250, new[] { 0, 20, 20 }, new[] { 1, 41, 41 })]
    public void RegularGrid_SkimageDocExamples_SameSlices(int[] shape, int n, int[] starts, int[] steps)
    {
        var grid = Slic.RegularGrid(shape, n);

        Assert.Equal(starts, grid.Select(g => g.Start));
        Assert.Equal(steps, grid.Select(g => g.Step));
    }

    [Fact]
    public void Segment_Connected_EveryRegionIsOneComponent()
    {
        RgbImage image = ClassicalReference.Photo("dog");

        RegionMap map = Slic.Segment(image, new SlicOptions { NSegments = 300 });

        RegionMap components = ConnectedComponents.Label(map.Labels, map.Width, map.Height,
            new ConnectedComponentsOptions { Connectivity = Connectivity.Four, Background = null });
        Assert.Equal(map.RegionCount, components.RegionCount);
    }

    [Fact]
    public void Segment_SameInputAnyThreadCount_SameLabels()
    {
        RgbImage image = ClassicalReference.Photo("groceries");

        RegionMap one = Slic.Segment(image, new SlicOptions { NSegments = 400, MaxDegreeOfParallelism = 1 });
        RegionMap many = Slic.Segment(image, new SlicOptions { NSegments = 400, MaxDegreeOfParallelism = 3 });

        Assert.Equal(one.Labels, many.Labels);
    }

    [Theory]
    [InlineData(0, 10.0, 10)]
    [InlineData(100, 0.0, 10)]
    [InlineData(100, 10.0, 0)]
    public void Segment_InvalidOptions_Throws(int nSegments, double compactness, int iterations)
    {
        var options = new SlicOptions { NSegments = nSegments, Compactness = compactness, MaxNumIter = iterations };
        Assert.Throws<ArgumentOutOfRangeException>(() => Slic.Segment(new RgbImage(4, 4), options));
    }
}
