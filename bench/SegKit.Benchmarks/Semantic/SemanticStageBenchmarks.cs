using BenchmarkDotNet.Attributes;
using SegKit.Imaging;
using SegKit.Semantic;

namespace SegKit.Benchmarks.Semantic;

/// <summary>
/// Per-stage cost of semantic segmentation at the torchvision default (shorter side 520) on truck.jpg
/// (1800×1200): decode, preprocess (PIL-exact resize + normalise), inference (ORT, 2 threads),
/// postprocess (both resizes — the model's own final one, fused — to 1800×1200 + argmax), encode (palette PNG).
/// Decode, preprocess and postprocess write into the previous call's arrays, as <c>segkit semantic</c> does over a folder of
/// photos of one size (fresh arrays would add their page faults).
/// </summary>
[MemoryDiagnoser]
public class SemanticStageBenchmarks
{
    private SemanticSegmenter _segmenter = null!;
    private byte[] _jpeg = null!;
    private RgbImage _image = null!;
    private float[] _tensor = null!;
    private ImageSize _size;
    private SemanticSegmenter.ModelOutput _output;
    private SemanticResult _result = null!;

    [Params("lraspp_mobilenet_v3_large", "deeplabv3_mobilenet_v3_large")]
    public string Model { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        _segmenter = SemanticSegmenter.Load(BenchPaths.Fixture("semantic_reference", Model + ".onnx"), null,
            new SemanticSegmenterOptions { Threads = 2 });
        _jpeg = File.ReadAllBytes(BenchPaths.SharedImage("truck.jpg"));
        _image = ImageDecoder.DecodeRgb(_jpeg);
        (_tensor, _size) = _segmenter.Preprocess(_image);
        _output = _segmenter.Infer(_tensor, _size);
        _result = _segmenter.Postprocess(_output, _image.Width, _image.Height, _size, new StageTimings());
    }

    [GlobalCleanup]
    public void Cleanup() => _segmenter.Dispose();

    [Benchmark]
    public RgbImage Decode() => JpegDecoder.DecodeRgb(_jpeg, null, null, _image);

    [Benchmark]
    public float[] Preprocess()
    {
        var tensor = _segmenter.Preprocess(_image).Tensor;
        _segmenter.ReturnInputTensor(tensor); // as Segment does once ORT is done with it
        return tensor;
    }

    [Benchmark]
    public object Inference() => _segmenter.Infer(_tensor, _size);

    [Benchmark]
    public SemanticResult Postprocess() => _segmenter.Postprocess(_output, _image.Width, _image.Height, _size, new StageTimings(), _result);

    [Benchmark]
    public byte[] EncodeLabels() => PngEncoder.Encode(SemanticPictures.LabelImage(_result));
}
