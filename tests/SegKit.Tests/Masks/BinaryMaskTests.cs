using SegKit.Masks;

namespace SegKit.Tests.Masks;

public class BinaryMaskTests
{
    [Fact]
    public void SetGet_AcrossWordBoundary_RoundTrips()
    {
        var m = new BinaryMask(130, 3);
        m.Set(63, 1);
        m.Set(64, 1);
        m.Set(129, 2);
        Assert.True(m[63, 1] && m[64, 1] && m[129, 2]);
        Assert.False(m[62, 1] || m[65, 1] || m[129, 1]);
        Assert.Equal(3, m.Area());
        m.Set(64, 1, false);
        Assert.Equal(2, m.Area());
    }

    [Fact]
    public void Get_OutOfRange_Throws()
    {
        var m = new BinaryMask(4, 4);
        Assert.Throws<ArgumentOutOfRangeException>(() => m.Get(4, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => m.Get(0, -1));
    }

    [Fact]
    public void FromThreshold_StrictlyGreater_NanFalse()
    {
        BinaryMask m = BinaryMask.FromThreshold([0.5f, 0.51f, float.NaN, 1f, -1f, 0.49f], 3, 2, 0.5f);
        Assert.Equal(new byte[] { 0, 1, 0, 1, 0, 0 }, m.ToBytes());
    }

    [Fact]
    public void FromBytes_NonzeroIsTrue_ToBytesGivesZeroOne()
    {
        BinaryMask m = BinaryMask.FromBytes([0, 7, 255, 0], 2, 2);
        Assert.Equal(new byte[] { 0, 1, 1, 0 }, m.ToBytes());
        Assert.Equal(new byte[] { 0, 1, 1, 0 }, m.ToColumnMajorBytes());
        Assert.Equal(m, BinaryMask.FromBools([false, true, true, false], 2, 2));
    }

    [Fact]
    public void FromBytes_WrongLength_Throws() =>
        Assert.Throws<ArgumentException>(() => BinaryMask.FromBytes([1, 2, 3], 2, 2));

    [Fact]
    public void BoundingBox_Pixels_EdgeCoordinates()
    {
        var m = new BinaryMask(100, 50);
        Assert.Null(m.BoundingBox());
        m.Set(70, 10);
        m.Set(5, 40);
        Assert.Equal(new BoxXyxy(5, 10, 71, 41), m.BoundingBox());
    }

    [Fact]
    public void UnionIntersection_TwoMasks_PopcountsMatchPixelLoop()
    {
        var rng = new Random(1);
        var a = new BinaryMask(77, 13);
        var b = new BinaryMask(77, 13);
        long inter = 0, union = 0;
        for (int y = 0; y < 13; y++)
            for (int x = 0; x < 77; x++)
            {
                bool va = rng.Next(2) == 0, vb = rng.Next(3) == 0;
                a[x, y] = va;
                b[x, y] = vb;
                if (va && vb) inter++;
                if (va || vb) union++;
            }
        Assert.Equal(inter, a.IntersectionCount(b));
        Assert.Equal(union, a.UnionCount(b));
        Assert.Equal(inter, a.And(b).Area());
        Assert.Equal(union, a.Or(b).Area());
        Assert.Equal(a.Area() - inter, a.AndNot(b).Area());
        Assert.Equal((double)inter / union, a.Iou(b), 1e-15);
    }

    [Fact]
    public void Not_OddWidth_KeepsPaddingClear()
    {
        var m = new BinaryMask(65, 2);
        Assert.Equal(130, m.Not().Area());
        Assert.Equal(0, m.Not().Not().Area());
    }

    [Fact]
    public void SetRun_SpanningWords_SetsExactly()
    {
        var m = new BinaryMask(200, 1);
        m.SetRun(0, 10, 150);
        Assert.Equal(140, m.Area());
        Assert.False(m[9, 0]);
        Assert.True(m[10, 0] && m[149, 0]);
        Assert.False(m[150, 0]);
    }

    [Fact]
    public void ZeroSize_Allowed_Empty()
    {
        var m = new BinaryMask(0, 5);
        Assert.Equal(0, m.Area());
        Assert.True(m.IsEmpty);
        Assert.Empty(m.ToBytes());
    }
}

public class LabelMapTests
{
    [Fact]
    public void ClassPixelCounts_MixedLabels_CountsEachIdIncludingIgnore()
    {
        var map = new LabelMap(3, 2, [0, 1, 1, 255, 2, 1]);
        long[] c = map.ClassPixelCounts();
        Assert.Equal(1, c[0]);
        Assert.Equal(3, c[1]);
        Assert.Equal(1, c[2]);
        Assert.Equal(1, c[LabelMap.Ignore]);
        Assert.Equal(new byte[] { 0, 1, 1, 0, 0, 1 }, map.ToMask(1).ToBytes());
        Assert.Equal(2, map[1, 1]);
    }

    [Fact]
    public void Constructor_WrongLength_Throws() =>
        Assert.Throws<ArgumentException>(() => new LabelMap(2, 2, [1, 2, 3]));
}

public class BinaryMaskOrRowWordsTests
{
    [Fact]
    public void OrRowWords_SetsBitsOfOneRowAndIgnoresPadding()
    {
        var m = new BinaryMask(70, 3);
        m.Set(0, 1);
        m.OrRowWords(1, [0b1010UL, ulong.MaxValue]);
        Assert.True(m[0, 1] && m[1, 1] && m[3, 1] && !m[2, 1]);
        Assert.True(m[64, 1] && m[69, 1]);
        Assert.Equal(2 + 1 + 6, m.Area()); // bits 70..127 of the second word are dropped
        Assert.True(m.GetRowWords(0).ToArray().All(w => w == 0));
        Assert.Throws<ArgumentException>(() => m.OrRowWords(0, [1UL]));
    }
}
