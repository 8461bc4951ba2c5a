using SegKit.Masks;

namespace SegKit.Tests.Masks;

public class CocoRleTests
{
    private static BinaryMask RandomMask(Random rng, int w, int h, double p)
    {
        var m = new BinaryMask(w, h);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                if (rng.NextDouble() < p) m.Set(x, y);
        return m;
    }

    // Blocky masks: long runs, like real segmentations, so boxes overlap partially.
    private static BinaryMask RandomRects(Random rng, int w, int h, int count)
    {
        var m = new BinaryMask(w, h);
        for (int i = 0; i < count; i++)
        {
            int x0 = rng.Next(w), y0 = rng.Next(h);
            int x1 = Math.Min(w, x0 + 1 + rng.Next(w / 2 + 1)), y1 = Math.Min(h, y0 + 1 + rng.Next(h / 2 + 1));
            for (int y = y0; y < y1; y++) m.SetRun(y, x0, x1);
        }
        return m;
    }

    [Fact]
    public void Encode_EmptyMask_SingleBackgroundRun()
    {
        CocoRle rle = CocoRle.Encode(new BinaryMask(5, 7));
        Assert.Equal(new uint[] { 35 }, rle.Counts.ToArray());
        Assert.Equal("S1", rle.ToCompressedString());
        Assert.Equal(0, rle.Area());
        Assert.Equal(new CocoBoxXywh(0, 0, 0, 0), rle.ToBboxXywh());
    }

    [Fact]
    public void Encode_FullMask_ZeroThenAllForeground()
    {
        var m = new BinaryMask(3, 2).Not();
        CocoRle rle = CocoRle.Encode(m);
        Assert.Equal(new uint[] { 0, 6 }, rle.Counts.ToArray());
        Assert.Equal("06", rle.ToCompressedString());
        Assert.Equal(6, rle.Area());
        Assert.Equal(new CocoBoxXywh(0, 0, 3, 2), rle.ToBboxXywh());
    }

    [Theory]
    [InlineData(0, 5)]
    [InlineData(4, 0)]
    [InlineData(0, 0)]
    public void Encode_ZeroSidedMask_CountsSingleZero(int h, int w)
    {
        CocoRle rle = CocoRle.Encode(new BinaryMask(w, h));
        Assert.Equal(new uint[] { 0 }, rle.Counts.ToArray());
        Assert.Equal("0", rle.ToCompressedString());
        Assert.Equal(0, rle.Area());
        Assert.Equal(default, rle.ToBboxXywh());
        Assert.Equal(new BinaryMask(w, h), rle.Decode());
    }

    [Theory]
    [InlineData(0, 5)]
    [InlineData(0, 0)]
    public void FromPolygon_ZeroHeight_CountsSingleZero(int h, int w) =>
        Assert.Equal(new uint[] { 0 }, CocoRle.FromPolygon([0, 0, 3, 0, 3, 3], h, w).Counts.ToArray());

    [Fact]
    public void FromPolygon_ZeroWidth_KeepsPycocotoolsUnsignedColumnCheck()
    {
        // rleFrPoly tests columns against w - 1 computed unsigned, so with w = 0 no column is rejected and the
        // runs do not sum to h × w. pycocotools gives these runs; so do we.
        Assert.Equal(new uint[] { 0, 4, 1, 3, 2 }, CocoRle.FromPolygon([0, 0, 3, 0, 3, 3], 4, 0).Counts.ToArray());
    }

    [Theory]
    [InlineData(false, new uint[] { 1 })]
    [InlineData(true, new uint[] { 0, 1 })]
    public void Encode_OneByOne_ExpectedRuns(bool on, uint[] expected)
    {
        var m = new BinaryMask(1, 1);
        m[0, 0] = on;
        CocoRle rle = CocoRle.Encode(m);
        Assert.Equal(expected, rle.Counts.ToArray());
        Assert.Equal(m, CocoRle.FromCompressedString(1, 1, rle.ToCompressedString()).Decode());
        Assert.Equal(on ? new CocoBoxXywh(0, 0, 1, 1) : default, rle.ToBboxXywh());
    }

    [Fact]
    public void Encode_ColumnMajorOrder_RunsGoDownColumns()
    {
        // 2 rows × 3 columns, row-major: [1 0 0; 1 1 0] -> column-major 1 1 | 0 1 | 0 0 -> runs 0,2,1,1,2.
        BinaryMask m = BinaryMask.FromBytes([1, 0, 0, 1, 1, 0], 3, 2);
        Assert.Equal(new uint[] { 0, 2, 1, 1, 2 }, CocoRle.Encode(m).Counts.ToArray());
        Assert.Equal(new uint[] { 0, 2, 1, 1, 2 }, CocoRle.FromColumnMajor([1, 1, 0, 1, 0, 0], 2, 3).Counts.ToArray());
        Assert.Equal(new uint[] { 0, 2, 1, 1, 2 }, CocoRle.FromRowMajor([1, 0, 0, 1, 1, 0], 2, 3).Counts.ToArray());
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(7, 3)]
    [InlineData(64, 65)]
    [InlineData(129, 31)]
    [InlineData(333, 257)]
    public void CompressedString_RandomMasks_RoundTrip(int w, int h)
    {
        var rng = new Random(w * 1000 + h);
        foreach (double p in new[] { 0.0, 0.05, 0.5, 0.97, 1.0 })
        {
            BinaryMask m = RandomMask(rng, w, h, p);
            CocoRle rle = CocoRle.Encode(m);
            string s = rle.ToCompressedString();
            CocoRle back = CocoRle.FromCompressedString(h, w, s);
            Assert.Equal(rle, back);
            Assert.Equal(m, back.Decode());
            Assert.Equal(m.Area(), back.Area());
        }
    }

    [Fact]
    public void CompressedString_LargeAndDecreasingCounts_RoundTrip()
    {
        uint[] counts = [1_000_000, 5, 3, 999_990, 0, 2];
        var rle = new CocoRle(1000, 2000, counts);
        Assert.Equal(counts, CocoRle.FromCompressedString(1000, 2000, rle.ToCompressedString()).Counts.ToArray());
    }

    [Theory]
    [InlineData("p")]
    [InlineData("0 ")]
    [InlineData("0P")]
    public void FromCompressedString_Malformed_ThrowsFormatException(string s) =>
        Assert.Throws<FormatException>(() => CocoRle.FromCompressedString(3, 3, s));

    [Fact]
    public void Decode_RunsNotMatchingSize_Throws() =>
        Assert.Throws<InvalidOperationException>(() => new CocoRle(3, 3, [4, 4]).Decode());

    [Fact]
    public void ToBboxXywh_RandomMasks_MatchesMaskBoundingBoxWithinOneColumn()
    {
        var rng = new Random(5);
        for (int i = 0; i < 50; i++)
        {
            int w = 1 + rng.Next(40), h = 1 + rng.Next(40);
            var m = new BinaryMask(w, h);
            int x = rng.Next(w), y0 = rng.Next(h), y1 = y0 + 1 + rng.Next(h - y0);
            for (int y = y0; y < y1; y++) m.Set(x, y);
            CocoBoxXywh box = CocoRle.Encode(m).ToBboxXywh();
            Assert.Equal(new CocoBoxXywh(x, y0, 1, y1 - y0), box);
        }
    }

    [Fact]
    public void Iou_RandomMasks_MatchesPixelCounts()
    {
        var rng = new Random(11);
        for (int i = 0; i < 100; i++)
        {
            int w = 5 + rng.Next(60), h = 5 + rng.Next(60);
            BinaryMask a = RandomRects(rng, w, h, 1 + rng.Next(3)), b = RandomRects(rng, w, h, 1 + rng.Next(3));
            CocoRle ra = CocoRle.Encode(a), rb = CocoRle.Encode(b);
            double[,] iou = CocoRle.Iou([ra], [rb, rb], [false, true]);
            long inter = a.IntersectionCount(b);
            double plain = inter == 0 ? 0 : (double)inter / a.UnionCount(b);
            double crowd = inter == 0 ? 0 : (double)inter / a.Area();
            Assert.Equal(plain, iou[0, 0], 1e-12);
            Assert.Equal(crowd, iou[0, 1], 1e-12);
        }
    }

    [Fact]
    public void Iou_BoxesOnlyTouching_ZeroWithoutRunWalk()
    {
        var a = new BinaryMask(4, 4);
        var b = new BinaryMask(4, 4);
        a.SetRun(0, 0, 2);
        b.SetRun(1, 2, 4);
        double[,] iou = CocoRle.Iou([CocoRle.Encode(a)], [CocoRle.Encode(b)], [false]);
        Assert.Equal(0, iou[0, 0]);
    }

    [Fact]
    public void Iou_DifferentSizes_MinusOne()
    {
        var a = new BinaryMask(4, 4).Not();
        var b = new BinaryMask(5, 4).Not();
        Assert.Equal(-1, CocoRle.Iou([CocoRle.Encode(a)], [CocoRle.Encode(b)], [false])[0, 0]);
    }

    [Fact]
    public void Iou_EmptyLists_ZeroSizedMatrix()
    {
        CocoRle r = CocoRle.Encode(new BinaryMask(3, 3).Not());
        double[,] iou = CocoRle.Iou([], [r, r], [false, false]);
        Assert.Equal(0, iou.GetLength(0));
        Assert.Equal(2, iou.GetLength(1));
        Assert.Equal(3, CocoRle.Iou([r, r, r], [], []).GetLength(0));
    }

    [Fact]
    public void Iou_BothEmptyMasks_Zero()
    {
        CocoRle e = CocoRle.Encode(new BinaryMask(3, 3));
        Assert.Equal(0, CocoRle.Iou([e], [e], [true])[0, 0]);
    }

    [Fact]
    public void Merge_RandomMasks_MatchesPixelLogic()
    {
        var rng = new Random(3);
        for (int i = 0; i < 50; i++)
        {
            int w = 1 + rng.Next(50), h = 1 + rng.Next(50);
            BinaryMask a = RandomMask(rng, w, h, 0.3), b = RandomMask(rng, w, h, 0.6), c = RandomRects(rng, w, h, 2);
            CocoRle[] rles = [CocoRle.Encode(a), CocoRle.Encode(b), CocoRle.Encode(c)];
            Assert.Equal(a.Or(b).Or(c), CocoRle.Merge(rles).Decode());
            Assert.Equal(a.And(b).And(c), CocoRle.Merge(rles, intersect: true).Decode());
            // Runs come out canonical (no zero-length runs inside), so they equal a fresh encoding.
            Assert.Equal(CocoRle.Encode(a.Or(b).Or(c)), CocoRle.Merge(rles));
        }
    }

    [Fact]
    public void Merge_NoRles_ZeroByZeroWithNoCounts()
    {
        CocoRle r = CocoRle.Merge([]);
        Assert.Equal(0, r.Height);
        Assert.Equal(0, r.Width);
        Assert.Equal("", r.ToCompressedString());
    }

    [Fact]
    public void Merge_DifferentSizes_Throws()
    {
        CocoRle a = CocoRle.Encode(new BinaryMask(3, 3)), b = CocoRle.Encode(new BinaryMask(4, 3));
        Assert.Throws<ArgumentException>(() => CocoRle.Merge([a, b]));
    }

    [Fact]
    public void FromPolygon_NoPoints_AllBackground()
    {
        Assert.Equal(new uint[] { 20 }, CocoRle.FromPolygon([], 4, 5).Counts.ToArray());
    }

    [Fact]
    public void FromPolygons_TwoDisjointParts_UnionOfEach()
    {
        double[] p1 = [1, 1, 8, 1, 8, 6, 1, 6], p2 = [12, 3, 18, 9, 11, 12];
        CocoRle a = CocoRle.FromPolygon(p1, 15, 20), b = CocoRle.FromPolygon(p2, 15, 20);
        CocoRle both = CocoRle.FromPolygons([p1, p2], 15, 20);
        Assert.Equal(a.Decode().Or(b.Decode()), both.Decode());
        Assert.Equal(a.Area() + b.Area(), both.Area());
    }

    [Fact]
    public void FromPolygon_RectangleAtPixelCentres_CoversTheGridPoints()
    {
        // Columns x = 2..6 lie strictly inside; rows are filled from ceil(upper) to below the lower edge.
        CocoRle r = CocoRle.FromPolygon([1.5, 1.5, 6.5, 1.5, 6.5, 4.5, 1.5, 4.5], 8, 10);
        BinaryMask m = r.Decode();
        for (int x = 0; x < 10; x++)
            for (int y = 0; y < 8; y++)
                Assert.Equal(x >= 2 && x <= 6 && y >= 2 && y <= 4, m[x, y]);
    }

    [Fact]
    public void FromPolygon_RepeatedVertex_SameAsWithoutRepeat()
    {
        CocoRle a = CocoRle.FromPolygon([3.2, 1.1, 17.8, 4.4, 9.9, 13.3], 16, 20);
        CocoRle b = CocoRle.FromPolygon([3.2, 1.1, 17.8, 4.4, 17.8, 4.4, 9.9, 13.3], 16, 20);
        Assert.Equal(a, b);
    }

    [Fact]
    public void FromBboxXywh_Box_SameAsCornerPolygon()
    {
        CocoRle a = CocoRle.FromBboxXywh(new CocoBoxXywh(2.3, 1.7, 5.5, 4.2), 10, 12);
        CocoRle b = CocoRle.FromPolygon([2.3, 1.7, 2.3, 5.9, 7.8, 5.9, 7.8, 1.7], 10, 12);
        Assert.Equal(b, a);
    }
}
