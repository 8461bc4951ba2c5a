// Benchmarks for SegKit.Classical on the photos and parameters of tools/fixtures/classical_reference.py.
// Compare with tools/bench/classical_reference.py (scikit-image / OpenCV on the same inputs, 2 threads).
// Inputs are the fixture's PIL-decoded .npy arrays (run the Classical tests once, or the fixture script, first).
using BenchmarkDotNet.Attributes;
using SegKit.Classical;
using SegKit.Imaging;

namespace SegKit.Benchmarks.Classical;

[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class ClassicalBenchmarks
{
    private RgbImage _image = null!;
    private RectXywh _box;

    /// <summary>Photo name in the fixture folder.</summary>
    [Params("truck", "dog", "groceries")]
    public string Photo { get; set; } = "dog";

    /// <summary>Threads given to SegKit (the Python reference is timed with 2).</summary>
    [Params(2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _image = NpyImage.Load(Path.Combine(FixtureFolder(), Photo + ".rgb.npy"));
        _box = Photo switch
        {
            "truck" => new RectXywh(80, 270, 1650, 590),
            "dog" => new RectXywh(2, 215, 430, 317),
            _ => new RectXywh(360, 105, 290, 245),
        };
    }

    [Benchmark]
    public RegionMap FelzenszwalbA() => Felzenszwalb.Segment(_image,
        new FelzenszwalbOptions { Scale = 100, Sigma = 0.8, MinSize = 50, MaxDegreeOfParallelism = Threads });

    [Benchmark]
    public RegionMap FelzenszwalbB() => Felzenszwalb.Segment(_image,
        new FelzenszwalbOptions { Scale = 400, Sigma = 0.5, MinSize = 200, MaxDegreeOfParallelism = Threads });

    [Benchmark]
    public RegionMap SlicA() => Slic.Segment(_image,
        new SlicOptions { NSegments = 250, Compactness = 10, Sigma = 1, MaxDegreeOfParallelism = Threads });

    [Benchmark]
    public RegionMap SlicB() => Slic.Segment(_image,
        new SlicOptions { NSegments = 1000, Compactness = 20, MaxDegreeOfParallelism = Threads });

    [Benchmark]
    public GrabCutResult GrabCutBox() => GrabCut.Segment(_image, _box,
        new GrabCutOptions { Iterations = 5, MaxDegreeOfParallelism = Threads });

    private static string FixtureFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, ".cache", "fixtures", "classical_reference");
            if (File.Exists(Path.Combine(candidate, "DONE"))) return candidate;
        }
        throw new DirectoryNotFoundException(
            ".cache/fixtures/classical_reference not found above " + AppContext.BaseDirectory +
            "; run /usr/bin/python3 tools/fixtures/classical_reference.py --out .cache/fixtures/classical_reference");
    }
}

/// <summary>Reads a uint8 (H, W, 3) .npy written by numpy into an <see cref="RgbImage"/>.</summary>
internal static class NpyImage
{
    public static RgbImage Load(string path)
    {
        byte[] all = File.ReadAllBytes(path);
        int headerLen = all[6] == 1 ? BitConverter.ToUInt16(all, 8) : BitConverter.ToInt32(all, 8);
        int offset = all[6] == 1 ? 10 : 12;
        string header = System.Text.Encoding.Latin1.GetString(all, offset, headerLen);
        if (!header.Contains("'|u1'")) throw new InvalidDataException($"{path}: expected uint8 data, header {header}");
        int open = header.IndexOf('(', header.IndexOf("'shape'", StringComparison.Ordinal)), close = header.IndexOf(')', open);
        int[] shape = header[(open + 1)..close].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(int.Parse).ToArray();
        if (shape.Length != 3 || shape[2] != 3) throw new InvalidDataException($"{path}: expected (H, W, 3), got ({string.Join(", ", shape)})");
        return new RgbImage(shape[1], shape[0], all[(offset + headerLen)..]);
    }
}
