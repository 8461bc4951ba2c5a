using SegKit.Masks;

namespace SegKit.Tests.Masks;

public class BoxesTests
{
    [Fact]
    public void Conversions_RoundTrip_Exact()
    {
        var b = new BoxXyxy(10, 20, 50, 80);
        Assert.Equal(40, b.Width);
        Assert.Equal(60, b.Height);
        Assert.Equal(2400, b.Area);
        Assert.Equal(new BoxXywh(10, 20, 40, 60), b.ToXywh());
        Assert.Equal(new BoxCxcywh(30, 50, 40, 60), b.ToCxcywh());
        Assert.Equal(b, b.ToXywh().ToXyxy());
        Assert.Equal(b, b.ToCxcywh().ToXyxy());
        Assert.Equal(b, BoxXyxy.FromXywh(10, 20, 40, 60));
        Assert.Equal(b, BoxXyxy.FromCxcywh(30, 50, 40, 60));
    }

    [Fact]
    public void Iou_PartialOverlap_InterOverUnion()
    {
        var a = new BoxXyxy(0, 0, 10, 10);
        var b = new BoxXyxy(5, 0, 15, 10);
        Assert.Equal(50f / 150f, a.Iou(b), 1e-6f);
        Assert.Equal(0f, a.Iou(new BoxXyxy(10, 0, 20, 10)));
        Assert.Equal(1f, a.Iou(a));
    }

    [Fact]
    public void Iou_ZeroAreaBoxes_Zero()
    {
        var p = new BoxXyxy(3, 3, 3, 3);
        Assert.Equal(0f, p.Iou(p));
    }

    [Fact]
    public void Clip_OutsideImage_ClampedToEdges()
    {
        Assert.Equal(new BoxXyxy(0, 5, 100, 50), new BoxXyxy(-10, 5, 120, 60).Clip(100, 50));
    }
}
