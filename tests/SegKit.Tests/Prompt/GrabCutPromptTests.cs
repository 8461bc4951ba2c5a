using SegKit.Classical;
using SegKit.Imaging;
using SegKit.Masks;
using SegKit.Prompt;
using SegKit.Tests.TestSupport;

namespace SegKit.Tests.Prompt;

public class GrabCutPromptTests
{
    [Fact]
    public void Segment_Box_EqualsGrabCutOnThePixelRectangle()
    {
        var image = ImageDecoder.DecodeRgb(TestPaths.SharedImage("dog.jpg"));
        var box = new BoxXyxy(10.5f, 120.2f, 420f, 533.9f);
        var mask = GrabCutPrompt.Segment(image, box, new GrabCutOptions { Iterations = 2 });
        var direct = GrabCut.Segment(image, new RectXywh(10, 120, 410, 414), new GrabCutOptions { Iterations = 2 }).ToForegroundMask();
        Assert.Equal(direct, mask.ToBytes());
        // GrabCut never labels pixels outside the box as foreground.
        var bb = mask.BoundingBox()!.Value;
        Assert.True(bb.X1 >= 10 && bb.Y1 >= 120 && bb.X2 <= 420 && bb.Y2 <= 534, bb.ToString());
        Assert.True(mask.Area() > 1000);
    }

    [Theory]
    [InlineData(5, 5, 5, 50, "empty")]
    [InlineData(900, 10, 950, 50, "outside")]
    [InlineData(float.NaN, 10, 50, 50, "finite")]
    public void ToPixelRect_BadBox_TypedErrorSaysWhy(float x1, float y1, float x2, float y2, string expected)
    {
        var e = Assert.Throws<SegKitException>(() => GrabCutPrompt.ToPixelRect(new BoxXyxy(x1, y1, x2, y2), 800, 534));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void ToPixelRect_PartlyOutside_IsClipped() =>
        Assert.Equal(new RectXywh(0, 500, 30, 34), GrabCutPrompt.ToPixelRect(new BoxXyxy(-20, 500.5f, 29.1f, 600), 800, 534));
}
