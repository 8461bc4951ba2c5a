// The picture people look at: each instance its own colour, mask blend, contour, box and a "class score" tag.
using System.Globalization;
using SegKit.Imaging;
using SegKit.Imaging.Drawing;

namespace SegKit.Instance;

/// <summary>How <see cref="InstanceOverlay.Draw"/> draws instances.</summary>
public sealed record InstanceOverlayOptions
{
    private readonly float _maskAlpha = 0.45f;
    private readonly int _contourThickness = 2;
    private readonly int _boxThickness = 2;
    private readonly int _labelScale;

    /// <summary>Mask alpha 0.45, 2-pixel contours and boxes, labels scaled to the image.</summary>
    public static InstanceOverlayOptions Default { get; } = new();

    /// <summary>Opacity of the mask fill (0..1).</summary>
    public float MaskAlpha
    {
        get => _maskAlpha;
        init => _maskAlpha = value is >= 0 and <= 1 ? value : throw new ArgumentOutOfRangeException(nameof(MaskAlpha), value, "alpha must be in [0, 1]");
    }

    /// <summary>Mask contour width in pixels (0 = no contour).</summary>
    public int ContourThickness
    {
        get => _contourThickness;
        init => _contourThickness = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(ContourThickness), value, "must be ≥ 0");
    }

    /// <summary>Box outline width in pixels (0 = no box).</summary>
    public int BoxThickness
    {
        get => _boxThickness;
        init => _boxThickness = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(BoxThickness), value, "must be ≥ 0");
    }

    /// <summary>Font magnification of the labels; 0 picks max(1, shorter image side / 360).</summary>
    public int LabelScale
    {
        get => _labelScale;
        init => _labelScale = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(LabelScale), value, "must be ≥ 0");
    }

    /// <summary>Draw the "class score" tags.</summary>
    public bool ShowLabels { get; init; } = true;
}

/// <summary>Draws an <see cref="InstanceResult"/> over its image.</summary>
public static class InstanceOverlay
{
    /// <summary>The colour of instance <paramref name="id"/> (1-based): <see cref="DistinctColors.ForIndex"/>(id − 1).</summary>
    public static RgbColor ColorOf(int id) => DistinctColors.ForIndex(Math.Max(0, id - 1));

    /// <summary>
    /// Draws every instance onto <paramref name="target"/> (the image the result came from, or a copy of it; it is
    /// changed in place), lowest score first so the best instances end on top: mask blended in the instance's
    /// colour, its contour, its box, and a tag "class 0.87" on the box's top edge.
    /// </summary>
    public static void Draw(RgbImage target, InstanceResult result, InstanceOverlayOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(result);
        options ??= InstanceOverlayOptions.Default;
        if (target.Width != result.ImageWidth || target.Height != result.ImageHeight)
            throw new ArgumentException($"image is {target.Width}×{target.Height}; the result is for {result.ImageWidth}×{result.ImageHeight}", nameof(target));
        int scale = options.LabelScale > 0 ? options.LabelScale : Math.Max(1, Math.Min(target.Width, target.Height) / 360);
        for (int k = result.Instances.Count - 1; k >= 0; k--)
        {
            InstanceDetection d = result.Instances[k];
            RgbColor color = ColorOf(d.Id);
            InstanceMask m = d.Mask;
            if (m.Area > 0)
            {
                Imaging.Drawing.Draw.BlendMask(target, m.Crop, m.X, m.Y, color, options.MaskAlpha);
                if (options.ContourThickness > 0)
                    Imaging.Drawing.Draw.MaskBoundary(target, m.Crop, m.X, m.Y, color, options.ContourThickness);
            }
            if (options.BoxThickness > 0)
                Imaging.Drawing.Draw.Rectangle(target, d.Box, color, options.BoxThickness);
        }
        if (!options.ShowLabels) return;
        // Tags last, so no mask or box covers a tag.
        for (int k = result.Instances.Count - 1; k >= 0; k--)
        {
            InstanceDetection d = result.Instances[k];
            string text = d.ClassName + " " + d.Score.ToString("0.00", CultureInfo.InvariantCulture);
            Imaging.Drawing.Draw.BoxLabel(target, d.Box, text, new LabelStyle { Background = ColorOf(d.Id), Scale = scale, Padding = scale + 1 });
        }
    }
}
