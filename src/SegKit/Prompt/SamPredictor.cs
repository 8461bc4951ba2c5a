// segment-anything's SamPredictor over the ONNX encoder and decoder contracts: Encode once (set_image),
// Predict many times. Prompts are moved into the 1024 frame with ResizeLongestSide.apply_coords; box
// corners get labels 2 and 3; without a box a padding point (0, 0) with label -1 is appended (what
// PromptEncoder._embed_points(pad=True) does in PyTorch, and SamOnnxModel's callers do). Multimask output
// returns decoder masks 1..3, single output mask 0, as Sam's MaskDecoder slices them.
using System.Collections.Concurrent;
using SegKit.Imaging;
using SegKit.Masks;
using SegKit.Onnx;

namespace SegKit.Prompt;

/// <summary>
/// Segment-anything's predictor: <see cref="Encode"/> an image once, then <see cref="Predict"/> masks for
/// points, boxes and previous masks. Thread-safe. Disposing disposes the encoder and decoder only when the
/// predictor was created by <see cref="Open"/> (or told it owns them).
/// </summary>
public sealed partial class SamPredictor : IDisposable
{
    private readonly bool _ownsModels;
    private readonly ConcurrentDictionary<(int, int, int, int, int), SamMaskUpscaler> _upscalers = new();

    /// <summary>Combines a decoder with an optional encoder (without one, embeddings must come from files).</summary>
    /// <param name="decoder">The prompt encoder + mask decoder.</param>
    /// <param name="encoder">The image encoder, or null.</param>
    /// <param name="takeOwnership">True: <see cref="Dispose"/> disposes both models.</param>
    /// <exception cref="SamModelMismatchException">The encoder declares an embedding shape the decoder does not take.</exception>
    public SamPredictor(SamDecoder decoder, SamEncoder? encoder = null, bool takeOwnership = false)
    {
        Decoder = decoder ?? throw new ArgumentNullException(nameof(decoder));
        Encoder = encoder;
        _ownsModels = takeOwnership;
        if (encoder is not null)
        {
            var produced = encoder.EmbeddingShape;
            var taken = decoder.EmbeddingShape;
            bool fits = produced.Length == taken.Length;
            for (int i = 0; fits && i < produced.Length; i++)
                fits = produced[i] < 0 || taken[i] < 0 || produced[i] == taken[i];
            if (!fits)
                throw new SamModelMismatchException(
                    $"encoder {Path.GetFileName(encoder.Source)} produces embeddings {SamDecoder.FormatShape(produced)} but decoder " +
                    $"{Path.GetFileName(decoder.Source)} takes image_embeddings {SamDecoder.FormatShape(taken)}: they are not a pair");
        }
    }

    /// <summary>Loads a decoder and (when <paramref name="encoderPath"/> is not null) an encoder.</summary>
    /// <param name="encoderPath">The encoder model, or null to work from saved embeddings.</param>
    /// <param name="decoderPath">The decoder model.</param>
    /// <param name="options">ONNX Runtime options for both; IntraOpThreads also sets the threads of SegKit's decoder computation.</param>
    /// <param name="engine">How the decoder computes (see <see cref="SamDecoderEngine"/>).</param>
    public static SamPredictor Open(string? encoderPath, string decoderPath, SessionOptions? options = null,
        SamDecoderEngine engine = SamDecoderEngine.Auto)
    {
        var decoder = SamDecoder.Open(decoderPath, options, engine);
        SamEncoder? encoder = null;
        try
        {
            encoder = encoderPath is null ? null : SamEncoder.Open(encoderPath, options);
            return new SamPredictor(decoder, encoder, takeOwnership: true);
        }
        catch
        {
            encoder?.Dispose();
            decoder.Dispose();
            throw;
        }
    }

    /// <summary>The image encoder, or null when embeddings come from elsewhere.</summary>
    public SamEncoder? Encoder { get; }

    /// <summary>The prompt encoder + mask decoder.</summary>
    public SamDecoder Decoder { get; }

    /// <summary>Computes <paramref name="image"/>'s embedding (SamPredictor.set_image).</summary>
    /// <exception cref="InvalidOperationException">No encoder was loaded.</exception>
    public SamImageEmbedding Encode(RgbImage image, StageTimings? timings = null)
    {
        if (Encoder is null) throw new InvalidOperationException("this predictor has no encoder: load one, or give an embedding");
        var embedding = Encoder.Encode(image, timings);
        Decoder.CheckEmbedding(embedding);
        return embedding;
    }

    /// <summary>
    /// Masks for one prompt (SamPredictor.predict).
    /// </summary>
    /// <param name="embedding">The image's embedding.</param>
    /// <param name="prompt">Points, box, mask input; original-image pixels.</param>
    /// <param name="options">Multimask and logits flags; null = <see cref="SamPredictOptions.Default"/>.</param>
    /// <exception cref="SamPromptException">An empty prompt, NaN, a coordinate outside the image, an empty box, a wrong-size mask input.</exception>
    /// <exception cref="SamModelMismatchException">The decoder does not take this embedding's shape.</exception>
    public SamPrediction Predict(SamImageEmbedding embedding, SamPrompt prompt, SamPredictOptions? options = null) =>
        PredictMany(embedding, [prompt], options)[0];

    /// <summary>
    /// Masks for several prompts on one image. Prompts with the same number of points run as one decoder batch
    /// when the decoder's shapes allow it (<see cref="SamDecoder.SupportsBatching"/>), otherwise one by one;
    /// the results are the same either way, in the order of <paramref name="prompts"/>.
    /// </summary>
    public IReadOnlyList<SamPrediction> PredictMany(SamImageEmbedding embedding, IReadOnlyList<SamPrompt> prompts, SamPredictOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(embedding);
        ArgumentNullException.ThrowIfNull(prompts);
        options ??= SamPredictOptions.Default;
        Decoder.CheckEmbedding(embedding);
        var encoded = new EncodedPrompt[prompts.Count];
        for (int i = 0; i < prompts.Count; i++)
            encoded[i] = EncodePrompt(embedding, prompts[i] ?? throw new ArgumentNullException(nameof(prompts), $"prompt {i} is null"),
                prompts.Count > 1 ? $"prompt {i}: " : "");
        var results = new SamPrediction[prompts.Count];
        foreach (var group in Batches(encoded))
        {
            var output = RunBatch(embedding, encoded, group);
            for (int b = 0; b < group.Length; b++)
                results[group[b]] = Finish(embedding, output, b, options);
        }
        return results;
    }

    /// <summary>The decoder's raw outputs for points already in the 1024 frame (everything mode uses this).</summary>
    internal SamDecoderOutput RunPoints(SamImageEmbedding embedding, float[] coords, float[] labels, int batch, int pointsPerPrompt) =>
        Decoder.Run(embedding, coords, labels, batch, pointsPerPrompt, maskInput: null);

    /// <summary>The upscaler from low-res logits to <paramref name="outputSize"/> for an input frame of <paramref name="inputSize"/>.</summary>
    internal SamMaskUpscaler Upscaler(ImageSize inputSize, ImageSize outputSize, int longSide) =>
        _upscalers.GetOrAdd((Decoder.LowResSize, inputSize.Width, inputSize.Height, outputSize.Width, outputSize.Height),
            k => new SamMaskUpscaler(k.Item1, longSide, k.Item2, k.Item3, k.Item4, k.Item5));

    private sealed record EncodedPrompt(float[] Coords, float[] Labels, int N, float[]? MaskInput);

    private EncodedPrompt EncodePrompt(SamImageEmbedding e, SamPrompt prompt, string where)
    {
        int w = e.OriginalSize.Width, h = e.OriginalSize.Height;
        if (prompt.Points.Count == 0 && prompt.Box is null)
            throw new SamPromptException(SamPromptError.Empty,
                $"{where}the prompt has no point and no box (a mask input alone is not a prompt)");
        int n = prompt.Points.Count + (prompt.Box is null ? 1 : 2);
        var coords = new float[n * 2];
        var labels = new float[n];
        int k = 0;
        for (int i = 0; i < prompt.Points.Count; i++)
        {
            var p = prompt.Points[i];
            string name = $"{where}point {i} ({p.X}, {p.Y})";
            if (!double.IsFinite(p.X) || !double.IsFinite(p.Y))
                throw new SamPromptException(SamPromptError.NotFinite, $"{name} has a coordinate that is not a finite number");
            if (p.X < 0 || p.X > w || p.Y < 0 || p.Y > h)
                throw new SamPromptException(SamPromptError.OutsideImage, $"{name} lies outside the {w}×{h} image (x in 0..{w}, y in 0..{h})");
            if (p.Label is not (SamPointLabel.Foreground or SamPointLabel.Background))
                throw new ArgumentOutOfRangeException(nameof(prompt), $"{name} has label {(int)p.Label}; 1 (foreground) or 0 (background) expected");
            (coords[2 * k], coords[2 * k + 1]) = ResizeLongestSide.ApplyCoords(p.X, p.Y, w, h, e.LongSide);
            labels[k++] = (int)p.Label;
        }
        if (prompt.Box is { } box)
        {
            CheckBox(box, w, h, where);
            var t = ResizeLongestSide.ApplyBox(box, w, h, e.LongSide);
            coords[2 * k] = t.X1; coords[2 * k + 1] = t.Y1; labels[k++] = 2;
            coords[2 * k] = t.X2; coords[2 * k + 1] = t.Y2; labels[k++] = 3;
        }
        else
        {
            coords[2 * k] = 0f; coords[2 * k + 1] = 0f; labels[k++] = -1;
        }
        float[]? mask = null;
        if (!prompt.MaskInput.IsEmpty)
        {
            int s = Decoder.LowResSize;
            if (prompt.MaskInput.Length != s * s)
                throw new SamPromptException(SamPromptError.MaskInputShape,
                    $"{where}mask input has {prompt.MaskInput.Length} values; the decoder takes {s}×{s} = {s * s} low-res logits");
            mask = prompt.MaskInput.ToArray();
        }
        return new EncodedPrompt(coords, labels, n, mask);
    }

    /// <summary>Throws <see cref="SamPromptException"/> unless <paramref name="box"/> is finite, non-empty and inside a <paramref name="w"/>×<paramref name="h"/> image.</summary>
    internal static void CheckBox(BoxXyxy box, int w, int h, string where)
    {
        string name = $"{where}box ({box.X1}, {box.Y1}, {box.X2}, {box.Y2})";
        if (!float.IsFinite(box.X1) || !float.IsFinite(box.Y1) || !float.IsFinite(box.X2) || !float.IsFinite(box.Y2))
            throw new SamPromptException(SamPromptError.NotFinite, $"{name} has a coordinate that is not a finite number");
        if (box.X1 < 0 || box.Y1 < 0 || box.X2 > w || box.Y2 > h)
            throw new SamPromptException(SamPromptError.OutsideImage, $"{name} reaches outside the {w}×{h} image (x in 0..{w}, y in 0..{h})");
        if (!(box.X2 > box.X1) || !(box.Y2 > box.Y1))
            throw new SamPromptException(SamPromptError.EmptyBox, $"{name} is empty: x2 must exceed x1 and y2 exceed y1");
    }

    // Groups of prompt indices that can share one decoder run (same N; without per-prompt mask inputs a
    // prompt with a mask input runs alone).
    private IEnumerable<int[]> Batches(EncodedPrompt[] prompts)
    {
        if (!Decoder.SupportsBatching)
        {
            for (int i = 0; i < prompts.Length; i++) yield return [i];
            yield break;
        }
        var open = new Dictionary<(int N, bool Mask), List<int>>();
        bool perPromptMask = Decoder.MaskInputPerPrompt;
        for (int i = 0; i < prompts.Length; i++)
        {
            bool mask = prompts[i].MaskInput is not null;
            if (mask && !perPromptMask)
            {
                yield return [i];
                continue;
            }
            var key = (prompts[i].N, mask);
            if (!open.TryGetValue(key, out var list)) open[key] = list = [];
            list.Add(i);
        }
        foreach (var list in open.Values) yield return list.ToArray();
    }

    private SamDecoderOutput RunBatch(SamImageEmbedding embedding, EncodedPrompt[] prompts, int[] group)
    {
        if (group.Length == 1)
        {
            var p = prompts[group[0]];
            return Decoder.Run(embedding, p.Coords, p.Labels, 1, p.N, p.MaskInput);
        }
        int n = prompts[group[0]].N, plane = Decoder.LowResSize * Decoder.LowResSize;
        var coords = new float[group.Length * n * 2];
        var labels = new float[group.Length * n];
        bool masks = prompts[group[0]].MaskInput is not null;
        var maskInput = masks ? new float[group.Length * plane] : null;
        for (int b = 0; b < group.Length; b++)
        {
            var p = prompts[group[b]];
            p.Coords.CopyTo(coords, b * n * 2);
            p.Labels.CopyTo(labels, b * n);
            p.MaskInput?.CopyTo(maskInput!, b * plane);
        }
        return Decoder.Run(embedding, coords, labels, group.Length, n, maskInput);
    }

    private SamPrediction Finish(SamImageEmbedding e, SamDecoderOutput output, int b, SamPredictOptions options)
    {
        int[] indices = output.MasksPerPrompt == 4 && options.MultimaskOutput ? [1, 2, 3] : [0];
        int plane = output.Plane;
        var iou = new float[indices.Length];
        var low = new float[indices.Length * plane];
        for (int i = 0; i < indices.Length; i++)
        {
            iou[i] = output.Iou(b, indices[i]);
            output.LowRes(b, indices[i]).CopyTo(low.AsSpan(i * plane));
        }
        var upscaler = Upscaler(e.InputSize, e.OriginalSize, e.LongSide);
        var masks = new BinaryMask[indices.Length];
        float[]? logits = options.ReturnLogits ? new float[(long)indices.Length * e.OriginalSize.PixelCount] : null;
        int outPlane = (int)e.OriginalSize.PixelCount;
        Parallel.For(0, indices.Length, i =>
        {
            var lr = low.AsSpan(i * plane, plane);
            // SAM's mask_threshold is 0.0: a pixel is inside where the upscaled logit is > 0.
            masks[i] = upscaler.Threshold(lr, 0f);
            if (logits is not null) upscaler.UpscaleLogits(lr, logits.AsSpan(i * outPlane, outPlane));
        });
        return new SamPrediction(e.OriginalSize, output.LowResSize, masks, iou, low, logits, indices);
    }

    /// <summary>Disposes the models when this predictor owns them.</summary>
    public void Dispose()
    {
        if (!_ownsModels) return;
        Decoder.Dispose();
        Encoder?.Dispose();
    }
}
