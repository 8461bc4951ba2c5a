// Runner for the SAM image-encoder contract (see SamEncoderContract for the recogniser):
//   normalised: input [1,3,1024,1024] float32 = segment-anything's set_image preprocessing: ResizeLongestSide
//     (PIL bilinear resize to get_preprocess_shape), (x − mean) / std per channel on the 0..255 scale with
//     mean (123.675, 116.28, 103.53) and std (58.395, 57.12, 57.375) in float32, zero-padded bottom/right
//     (Sam.preprocess); output image_embeddings [1,256,64,64].
//   raw image: input [H,W,3] uint8 or float32 RGB of any size, the graph preprocesses; same output.
using System.Diagnostics;
using SegKit.Imaging;
using SegKit.Models;
using SegKit.Onnx;

namespace SegKit.Prompt;

/// <summary>What a SAM encoder takes as input.</summary>
public enum SamEncoderInput
{
    /// <summary>[1,3,1024,1024] float32, preprocessed by SegKit as segment-anything does.</summary>
    Normalized1024,
    /// <summary>[H,W,3] uint8 RGB of any size; the graph resizes and normalises.</summary>
    RawHwcUInt8,
    /// <summary>[H,W,3] float32 RGB 0..255 of any size; the graph resizes and normalises.</summary>
    RawHwcFloat,
}

/// <summary>
/// A loaded SAM / MobileSAM image encoder: <see cref="Encode"/> turns an RGB image into a
/// <see cref="SamImageEmbedding"/>. Thread-safe. Dispose to release the ONNX session.
/// </summary>
public sealed class SamEncoder : IDisposable
{
    /// <summary>SAM's pixel mean on the 0..255 scale (R, G, B).</summary>
    public static ReadOnlySpan<float> PixelMean => [123.675f, 116.28f, 103.53f];

    /// <summary>SAM's pixel standard deviation on the 0..255 scale (R, G, B).</summary>
    public static ReadOnlySpan<float> PixelStd => [58.395f, 57.12f, 57.375f];

    private readonly InferenceSession _session;
    private readonly string _inputName;
    private readonly string _outputName;
    private readonly Lazy<SamEncoderIdentity> _identity;
    private readonly long[] _embeddingShape;

    private SamEncoder(InferenceSession session, Func<SamEncoderIdentity> identity)
    {
        var signature = ModelSignature.Of(session);
        var match = SamEncoderContract.Recognize(signature)
            ?? throw new SamModelMismatchException(
                $"{session.Source} is not a SAM image encoder (inputs {string.Join("; ", session.Inputs)}; outputs {string.Join("; ", session.Outputs)}); expected " +
                ModelContracts.Describe(ModelContractKind.SamEncoder) + " or " + ModelContracts.Describe(ModelContractKind.SamEncoderRawImage));
        _session = session;
        var input = signature.Inputs[0];
        _inputName = input.Name;
        var output = signature.Output("image_embeddings") ?? signature.Outputs[0];
        _outputName = output.Name;
        _embeddingShape = output.Shape;
        InputKind = match.Kind == ModelContractKind.SamEncoder ? SamEncoderInput.Normalized1024
            : input.ElementType == TensorElementType.UInt8 ? SamEncoderInput.RawHwcUInt8 : SamEncoderInput.RawHwcFloat;
        _identity = new Lazy<SamEncoderIdentity>(identity);
    }

    /// <summary>Loads the encoder at <paramref name="path"/>; its identity (file name, SHA-256) is hashed on first use.</summary>
    /// <exception cref="SamModelMismatchException">The model fits neither encoder contract.</exception>
    public static SamEncoder Open(string path, SessionOptions? options = null)
    {
        var session = InferenceSession.FromFile(path, options);
        try
        {
            string full = session.Source;
            return new SamEncoder(session, () => SamEncoderIdentity.OfFile(full));
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>How the encoder is fed.</summary>
    public SamEncoderInput InputKind { get; }

    /// <summary>The model file.</summary>
    public string Source => _session.Source;

    /// <summary>The embedding output's shape as declared (-1 for dynamic dimensions), e.g. [1,256,64,64].</summary>
    public ReadOnlySpan<long> EmbeddingShape => _embeddingShape;

    /// <summary>File name and SHA-256 of the model (computed once, on first use).</summary>
    public SamEncoderIdentity Identity => _identity.Value;

    /// <summary>
    /// Computes the embedding of <paramref name="image"/> (RGB, any size), as SamPredictor.set_image.
    /// </summary>
    /// <param name="image">The image, HWC RGB.</param>
    /// <param name="timings">Optional: receives preprocess and inference times (added to what it holds).</param>
    public SamImageEmbedding Encode(RgbImage image, StageTimings? timings = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        long t0 = Stopwatch.GetTimestamp();
        OrtTensor tensor;
        var original = new ImageSize(image.Width, image.Height);
        switch (InputKind)
        {
            case SamEncoderInput.Normalized1024:
                tensor = OrtTensor.FromArray(Preprocess(image), [1, 3, ResizeLongestSide.LongSide1024, ResizeLongestSide.LongSide1024]);
                break;
            case SamEncoderInput.RawHwcUInt8:
                tensor = OrtTensor.FromArray(image.Data, [image.Height, image.Width, 3]);
                break;
            default:
                var f = new float[image.Data.Length];
                for (int i = 0; i < f.Length; i++) f[i] = image.Data[i];
                tensor = OrtTensor.FromArray(f, [image.Height, image.Width, 3]);
                break;
        }
        if (timings is not null) timings.PreprocessMs += StageTimings.Since(t0);
        long t1 = Stopwatch.GetTimestamp();
        OrtOutput output;
        using (tensor)
            output = _session.Run(new Dictionary<string, OrtTensor> { [_inputName] = tensor }, [_outputName])[0];
        if (timings is not null) timings.InferenceMs += StageTimings.Since(t1);
        if (output.ElementType != TensorElementType.Float || output.Shape.Length != 4)
            throw new SamModelMismatchException(
                $"encoder {Source} returned {output}; a float32 embedding [1,C,h,w] was expected");
        int[] shape = new int[output.Shape.Length];
        for (int i = 0; i < shape.Length; i++) shape[i] = checked((int)output.Shape[i]);
        return SamImageEmbedding.Wrap(output.AsFloat(), shape, original, Identity, ResizeLongestSide.LongSide1024, SamImageEmbedding.PixelsSha256(image));
    }

    /// <summary>
    /// The image resized as <c>ResizeLongestSide(1024).apply_image</c>: PIL bilinear (antialiased) to
    /// <see cref="ResizeLongestSide.GetPreprocessShape"/>.
    /// </summary>
    public static RgbImage ResizeForEncoder(RgbImage image, int longSide = ResizeLongestSide.LongSide1024)
    {
        ArgumentNullException.ThrowIfNull(image);
        var size = ResizeLongestSide.GetPreprocessShape(image.Width, image.Height, longSide);
        return size.Width == image.Width && size.Height == image.Height
            ? image
            : ImageResizer.ResizeBilinear(image, size.Width, size.Height);
    }

    /// <summary>
    /// The normalised encoder input [1,3,longSide,longSide]: <see cref="ResizeForEncoder"/>, then
    /// (x − <see cref="PixelMean"/>) / <see cref="PixelStd"/> in float32, zero padding bottom and right (Sam.preprocess).
    /// </summary>
    public static float[] Preprocess(RgbImage image, int longSide = ResizeLongestSide.LongSide1024)
    {
        var resized = ResizeForEncoder(image, longSide);
        int side = longSide, plane = side * side;
        var result = new float[3 * plane];
        int w = resized.Width, h = resized.Height;
        byte[] data = resized.Data;
        ReadOnlySpan<float> mean = PixelMean, std = PixelStd;
        float m0 = mean[0], m1 = mean[1], m2 = mean[2], s0 = std[0], s1 = std[1], s2 = std[2];
        Parallel.For(0, h, y =>
        {
            int src = y * w * 3, dst = y * side;
            for (int x = 0; x < w; x++, src += 3)
            {
                // Division, not multiplication by a reciprocal, as torch's (x - mean) / std.
                result[dst + x] = (data[src] - m0) / s0;
                result[plane + dst + x] = (data[src + 1] - m1) / s1;
                result[2 * plane + dst + x] = (data[src + 2] - m2) / s2;
            }
        });
        return result;
    }

    /// <summary>Releases the session.</summary>
    public void Dispose() => _session.Dispose();
}
