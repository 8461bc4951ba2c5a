using SegKit.Imaging;
using SegKit.Tests.Instance;
using SegKit.Tests.TestSupport;

namespace SegKit.Tests.Imaging;

/// <summary>OpenCvResize against cv2.resize(INTER_LINEAR) of Debian's OpenCV 4.6 (vectors from instance_reference.py).</summary>
public class OpenCvResizeTests
{
    [Fact]
    public void Linear_RandomImages_BitExactWithCv2()
    {
        var manifest = InstanceReference.Manifest().GetProperty("cv2_resize");
        byte[] inputs = Npy.Read(InstanceReference.Path(manifest.GetProperty("inputs").GetString()!)).AsUInt8();
        byte[] outputs = Npy.Read(InstanceReference.Path(manifest.GetProperty("outputs").GetString()!)).AsUInt8();
        int cases = 0;
        foreach (var c in manifest.GetProperty("cases").EnumerateArray())
        {
            int w = c.GetProperty("w").GetInt32(), h = c.GetProperty("h").GetInt32();
            int dw = c.GetProperty("dw").GetInt32(), dh = c.GetProperty("dh").GetInt32();
            var src = inputs.AsSpan(c.GetProperty("in").GetInt32(), w * h * 3);
            var want = outputs.AsSpan(c.GetProperty("out").GetInt32(), dw * dh * 3);
            var got = new byte[dw * dh * 3];
            OpenCvResize.Linear(src, w, h, 3, got, dw, dh);
            Assert.True(want.SequenceEqual(got), $"{w}×{h} → {dw}×{dh} differs from cv2");
            cases++;
        }
        Assert.True(cases >= 40);
    }

    [Fact]
    public void Linear_SameSize_Copies()
    {
        var img = new RgbImage(3, 2, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18]);
        RgbImage r = OpenCvResize.Linear(img, 3, 2);
        Assert.Equal(img.Data, r.Data);
        Assert.NotSame(img.Data, r.Data);
    }

    [Fact]
    public void Linear_TwoToFour_HandComputedFixedPoint()
    {
        // Gray 1×... : one row [0, 200] → 4 columns. scale 0.5: f = -0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped to last).
        // Columns 1, 2: weights (1536, 512) and (512, 1536) → H = 200·512 = 102400 and 307200.
        // One source row; vertical weights for 1 → 1 rows: f = 0 → (2048, 0): out = ((H >> 4)·2048 >> 16 + 2) >> 2.
        var got = new byte[4];
        OpenCvResize.Linear([0, 200], 2, 1, 1, got, 4, 1);
        Assert.Equal(new byte[] { 0, 50, 150, 200 }, got);
    }
}
