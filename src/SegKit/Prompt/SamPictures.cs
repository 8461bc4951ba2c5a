// Pictures of promptable results: a mask as a grey PNG, the prompts and their masks over the photo, and
// everything mode's masks each in its own colour (largest first, so small masks stay visible on top, as
// segment-anything's show_anns draws them).
using SegKit.Imaging;
using SegKit.Imaging.Drawing;
using SegKit.Masks;

namespace SegKit.Prompt;

/// <summary>Images for SAM results (the CLI writes these).</summary>
public static class SamPictures
{
    private static readonly RgbColor s_foreground = new(40, 220, 60);
    private static readonly RgbColor s_background = new(230, 40, 40);

    /// <summary>The mask as an 8-bit grey image: 255 inside, 0 outside.</summary>
    public static GrayImage MaskImage(BinaryMask mask)
    {
        ArgumentNullException.ThrowIfNull(mask);
        var bytes = mask.ToBytes();
        for (int i = 0; i < bytes.Length; i++) bytes[i] = bytes[i] != 0 ? (byte)255 : (byte)0;
        return new GrayImage(mask.Width, mask.Height, bytes);
    }

    /// <summary>
    /// The photo with, per prompt, its best mask (highest predicted IoU) blended in a distinct colour and outlined,
    /// its box, and its points (green foreground, red background), tagged with the prompt index and score.
    /// </summary>
    public static RgbImage PromptOverlay(RgbImage image, IReadOnlyList<SamPrompt> prompts, IReadOnlyList<SamPrediction> predictions, float alpha = 0.5f)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (prompts.Count != predictions.Count) throw new ArgumentException($"{prompts.Count} prompts but {predictions.Count} predictions");
        var picture = image.Clone();
        int dot = Math.Max(2, Math.Max(image.Width, image.Height) / 200);
        for (int i = 0; i < prompts.Count; i++)
        {
            var color = DistinctColors.ForIndex(i);
            var p = predictions[i];
            var mask = p.Masks[p.BestIndex];
            Draw.BlendMask(picture, mask, color, alpha);
            Draw.MaskBoundary(picture, mask, color, Math.Max(1, dot / 2));
            if (prompts[i].Box is { } box) Draw.Rectangle(picture, box, color, Math.Max(1, dot / 2));
            foreach (var point in prompts[i].Points)
            {
                var c = point.Label == SamPointLabel.Foreground ? s_foreground : s_background;
                var r = new BoxXyxy((float)point.X - dot, (float)point.Y - dot, (float)point.X + dot, (float)point.Y + dot);
                Draw.FillRectangle(picture, r, c);
                Draw.Rectangle(picture, r, RgbColor.White);
            }
            if (mask.BoundingBox() is { } b)
                Draw.BoxLabel(picture, b, FormattableString.Invariant($"#{i} {p.IouPredictions[p.BestIndex]:0.00}"), new LabelStyle { Background = color });
        }
        return picture;
    }

    /// <summary>Detector → SAM: each detection's SAM mask in its own colour, outlined, with its box and "class score" tag.</summary>
    public static RgbImage DetectionOverlay(RgbImage image, IReadOnlyList<SamDetectionMask> detections, float alpha = 0.5f)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(detections);
        var picture = image.Clone();
        int line = Math.Max(1, Math.Max(image.Width, image.Height) / 400);
        for (int i = 0; i < detections.Count; i++)
        {
            var d = detections[i];
            var color = DistinctColors.ForIndex(i);
            Draw.BlendMask(picture, d.Mask, color, alpha);
            Draw.MaskBoundary(picture, d.Mask, color, line);
            Draw.Rectangle(picture, d.Box, color, line);
            Draw.BoxLabel(picture, d.Box, FormattableString.Invariant($"{d.ClassName ?? d.ClassId.ToString(System.Globalization.CultureInfo.InvariantCulture)} {d.Score:0.00}"),
                new LabelStyle { Background = color });
        }
        return picture;
    }

    /// <summary>Every mask of an everything-mode run in its own colour, largest first, with outlines.</summary>
    public static RgbImage EverythingOverlay(RgbImage image, IReadOnlyList<SamMaskRecord> records, float alpha = 0.45f)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(records);
        var picture = image.Clone();
        var order = Enumerable.Range(0, records.Count).OrderByDescending(i => records[i].Area).ToArray();
        foreach (int i in order)
        {
            var mask = records[i].Mask ?? records[i].Segmentation.Decode();
            var color = DistinctColors.ForIndex(i);
            Draw.BlendMask(picture, mask, color, alpha);
            Draw.MaskBoundary(picture, mask, color);
        }
        return picture;
    }
}
