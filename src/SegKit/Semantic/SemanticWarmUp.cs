// The first photo of a process paid for compiling SegKit's pixel kernels and for starting the thread pool: on
// truck.jpg with LRASPP, decode + preprocess + postprocess took 134-143 ms on the first photo against about 12 ms
// on later ones. Loading a model leaves a core idle while ONNX Runtime builds the session (about 160 ms
// for LRASPP here), so SemanticSegmenter.Load runs every SegKit stage of a semantic run once, on small synthetic
// inputs, on a thread of its own meanwhile: JPEG decode, PIL's bilinear resize, the input tensor, each
// upsampling-argmax kernel a model can reach, and the label PNG. Nothing it computes is kept.
using SegKit.Imaging;

namespace SegKit.Semantic;

internal static class SemanticWarmUp
{
    private static readonly Lazy<Task> s_run = new(() => Task.Run(Run));

    /// <summary>The process's warm-up: started by the first call, shared by later ones.</summary>
    public static Task Start() => s_run.Value;

    /// <summary>Runs each stage once. Throws only on a SegKit bug; a missing codec library skips that codec (the
    /// photo's own decode will then report it).</summary>
    internal static void Run()
    {
        Parallel.For(0, 2 * Environment.ProcessorCount, _ => Thread.SpinWait(64)); // threads the kernels' Parallel.For uses

        // A 128×96 photo, downscaled about as a 1800×1200 one is to 520 rows.
        var photo = new RgbImage(128, 96);
        for (int y = 0; y < photo.Height; y++)
            for (int x = 0; x < photo.Width; x++)
            {
                int i = 3 * (y * photo.Width + x);
                (photo.Data[i], photo.Data[i + 1], photo.Data[i + 2]) = ((byte)(2 * x), (byte)(2 * y), (byte)(x ^ y));
            }
        try
        {
            photo = ImageDecoder.DecodeRgb(JpegEncoder.Encode(photo), "SegKit warm-up photo");
        }
        catch (DllNotFoundException)
        {
        }
        var resized = new byte[56 * 42 * 3];
        ImageResizer.ResizeBilinear(photo.Data, photo.Width, photo.Height, 3, resized, 56, 42);
        var preset = SemanticPreset.Torchvision;
        SemanticSegmenter.ToPlanarTensor(resized, 56, 42, new float[3 * 56 * 42], SemanticSegmenter.Tables(preset), preset);

        // Logits whose classes each win a region, so that the kernels meet both uniform blocks and boundaries.
        var voc = Regions(21, 6, 7);
        var labels = new byte[110 * 128];
        // torchvision's fused path: 1/8-size logits → model input → photo (LRASPP, DeepLabV3).
        TensorResize.BilinearTwiceArgmax(voc, 21, 6, 7, 48, 56, labels, 110, 128, new long[21]);
        // A model output at input size, upsampled about 2.3× (a final resize that was not fused).
        TensorResize.BilinearArgmax(Regions(21, 48, 56), 21, 48, 56, labels, 110, 128, null, new long[21]);
        // SegFormer: 1/4-size logits upsampled more than 16×, with ADE20K's 150 classes.
        TensorResize.BilinearArgmax(Regions(150, 6, 7), 150, 6, 7, labels, 110, 128, null, new long[150]);
        // A one-logit U-Net: the model's resize, then the sigmoid test.
        var oneLogit = new float[48 * 56];
        TensorResize.BilinearChw(Regions(1, 6, 7), 1, 6, 7, oneLogit, 48, 56);
        TensorResize.BilinearBinary(oneLogit, 48, 56, labels, 110, 128, null, new long[2]);
        try
        {
            PngEncoder.Encode(new IndexedImage(128, 110, labels, ColorPalette.PascalVoc));
        }
        catch (DllNotFoundException)
        {
        }
    }

    // [channels, h, w] logits: class c is highest near its own centre.
    private static float[] Regions(int channels, int h, int w)
    {
        var logits = new float[channels * h * w];
        for (int c = 0; c < channels; c++)
        {
            float cy = (c * 7 % h) + 0.5f, cx = (c * 5 % w) + 0.5f;
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                    logits[(c * h + y) * w + x] = -((y - cy) * (y - cy) + (x - cx) * (x - cx)) - 0.01f * c;
        }
        return logits;
    }
}
