using System.Text.Json;
using SegKit.Classical;
using SegKit.Cli;
using SegKit.Imaging;
using SegKit.Tests.TestSupport;

namespace SegKit.Tests.Cli;

public class SegmentCommandTests
{
    [Fact]
    public void Segment_BundledPhoto_WritesRegionMapEqualToLibraryAndJson()
    {
        string photo = Path.Combine(TestPaths.RepoRoot, "samples", "dog.jpg");
        string output = TestPaths.NewTempDir();
        var (code, stdout, _) = CliRunner.Run("segment", photo, "--out", output, "--json");
        Assert.Equal(ExitCodes.Ok, code);

        var expected = Felzenszwalb.Segment(ImageDecoder.DecodeRgb(photo), new FelzenszwalbOptions { Scale = 500, Sigma = 0.8, MinSize = 200 });
        var ids = PngDecoder.ReadGray16(Path.Combine(output, "dog.regions.png"));
        Assert.Equal((expected.Width, expected.Height), (ids.Width, ids.Height));
        Assert.Equal(expected.Labels, ids.Data.Select(v => (int)v).ToArray());

        using var doc = JsonDocument.Parse(stdout);
        var img = doc.RootElement.GetProperty("images")[0];
        Assert.Equal(expected.RegionCount, img.GetProperty("region_count").GetInt32());
        Assert.Equal(expected.GetRegionSizes(), img.GetProperty("sizes").EnumerateArray().Select(e => e.GetInt32()).ToArray());
        Assert.True(File.Exists(Path.Combine(output, "dog.colored.png")));
        Assert.Equal(800, ImageDecoder.DecodeRgb(Path.Combine(output, "dog.overlay.jpg")).Width);
    }

    [Fact]
    public void Segment_Slic_UsesSlicOptions()
    {
        string photo = Path.Combine(TestPaths.RepoRoot, "samples", "dog.jpg");
        string output = TestPaths.NewTempDir();
        var (code, stdout, _) = CliRunner.Run("segment", photo, "--method", "slic", "--n-segments", "50", "--out", output, "--json");
        Assert.Equal(ExitCodes.Ok, code);
        var expected = Slic.Segment(ImageDecoder.DecodeRgb(photo), new SlicOptions { NSegments = 50 });
        using var doc = JsonDocument.Parse(stdout);
        Assert.Equal(expected.RegionCount, doc.RootElement.GetProperty("images")[0].GetProperty("region_count").GetInt32());
    }

    [Theory]
    [InlineData("--scale", "-3", "--scale -3: Felzenszwalb scale must be a finite number > 0")]
    [InlineData("--method", "watershed", "watershed")]
    // σ = 1e6 ran for a quarter of an hour (a 8-million-tap kernel) and ignored SIGTERM.
    [InlineData("--sigma", "1e6", "--sigma 1000000: Felzenszwalb sigma must be 0 to 100 pixels")]
    // A value not of the option's type named .NET's type ('System.Nullable`1[System.Double]').
    [InlineData("--sigma", "inf", "Cannot parse argument 'inf' for option '--sigma' as expected type 'a number'")]
    public void Segment_BadOption_IsUsageError(string option, string value, string expected)
    {
        var (code, _, err) = CliRunner.Run("segment", "x.jpg", option, value);
        Assert.Equal(ExitCodes.UsageError, code);
        Assert.Contains(expected, err, StringComparison.OrdinalIgnoreCase);
    }

    // The other method's options were silently ignored: --method slic --scale 50 ran SLIC with its defaults.
    [Theory]
    [InlineData("slic", "--scale", "50", "--scale is a felzenszwalb option; --method is slic")]
    [InlineData("slic", "--min-size", "10", "--min-size is a felzenszwalb option; --method is slic")]
    [InlineData("felzenszwalb", "--n-segments", "10", "--n-segments is a slic option; --method is felzenszwalb")]
    [InlineData("felzenszwalb", "--compactness", "3", "--compactness is a slic option; --method is felzenszwalb")]
    public void Segment_OptionOfTheOtherMethod_IsUsageError(string method, string option, string value, string expected)
    {
        string photo = Path.Combine(TestPaths.RepoRoot, "samples", "dog.jpg");
        string output = TestPaths.NewTempDir();
        var (code, _, err) = CliRunner.Run("segment", photo, "--method", method, option, value, "--out", output);
        Assert.Equal(ExitCodes.UsageError, code);
        Assert.Contains(expected, err);
        Assert.Empty(Directory.EnumerateFileSystemEntries(output));
        // --sigma is both methods' option.
        Assert.Equal(ExitCodes.Ok, CliRunner.Run("segment", photo, "--method", method, "--sigma", "0.5", "--out", output).Code);
    }

    // σ below 1e-15 is no smoothing in scipy (and in SegKit's Gaussian); SLIC's depth axis read a tap of the empty
    // kernel (IndexOutOfRangeException, exit 70).
    [Fact]
    public void Segment_SlicWithSigmaBelowScipysCutoff_SameAsNoSmoothing()
    {
        var image = ImageDecoder.DecodeRgb(Path.Combine(TestPaths.RepoRoot, "samples", "dog.jpg"));
        var tiny = Slic.Segment(image, new SlicOptions { NSegments = 50, Sigma = 1e-20 });
        var none = Slic.Segment(image, new SlicOptions { NSegments = 50, Sigma = 0 });
        Assert.Equal(none.Labels, tiny.Labels);
    }

    // An image whose outputs were made with other settings was "already done": `--scale 50` after a run at 500 kept the
    // 500 outputs. The run now redoes it and says why; the same settings again skip it.
    [Fact]
    public void Segment_RerunWithOtherSettings_RedoesAndSaysWhy()
    {
        string photo = Path.Combine(TestPaths.RepoRoot, "samples", "dog.jpg");
        string output = TestPaths.NewTempDir();
        Assert.Equal(ExitCodes.Ok, CliRunner.Run("segment", photo, "--scale", "500", "--out", output).Code);
        var (code, json, err) = CliRunner.Run("segment", photo, "--scale", "50", "--out", output, "--json");
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("were made with other settings; every image is redone. Now: algorithm: felzenszwalb scale=50 sigma=0.8 min_size=200", err);
        var expected = Felzenszwalb.Segment(ImageDecoder.DecodeRgb(photo), new FelzenszwalbOptions { Scale = 50, MinSize = 200 });
        using (var doc = JsonDocument.Parse(json))
        {
            Assert.Equal("done", doc.RootElement.GetProperty("images")[0].GetProperty("status").GetString());
            Assert.Equal(expected.RegionCount, doc.RootElement.GetProperty("images")[0].GetProperty("region_count").GetInt32());
        }
        var (_, json2, err2) = CliRunner.Run("segment", photo, "--scale", "50", "--out", output, "--json");
        Assert.DoesNotContain("other settings", err2);
        using var doc2 = JsonDocument.Parse(json2);
        Assert.Equal("skipped", doc2.RootElement.GetProperty("images")[0].GetProperty("status").GetString());
    }

    // other/dog.jpg after dog.jpg into one --out was "already done", and dog.json still described the first photo.
    [Fact]
    public void Segment_AnotherPhotoWithTheSameStem_Redone()
    {
        string dir = TestPaths.NewTempDir();
        string first = Path.Combine(dir, "dog.jpg"), second = Path.Combine(dir, "other", "dog.jpg");
        Directory.CreateDirectory(Path.GetDirectoryName(second)!);
        File.Copy(TestPaths.SharedImage("dog.jpg"), first);
        File.Copy(TestPaths.SharedImage("groceries.jpg"), second);
        string output = Path.Combine(dir, "out");
        Assert.Equal(ExitCodes.Ok, CliRunner.Run("segment", first, "--out", output).Code);
        var (code, json, err) = CliRunner.Run("segment", second, "--out", output, "--json");
        Assert.True(code == ExitCodes.Ok, err);
        using (var doc = JsonDocument.Parse(json))
            Assert.Equal("done", doc.RootElement.GetProperty("images")[0].GetProperty("status").GetString());
        using (var marker = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "dog.json"))))
            Assert.Equal(second, marker.RootElement.GetProperty("source").GetString());
        var (_, json2, _) = CliRunner.Run("segment", second, "--out", output, "--json");
        using var doc2 = JsonDocument.Parse(json2);
        Assert.Equal("skipped", doc2.RootElement.GetProperty("images")[0].GetProperty("status").GetString());
    }

    // A photo whose EXIF orientation (6: rotate 90° clockwise) swaps its sides.
    private static string TaggedDog()
    {
        string path = Path.Combine(TestPaths.NewTempDir(), "dog.jpg");
        File.WriteAllBytes(path, ExifJpeg.WithOrientation(File.ReadAllBytes(Path.Combine(TestPaths.RepoRoot, "samples", "dog.jpg")),
            ExifOrientation.Rotate90Clockwise));
        return path;
    }

    // By default the orientation tag is applied (the upright 534×800 photo); --ignore-exif-orientation keeps the stored
    // 800×534 pixels, as PIL's Image.open().convert() does, and the regions are those of the untagged photo.
    [Fact]
    public void Segment_PhotoWithExifOrientation_UprightByDefaultStoredFrameWithIgnoreExifOrientation()
    {
        string photo = TaggedDog();
        Assert.Equal(ExifOrientation.Rotate90Clockwise, JpegDecoder.ReadInfo(File.ReadAllBytes(photo)).Orientation);
        foreach (var (flag, size) in new[] { ((string?)null, (534, 800)), ("--ignore-exif-orientation", (800, 534)) })
        {
            string output = TestPaths.NewTempDir();
            string[] args = ["segment", photo, "--out", output, "--json", .. flag is null ? Array.Empty<string>() : [flag]];
            var (code, stdout, stderr) = CliRunner.Run(args);
            Assert.True(code == ExitCodes.Ok, stderr);
            var ids = PngDecoder.ReadGray16(Path.Combine(output, "dog.regions.png"));
            Assert.Equal(size, (ids.Width, ids.Height));
            using (var doc = JsonDocument.Parse(stdout))
            {
                var img = doc.RootElement.GetProperty("images")[0];
                Assert.Equal(size, (img.GetProperty("width").GetInt32(), img.GetProperty("height").GetInt32()));
            }
            using (var marker = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "dog.json"))))
                Assert.Equal(size, (marker.RootElement.GetProperty("width").GetInt32(), marker.RootElement.GetProperty("height").GetInt32()));
            if (flag is not null)
            {
                var untagged = ImageDecoder.DecodeRgb(Path.Combine(TestPaths.RepoRoot, "samples", "dog.jpg"));
                var expected = Felzenszwalb.Segment(untagged, new FelzenszwalbOptions { Scale = 500, Sigma = 0.8, MinSize = 200 });
                Assert.Equal(expected.Labels, ids.Data.Select(v => (int)v).ToArray());
            }
        }
    }

    // The frame is one of a folder run's settings: a run with --ignore-exif-orientation after one without redoes the
    // photo and names the setting, and so does a run without it after one with it; a run without the option writes no
    // such line, so folders made before the option existed are not redone.
    [Fact]
    public void Segment_IgnoreExifOrientationGivenThenDropped_RedoesAndNamesTheSetting()
    {
        string photo = TaggedDog();
        string output = TestPaths.NewTempDir();
        (int W, int H) RegionsSize()
        {
            var ids = PngDecoder.ReadGray16(Path.Combine(output, "dog.regions.png"));
            return (ids.Width, ids.Height);
        }
        string Status(string json)
        {
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.GetProperty("images")[0].GetProperty("status").GetString()!;
        }

        Assert.Equal(ExitCodes.Ok, CliRunner.Run("segment", photo, "--out", output).Code);
        Assert.DoesNotContain("exif", File.ReadAllText(Path.Combine(output, ".segkit-settings")));
        Assert.Equal((534, 800), RegionsSize());

        var (code, json, err) = CliRunner.Run("segment", photo, "--out", output, "--ignore-exif-orientation", "--json");
        Assert.True(code == ExitCodes.Ok, err);
        Assert.Contains("were made with other settings; every image is redone. Now: exif orientation: ignored", err);
        Assert.Equal("done", Status(json));
        Assert.Equal((800, 534), RegionsSize());
        Assert.Contains("exif orientation: ignored\n", File.ReadAllText(Path.Combine(output, ".segkit-settings")));
        var (_, same, sameErr) = CliRunner.Run("segment", photo, "--out", output, "--ignore-exif-orientation", "--json");
        Assert.DoesNotContain("other settings", sameErr);
        Assert.Equal("skipped", Status(same));

        (code, json, err) = CliRunner.Run("segment", photo, "--out", output, "--json");
        Assert.True(code == ExitCodes.Ok, err);
        Assert.Contains("were made with other settings; every image is redone. Now: (no longer 'exif orientation: ignored')", err);
        Assert.Equal("done", Status(json));
        Assert.Equal((534, 800), RegionsSize());
    }
}
