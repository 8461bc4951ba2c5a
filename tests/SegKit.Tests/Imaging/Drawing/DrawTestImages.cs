using SegKit.Imaging;
using SegKit.Imaging.Drawing;

namespace SegKit.Tests.Imaging.Drawing;

/// <summary>Small helpers: uniform images and pixel read-back.</summary>
internal static class DrawTestImages
{
    public static RgbImage Filled(int width, int height, byte r, byte g, byte b)
    {
        var img = new RgbImage(width, height);
        for (int i = 0; i < img.Data.Length; i += 3)
        {
            img.Data[i] = r;
            img.Data[i + 1] = g;
            img.Data[i + 2] = b;
        }
        return img;
    }

    public static RgbColor At(RgbImage img, int x, int y)
    {
        int i = (y * img.Width + x) * 3;
        return new RgbColor(img.Data[i], img.Data[i + 1], img.Data[i + 2]);
    }

    /// <summary>Rows of '#' (pixel equals colour) and '.' (anything else).</summary>
    public static string[] Picture(RgbImage img, RgbColor ink)
    {
        var rows = new string[img.Height];
        for (int y = 0; y < img.Height; y++)
        {
            var c = new char[img.Width];
            for (int x = 0; x < img.Width; x++) c[x] = At(img, x, y) == ink ? '#' : '.';
            rows[y] = new string(c);
        }
        return rows;
    }
}
