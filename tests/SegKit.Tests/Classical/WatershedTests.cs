using System.Text.Json;
using SegKit.Classical;
using SegKit.Imaging;
using Xunit.Abstractions;

namespace SegKit.Tests.Classical;

public sealed class WatershedTests(ITestOutputHelper output)
{
    public static TheoryData<string> SyntheticCases()
    {
        var data = new TheoryData<string>();
        foreach (JsonElement c in ClassicalReference.Params.GetProperty("watershed").EnumerateArray())
            data.Add(c.GetProperty("name").GetString()!);
        return data;
    }

    [Theory]
    [MemberData(nameof(SyntheticCases))]
    public void Segment_SyntheticImage_IdenticalToSkimage(string name)
    {
        JsonElement c = ClassicalReference.Params.GetProperty("watershed").EnumerateArray()
            .First(e => e.GetProperty("name").GetString() == name);
        string imageName = c.TryGetProperty("image", out JsonElement img) ? img.GetString()! : name;
        var (w, h, image) = ClassicalReference.Float($"{imageName}.image.npy");
        var (_, _, markers) = ClassicalReference.Labels($"{imageName}.markers.npy");
        var (_, _, expected) = ClassicalReference.Labels($"{name}.labels.npy");
        var options = new WatershedOptions
        {
            Connectivity = c.GetProperty("connectivity").GetInt32() == 1 ? Connectivity.Four : Connectivity.Eight,
            Compactness = c.GetProperty("compactness").GetDouble(),
            WatershedLine = c.GetProperty("watershed_line").GetBoolean(),
        };

        RegionMap map = Watershed.Segment(image, markers, w, h, options);

        Assert.Equal(expected, map.Labels);
    }

    [Fact]
    public void SobelGradient_Photo_MatchesSkimageSobelOfRgb2Gray()
    {
        RgbImage image = ClassicalReference.Photo("dog");
        var (_, _, reference) = ClassicalReference.Double("ws_dog.gradient.npy");

        double[] gradient = Watershed.SobelGradient(image);

        int identical = 0;
        double maxDiff = 0;
        for (int i = 0; i < gradient.Length; i++)
        {
            maxDiff = Math.Max(maxDiff, Math.Abs(gradient[i] - reference[i]));
            if (gradient[i] == reference[i]) identical++;
        }
        output.WriteLine($"dog sobel: max |Δ| {maxDiff:E2}, bit-identical {identical / (double)gradient.Length:P3}");
        Assert.True(maxDiff < 1e-12, $"gradient differs by {maxDiff}");
    }

    [Theory]
    [InlineData(Connectivity.Four, "c1")]
    [InlineData(Connectivity.Eight, "c2")]
    public void Segment_SkimageSobelOfPhoto_IdenticalToSkimage(Connectivity connectivity, string suffix)
    {
        var (w, h, gradient) = ClassicalReference.Double("ws_dog.gradient.npy");
        var (_, _, markers) = ClassicalReference.Labels("ws_dog.markers.npy");
        var (_, _, expected) = ClassicalReference.Labels($"ws_dog.labels.{suffix}.npy");

        RegionMap map = Watershed.Segment(gradient, markers, w, h, new WatershedOptions { Connectivity = connectivity });

        Assert.Equal(expected, map.Labels);
    }

    [Theory]
    [InlineData(Connectivity.Four, "c1")]
    [InlineData(Connectivity.Eight, "c2")]
    public void Segment_OwnSobelOfPhoto_IdenticalToSkimage(Connectivity connectivity, string suffix)
    {
        RgbImage image = ClassicalReference.Photo("dog");
        var (_, _, markers) = ClassicalReference.Labels("ws_dog.markers.npy");
        var (_, _, expected) = ClassicalReference.Labels($"ws_dog.labels.{suffix}.npy");

        RegionMap map = Watershed.Segment(Watershed.SobelGradient(image), markers, image.Width, image.Height,
            new WatershedOptions { Connectivity = connectivity });

        int same = 0;
        for (int i = 0; i < expected.Length; i++) if (map.Labels[i] == expected[i]) same++;
        double agreement = same / (double)expected.Length;
        output.WriteLine($"dog watershed {suffix} on SegKit's Sobel: {agreement:P4} of pixels identical, ARI {Partition.AdjustedRandIndex(map.Labels, expected):F5}");
        // The relief is bit-identical to skimage's (same tap and summation order), so the flooding is too.
        Assert.Equal(expected, map.Labels);
    }

    [Fact]
    public void Segment_TwoBasins_SplitAtTheRidge()
    {
        const int w = 9, h = 3;
        var image = new double[w * h];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                image[y * w + x] = x == 4 ? 10 : Math.Abs(x - (x < 4 ? 1 : 7));
        var markers = new int[w * h];
        markers[1 * w + 1] = 1;
        markers[1 * w + 7] = 2;

        RegionMap map = Watershed.Segment(image, markers, w, h, new WatershedOptions { WatershedLine = true });

        Assert.Equal(3, map.RegionCount);
        for (int y = 0; y < h; y++)
        {
            Assert.Equal(1, map[0, y]);
            Assert.Equal(1, map[3, y]);
            Assert.Equal(0, map[4, y]);
            Assert.Equal(2, map[5, y]);
        }
    }

    [Fact]
    public void Segment_Mask_LeavesMaskedPixelsUnlabelled()
    {
        var image = new double[16];
        var markers = new int[16];
        markers[0] = 3;
        var mask = Enumerable.Repeat((byte)1, 16).ToArray();
        mask[15] = 0;

        RegionMap map = Watershed.Segment(image, markers, 4, 4, mask: mask);

        Assert.Equal(0, map[3, 3]);
        Assert.Equal(15, map.Labels.Count(v => v == 3));
    }

    [Fact]
    public void Segment_NegativeMarker_Throws()
    {
        var markers = new int[4];
        markers[2] = -1;
        Assert.Throws<ArgumentException>(() => Watershed.Segment(new double[4], markers, 2, 2));
    }
}
