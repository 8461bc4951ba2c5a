// Instance post-processing of 100 detections on a 1920×1080 and a 3840×2748 image, for both mask kinds:
//  - Mask R-CNN (ONNX-zoo contract): 100 boxes with 28×28 probability masks pasted into the image as torchvision's
//    paste_masks_in_image does (the torchvision export pastes inside its graph, so its post-processing is this
//    thresholding of already-pasted masks plus cropping);
//  - YOLO-seg: output0 [1,116,8400] with 100 anchors above the score threshold (class NMS keeps them all) and
//    prototypes [1,32,160,160]: NMS, box scaling, coefficients · prototypes, bilinear upsampling to the image,
//    cropping to the box, threshold.
// Boxes are 2 %..40 % of the image side (seeded), as objects in photos are. Inputs are built once in GlobalSetup.
// Target: ≤ 50 ms at 3840×2748 (a C# peer is reported to take 4 s).
using BenchmarkDotNet.Attributes;
using SegKit.Instance;
using SegKit.Masks;

namespace SegKit.Benchmarks.Instance;

[MemoryDiagnoser]
public class InstancePostprocessBenchmarks
{
    private const int Detections = 100;

    [Params("1920x1080", "3840x2748")]
    public string Image { get; set; } = "";

    private int _width, _height;
    private RunSettings _settings = null!;
    private float[] _zooBoxes = [], _zooScores = [], _zooMasks = [];
    private long[] _zooLabels = [];
    private float[] _yoloOutput0 = [], _yoloProtos = [];
    private YoloLetterbox _letterbox;
    private IReadOnlyDictionary<int, string> _names = null!;
    private List<InstanceDetection> _result = [];

    [GlobalSetup]
    public void Setup()
    {
        var parts = Image.Split('x');
        _width = int.Parse(parts[0]);
        _height = int.Parse(parts[1]);
        _settings = new RunSettings(new InstanceSegmenterOptions { ScoreThreshold = 0.25f, MaxDetections = 300 }, null);
        _names = CocoCategories.Coco80.Select((n, i) => (n, i)).ToDictionary(t => t.i, t => t.n);
        var rng = new Random(1234);

        // Mask R-CNN: boxes in the zoo's resized frame (ratio 1 here: the boxes are in image pixels).
        _zooBoxes = new float[4 * Detections];
        _zooScores = new float[Detections];
        _zooLabels = new long[Detections];
        _zooMasks = new float[Detections * 28 * 28];
        for (int i = 0; i < Detections; i++)
        {
            var b = RandomBox(rng, _width, _height);
            (_zooBoxes[4 * i], _zooBoxes[4 * i + 1], _zooBoxes[4 * i + 2], _zooBoxes[4 * i + 3]) = (b.X1, b.Y1, b.X2, b.Y2);
            _zooScores[i] = 0.99f - i * 0.005f;
            _zooLabels[i] = 1 + i % 80;
            // A soft blob: probability 1 − r² over the 28×28 grid, off-centre.
            float cx = 10 + (float)rng.NextDouble() * 8, cy = 10 + (float)rng.NextDouble() * 8;
            for (int y = 0; y < 28; y++)
                for (int x = 0; x < 28; x++)
                {
                    float dx = (x - cx) / 12, dy = (y - cy) / 12;
                    _zooMasks[i * 784 + y * 28 + x] = Math.Clamp(1 - dx * dx - dy * dy, 0, 1);
                }
        }

        // YOLO: 100 anchors over threshold (distinct classes where boxes overlap so NMS keeps them), the rest near 0.
        const int nc = 80, nm = 32, anchors = 8400;
        _letterbox = YoloLetterbox.Compute(_width, _height, 640, 640);
        _yoloOutput0 = new float[(4 + nc + nm) * anchors];
        for (int a = 0; a < anchors; a++)
            for (int c = 0; c < nc; c++)
                _yoloOutput0[(4 + c) * anchors + a] = 0.01f;
        for (int i = 0; i < Detections; i++)
        {
            int a = i * (anchors / Detections);
            var b = RandomBox(rng, _letterbox.NewWidth, _letterbox.NewHeight);
            _yoloOutput0[a] = (b.X1 + b.X2) / 2 + _letterbox.Left;
            _yoloOutput0[anchors + a] = (b.Y1 + b.Y2) / 2 + _letterbox.Top;
            _yoloOutput0[2 * anchors + a] = b.Width;
            _yoloOutput0[3 * anchors + a] = b.Height;
            _yoloOutput0[(4 + i % nc) * anchors + a] = 0.9f - i * 0.005f;
            for (int k = 0; k < nm; k++)
                _yoloOutput0[(4 + nc + k) * anchors + a] = (float)(rng.NextDouble() * 2 - 1);
        }
        _yoloProtos = new float[nm * 160 * 160];
        for (int k = 0; k < nm; k++)
            for (int y = 0; y < 160; y++)
                for (int x = 0; x < 160; x++)
                    _yoloProtos[(k * 160 + y) * 160 + x] = MathF.Sin(x * 0.05f * (k % 5 + 1) + k) * MathF.Cos(y * 0.04f * (k % 7 + 1) - k);

        _result = MaskRcnnPaste100();
        if (_result.Count != Detections || YoloSeg100().Count != Detections)
            throw new InvalidOperationException("benchmark inputs should give exactly 100 instances");
    }

    private static BoxXyxy RandomBox(Random rng, int width, int height)
    {
        float w = width * (0.02f + 0.38f * (float)rng.NextDouble()), h = height * (0.02f + 0.38f * (float)rng.NextDouble());
        float x = (float)rng.NextDouble() * (width - w), y = (float)rng.NextDouble() * (height - h);
        return new BoxXyxy(x, y, x + w, y + h);
    }

    [Benchmark(Description = "Mask R-CNN: paste 100 28x28 masks")]
    public List<InstanceDetection> MaskRcnnPaste100() =>
        OnnxZooMaskRcnnRunner.Postprocess(_zooBoxes, _zooLabels, _zooScores, _zooMasks, 28, 1.0, _width, _height, _settings, "bench");

    [Benchmark(Description = "YOLO-seg: NMS + 100 prototype masks")]
    public List<InstanceDetection> YoloSeg100() =>
        YoloSegRunner.Postprocess(_yoloOutput0, [1, 116, 8400], _yoloProtos, [1, 32, 160, 160], false, _letterbox,
            _width, _height, _settings, _names, "bench");

    [Benchmark(Description = "COCO RLE strings of 100 masks")]
    public int Rle100()
    {
        int n = 0;
        foreach (var d in _result) n += d.ToRle().ToCompressedString().Length;
        return n;
    }
}

/// <summary>
/// The CLI's per-image work around the model for a YOLO export on truck.jpg (1800×1200): letterbox into the
/// 640×640 input tensor, and writing the 16-bit instance-id map as PNG (zlib level 6 vs 1).
/// </summary>
[MemoryDiagnoser]
public class InstanceIoBenchmarks
{
    private SegKit.Imaging.RgbImage _photo = null!;
    private YoloLetterbox _box;
    private SegKit.Imaging.Gray16Image _ids = null!;

    [GlobalSetup]
    public void Setup()
    {
        _photo = SegKit.Imaging.ImageDecoder.DecodeRgb(BenchPaths.SharedImage("truck.jpg"));
        _box = YoloLetterbox.Compute(_photo.Width, _photo.Height, 640, 640);
        _ids = new SegKit.Imaging.Gray16Image(_photo.Width, _photo.Height);
        var rng = new Random(3);
        for (int k = 100; k >= 1; k--)
        {
            int w = rng.Next(50, 700), h = rng.Next(50, 500), x = rng.Next(0, _photo.Width - w), y = rng.Next(0, _photo.Height - h);
            for (int r = y; r < y + h; r++)
                for (int c = x; c < x + w; c++)
                    if (((c - x - w / 2) * (c - x - w / 2)) * h * h + ((r - y - h / 2) * (r - y - h / 2)) * w * w < w * w * h * h / 4)
                        _ids.Data[r * _photo.Width + c] = (ushort)k;
        }
    }

    [Benchmark(Description = "YOLO letterbox 1800x1200 -> 640x640 tensor")]
    public float[] Letterbox() => _box.ToTensor(_photo);

    [Benchmark(Description = "Instance-id PNG 1800x1200, zlib 6")]
    public int IdPng6() => SegKit.Imaging.PngEncoder.Encode(_ids).Length;

    [Benchmark(Description = "Instance-id PNG 1800x1200, zlib 1")]
    public int IdPng1() => SegKit.Imaging.PngEncoder.Encode(_ids, new SegKit.Imaging.PngEncoderOptions { CompressionLevel = 1 }).Length;
}
