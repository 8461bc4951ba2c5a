using SegKit.Imaging;
using SegKit.Instance;
using SegKit.Masks;
using SegKit.Models;

namespace SegKit.Tests.Instance;

public class InstanceResultTests
{
    private static InstanceMask Square(int w, int h, int x, int y, int size)
    {
        var crop = new BinaryMask(size, size);
        for (int r = 0; r < size; r++) crop.SetRun(r, 0, size);
        return new InstanceMask(w, h, x, y, crop);
    }

    [Fact]
    public void ToBinaryMask_CropAcrossWordBoundary_PixelsAtOffset()
    {
        var crop = new BinaryMask(70, 2);
        crop.SetRun(0, 0, 70);
        crop.Set(3, 1);
        var m = new InstanceMask(200, 5, 60, 2, crop);
        BinaryMask full = m.ToBinaryMask();
        Assert.Equal(71, full.Area());
        Assert.True(full[60, 2] && full[129, 2] && full[63, 3]);
        Assert.False(full[59, 2] || full[130, 2] || full[64, 3]);
        Assert.True(m[129, 2] && !m[130, 2] && !m[0, 0]);
        Assert.Equal(71, m.Area);
    }

    [Fact]
    public void ToRle_EqualsEncodeOfFullMask()
    {
        var crop = new BinaryMask(5, 4);
        crop.Set(0, 0); crop.Set(4, 3); crop.SetRun(2, 1, 4);
        var m = new InstanceMask(9, 7, 3, 2, crop);
        Assert.Equal(CocoRle.Encode(m.ToBinaryMask()), m.ToRle());
        Assert.Equal(CocoRle.Encode(new BinaryMask(4, 3)), InstanceMask.Empty(4, 3).ToRle());
        // A crop touching the last row and column.
        var edge = Square(6, 6, 3, 3, 3);
        Assert.Equal(CocoRle.Encode(edge.ToBinaryMask()), edge.ToRle());
    }

    [Theory]
    [InlineData(1, 1, 0, 0, 1, 1)]
    [InlineData(200, 150, 3, 7, 130, 70)]
    [InlineData(300, 300, 0, 0, 300, 300)]
    [InlineData(97, 65, 33, 1, 64, 64)]
    public void ToRle_RandomCrops_EqualsEncodeOfFullMask(int w, int h, int x, int y, int cw, int ch)
    {
        var rng = new Random(w * 31 + h);
        var crop = new BinaryMask(cw, ch);
        for (int r = 0; r < ch; r++)
            for (int c = 0; c < cw; c++)
                if (rng.Next(3) == 0 || (r > ch / 3 && r < ch / 2)) crop.Set(c, r);
        var m = new InstanceMask(w, h, x, y, crop);
        Assert.Equal(CocoRle.Encode(m.ToBinaryMask()), m.ToRle());
    }

    [Fact]
    public void Transpose64_RandomMatrix_SwapsRowsAndColumns()
    {
        var rng = new Random(7);
        var a = new ulong[64];
        for (int i = 0; i < 64; i++) a[i] = (ulong)rng.NextInt64() ^ ((ulong)rng.Next() << 40);
        var t = (ulong[])a.Clone();
        BitColumns.Transpose64(t);
        for (int r = 0; r < 64; r++)
            for (int c = 0; c < 64; c++)
                Assert.Equal((a[r] >> c) & 1, (t[c] >> r) & 1);
    }

    [Fact]
    public void FromBinaryMask_RoundTrips()
    {
        var full = new BinaryMask(50, 40);
        full.SetRun(10, 5, 30);
        full.Set(7, 33);
        var m = InstanceMask.FromBinaryMask(full);
        Assert.Equal((5, 10, 25, 24), (m.X, m.Y, m.Crop.Width, m.Crop.Height));
        Assert.Equal(full, m.ToBinaryMask());
    }

    [Fact]
    public void ToPolygons_SquareAtOffset_ImageCoordinates()
    {
        var m = Square(20, 20, 10, 5, 3);
        var polys = m.ToPolygons();
        Assert.Single(polys);
        double[] xy = polys[0];
        var xs = xy.Where((_, i) => i % 2 == 0).ToArray();
        var ys = xy.Where((_, i) => i % 2 == 1).ToArray();
        Assert.Equal((10, 12), (xs.Min(), xs.Max()));
        Assert.Equal((5, 7), (ys.Min(), ys.Max()));
        Assert.Empty(InstanceMask.Empty(5, 5).ToPolygons());
    }

    [Fact]
    public void ToInstanceIdMap_OverlapGoesToHigherScore()
    {
        var a = new InstanceDetection(1, 0, "a", 0.9f, new BoxXyxy(0, 0, 3, 3), Square(6, 6, 0, 0, 3));
        var b = new InstanceDetection(2, 0, "b", 0.5f, new BoxXyxy(2, 2, 5, 5), Square(6, 6, 2, 2, 3));
        var result = new InstanceResult(6, 6, [a, b], ModelContractKind.YoloSeg, new StageTimings());
        Gray16Image map = result.ToInstanceIdMap();
        Assert.Equal(1, map.Data[2 * 6 + 2]); // overlap
        Assert.Equal(2, map.Data[4 * 6 + 4]);
        Assert.Equal(1, map.Data[0]);
        Assert.Equal(0, map.Data[5 * 6 + 0]);
    }

    [Fact]
    public void InstanceMask_CropOutsideImage_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new InstanceMask(10, 10, 8, 0, new BinaryMask(3, 1)));
    }

    [Fact]
    public void Options_InvalidValues_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new InstanceSegmenterOptions { ScoreThreshold = 1.5f });
        Assert.Throws<ArgumentOutOfRangeException>(() => new InstanceSegmenterOptions { MaskThreshold = 1f });
        Assert.Throws<ArgumentOutOfRangeException>(() => new InstanceSegmenterOptions { NmsIou = -0.1f });
        Assert.Throws<ArgumentOutOfRangeException>(() => new InstanceSegmenterOptions { MaxDetections = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new InstanceSegmenterOptions { MaxDetections = 70000 });
        Assert.Throws<ArgumentException>(() => ClassFilter.Parse(" , "));
    }

    [Fact]
    public void ClassFilter_NamesAndIds_Resolved()
    {
        var f = ClassFilter.Parse("Person, car,7");
        Assert.Equal(["Person", "car"], f.Names);
        Assert.Equal([7], f.Ids);
        var names = new Dictionary<int, string> { [0] = "person", [2] = "car", [7] = "truck", [9] = "car" };
        Assert.Equal(new HashSet<int> { 0, 2, 7, 9 }, f.Resolve(names, "m"));
        // An id the model lacks is refused; a model without class names takes any id.
        Assert.Contains("no class id 7; the model's ids are 0..9",
            Assert.Throws<SegKitException>(() => f.Resolve(new Dictionary<int, string> { [0] = "person", [2] = "car", [9] = "car" }, "m")).Message);
        Assert.Equal(new HashSet<int> { 7 }, ClassFilter.Parse("7").Resolve(new Dictionary<int, string>(), "m"));
    }

    [Fact]
    public void CocoCategories_Tables()
    {
        Assert.Equal(91, CocoCategories.Coco91.Count);
        Assert.Equal(80, CocoCategories.Coco80.Count);
        Assert.Equal("person", CocoCategories.Coco80[0]);
        Assert.Equal("toothbrush", CocoCategories.Coco80[79]);
        Assert.Equal(1, CocoCategories.Coco80ToCoco91(0));
        Assert.Equal(13, CocoCategories.Coco80ToCoco91(11)); // stop sign
        Assert.Equal(90, CocoCategories.Coco80ToCoco91(79));
    }
}
