// How an image is resized before a semantic model sees it. The resize itself is PIL's BILINEAR (with
// antialias when shrinking), as torchvision's and Hugging Face's reference pipelines do.
using SegKit.Imaging;

namespace SegKit.Semantic;

/// <summary>The kinds of <see cref="ResizePolicy"/>.</summary>
public enum ResizePolicyKind
{
    /// <summary>Feed the image at its own size.</summary>
    None,
    /// <summary>Shorter side to N, longer side int(N · long / short) (torchvision's Resize(N)).</summary>
    ShorterSide,
    /// <summary>Exactly Width × Height (aspect ratio not kept), e.g. SegFormer's 512 × 512.</summary>
    Fixed,
    /// <summary>The model's static input size; no resize when the model's input size is dynamic.</summary>
    ModelInput,
}

/// <summary>A resize rule for semantic models.</summary>
public readonly record struct ResizePolicy(ResizePolicyKind Kind, int Width = 0, int Height = 0)
{
    /// <summary>No resize.</summary>
    public static ResizePolicy None => new(ResizePolicyKind.None);

    /// <summary>The model's static input size (no resize if dynamic).</summary>
    public static ResizePolicy ModelInput => new(ResizePolicyKind.ModelInput);

    /// <summary>Shorter side to <paramref name="size"/> pixels.</summary>
    public static ResizePolicy ShorterSide(int size) =>
        size >= 1 ? new(ResizePolicyKind.ShorterSide, size, size) : throw new ArgumentOutOfRangeException(nameof(size), $"shorter side {size}: must be ≥ 1");

    /// <summary>Exactly <paramref name="width"/> × <paramref name="height"/>.</summary>
    public static ResizePolicy Fixed(int width, int height) =>
        width >= 1 && height >= 1 ? new(ResizePolicyKind.Fixed, width, height)
            : throw new ArgumentOutOfRangeException(nameof(width), $"fixed size {width}×{height}: both must be ≥ 1");

    /// <summary>The size an image of <paramref name="width"/> × <paramref name="height"/> is resized to.</summary>
    public ImageSize Apply(int width, int height) => Kind switch
    {
        ResizePolicyKind.ShorterSide => ImageSize.ForShorterSide(width, height, Width),
        ResizePolicyKind.Fixed => new ImageSize(Width, Height),
        _ => new ImageSize(width, height),
    };

    /// <summary>
    /// The pixel count <see cref="Apply"/> gives for an image of <paramref name="width"/> × <paramref name="height"/>,
    /// exactly, computed without making the size (so without overflow for any positive sizes).
    /// </summary>
    public double PixelsFor(int width, int height) => Kind switch
    {
        ResizePolicyKind.ShorterSide => (double)Width * ImageSize.LongerSideFor(width, height, Width),
        ResizePolicyKind.Fixed => (double)Width * Height,
        _ => (double)width * height,
    };

    /// <summary>e.g. "shorter side 520", "512×512", "none".</summary>
    public override string ToString() => Kind switch
    {
        ResizePolicyKind.ShorterSide => $"shorter side {Width}",
        ResizePolicyKind.Fixed => $"{Width}×{Height}",
        ResizePolicyKind.ModelInput => "model input size",
        _ => "none",
    };
}
