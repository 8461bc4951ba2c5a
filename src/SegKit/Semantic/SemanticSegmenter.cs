// Runs a semantic model (torchvision, SegFormer, U-Net contracts or a custom preset) on an image:
//   decode → resize (PIL bilinear) → normalise into planar float [1,3,h,w] → ONNX Runtime → logits [1,C,h',w']
//   → bilinear upsample to the original size (torch F.interpolate, align_corners=False) fused with
//   argmax (sigmoid > 0.5 for one channel).
// Bringing logits back to the original size by bilinear interpolation before the argmax is what the
// reference pipelines do (HF post_process_semantic_segmentation; torchvision's own models upsample
// to their input size the same way); tools/fixtures/semantic_reference.py is the reference.
// When the model's output is itself a final bilinear Resize of lower-resolution logits (torchvision's
// models), SegKit fetches those logits instead and does both resizes with the argmax in one pass
// (ModelFinalResize, TensorResize.BilinearTwiceArgmax): same labels, without the 34 MB resized tensor.
using System.Buffers;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using SegKit.Datasets;
using SegKit.Imaging;
using SegKit.Numerics;
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

    /// <summary>
    /// The largest model input, in pixels, after the resize rule (default 4096 × 4096). An image whose input would be
    /// larger is refused with <see cref="ImageLimitExceededException"/> before any memory is allocated for it: the
    /// model's activations grow with it (FCN-ResNet50 holds gigabytes at this size).
    /// </summary>
    public long MaxInputPixels
    {
        get;
        init => field = value is >= 1 and <= MaxInputPixelsCeiling ? value
            : throw new ArgumentOutOfRangeException(nameof(MaxInputPixels), value, $"must be 1 to {MaxInputPixelsCeiling} (a 3-channel float tensor in one array)");
    } = 4096L * 4096;

    /// <summary>The most <see cref="MaxInputPixels"/> can be: the input tensor (3 floats a pixel) fits one array.</summary>
    public const long MaxInputPixelsCeiling = 715_827_882; // Array.MaxLength / 3
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
    private readonly ModelFinalResize? _final; // non-null: labels come from the final resize's source
    private float[]? _spareTensor; // the last input tensor, reused by the next image (fresh 5 MB arrays cost page faults)
    private RgbImage? _spareImage; // the last photo Segment(path) decoded, decoded into by the next one of its size
    private float[]? _spareSource; // the last fused run's low-resolution logits, which the next run is copied into

    /// <summary>The preset in use (after resolving ModelInput to the model's size).</summary>
    public SemanticPreset Preset { get; }
    /// <summary>The contract the model was recognised as, or null for a custom preset on an unrecognised model.</summary>
    public ModelContractKind? Contract { get; }
    /// <summary>The resize rule actually applied.</summary>
    public ResizePolicy Resize { get; }

    /// <summary>True when labels are computed from the logits before the model's own final resize (both
    /// resizes fused with the argmax in SegKit); false when from the model's output. See <see cref="UpsamplingNote"/>.</summary>
    public bool FusesModelResize => _final is not null;

    /// <summary>How the logits reach the photo's size, and why (e.g. why the model's final resize was not fused).</summary>
    public string UpsamplingNote { get; }

    private SemanticSegmenter(InferenceSession session, string modelName, SemanticPreset preset, ModelContractKind? contract,
        ResizePolicy resize, string inputName, string outputName, SemanticSegmenterOptions options, ModelFinalResize? final, string note)
    {
        _final = final;
        UpsamplingNote = note;
        _session = session;
        _modelName = modelName;
        Preset = preset;
        Contract = contract;
        Resize = resize;
        _inputName = inputName;
        _outputName = outputName;
        _options = options;
        _lut = Tables(preset);
    }

    /// <summary>Per tensor channel: byte value → (v / divisor − mean[c]) / std[c] in float, as torch computes it.</summary>
    internal static float[][] Tables(SemanticPreset preset)
    {
        var lut = new float[3][];
        for (int c = 0; c < 3; c++)
        {
            lut[c] = new float[256];
            for (int v = 0; v < 256; v++)
                lut[c][v] = ((float)v / preset.PixelDivisor - preset.Mean[c]) / preset.Std[c];
        }
        return lut;
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
        if (Directory.Exists(modelPath))
            throw new FileNotFoundException($"model {modelPath} is a folder; an ONNX model file is expected", modelPath);
        if (!File.Exists(modelPath))
            throw new FileNotFoundException($"model file not found: {modelPath}", modelPath);
        var warmUp = SemanticWarmUp.Start(); // SegKit's stages, compiled on another core while ORT builds the session
        var (session, finals, why) = ModelFinalResize.Open(modelPath, new SessionOptions { IntraOpThreads = options.Threads });
        try
        {
            var segmenter = Create(session, modelPath, preset, options, finals, why);
            warmUp.GetAwaiter().GetResult(); // done before the first photo, whose inference wants both cores
            return segmenter;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    private static SemanticSegmenter Create(InferenceSession session, string modelPath, SemanticPreset? preset, SemanticSegmenterOptions options,
        IReadOnlyList<ModelFinalResize> finals, string? why)
    {
        // The model as declared: without the outputs SegKit added to reach the final resizes' sources.
        var added = finals.Select(f => f.Source).ToHashSet(StringComparer.Ordinal);
        var signature = new ModelSignature(session.Inputs, session.Outputs.Where(o => !added.Contains(o.Name)).ToList(),
            session.Metadata.CustomMetadata);
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

        // The resize actually applied must produce what a fixed-size model accepts.
        var resize = options.ResizeOverride ?? preset.Resize;
        var asked = resize;
        bool staticSize = input.Shape[2] > 0 && input.Shape[3] > 0;
        if (resize.Kind == ResizePolicyKind.ModelInput)
            resize = staticSize ? ResizePolicy.Fixed((int)input.Shape[3], (int)input.Shape[2]) : ResizePolicy.None;
        if (staticSize && (resize.Kind != ResizePolicyKind.Fixed || resize.Width != input.Shape[3] || resize.Height != input.Shape[2]))
        {
            throw new ModelContractException(modelPath, input.Name,
                $"input {input} has a fixed size {input.Shape[3]}×{input.Shape[2]}, but the resize is '{resize}' (preset '{preset.Name}'); " +
                $"use a preset whose resize is fixed at {input.Shape[3]}×{input.Shape[2]} or \"model\"");
        }
        // One fixed side (e.g. [1,3,48,W]): only a fixed resize with that side gives every photo an input it accepts.
        bool fixedHeight = input.Shape[2] > 0, fixedWidth = input.Shape[3] > 0;
        if (fixedHeight != fixedWidth && (resize.Kind != ResizePolicyKind.Fixed
                || (fixedHeight && resize.Height != input.Shape[2]) || (fixedWidth && resize.Width != input.Shape[3])))
        {
            string side = fixedHeight ? $"height {input.Shape[2]}" : $"width {input.Shape[3]}";
            string example = fixedHeight ? $"[W, {input.Shape[2]}]" : $"[{input.Shape[3]}, H]";
            throw new ModelContractException(modelPath, input.Name,
                $"input {input} has a fixed {side} and a free {(fixedHeight ? "width" : "height")}, but the resize is '{asked}' (preset '{preset.Name}'), " +
                $"which does not give every photo that {side}; use a preset whose resize is {{\"fixed\": {example}}}");
        }
        CheckClassCount(modelPath, output.Name, output.Shape[1], preset); // after the size: a preset made for another model fails on that first
        var final = finals.FirstOrDefault(f => f.Output == output.Name);
        string note;
        if (final is not null && final.Check(session, input.Name, input.Shape) is { } failed)
        {
            note = $"model output '{output.Name}' upsampled to the image size by SegKit; its final Resize is not fused: {failed}";
            final = null;
        }
        else if (final is not null)
        {
            note = $"model's final Resize '{final.Node}' and the resize to the image size fused with the argmax by SegKit " +
                   $"(from '{final.Source}'; checked against '{output.Name}' at load)";
        }
        else
        {
            note = $"model output '{output.Name}' upsampled to the image size by SegKit" + (why is null ? "" : $" ({why})");
        }
        return new SemanticSegmenter(session, Path.GetFileName(modelPath), preset, semantic?.Kind, resize, input.Name, output.Name, options, final, note);
    }

    private static void CheckClassCount(string model, string tensor, long channels, SemanticPreset preset)
    {
        if (channels > 256)
            throw new ModelContractException(model, tensor, $"output '{tensor}' has {channels} classes; SegKit label maps hold at most 256");
        if (channels > 1 && preset.Labels is { } labels && channels != labels.Count)
            throw new ModelContractException(model, tensor,
                $"output '{tensor}' has {channels} classes but preset '{preset.Name}' labels them with '{labels.Id}' ({labels.Count} classes); " +
                "give a preset file with the model's class names");
        // One logit is a binary model: two classes, whose names a preset may give (any other count was ignored).
        if (channels == 1 && preset.Labels is { Count: not 2 } binary)
            throw new ModelContractException(model, tensor,
                $"output '{tensor}' has one channel (two classes: sigmoid > 0.5) but preset '{preset.Name}' labels it with '{binary.Id}' " +
                $"({binary.Count} classes); give two names (background first) or none");
        if (channels >= 1 && preset.Labels is null && preset.Palette is { } palette && palette.Length / 3 != Math.Max(2, channels))
            throw new ModelContractException(model, tensor,
                $"output '{tensor}' has {(channels == 1 ? "one channel (two classes: sigmoid > 0.5)" : $"{channels} classes")} but preset " +
                $"'{preset.Name}' gives {palette.Length / 3} palette colours; one colour per class expected");
    }

    private static string Describe(IReadOnlyList<NodeInfo> nodes) => string.Join(", ", nodes.Select(n => n.ToString()));

    /// <summary>
    /// Decodes <paramref name="imagePath"/> (JPEG or PNG, EXIF orientation applied) and segments it. The segmenter keeps
    /// the decoded pixels (not part of the result) and decodes the next photo of the same size into them: a fresh 6 MB
    /// array per photo cost about 20 ms of page faults here.
    /// </summary>
    public SemanticResult Segment(string imagePath, ImageDecoderOptions? decoderOptions = null) => Segment(imagePath, decoderOptions, null);

    /// <summary>As <see cref="Segment(string, ImageDecoderOptions?)"/>, labelling into <paramref name="recycle"/>'s arrays
    /// as <see cref="Segment(RgbImage, SemanticResult?)"/> does.</summary>
    public SemanticResult Segment(string imagePath, ImageDecoderOptions? decoderOptions, SemanticResult? recycle)
    {
        long start = Stopwatch.GetTimestamp();
        var image = ImageDecoder.DecodeRgb(imagePath, decoderOptions, Interlocked.Exchange(ref _spareImage, null));
        double decodeMs = StageTimings.Since(start);
        var result = Segment(image, recycle);
        result.Timings.DecodeMs = decodeMs;
        Interlocked.Exchange(ref _spareImage, image); // concurrent calls each decode into their own
        return result;
    }

    /// <summary>Segments <paramref name="image"/> (not modified): a class id for every pixel at the image's size.</summary>
    public SemanticResult Segment(RgbImage image) => Segment(image, null);

    /// <summary>
    /// As <see cref="Segment(RgbImage)"/>, writing the label map (and the confidence, when computed) into the arrays of
    /// <paramref name="recycle"/> when they have this image's size. <paramref name="recycle"/> is an earlier result the
    /// caller is done with: its arrays become the new result's, so it must not be read afterwards. A folder of photos
    /// of one size then touches no fresh memory for them; a fresh 2 MB label map cost about 4 ms of page faults here.
    /// </summary>
    public SemanticResult Segment(RgbImage image, SemanticResult? recycle)
    {
        ArgumentNullException.ThrowIfNull(image);
        var timings = new StageTimings();
        long t = Stopwatch.GetTimestamp();
        var (tensor, size) = Preprocess(image);
        timings.PreprocessMs = StageTimings.Since(t);

        t = Stopwatch.GetTimestamp();
        var output = Infer(tensor, size);
        timings.InferenceMs = StageTimings.Since(t);
        ReturnInputTensor(tensor); // ORT is done with it

        t = Stopwatch.GetTimestamp();
        var result = Postprocess(output, image.Width, image.Height, size, timings, recycle);
        timings.PostprocessMs = StageTimings.Since(t);
        if (output.Source is { } source) Interlocked.Exchange(ref _spareSource, source); // read only by Postprocess
        return result;
    }

    /// <summary>Hands a tensor from <see cref="Preprocess"/> back for the next image (concurrent calls each take their own).</summary>
    internal void ReturnInputTensor(float[] tensor) => Interlocked.Exchange(ref _spareTensor, tensor);

    /// <summary>
    /// The size the model sees for an image of <paramref name="width"/> × <paramref name="height"/> (<see cref="Resize"/>
    /// applied).
    /// </summary>
    /// <exception cref="ImageLimitExceededException">That size has more than <see cref="SemanticSegmenterOptions.MaxInputPixels"/>.</exception>
    public ImageSize InputSizeFor(int width, int height)
    {
        double pixels = Resize.PixelsFor(width, height);
        if (pixels > _options.MaxInputPixels)
        {
            string size = Resize.Kind == ResizePolicyKind.ShorterSide
                ? (width <= height ? $"{Resize.Width}×{ImageSize.LongerSideFor(width, height, Resize.Width):0}" : $"{ImageSize.LongerSideFor(width, height, Resize.Width):0}×{Resize.Width}")
                : Resize.Kind == ResizePolicyKind.Fixed ? $"{Resize.Width}×{Resize.Height}" : $"{width}×{height}";
            throw new ImageLimitExceededException($"{width}×{height} image", "MaxInputPixels", (long)Math.Min(pixels, long.MaxValue), _options.MaxInputPixels,
                $"model input {size} (resize: {Resize}): pixels", "; resize it smaller or raise MaxInputPixels (--max-input-pixels in segkit semantic and predict)");
        }
        return Resize.Apply(width, height);
    }

    /// <summary>Resize and normalise: planar [1,3,h,w] floats and the size (w, h) the model sees.</summary>
    internal (float[] Tensor, ImageSize Size) Preprocess(RgbImage image)
    {
        var size = InputSizeFor(image.Width, image.Height);
        int plane = size.Width * size.Height;
        float[] tensor = Interlocked.Exchange(ref _spareTensor, null) is { } spare && spare.Length == 3 * plane
            ? spare
            : GC.AllocateUninitializedArray<float>(3 * plane); // every element is written below
        if (size.Width == image.Width && size.Height == image.Height)
        {
            ToPlanarTensor(image.Data, size.Width, size.Height, tensor, _lut, Preset);
            return (tensor, size);
        }
        byte[] resized = ArrayPool<byte>.Shared.Rent(3 * plane);
        try
        {
            ImageResizer.ResizeBilinear(image.Data, image.Width, image.Height, 3, resized, size.Width, size.Height);
            ToPlanarTensor(resized, size.Width, size.Height, tensor, _lut, Preset);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(resized);
        }
        return (tensor, size);
    }

    /// <summary>What a run returned: the model's output logits, or (when the final resize is fused and no
    /// confidence is wanted) the logits before that resize, with the output too when they are to be kept.</summary>
    internal readonly record struct ModelOutput(float[]? Logits, long[]? Shape, float[]? Source, long[]? SourceShape);

    // Confidence needs every class's value at every pixel, which the fused path does not compute.
    private bool UseFused => _final is not null && !_options.ComputeConfidence;

    /// <summary>Runs the model on a preprocessed tensor.</summary>
    internal ModelOutput Infer(float[] tensor, ImageSize size)
    {
        using var x = OrtTensor.FromArray(tensor, [1, 3, size.Height, size.Width]);
        var inputs = new Dictionary<string, OrtTensor> { [_inputName] = x };
        if (!UseFused)
        {
            var o = _session.Run(inputs, [_outputName])[_outputName];
            return new ModelOutput(o.AsFloat(), o.Shape.ToArray(), null, null);
        }
        string[] names = _options.KeepLogits ? [_final!.Source, _outputName] : [_final!.Source];
        var spare = Interlocked.Exchange(ref _spareSource, null);
        var outputs = _session.Run(inputs, names, spare is null ? null : new Dictionary<string, Array> { [_final.Source] = spare });
        var s = outputs[_final.Source];
        OrtOutput? kept = _options.KeepLogits ? outputs[_outputName] : null;
        return new ModelOutput(kept?.AsFloat(), kept?.Shape.ToArray(), s.AsFloat(), s.Shape.ToArray());
    }

    /// <summary>Logits → label map at width × height (bilinear upsample + argmax, or sigmoid for one channel).</summary>
    internal SemanticResult Postprocess(ModelOutput output, int width, int height, ImageSize modelInput, StageTimings timings,
        SemanticResult? recycle = null)
    {
        // Every pixel of both arrays is written below.
        var labels = recycle?.Labels is { } old && old.Width == width && old.Height == height
            ? old
            : new LabelMap(width, height, GC.AllocateUninitializedArray<byte>(checked(width * height)));
        float[]? confidence = !_options.ComputeConfidence ? null
            : recycle?.Confidence is { } c && c.Length == labels.Data.Length ? c
            : GC.AllocateUninitializedArray<float>(labels.Data.Length);
        float[] logits;
        int channels, h, w;
        if (output.Source is { } source && output.SourceShape is { } sourceShape)
        {
            (channels, h, w) = CheckedLogitShape(sourceShape, _final!.Source);
            CheckFinite(source, $"'{_outputName}' (its logits before the final Resize, '{_final.Source}')");
            if (output.Shape is { } kept) CheckedLogitShape(kept, _outputName);
            if (channels >= 2)
            {
                // Both resizes in one pass: source → model input size (the model's own final Resize) → image size.
                var fusedCounts = new long[channels];
                TensorResize.BilinearTwiceArgmax(source, channels, h, w, modelInput.Height, modelInput.Width, labels.Data, height, width, fusedCounts);
                return Result(fusedCounts);
            }
            // One logit: the model's own resize here, then the sigmoid test below as for any one-channel output.
            logits = new float[modelInput.Height * modelInput.Width];
            TensorResize.BilinearChw(source, 1, h, w, logits, modelInput.Height, modelInput.Width);
            (h, w) = (modelInput.Height, modelInput.Width);
        }
        else
        {
            logits = output.Logits!;
            (channels, h, w) = CheckedLogitShape(output.Shape!, _outputName);
            CheckFinite(logits, $"'{_outputName}'");
        }
        var counts = new long[Math.Max(channels, 2)];
        if (channels == 1)
        {
            TensorResize.BilinearBinary(logits, h, w, labels.Data, labels.Height, labels.Width, confidence, counts);
        }
        else
        {
            TensorResize.BilinearArgmax(logits, channels, h, w, labels.Data, height, width, confidence, counts);
        }
        return Result(counts);

        SemanticResult Result(long[] classCounts) =>
            new(labels, LabelsFor(classCounts.Length), classCounts, confidence, (modelInput.Width, modelInput.Height),
                _options.KeepLogits ? output.Logits : null, _options.KeepLogits ? output.Shape : null, timings);
    }

    // A NaN or infinite logit makes the argmax meaningless (NaN loses every comparison): the image is refused instead.
    private void CheckFinite(float[] values, string tensor)
    {
        if (VectorMath.AllFinite(values)) return;
        long bad = 0;
        foreach (float v in values) if (!float.IsFinite(v)) bad++;
        throw new ModelContractException(_modelName, tensor,
            $"model output {tensor} holds {bad:N0} NaN or infinite values of {values.Length:N0} for this image; its labels would be meaningless");
    }


    private (int C, int H, int W) CheckedLogitShape(long[] shape, string tensor)
    {
        if (shape.Length != 4 || shape[0] != 1 || shape[1] < 1 || shape[2] < 1 || shape[3] < 1)
            throw new ModelContractException(_modelName, tensor, $"returned '{tensor}' of shape [{string.Join(",", shape)}]; [1,C,h,w] expected");
        CheckClassCount(_modelName, tensor, shape[1], Preset);
        return ((int)shape[1], (int)shape[2], (int)shape[3]);
    }

    private LabelSet LabelsFor(int classCount)
    {
        if (Preset.Labels is { } l && l.Count == classCount) return l;
        // A preset palette without names: its colours, checked at load (or at the first image) to be one per class.
        byte[]? palette = Preset.Labels is null && Preset.Palette is { } p && p.Length == 3 * classCount ? p : null;
        if (classCount == 2 && Preset.Labels is null)
            return new LabelSet("binary", ["background", "foreground"], palette ?? [0, 0, 0, 255, 255, 255]);
        return new LabelSet("classes", Enumerable.Range(0, classCount).Select(i => $"class {i}").ToArray(),
            palette ?? ColorPalette.PascalVoc.Rgb[..(classCount * 3)].ToArray());
    }

    // HWC bytes → planar CHW floats through the per-channel tables (same float ops as torch's to_tensor + normalize).
    internal static void ToPlanarTensor(byte[] src, int width, int rows, float[] tensor, float[][] lut, SemanticPreset preset)
    {
        int plane = width * rows;
        bool bgr = preset.ChannelOrder == ChannelOrder.Bgr;
        float[] l0 = lut[0], l1 = lut[1], l2 = lut[2];
        Parallel.For(0, (rows + 63) / 64, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (band) =>
        {
            int y1 = Math.Min(rows, band * 64 + 64);
            for (int y = band * 64; y < y1; y++)
            {
                int p = y * width, s = p * 3;
                int x = Avx512Vbmi.IsSupported ? PlanarRow16(src, s, width, tensor, p, plane, preset) : 0;
                for (p += x, s += 3 * x; x < width; x++, p++, s += 3)
                {
                    byte r = src[s], g = src[s + 1], b = src[s + 2];
                    tensor[p] = l0[bgr ? b : r];
                    tensor[plane + p] = l1[g];
                    tensor[2 * plane + p] = l2[bgr ? r : b];
                }
            }
        });
    }

    // Byte lanes of 16 RGB pixels (48 bytes) that hold their R, G and B.
    private static readonly Vector512<byte>[] s_rgbLanes =
        [.. Enumerable.Range(0, 3).Select(c => Vector512.Create<byte>([.. Enumerable.Range(0, 64).Select(i => (byte)(i < 16 ? 3 * i + c : 0))]))];

    // ToPlanarTensor 16 pixels at a time (AVX-512 VBMI): the float operations of the tables, (v / divisor − mean) / std,
    // lane by lane, so the same bits. Returns the pixels done; the rest (and the last ones, whose 64-byte load would
    // pass the end of src) are the caller's.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe int PlanarRow16(byte[] src, int s, int width, float[] tensor, int p, int plane, SemanticPreset preset)
    {
        bool bgr = preset.ChannelOrder == ChannelOrder.Bgr;
        var divisor = Vector512.Create(preset.PixelDivisor);
        int x = 0;
        fixed (byte* sp = src)
        fixed (float* tp = tensor)
        {
            for (; x + 16 <= width && s + 3 * x + 64 <= src.Length; x += 16)
            {
                var pixels = Vector512.Load(sp + s + 3 * x);
                for (int c = 0; c < 3; c++)
                {
                    int channel = bgr ? 2 - c : c; // the tensor channel pixel channel c goes to
                    var bytes = Avx512Vbmi.PermuteVar64x8(pixels, s_rgbLanes[c]).GetLower().GetLower();
                    var v = Avx512F.ConvertToVector512Single(Avx512F.ConvertToVector512Int32(bytes));
                    var normalised = (v / divisor - Vector512.Create(preset.Mean[channel])) / Vector512.Create(preset.Std[channel]);
                    normalised.Store(tp + channel * plane + p + x);
                }
            }
        }
        return x;
    }

    /// <summary>Releases the ONNX Runtime session. Safe to call twice.</summary>
    public void Dispose() => _session.Dispose();
}
