// Imaging benchmarks: JPEG decode of the shared photos (with a megapixels-per-second column) and
// bilinear resize 4000×3000 → shorter side 520. Compare with tools/bench/pil_imaging.py (PIL 9.4).
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using SegKit.Imaging;

namespace SegKit.Benchmarks.Imaging;

[MemoryDiagnoser]
[Config(typeof(MegapixelConfig))]
public class JpegDecodeBenchmarks
{
    [Params("truck.jpg", "dog.jpg", "groceries.jpg")]
    public string Photo { get; set; } = "";

    private byte[] _jpeg = [];

    [GlobalSetup]
    public void Setup() => _jpeg = File.ReadAllBytes(BenchPaths.SharedImage(Photo));

    [Benchmark]
    public RgbImage DecodeRgb() => JpegDecoder.DecodeRgb(_jpeg, Photo);

    private sealed class MegapixelConfig : ManualConfig
    {
        public MegapixelConfig() => AddColumn(new MegapixelsPerSecondColumn(photo =>
        {
            var info = JpegDecoder.ReadInfo(File.ReadAllBytes(BenchPaths.SharedImage(photo)));
            return (long)info.Width * info.Height;
        }));
    }
}

[MemoryDiagnoser]
public class ResizeBenchmarks
{
    private RgbImage _source = null!;
    private ImageSize _target;

    [GlobalSetup]
    public void Setup()
    {
        // A smooth synthetic 4000×3000 photo-sized image (content does not change the work done).
        _source = new RgbImage(4000, 3000);
        var d = _source.Data;
        for (int y = 0; y < 3000; y++)
            for (int x = 0; x < 4000; x++)
            {
                int i = (y * 4000 + x) * 3;
                d[i] = (byte)(x * 7 + y);
                d[i + 1] = (byte)(y * 3 ^ x);
                d[i + 2] = (byte)((x + y) * 5);
            }
        _target = ImageSize.ForShorterSide(4000, 3000, 520);
    }

    [Benchmark(Description = "Bilinear 4000x3000 -> shorter side 520 (693x520)")]
    public RgbImage BilinearShorterSide520() => ImageResizer.ResizeBilinear(_source, _target.Width, _target.Height);

    [Benchmark(Description = "Nearest 4000x3000 -> shorter side 520 (693x520)")]
    public RgbImage NearestShorterSide520() => ImageResizer.ResizeNearest(_source, _target.Width, _target.Height);
}

/// <summary>Mean throughput in megapixels per second, from the mean time and the photo's pixel count.</summary>
internal sealed class MegapixelsPerSecondColumn(Func<string, long> pixelsOfPhoto) : IColumn
{
    public string Id => nameof(MegapixelsPerSecondColumn);
    public string ColumnName => "MP/s";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => "Megapixels decoded per second (mean)";
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public bool IsAvailable(Summary summary) => true;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var stats = summary[benchmarkCase]?.ResultStatistics;
        var photo = benchmarkCase.Parameters["Photo"] as string;
        if (stats is null || photo is null) return "-";
        double seconds = stats.Mean / 1e9;
        return (pixelsOfPhoto(photo) / 1e6 / seconds).ToString("F1");
    }
}
