// Runner for the SAM decoder contract (see SamDecoderContract for the recogniser):
//   inputs  image_embeddings [1,256,64,64]; point_coords [B,N,2] float32 in the longest-side-1024 frame;
//           point_labels [B,N] float32 (1 fg, 0 bg, 2/3 box corners, -1 padding); mask_input [1|B,1,256,256];
//           has_mask_input [1|B]; orig_im_size [2] float32 (H, W)
//   outputs iou_predictions [B,K]; low_res_masks [B,K,256,256]; masks [B,K,H,W] (not requested: SegKit
//           upscales the low-res logits itself, see SamMaskUpscaler; orig_im_size only shapes `masks`).
//   K = 4 for the official export with return_single_mask=False (0 = single-mask answer, 1..3 multimask);
//   K = 1 for exports with return_single_mask=True. The official export fixes B = 1; a model whose
//   point_coords batch dimension is dynamic takes several prompts with the same N in one run.
//
//   For prompts without a mask input, SegKit computes the decoder itself from the model's weights
//   (SamReformulatedDecoder: the same mathematics re-associated around the few prompt tokens, ~3× fewer
//   multiply-adds) once a check at load has shown it gives the graph's outputs on this model; otherwise, and
//   for mask inputs, the ONNX graph runs. SamDecoderEngine.OnnxGraph always runs the graph.
using SegKit.Imaging;
using SegKit.Models;
using SegKit.Onnx;

namespace SegKit.Prompt;

/// <summary>How a <see cref="SamDecoder"/> computes its outputs.</summary>
public enum SamDecoderEngine
{
    /// <summary>SegKit's own computation from the model's weights where a check at load shows it equals the graph's
    /// (official SamOnnxModel exports), the ONNX graph otherwise and for prompts with a mask input.</summary>
    Auto,
    /// <summary>Always the model's ONNX graph on ONNX Runtime.</summary>
    OnnxGraph,
    /// <summary>SegKit's re-associated computation (reported by <see cref="SamDecoder.Engine"/> when in use).</summary>
    Reformulated,
}

/// <summary>
/// A loaded SAM prompt-encoder + mask-decoder model (official <c>SamOnnxModel</c> export or compatible).
/// Thread-safe: several threads may decode prompts at once. Dispose to release the ONNX session.
/// </summary>
public sealed class SamDecoder : IDisposable
{
    private readonly InferenceSession _session;
    private readonly bool _ownsSession;
    private readonly long[] _embeddingShape;
    private readonly bool _maskInputPerPrompt;
    private static readonly string[] s_outputs = ["iou_predictions", "low_res_masks"];

    private SamReformulatedDecoder? _reformulated;
    private readonly int _threads;

    /// <summary>Largest difference allowed between SegKit's computation and the graph's on the load-time check:
    /// low-res logits within 1e-3 (+1e-5 relative), IoU predictions within 1e-4 (+1e-5 relative).</summary>
    internal const float CheckLogitTolerance = 1e-3f, CheckIouTolerance = 1e-4f;

    private SamDecoder(InferenceSession session, bool ownsSession, SamDecoderEngine engine, int threads)
        : this(session, ownsSession)
    {
        _threads = threads > 0 ? threads : Environment.ProcessorCount;
        if (engine == SamDecoderEngine.OnnxGraph)
        {
            EngineNote = "the ONNX graph was asked for";
            return;
        }
        try
        {
            _reformulated = TryReformulate(out string note);
            EngineNote = note;
        }
        catch (Exception e) when (e is SamDecoderWeightsException or OnnxModelFormatException or IOException or UnauthorizedAccessException)
        {
            EngineNote = "the graph runs: " + e.Message;
        }
    }

    private SamDecoder(InferenceSession session, bool ownsSession)
    {
        var signature = ModelSignature.Of(session);
        if (SamDecoderContract.Recognize(signature) is null)
        {
            string missing = string.Join(", ", SamDecoderContract.InputNames.Where(n => signature.Input(n) is null)
                .Concat(SamDecoderContract.OutputNames.Where(n => signature.Output(n) is null)));
            // An encoder given as the decoder "lacked image_embeddings", which it outputs.
            if (SamEncoderContract.Recognize(signature) is not null)
                throw new SamModelMismatchException(
                    $"{session.Source} is a SAM image encoder, not a decoder (it outputs the image embedding); pass it as the encoder (--encoder)");
            throw new SamModelMismatchException(
                $"{session.Source} is not a SAM decoder: {(missing.Length > 0 ? "it lacks " + missing : "its tensors do not fit")}; expected " +
                ModelContracts.Describe(ModelContractKind.SamDecoder));
        }
        _session = session;
        _ownsSession = ownsSession;
        _embeddingShape = signature.Input("image_embeddings")!.Shape;
        var coords = signature.Input("point_coords")!;
        SupportsBatching = coords.Shape.Length == 3 && coords.Shape[0] < 0;
        var maskInput = signature.Input("mask_input")!;
        _maskInputPerPrompt = maskInput.Shape.Length == 4 && maskInput.Shape[0] < 0;
        long lowResSide = maskInput.Shape.Length == 4 ? maskInput.Shape[3] : -1;
        LowResSize = lowResSide > 0 ? (int)lowResSide : 256;
        var iou = signature.Output("iou_predictions")!;
        MasksPerPrompt = iou.Shape.Length == 2 && iou.Shape[1] > 0 ? (int)iou.Shape[1] : 0;
    }

    /// <summary>Loads the decoder at <paramref name="path"/>.</summary>
    /// <exception cref="SamModelMismatchException">The model does not fit the SAM decoder contract.</exception>
    /// <exception cref="OrtException">ONNX Runtime could not load the file.</exception>
    public static SamDecoder Open(string path, SessionOptions? options = null, SamDecoderEngine engine = SamDecoderEngine.Auto)
    {
        var session = InferenceSession.FromFile(path, options);
        try
        {
            return new SamDecoder(session, ownsSession: true, engine, options?.IntraOpThreads ?? 0);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>Wraps an open session; the decoder disposes it only when <paramref name="takeOwnership"/> is true.</summary>
    public static SamDecoder FromSession(InferenceSession session, bool takeOwnership, SamDecoderEngine engine = SamDecoderEngine.Auto)
    {
        ArgumentNullException.ThrowIfNull(session);
        return new SamDecoder(session, takeOwnership, engine, 0);
    }

    /// <summary>
    /// Prompts without a mask input that one <see cref="Run"/> takes best when the graph's batch is fixed at 1:
    /// SegKit's computation takes them two at a time (each image-side tile is read once for both), the graph one.
    /// </summary>
    internal int PromptsPerRun => _reformulated is null ? 1 : SamReformulatedDecoder.PromptsInStep;

    /// <summary>What computes prompts without a mask input: <see cref="SamDecoderEngine.Reformulated"/> or
    /// <see cref="SamDecoderEngine.OnnxGraph"/> (prompts with a mask input always run the graph).</summary>
    public SamDecoderEngine Engine => _reformulated is null ? SamDecoderEngine.OnnxGraph : SamDecoderEngine.Reformulated;

    /// <summary>Why <see cref="Engine"/> is what it is, including the largest differences the load-time check measured.</summary>
    public string EngineNote { get; private set; } = "";

    /// <summary>
    /// Reads the weights out of the model file, and checks SegKit's computation against the graph on a synthetic
    /// embedding with three prompts (a point, two points, a box). Null when the file or the check says no.
    /// </summary>
    private SamReformulatedDecoder? TryReformulate(out string note)
    {
        if (_embeddingShape.Length != 4 || _embeddingShape[0] != 1 || _embeddingShape[1] != SamDecoderWeights.Dim
            || _embeddingShape[2] <= 0 || _embeddingShape[2] != _embeddingShape[3] || MasksPerPrompt is not (4 or 0))
        {
            note = $"the graph runs: image_embeddings {FormatShape(_embeddingShape)} with {MasksPerPrompt} masks per prompt is not the official export's layout";
            return null;
        }
        if (!File.Exists(Source))
        {
            note = "the graph runs: the model was not loaded from a file, so its weights cannot be read";
            return null;
        }
        int side = (int)_embeddingShape[2];
        if (LowResSize != 4 * side)
        {
            note = $"the graph runs: mask_input side {LowResSize} is not 4 × the embedding side {side}";
            return null;
        }
        var candidate = new SamReformulatedDecoder(SamDecoderWeights.Read(OnnxModelFile.Read(Source)), side);

        // A deterministic embedding with the spread of real ones, and prompts that cover points, padding and box corners.
        var values = new float[SamDecoderWeights.Dim * side * side];
        uint state = 2463534242;
        for (int i = 0; i < values.Length; i++)
        {
            state ^= state << 13; state ^= state >> 17; state ^= state << 5;
            values[i] = (state / (float)uint.MaxValue - 0.5f) * 1.6f;
        }
        var probe = SamImageEmbedding.Wrap(values, [1, SamDecoderWeights.Dim, side, side], new ImageSize(16 * side, 16 * side),
            SamEncoderIdentity.Unknown, 16 * side);
        float s = 16 * side;
        (float[] Coords, float[] Labels)[] prompts =
        [
            ([0.41f * s, 0.57f * s, 0f, 0f], [1f, -1f]),
            ([0.2f * s, 0.3f * s, 0.7f * s, 0.66f * s, 0f, 0f], [1f, 0f, -1f]),
            ([0.1f * s, 0.15f * s, 0.8f * s, 0.9f * s], [2f, 3f]),
        ];
        float worstLogit = 0, worstIou = 0;
        foreach (var (coords, labels) in prompts)
        {
            var graph = RunGraph(probe, coords, labels, 1, labels.Length, null);
            var mine = candidate.Run(probe, coords, labels, 1, labels.Length, _threads);
            if (!Agrees(graph.LowResLogits, mine.LowResLogits, CheckLogitTolerance, ref worstLogit, out float d))
            {
                note = $"the graph runs: SegKit's computation differs from it by {d:G3} in a low-res logit of the load-time check";
                return null;
            }
            if (!Agrees(graph.IouPredictions, mine.IouPredictions, CheckIouTolerance, ref worstIou, out d))
            {
                note = $"the graph runs: SegKit's computation differs from it by {d:G3} in an IoU prediction of the load-time check";
                return null;
            }
        }
        note = $"SegKit's computation, checked against the graph at load (largest differences: logits {worstLogit:G2}, IoU {worstIou:G2})";
        return candidate;
    }

    /// <summary>Whether every |graph − mine| is within tolerance + 1e-5·|graph|; tracks the largest difference.</summary>
    private static bool Agrees(float[] graph, float[] mine, float tolerance, ref float worst, out float difference)
    {
        for (int i = 0; i < graph.Length; i++)
        {
            difference = MathF.Abs(graph[i] - mine[i]);
            if (!(difference <= tolerance + 1e-5f * MathF.Abs(graph[i]))) return false;
            worst = MathF.Max(worst, difference);
        }
        difference = 0;
        return true;
    }

    /// <summary>The model file.</summary>
    public string Source => _session.Source;

    /// <summary>True when point_coords has a dynamic batch dimension, so several prompts run in one call.</summary>
    public bool SupportsBatching { get; }

    /// <summary>True when mask_input / has_mask_input have a dynamic batch dimension (one mask input per prompt).</summary>
    internal bool MaskInputPerPrompt => _maskInputPerPrompt;

    /// <summary>Side of the square low-res masks and mask input (256 for SAM).</summary>
    public int LowResSize { get; }

    /// <summary>Masks per prompt K as declared (4 for the official export), or 0 when dynamic (known after a run).</summary>
    public int MasksPerPrompt { get; private set; }

    /// <summary>The image_embeddings input shape as declared (-1 for dynamic dimensions).</summary>
    public ReadOnlySpan<long> EmbeddingShape => _embeddingShape;

    /// <summary>Throws unless the decoder's image_embeddings input takes <paramref name="embedding"/>'s shape.</summary>
    /// <exception cref="SamModelMismatchException">Rank or a fixed dimension differs; the message gives both shapes.</exception>
    public void CheckEmbedding(SamImageEmbedding embedding)
    {
        ArgumentNullException.ThrowIfNull(embedding);
        var shape = embedding.Shape;
        bool ok = shape.Length == _embeddingShape.Length;
        for (int i = 0; ok && i < shape.Length; i++)
            ok = _embeddingShape[i] < 0 || _embeddingShape[i] == shape[i];
        if (!ok)
            throw new SamModelMismatchException(
                $"decoder {Path.GetFileName(Source)} takes image_embeddings {FormatShape(_embeddingShape)} but the embedding " +
                $"from {embedding.Encoder} is {embedding.ShapeText}: the encoder and decoder are not a pair");
    }

    /// <summary>
    /// Runs the decoder on <paramref name="batch"/> prompts of <paramref name="pointsPerPrompt"/> points each
    /// (already in the 1024 frame, padding and box corners included).
    /// </summary>
    /// <param name="embedding">The image embedding.</param>
    /// <param name="coords">[batch, pointsPerPrompt, 2] x, y.</param>
    /// <param name="labels">[batch, pointsPerPrompt] labels 1, 0, 2, 3 or -1.</param>
    /// <param name="batch">Prompts in this run (1 unless <see cref="SupportsBatching"/>).</param>
    /// <param name="pointsPerPrompt">N.</param>
    /// <param name="maskInput">[batch or 1, LowResSize, LowResSize] logits, or null (zeros with has_mask_input = 0).</param>
    internal SamDecoderOutput Run(SamImageEmbedding embedding, float[] coords, float[] labels, int batch, int pointsPerPrompt, float[]? maskInput)
    {
        if (_reformulated is not null && maskInput is null)
        {
            if (batch < 1 || pointsPerPrompt < 1 || coords.Length != batch * pointsPerPrompt * 2 || labels.Length != batch * pointsPerPrompt)
                throw new ArgumentException($"decoder inputs do not agree: batch {batch}, N {pointsPerPrompt}, {coords.Length} coordinates, {labels.Length} labels");
            CheckEmbedding(embedding);
            return _reformulated.Run(embedding, coords, labels, batch, pointsPerPrompt, _threads);
        }
        return RunGraph(embedding, coords, labels, batch, pointsPerPrompt, maskInput);
    }

    /// <summary>
    /// Hands back an output of <see cref="Run"/> that nothing reads any more, so that a later run of SegKit's
    /// computation reuses its low-res array (fresh 1 MB arrays cost page faults; everything mode recycles its batches).
    /// </summary>
    internal void Recycle(SamDecoderOutput output) => _reformulated?.Recycle(output.LowResLogits);

    /// <summary>Runs the ONNX graph (see <see cref="Run"/>).</summary>
    internal SamDecoderOutput RunGraph(SamImageEmbedding embedding, float[] coords, float[] labels, int batch, int pointsPerPrompt, float[]? maskInput)
    {
        if (batch < 1 || pointsPerPrompt < 1 || coords.Length != batch * pointsPerPrompt * 2 || labels.Length != batch * pointsPerPrompt)
            throw new ArgumentException($"decoder inputs do not agree: batch {batch}, N {pointsPerPrompt}, {coords.Length} coordinates, {labels.Length} labels");
        if (batch > 1 && !SupportsBatching)
            throw new InvalidOperationException($"decoder {Source} takes one prompt per run");
        int plane = LowResSize * LowResSize;
        int maskBatch = _maskInputPerPrompt ? batch : 1;
        if (maskInput is not null && maskInput.Length != maskBatch * plane)
            throw new ArgumentException($"mask input has {maskInput.Length} floats; {maskBatch}×{LowResSize}×{LowResSize} expected");
        bool hasMask = maskInput is not null;
        maskInput ??= new float[maskBatch * plane];
        var hasMaskInput = new float[maskBatch];
        if (hasMask) Array.Fill(hasMaskInput, 1f);
        // orig_im_size shapes only the `masks` output (SamOnnxModel.mask_postprocessing), which SegKit does not
        // request; ONNX Runtime evaluates that branch anyway. That branch upsamples to 1024×1024, crops to the
        // longest-side-1024 size of orig_im_size, then resizes to orig_im_size: (1, 1024) crops to one row of
        // 1024, so both the crop and the final resize are negligible (ORT profile: the two Slice nodes drop from
        // 4.2 ms to ~0 per run; (1, 1) would crop a full 1024×1024). The outputs read here do not depend on it
        // (tested bit for bit).
        float[] origSize = [1f, 1024f];

        using var tEmb = OrtTensor.FromArray(embedding.DangerousData, embedding.Shape.ToArray().Select(d => (long)d).ToArray());
        using var tCoords = OrtTensor.FromArray(coords, [batch, pointsPerPrompt, 2]);
        using var tLabels = OrtTensor.FromArray(labels, [batch, pointsPerPrompt]);
        using var tMask = OrtTensor.FromArray(maskInput, [maskBatch, 1, LowResSize, LowResSize]);
        using var tHas = OrtTensor.FromArray(hasMaskInput, [maskBatch]);
        using var tSize = OrtTensor.FromArray(origSize, [2]);
        var outputs = _session.Run(new Dictionary<string, OrtTensor>
        {
            ["image_embeddings"] = tEmb,
            ["point_coords"] = tCoords,
            ["point_labels"] = tLabels,
            ["mask_input"] = tMask,
            ["has_mask_input"] = tHas,
            ["orig_im_size"] = tSize,
        }, s_outputs);
        var iou = outputs["iou_predictions"];
        var low = outputs["low_res_masks"];
        var iouShape = iou.Shape;
        var lowShape = low.Shape;
        if (iouShape.Length != 2 || iouShape[0] != batch || lowShape.Length != 4 || lowShape[0] != batch
            || lowShape[1] != iouShape[1] || lowShape[2] != LowResSize || lowShape[3] != LowResSize)
            throw new SamModelMismatchException(
                $"decoder {Source} returned iou_predictions {FormatShape(iouShape)} and low_res_masks {FormatShape(lowShape)}; " +
                $"[{batch},K] and [{batch},K,{LowResSize},{LowResSize}] expected");
        int k = (int)iouShape[1];
        if (k != 1 && k != 4)
            throw new SamModelMismatchException($"decoder {Source} returned {k} masks per prompt; 1 or 4 expected");
        MasksPerPrompt = k;
        return new SamDecoderOutput(batch, k, LowResSize, iou.AsFloat(), low.AsFloat());
    }

    /// <summary>"[1,256,64,64]", "?" for a dynamic dimension.</summary>
    internal static string FormatShape(ReadOnlySpan<long> shape)
    {
        var parts = new string[shape.Length];
        for (int i = 0; i < shape.Length; i++) parts[i] = shape[i] < 0 ? "?" : shape[i].ToString(System.Globalization.CultureInfo.InvariantCulture);
        return "[" + string.Join(",", parts) + "]";
    }

    /// <summary>Releases the session when this decoder owns it.</summary>
    public void Dispose()
    {
        if (_ownsSession) _session.Dispose();
    }
}

/// <summary>One decoder run's raw outputs: IoU predictions [B,K] and low-res logits [B,K,S,S].</summary>
internal sealed record SamDecoderOutput(int Batch, int MasksPerPrompt, int LowResSize, float[] IouPredictions, float[] LowResLogits)
{
    public int Plane => LowResSize * LowResSize;

    /// <summary>Low-res logits of mask <paramref name="k"/> of prompt <paramref name="b"/>.</summary>
    public ReadOnlySpan<float> LowRes(int b, int k) => LowResLogits.AsSpan((b * MasksPerPrompt + k) * Plane, Plane);

    /// <summary>IoU prediction of mask <paramref name="k"/> of prompt <paramref name="b"/>.</summary>
    public float Iou(int b, int k) => IouPredictions[b * MasksPerPrompt + k];
}
