// segment-anything's utils/transforms.py ResizeLongestSide, number for number: the encoder's input frame is
// the image scaled so its longest side is 1024 (get_preprocess_shape: scale = 1024 / max(h, w), each side
// int(side · scale + 0.5)); prompts move into that frame with apply_coords (float64 x · new_w / old_w,
// then float32 as torch.as_tensor(..., dtype=torch.float) rounds it).
using SegKit.Imaging;
using SegKit.Masks;

namespace SegKit.Prompt;

/// <summary>SAM's coordinate frame: the image resized so its longest side is <see cref="LongSide1024"/>.</summary>
public static class ResizeLongestSide
{
    /// <summary>SAM's encoder input side (image_encoder.img_size).</summary>
    public const int LongSide1024 = 1024;

    /// <summary>
    /// <c>get_preprocess_shape(h, w, longSide)</c>: the size of the resized image before padding.
    /// </summary>
    public static ImageSize GetPreprocessShape(int width, int height, int longSide = LongSide1024) =>
        ImageSize.ForLongestSide(width, height, longSide);

    /// <summary>
    /// <c>apply_coords</c>: a point in original-image pixels (x right, y down) in the resized frame,
    /// float64 arithmetic rounded once to float32.
    /// </summary>
    public static (float X, float Y) ApplyCoords(double x, double y, int originalWidth, int originalHeight, int longSide = LongSide1024)
    {
        var n = GetPreprocessShape(originalWidth, originalHeight, longSide);
        return ((float)(x * ((double)n.Width / originalWidth)), (float)(y * ((double)n.Height / originalHeight)));
    }

    /// <summary><c>apply_boxes</c>: both corners of an XYXY box through <see cref="ApplyCoords"/>.</summary>
    public static BoxXyxy ApplyBox(BoxXyxy box, int originalWidth, int originalHeight, int longSide = LongSide1024)
    {
        var (x1, y1) = ApplyCoords(box.X1, box.Y1, originalWidth, originalHeight, longSide);
        var (x2, y2) = ApplyCoords(box.X2, box.Y2, originalWidth, originalHeight, longSide);
        return new BoxXyxy(x1, y1, x2, y2);
    }
}
