// Colour conversions as scikit-image 0.19 (skimage/color/colorconv.py) performs them on float64 data:
// sRGB companding with the 0.04045 threshold, xyz_from_rgb (Rec. 709 primaries), D65/2° white
// (0.95047, 1, 1.08883), CIE Lab with the 0.008856 / 7.787 linear segment.
namespace SegKit.Classical;

internal static class SkimageColor
{
    private const double Xn = 0.95047, Yn = 1.0, Zn = 1.08883;

    /// <summary>sRGB [0, 1] → linear RGB (skimage rgb2xyz's companding step).</summary>
    public static double Linearize(double v) => v > 0.04045 ? Math.Pow((v + 0.055) / 1.055, 2.4) : v / 12.92;

    /// <summary>Linear RGB → CIE Lab (D65, 2°), written to <paramref name="lab"/>[0..2].</summary>
    public static void LinearRgbToLab(double r, double g, double b, Span<double> lab)
    {
        double x = (r * 0.412453 + g * 0.357580) + b * 0.180423;
        double y = (r * 0.212671 + g * 0.715160) + b * 0.072169;
        double z = (r * 0.019334 + g * 0.119193) + b * 0.950227;
        double fx = F(x / Xn), fy = F(y / Yn), fz = F(z / Zn);
        lab[0] = 116.0 * fy - 16.0;
        lab[1] = 500.0 * (fx - fy);
        lab[2] = 200.0 * (fy - fz);
    }

    private static double F(double t) => t > 0.008856 ? Math.Cbrt(t) : 7.787 * t + 16.0 / 116.0;
}
