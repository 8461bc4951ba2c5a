// The instance segmenter: loads a model, picks the contract it fits (or the one forced), and runs that contract's
// runner. Runners live beside their contract files: TorchvisionMaskRcnnRunner.cs, OnnxZooMaskRcnnRunner.cs,
// YoloSegRunner.cs.
using System.Diagnostics;
using SegKit.Imaging;
using SegKit.Models;
using SegKit.Onnx;

namespace SegKit.Instance;

/// <summary>
/// An instance segmentation model: image in, one mask, box, class and score per object out. Supports the
/// torchvision Mask R-CNN export, the ONNX-zoo Mask R-CNN and Ultralytics YOLOv8/YOLO11-seg exports (plain and
/// end-to-end), recognised from the model's inputs, outputs and metadata. Thread-safe: one segmenter may serve
/// concurrent <see cref="Segment(RgbImage)"/> calls.
/// </summary>
public sealed class InstanceSegmenter : IDisposable
{
    private static readonly ModelContractKind[] s_instanceKinds =
    [
        ModelContractKind.TorchvisionMaskRcnn, ModelContractKind.OnnxZooMaskRcnn,
        ModelContractKind.YoloSeg, ModelContractKind.YoloSegEndToEnd,
    ];

    private readonly InferenceSession _session;
    private readonly InstanceRunner _runner;
    private readonly RunSettings _settings;

    private InstanceSegmenter(InferenceSession session, InstanceRunner runner, RunSettings settings, string modelName)
    {
        _session = session;
        _runner = runner;
        _settings = settings;
        ModelName = modelName;
    }

    /// <summary>The model file name.</summary>
    public string ModelName { get; }

    /// <summary>The contract in use.</summary>
    public ModelContractKind Format => _runner.Kind;

    /// <summary>The model's class names by class id.</summary>
    public IReadOnlyDictionary<int, string> ClassNames => _runner.ClassNames;

    /// <summary>The options given at load.</summary>
    public InstanceSegmenterOptions Options => _settings.Options;

    /// <summary>The instance contracts and what each expects, one line each (for messages and <c>--help</c>).</summary>
    public static IReadOnlyList<string> ContractDescriptions { get; } =
        s_instanceKinds.Select(k => $"{k}: {ModelContracts.Describe(k)}").ToArray();

    /// <summary>
    /// Loads <paramref name="modelPath"/> and chooses its contract: <see cref="InstanceSegmenterOptions.Format"/> when
    /// set, otherwise the instance contract the model's inputs, outputs and metadata fit.
    /// </summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="ModelContractException">The model fits no instance contract (the message lists what was found
    /// and what each contract expects), or does not fit the forced one.</exception>
    /// <exception cref="SegKitException">The class filter names a class the model does not have.</exception>
    public static InstanceSegmenter Load(string modelPath, InstanceSegmenterOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(modelPath);
        options ??= InstanceSegmenterOptions.Default;
        if (Directory.Exists(modelPath))
            throw new FileNotFoundException($"model {modelPath} is a folder; an ONNX model file is expected", modelPath);
        if (!File.Exists(modelPath))
            throw new FileNotFoundException($"model file not found: {modelPath}", modelPath);
        var session = InferenceSession.FromFile(modelPath, new SessionOptions { IntraOpThreads = options.Threads });
        try
        {
            string name = Path.GetFileName(modelPath);
            var signature = ModelSignature.Of(session);
            ModelContractKind kind = Choose(signature, options.Format, name);
            InstanceRunner runner = kind switch
            {
                ModelContractKind.TorchvisionMaskRcnn => new TorchvisionMaskRcnnRunner(session, signature, name, TorchvisionMaskRcnnRunner.ReadResizeLimits(modelPath)),
                ModelContractKind.OnnxZooMaskRcnn => new OnnxZooMaskRcnnRunner(session, signature, name),
                _ => new YoloSegRunner(session, signature, name, endToEnd: kind == ModelContractKind.YoloSegEndToEnd),
            };
            HashSet<int>? allowed = options.ClassFilter?.Resolve(runner.ClassNames, name);
            return new InstanceSegmenter(session, runner, new RunSettings(options, allowed), name);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    private static ModelContractKind Choose(ModelSignature signature, ModelContractKind? forced, string model)
    {
        if (forced is { } f)
        {
            if (!s_instanceKinds.Contains(f))
                throw new ModelContractException(model, null, $"format {f} is not an instance contract; use one of {string.Join(", ", s_instanceKinds)}");
            return f;
        }
        var match = ModelContracts.Identify(signature).FirstOrDefault(m => m.Task == "instance");
        if (match is not null) return match.Kind;
        string meta = signature.CustomMetadata.Count == 0 ? "none" : string.Join(", ", signature.CustomMetadata.Keys.Order(StringComparer.Ordinal));
        throw new ModelContractException(model, null,
            $"fits no instance contract. Found inputs {Describe(signature.Inputs)}; outputs {Describe(signature.Outputs)}; metadata keys {meta}. " +
            "Expected one of: " + string.Join("; ", ContractDescriptions) + ". Force one with --format if the model fits its tensors.");
    }

    internal static string Describe(IReadOnlyList<NodeInfo> nodes) => nodes.Count == 0 ? "none" : string.Join(", ", nodes.Select(n => n.ToString()));

    /// <summary>Decodes <paramref name="imagePath"/> (JPEG or PNG, EXIF orientation applied) and segments it.</summary>
    public InstanceResult Segment(string imagePath, ImageDecoderOptions? decoderOptions = null)
    {
        long start = Stopwatch.GetTimestamp();
        RgbImage image = ImageDecoder.DecodeRgb(imagePath, decoderOptions);
        double decodeMs = StageTimings.Since(start);
        InstanceResult result = Segment(image);
        result.Timings.DecodeMs = decodeMs;
        return result;
    }

    /// <summary>
    /// Segments <paramref name="image"/> (not modified): instances by decreasing score, boxes and masks in the
    /// image's pixels.
    /// </summary>
    public InstanceResult Segment(RgbImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var timings = new StageTimings();
        var instances = _runner.Run(image, _settings, timings);
        return new InstanceResult(image.Width, image.Height, instances, _runner.Kind, timings);
    }

    /// <summary>Releases the ONNX Runtime session. Safe to call twice.</summary>
    public void Dispose() => _session.Dispose();
}

/// <summary>Options with the class filter resolved to ids (null = every class).</summary>
internal sealed record RunSettings(InstanceSegmenterOptions Options, HashSet<int>? AllowedClasses)
{
    public bool Allows(int classId) => AllowedClasses is null || AllowedClasses.Contains(classId);
}

/// <summary>One contract's pipeline: preprocess, run the session, post-process into detections.</summary>
internal abstract class InstanceRunner
{
    protected InstanceRunner(InferenceSession session, string model)
    {
        Session = session;
        Model = model;
    }

    protected InferenceSession Session { get; }

    protected string Model { get; }

    public abstract ModelContractKind Kind { get; }

    public abstract IReadOnlyDictionary<int, string> ClassNames { get; }

    public abstract List<InstanceDetection> Run(RgbImage image, RunSettings settings, StageTimings timings);

    /// <summary>Class name for an id, "class N" when the model does not name it.</summary>
    public static string NameOf(IReadOnlyDictionary<int, string> names, int id) =>
        names.TryGetValue(id, out var n) ? n : $"class {id}";

    /// <summary>Planar RGB float32 [3, H, W] with value / 255 (torchvision's to_tensor).</summary>
    protected static float[] ToPlanarRgb01(RgbImage image, float[]? into = null, int planeWidth = 0, int planeHeight = 0, int offsetX = 0, int offsetY = 0)
    {
        int w = image.Width, h = image.Height;
        if (into is null)
        {
            into = new float[3L * w * h];
            planeWidth = w;
            planeHeight = h;
        }
        int plane = planeWidth * planeHeight;
        byte[] src = image.Data;
        float[] dst = into;
        Parallel.For(0, h, y =>
        {
            int s = y * w * 3, d = (y + offsetY) * planeWidth + offsetX;
            for (int x = 0; x < w; x++, s += 3, d++)
            {
                dst[d] = src[s] / 255f;
                dst[plane + d] = src[s + 1] / 255f;
                dst[2 * plane + d] = src[s + 2] / 255f;
            }
        });
        return into;
    }

    /// <summary>Indices i (score &gt; threshold, class allowed) in decreasing score order (stable), at most max.</summary>
    protected static int[] SelectTop(ReadOnlySpan<float> scores, ReadOnlySpan<long> labels, RunSettings settings)
    {
        var keep = new List<int>();
        for (int i = 0; i < scores.Length; i++)
            if (scores[i] > settings.Options.ScoreThreshold && labels[i] is >= int.MinValue and <= int.MaxValue && settings.Allows((int)labels[i]))
                keep.Add(i);
        float[] s = scores.ToArray();
        return keep.OrderByDescending(i => s[i]).Take(settings.Options.MaxDetections).ToArray();
    }

    /// <summary>"[1,116,8400]".</summary>
    protected static string FormatShape(ReadOnlySpan<long> shape) => "[" + string.Join(",", shape.ToArray()) + "]";

    /// <summary>Clips a box to the image.</summary>
    protected static Masks.BoxXyxy ClipToImage(Masks.BoxXyxy b, int width, int height) => new(
        Math.Clamp(b.X1, 0, width), Math.Clamp(b.Y1, 0, height), Math.Clamp(b.X2, 0, width), Math.Clamp(b.Y2, 0, height));
}
