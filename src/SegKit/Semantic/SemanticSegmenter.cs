// Runs a semantic model (torchvision, SegFormer, U-Net contracts or a custom preset) on an image:
//   decode → resize (PIL bilinear) → normalise into planar float [1,3,h,w] → ONNX Runtime → logits [1,C,h',w']
//   → bilinear upsample to the original size (torch F.interpolate, align_corners=False) fused with
//   argmax (sigmoid > 0.5 for one channel).
// Bringing logits back to the original size by bilinear interpolation before the argmax is what the
// reference pipelines do (HF post_process_semantic_segmentation; torchvision's own models upsample
// to their input size the same way); tools/fixtures/semantic_reference.py is the reference.
using System.Diagnostics;
using SegKit.Datasets;
using SegKit.Imaging;
using SegKit.Masks;
using SegKit.Models;
using SegKit.Onnx;

namespace SegKit.Semantic;

/// <summary>Options of a <see cref="SemanticSegmenter"/>.</summary>
public sealed class SemanticSegmenterOptions
{
    /// <summary>The defaults: ORT's thread count, no confidence, no raw logits kept.</summary>
    public static SemanticSegmenterOptions Default { get; } = new();
    /// <summary>ONNX Runtime intra-op threads (0 = ORT's default).</summary>
    public int Threads { get; init; }
    /// <summary>Replaces the preset's resize rule (e.g. a different shorter side, or none).</summary>
    public ResizePolicy? ResizeOverride { get; init; }
    /// <summary>Compute per-pixel confidence (max softmax); costs a second pass over the logits.</summary>
    public bool ComputeConfidence { get; init; }
    /// <summary>Keep the raw logits in the result (for inspection and parity tests).</summary>
    public bool KeepLogits { get; init; }
}

/// <summary>A semantic segmentation model with its preset: image in, class id per pixel out.</summary>
public sealed class SemanticSegmenter : IDisposable
{
    private readonly InferenceSession _session;
    private readonly string _inputName;
    private readonly string _outputName;
    private readonly float[][] _lut; // per tensor channel: byte value → normalised float, bit-identical to torch
    private readonly SemanticSegmenterOptions _options;
    private readonly string _modelName;

    /// <summary>The preset in use (after resolving ModelInput to the model's size).</summary>
    public SemanticPreset Preset { get; }
    /// <summary>The contract the model was recognised as, or null for a custom preset on an unrecognised model.</summary>
    public ModelContractKind? Contract { get; }
    /// <summary>The resize rule actually applied.</summary>
    public ResizePolicy Resize { get; }

    private SemanticSegmenter(InferenceSession session, string modelName, SemanticPreset preset, ModelContractKind? contract,
        ResizePolicy resize, string inputName, string outputName, SemanticSegmenterOptions options)
    {
        _session = session;
        _modelName = modelName;
        Preset = preset;
        Contract = contract;
        Resize = resize;
        _inputName = inputName;
        _outputName = outputName;
        _options = options;
        _lut = new float[3][];
        for (int c = 0; c < 3; c++)
        {
            _lut[c] = new float[256];
            for (int v = 0; v < 256; v++)
                _lut[c][v] = ((float)v / preset.PixelDivisor - preset.Mean[c]) / preset.Std[c];
        }
    }

    /// <summary>
    /// Loads <paramref name="modelPath"/>. With no preset, one is chosen from the contract the model fits
    /// (torchvision, SegFormer, U-Net); a model that fits none needs an explicit preset. The preset is
    /// checked against the model's declared input and output shapes.
    /// </summary>
    /// <exception cref="ModelContractException">The model does not fit the preset (names the tensor and shapes).</exception>
    public static SemanticSegmenter Load(string modelPath, SemanticPreset? preset = null, SemanticSegmenterOptions? options = null)
    {
        options ??= SemanticSegmenterOptions.Default;
        if (!File.Exists(modelPath))
            throw new FileNotFoundException($"model file not found: {modelPath}", modelPath);
        var session = InferenceSession.FromFile(modelPath, new SessionOptions { IntraOpThreads = options.Threads });
        try
        {
            return Create(session, modelPath, preset, options);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    private static SemanticSegmenter Create(InferenceSession session, string modelPath, SemanticPreset? preset, SemanticSegmenterOptions options)
    {
        var signature = ModelSignature.Of(session);
        var matches = ModelContracts.Identify(signature);
        var semantic = matches.FirstOrDefault(m => m.Task == "semantic");
        if (preset is null)
        {
            preset = semantic?.Kind switch
            {
                ModelContractKind.TorchvisionSemantic => SemanticPreset.Torchvision,
                ModelContractKind.SegFormer => SemanticPreset.SegFormer,
                ModelContractKind.UNet => SemanticPreset.UNet,
                _ => throw new ModelContractException(modelPath, null,
                    $"fits no semantic contract (found inputs {Describe(signature.Inputs)}, outputs {Describe(signature.Outputs)}); " +
                    "give a preset (--preset NAME or --preset-file FILE). Expected one of: " +
                    string.Join("; ", new[] { ModelContractKind.TorchvisionSemantic, ModelContractKind.SegFormer, ModelContractKind.UNet }
                        .Select(k => k + ": " + ModelContracts.Describe(k)))),
            };
        }

        if (signature.Inputs.Count != 1)
            throw new ModelContractException(modelPath, null, $"has {signature.Inputs.Count} inputs ({Describe(signature.Inputs)}); a semantic model takes one image tensor [N,3,H,W]");
        var input = signature.Inputs[0];
        if (input.ElementType != TensorElementType.Float || input.Shape.Length != 4 || input.Shape[1] is not (3 or -1) || input.Shape[0] is not (1 or -1))
            throw new ModelContractException(modelPath, input.Name, $"input {input}; preset '{preset.Name}' expects float32 [1,3,H,W]");

        NodeInfo output;
        if (preset.OutputName is not null)
        {
            output = signature.Output(preset.OutputName) ?? throw new ModelContractException(modelPath, preset.OutputName,
                $"has no output '{preset.OutputName}' (preset '{preset.Name}'); its outputs: {Describe(signature.Outputs)}");
        }
        else if (signature.Outputs.Count == 1)
        {
            output = signature.Outputs[0];
        }
        else
        {
            throw new ModelContractException(modelPath, null,
                $"has {signature.Outputs.Count} outputs ({Describe(signature.Outputs)}); preset '{preset.Name}' names none — set \"output\" in a preset file");
        }
        if (output.ElementType != TensorElementType.Float || output.Shape.Length != 4)
            throw new ModelContractException(modelPath, output.Name, $"output {output}; preset '{preset.Name}' expects float32 logits [1,C,h,w]");
        CheckClassCount(modelPath, output.Name, output.Shape[1], preset);

        // The resize actually applied must produce what a fixed-size model accepts.
        var resize = options.ResizeOverride ?? preset.Resize;
        bool staticSize = input.Shape[2] > 0 && input.Shape[3] > 0;
        if (resize.Kind == ResizePolicyKind.ModelInput)
            resize = staticSize ? ResizePolicy.Fixed((int)input.Shape[3], (int)input.Shape[2]) : ResizePolicy.None;
        if (staticSize && (resize.Kind != ResizePolicyKind.Fixed || resize.Width != input.Shape[3] || resize.Height != input.Shape[2]))
        {
            throw new ModelContractException(modelPath, input.Name,
                $"input {input} has a fixed size {input.Shape[3]}×{input.Shape[2]}, but the resize is '{resize}' (preset '{preset.Name}'); " +
                $"use a preset whose resize is fixed at {input.Shape[3]}×{input.Shape[2]} or \"model\"");
        }
        return new SemanticSegmenter(session, Path.GetFileName(modelPath), preset, semantic?.Kind, resize, input.Name, output.Name, options);
    }

    private static void CheckClassCount(string model, string tensor, long channels, SemanticPreset preset)
    {
        if (channels > 256)
            throw new ModelContractException(model, tensor, $"output '{tensor}' has {channels} classes; SegKit label maps hold at most 256");
        if (channels > 1 && preset.Labels is { } labels && channels != labels.Count)
            throw new ModelContractException(model, tensor,
                $"output '{tensor}' has {channels} classes but preset '{preset.Name}' labels them with '{labels.Id}' ({labels.Count} classes); " +
                "give a preset file with the model's class names");
    }

    private static string Describe(IReadOnlyList<NodeInfo> nodes) => string.Join(", ", nodes.Select(n => n.ToString()));

    /// <summary>Decodes <paramref name="imagePath"/> (JPEG or PNG, EXIF orientation applied) and segments it.</summary>
    public SemanticResult Segment(string imagePath, ImageDecoderOptions? decoderOptions = null)
    {
        long start = Stopwatch.GetTimestamp();
        var image = ImageDecoder.DecodeRgb(imagePath, decoderOptions);
        double decodeMs = StageTimings.Since(start);
        var result = Segment(image);
        result.Timings.DecodeMs = decodeMs;
        return result;
    }

    /// <summary>Segments <paramref name="image"/> (not modified): a class id for every pixel at the image's size.</summary>
    public SemanticResult Segment(RgbImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var timings = new StageTimings();
        long t = Stopwatch.GetTimestamp();
        var (tensor, size) = Preprocess(image);
        timings.PreprocessMs = StageTimings.Since(t);

        t = Stopwatch.GetTimestamp();
        var (logits, shape) = Infer(tensor, size);
        timings.InferenceMs = StageTimings.Since(t);

        t = Stopwatch.GetTimestamp();
        var result = Postprocess(logits, shape, image.Width, image.Height, size, timings);
        timings.PostprocessMs = StageTimings.Since(t);
        return result;
    }

    /// <summary>Resize and normalise: planar [1,3,h,w] floats and the size (w, h) the model sees.</summary>
    internal (float[] Tensor, ImageSize Size) Preprocess(RgbImage image)
    {
        var size = Resize.Apply(image.Width, image.Height);
        var resized = size.Width == image.Width && size.Height == image.Height
            ? image
            : ImageResizer.ResizeBilinear(image, size.Width, size.Height);
        return (ToPlanarTensor(resized), size);
    }

    /// <summary>Runs the model on a preprocessed tensor; returns the logits and their shape.</summary>
    internal (float[] Logits, long[] Shape) Infer(float[] tensor, ImageSize size)
    {
        using var x = OrtTensor.FromArray(tensor, [1, 3, size.Height, size.Width]);
        var outputs = _session.Run(new Dictionary<string, OrtTensor> { [_inputName] = x }, [_outputName]);
        var o = outputs[_outputName];
        return (o.AsFloat(), o.Shape.ToArray());
    }

    /// <summary>Logits [1,C,h,w] → label map at width × height (bilinear upsample + argmax, or sigmoid for one channel).</summary>
    internal SemanticResult Postprocess(float[] logits, long[] shape, int width, int height, ImageSize modelInput, StageTimings timings)
    {
        if (shape.Length != 4 || shape[0] != 1 || shape[1] < 1 || shape[2] < 1 || shape[3] < 1)
            throw new ModelContractException(_modelName, _outputName, $"returned '{_outputName}' of shape [{string.Join(",", shape)}]; [1,C,h,w] expected");
        CheckClassCount(_modelName, _outputName, shape[1], Preset);
        int channels = (int)shape[1], h = (int)shape[2], w = (int)shape[3];
        var labels = new LabelMap(width, height);
        float[]? confidence = _options.ComputeConfidence ? new float[labels.Data.Length] : null;
        int classCount = Math.Max(channels, 2);
        var counts = new long[classCount];
        if (channels == 1)
        {
            BinaryFromLogit(logits, h, w, labels, confidence);
            foreach (byte id in labels.Data) counts[id]++;
        }
        else
        {
            TensorResize.BilinearArgmax(logits, channels, h, w, labels.Data, height, width, confidence, counts);
        }
        return new SemanticResult(labels, LabelsFor(classCount), counts, confidence, (modelInput.Width, modelInput.Height),
            _options.KeepLogits ? logits : null, _options.KeepLogits ? shape : null, timings);
    }

    private LabelSet LabelsFor(int classCount)
    {
        if (Preset.Labels is { } l && l.Count == classCount) return l;
        if (classCount == 2 && Preset.Labels is null)
            return new LabelSet("binary", ["background", "foreground"], [0, 0, 0, 255, 255, 255]);
        return new LabelSet("classes", Enumerable.Range(0, classCount).Select(i => $"class {i}").ToArray(),
            ColorPalette.PascalVoc.Rgb[..(classCount * 3)].ToArray());
    }

    // HWC bytes → planar CHW floats through the per-channel tables (same float ops as torch's to_tensor + normalize).
    private float[] ToPlanarTensor(RgbImage image)
    {
        int plane = image.Width * image.Height;
        var tensor = new float[3 * plane];
        bool bgr = Preset.ChannelOrder == ChannelOrder.Bgr;
        float[] l0 = _lut[0], l1 = _lut[1], l2 = _lut[2];
        int rows = image.Height, width = image.Width;
        byte[] src = image.Data;
        Parallel.For(0, (rows + 63) / 64, band =>
        {
            int y1 = Math.Min(rows, band * 64 + 64);
            for (int y = band * 64; y < y1; y++)
            {
                int p = y * width, s = p * 3;
                for (int x = 0; x < width; x++, p++, s += 3)
                {
                    byte r = src[s], g = src[s + 1], b = src[s + 2];
                    tensor[p] = l0[bgr ? b : r];
                    tensor[plane + p] = l1[g];
                    tensor[2 * plane + p] = l2[bgr ? r : b];
                }
            }
        });
        return tensor;
    }

    // One-channel logits: foreground where the bilinearly upsampled logit > 0 (sigmoid > 0.5).
    private static void BinaryFromLogit(float[] logits, int h, int w, LabelMap labels, float[]? confidence)
    {
        var up = new float[labels.Width * labels.Height];
        TensorResize.BilinearChw(logits, 1, h, w, up, labels.Height, labels.Width);
        for (int i = 0; i < up.Length; i++)
        {
            labels.Data[i] = up[i] > 0 ? (byte)1 : (byte)0;
            if (confidence is not null)
            {
                float p = 1f / (1f + MathF.Exp(-up[i]));
                confidence[i] = MathF.Max(p, 1f - p);
            }
        }
    }

    /// <summary>Releases the ONNX Runtime session. Safe to call twice.</summary>
    public void Dispose() => _session.Dispose();
}
