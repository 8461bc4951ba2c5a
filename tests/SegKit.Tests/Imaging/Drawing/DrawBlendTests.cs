using SegKit.Imaging;
using SegKit.Imaging.Drawing;
using SegKit.Masks;
using static SegKit.Tests.Imaging.Drawing.DrawTestImages;

namespace SegKit.Tests.Imaging.Drawing;

public class DrawBlendTests
{
    [Fact]
    public void BlendMask_HalfAlpha_FixedPointValuesOnlyInsideMask()
    {
        RgbImage img = Filled(3, 2, 100, 0, 255);
        var mask = new BinaryMask(3, 2);
        mask.Set(1, 0);
        mask.Set(2, 1);
        Draw.BlendMask(img, mask, new RgbColor(200, 255, 0), 0.5f);
        // a = 128: (100·128 + 200·128 + 128) >> 8 = 150; (0 + 255·128 + 128) >> 8 = 128; (255·128 + 0 + 128) >> 8 = 128.
        Assert.Equal(new RgbColor(150, 128, 128), At(img, 1, 0));
        Assert.Equal(new RgbColor(150, 128, 128), At(img, 2, 1));
        Assert.Equal(new RgbColor(100, 0, 255), At(img, 0, 0));
        Assert.Equal(new RgbColor(100, 0, 255), At(img, 1, 1));
    }

    [Fact]
    public void BlendMask_AlphaOneAndZero_ExactColourAndNoChange()
    {
        RgbImage img = Filled(2, 1, 10, 20, 30);
        var mask = new BinaryMask(2, 1);
        mask.Set(0, 0);
        Draw.BlendMask(img, mask, new RgbColor(1, 2, 3), 0f);
        Assert.Equal(new RgbColor(10, 20, 30), At(img, 0, 0));
        Draw.BlendMask(img, mask, new RgbColor(1, 2, 3), 1f);
        Assert.Equal(new RgbColor(1, 2, 3), At(img, 0, 0));
        Assert.Equal(new RgbColor(10, 20, 30), At(img, 1, 0));
    }

    [Fact]
    public void BlendMask_QuarterAlpha_RoundsHalfUp()
    {
        RgbImage img = Filled(1, 1, 1, 0, 0);
        var mask = new BinaryMask(1, 1);
        mask.Set(0, 0);
        // a = 64: (1·192 + 0 + 128) >> 8 = 1; (0 + 255·64 + 128) >> 8 = 64; (0 + 2·64 + 128) >> 8 = 1 (0.5 rounds up).
        Draw.BlendMask(img, mask, new RgbColor(0, 255, 2), 0.25f);
        Assert.Equal(new RgbColor(1, 64, 1), At(img, 0, 0));
    }

    [Fact]
    public void BlendMask_LargeImageAcrossWords_EveryMaskedPixelChangedOthersNot()
    {
        // Big enough to take the parallel path; the mask is a diagonal band crossing 64-bit word edges.
        const int W = 700, H = 500;
        RgbImage img = Filled(W, H, 0, 0, 0);
        var mask = new BinaryMask(W, H);
        for (int y = 0; y < H; y++) mask.SetRun(y, y % 600, y % 600 + 70);
        Draw.BlendMask(img, mask, new RgbColor(255, 255, 255), 1f);
        for (int y = 0; y < H; y += 7)
            for (int x = 0; x < W; x++)
                Assert.Equal(mask[x, y] ? (byte)255 : (byte)0, img.Data[(y * W + x) * 3 + 1]);
    }

    [Fact]
    public void BlendMask_SizeMismatch_Throws()
    {
        Assert.Throws<ArgumentException>(() => Draw.BlendMask(new RgbImage(4, 4), new BinaryMask(4, 3), RgbColor.White, 1f));
    }

    [Fact]
    public void BlendLabels_PaletteAtAlpha_IgnoreAndUnknownIdsUntouched()
    {
        RgbImage img = Filled(4, 1, 40, 40, 40);
        var labels = new LabelMap(4, 1, [0, 1, 255, 7]);
        byte[] palette = [0, 0, 0, 200, 100, 0];
        Draw.BlendLabels(img, labels, palette, 0.75f);
        // a = 192, inv = 64: class 0 → (40·64 + 0 + 128) >> 8 = 10; class 1 → (2560 + 38400 + 128) >> 8 = 160,
        // (2560 + 19200 + 128) >> 8 = 85, 10.
        Assert.Equal(new RgbColor(10, 10, 10), At(img, 0, 0));
        Assert.Equal(new RgbColor(160, 85, 10), At(img, 1, 0));
        Assert.Equal(new RgbColor(40, 40, 40), At(img, 2, 0));
        Assert.Equal(new RgbColor(40, 40, 40), At(img, 3, 0));
    }

    [Fact]
    public void BlendLabels_VocLabelSet_UsesItsColours()
    {
        RgbImage img = Filled(2, 1, 0, 0, 0);
        Draw.BlendLabels(img, new LabelMap(2, 1, [15, 0]), SegKit.Datasets.LabelSet.Voc, 1f);
        Assert.Equal(new RgbColor(192, 128, 128), At(img, 0, 0)); // VOC "person"
        Assert.Equal(new RgbColor(0, 0, 0), At(img, 1, 0));
    }

    [Fact]
    public void BlendLabels_PaletteNotTriplets_Throws()
    {
        Assert.Throws<ArgumentException>(() => Draw.BlendLabels(new RgbImage(1, 1), new LabelMap(1, 1), new byte[4], 1f));
    }
}
