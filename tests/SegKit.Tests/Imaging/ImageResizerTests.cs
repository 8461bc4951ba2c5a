// Resizing against PIL 9.4 Image.resize (BILINEAR and NEAREST) on the shared photos, RGB and L.
using SegKit.Imaging;
using Xunit.Abstractions;

namespace SegKit.Tests.Imaging;

public sealed class ImageResizerTests(ITestOutputHelper output)
{
    public static TheoryData<string, string, string, int, int, string> ResizeCases()
    {
        var data = new TheoryData<string, string, string, int, int, string>();
        foreach (var c in PilImages.Cases("resize").EnumerateArray())
            data.Add(c.GetProperty("photo").GetString()!, c.GetProperty("mode").GetString()!, c.GetProperty("filter").GetString()!,
                c.GetProperty("width").GetInt32(), c.GetProperty("height").GetInt32(), c.GetProperty("file").GetString()!);
        return data;
    }

    [Theory]
    [MemberData(nameof(ResizeCases))]
    public void Resize_SharedPhoto_MatchesPil(string photo, string mode, string filter, int width, int height, string file)
    {
        int channels = mode == "rgb" ? 3 : 1;
        var (sh, sw, src) = PilImages.ReadU8($"photos/{photo}_{mode}.npy");
        var (_, _, expected) = PilImages.ReadU8(file);
        var actual = new byte[width * height * channels];
        if (filter == "bilinear")
            ImageResizer.ResizeBilinear(src, sw, sh, channels, actual, width, height);
        else
            ImageResizer.ResizeNearest(src, sw, sh, channels, actual, width, height);

        int maxDiff = 0;
        long within1 = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            int d = Math.Abs(actual[i] - expected[i]);
            maxDiff = Math.Max(maxDiff, d);
            if (d <= 1) within1++;
        }
        double fraction = (double)within1 / actual.Length;
        output.WriteLine($"{file}: max |diff| {maxDiff}, within ±1 {fraction:P4}");
        if (filter == "nearest")
            PilImages.AssertBytesEqual(expected, actual, file);
        else
        {
            // Same fixed-point algorithm as PIL, so we expect (and assert) bit-exact output.
            Assert.True(fraction >= 0.999, $"{file}: only {fraction:P4} within ±1");
            PilImages.AssertBytesEqual(expected, actual, file);
        }
    }

    [Fact]
    public void ResizeBilinear_SameSize_ReturnsCopy()
    {
        var image = new RgbImage(5, 4);
        Random.Shared.NextBytes(image.Data);
        var result = ImageResizer.ResizeBilinear(image, 5, 4);
        Assert.NotSame(image.Data, result.Data);
        Assert.Equal(image.Data, result.Data);
    }

    [Fact]
    public void ResizeNearest_IndexedLabelMap_KeepsPaletteAndOnlyExistingLabels()
    {
        var labels = new IndexedImage(8, 6, Enumerable.Range(0, 48).Select(i => (byte)(i % 3 == 0 ? 255 : i % 21)).ToArray(), ColorPalette.PascalVoc);
        var resized = ImageResizer.ResizeNearest(labels, 13, 3);
        Assert.Same(labels.Palette, resized.Palette);
        Assert.Subset(labels.Indices.ToHashSet(), resized.Indices.ToHashSet());
    }

    [Theory]
    [InlineData(1800, 1200, 520, 780, 520)]
    [InlineData(800, 534, 520, 779, 520)]
    [InlineData(534, 800, 520, 520, 779)]
    [InlineData(640, 640, 520, 520, 520)]
    public void ForShorterSide_TorchvisionRule_TruncatesLongSide(int w, int h, int n, int ew, int eh)
    {
        Assert.Equal(new ImageSize(ew, eh), ImageSize.ForShorterSide(w, h, n));
        Assert.Equal(Math.Max(ew, eh), ImageSize.LongerSideFor(w, h, n));
    }

    // 520 × 100,000,000 / 1 has no int longer side: a typed argument error, not a saturated or negative size.
    [Fact]
    public void ForShorterSide_LongerSideBeyondInt_Throws()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ImageSize.ForShorterSide(1, 100_000_000, 520));
        Assert.Contains("52000000000", e.Message);
        Assert.Equal(52_000_000_000d, ImageSize.LongerSideFor(1, 100_000_000, 520));
    }

    [Theory]
    [InlineData(1800, 1200, 1024, 1024, 683)]
    [InlineData(800, 534, 1024, 1024, 684)]
    [InlineData(534, 800, 1024, 684, 1024)]
    [InlineData(1000, 1000, 1024, 1024, 1024)]
    public void ForLongestSide_SamRule_RoundsHalfUp(int w, int h, int n, int ew, int eh) =>
        Assert.Equal(new ImageSize(ew, eh), ImageSize.ForLongestSide(w, h, n));

    // int(1 · 1024/4000 + 0.5) = 0: a 1×4000 image has no SAM input frame (it crashed sam, everything and predict with
    // "image size 0×1024"); 1×2048 is the thinnest that keeps a row (int(0.5 + 0.5) = 1).
    [Fact]
    public void ForLongestSide_SideRoundingToZero_TypedError()
    {
        var e = Assert.Throws<SegKitException>(() => ImageSize.ForLongestSide(1, 4000, 1024));
        Assert.Contains("a 1×4000 image resized to a longest side of 1024 would be 0×1024: too thin", e.Message);
        Assert.Throws<SegKitException>(() => ImageSize.ForLongestSide(2049, 1, 1024));
        Assert.Equal(new ImageSize(1024, 1), ImageSize.ForLongestSide(2048, 1, 1024));
    }
}
