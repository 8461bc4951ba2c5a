using System.Text.Json;
using SegKit.Masks;
using SegKit.Tests.TestSupport;

namespace SegKit.Tests.Masks;

public class MaskContoursTests
{
    private static BinaryMask FromRows(params string[] rows)
    {
        var m = new BinaryMask(rows[0].Length, rows.Length);
        for (int y = 0; y < rows.Length; y++)
            for (int x = 0; x < rows[y].Length; x++)
                m[x, y] = rows[y][x] == '#';
        return m;
    }

    [Fact]
    public void Find_Square_OneOuterBorderOfPerimeterPixels()
    {
        var m = new BinaryMask(8, 8);
        for (int y = 2; y < 6; y++) m.SetRun(y, 2, 6);
        MaskContourSet set = MaskContours.Find(m);
        MaskContour c = Assert.Single(set.Contours);
        Assert.False(c.IsHole);
        Assert.Equal(12, c.Points.Count);
        Assert.Equal(new PointInt(2, 2), c.Points[0]);
        Assert.Equal(9, c.Area);
    }

    [Fact]
    public void Find_RingWithIsland_TwoOutersOneHole()
    {
        BinaryMask m = FromRows(
            ".........",
            ".#######.",
            ".#.....#.",
            ".#..#..#.",
            ".#.....#.",
            ".#######.",
            ".........");
        MaskContourSet set = MaskContours.Find(m);
        Assert.Equal(3, set.Contours.Count);
        Assert.Equal(2, set.Outers.Count());
        int ring = set.Outers.First();
        MaskContour hole = set.Contours[Assert.Single(set.HolesOf(ring))];
        Assert.True(hole.IsHole);
        Assert.Equal(ring, hole.Parent);
        Assert.Empty(set.HolesOf(set.Outers.Last()));
    }

    [Fact]
    public void Find_TwoHolesAndDiagonalTouch_CountsComponentsAndHoles()
    {
        // Two components (an 8-connected diagonal joins the right blob to the first): 3 + 1 holes.
        BinaryMask m = FromRows(
            "#####.....",
            "#.#.#.....",
            "#####.....",
            ".....#####",
            ".....#...#",
            ".....#####",
            "..........",
            "..###.....",
            "..#.#.....",
            "..###.....");
        MaskContourSet set = MaskContours.Find(m);
        Assert.Equal(2, set.Outers.Count());
        Assert.Equal(4, set.Contours.Count(c => c.IsHole));
        Assert.Equal(3, set.HolesOf(set.Outers.First()).Count);
        Assert.Single(set.HolesOf(set.Outers.Last()));
    }

    [Fact]
    public void Find_SinglePixelAndEmpty_OnePointAndNone()
    {
        var m = new BinaryMask(3, 3);
        Assert.Empty(MaskContours.Find(m).Contours);
        m.Set(1, 1);
        MaskContour c = Assert.Single(MaskContours.Find(m).Contours);
        Assert.Equal([new PointInt(1, 1)], c.Points);
        Assert.Empty(MaskContours.Find(new BinaryMask(0, 4)).Contours);
    }

    [Fact]
    public void Find_FullMask_BorderAtImageEdge()
    {
        MaskContour c = Assert.Single(MaskContours.Find(new BinaryMask(7, 5).Not()).Contours);
        Assert.Equal(20, c.Points.Count);
        Assert.Equal(24, c.Area);
    }

    [Fact]
    public void Rasterize_Blobs_IouAtLeastPointNine()
    {
        var rng = new Random(42);
        for (int t = 0; t < 10; t++)
        {
            int w = 80 + rng.Next(80), h = 80 + rng.Next(80);
            var m = new BinaryMask(w, h);
            for (int k = 0; k < 3; k++)
            {
                double cx = rng.Next(w), cy = rng.Next(h), r = 12 + rng.Next(20);
                for (int y = 0; y < h; y++)
                    for (int x = 0; x < w; x++)
                        if ((x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r) m.Set(x, y);
            }
            double hr = 4 + rng.Next(4);
            double hx = rng.Next(w), hy = rng.Next(h);
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                    if ((x - hx) * (x - hx) + (y - hy) * (y - hy) <= hr * hr) m.Set(x, y, false);
            BinaryMask back = MaskContours.Find(m).Rasterize();
            Assert.True(m.Iou(back) >= 0.9, $"IoU {m.Iou(back)} for blob {t}");
        }
    }

    public static TheoryData<string> OpenCvCases()
    {
        var d = new TheoryData<string>();
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllBytes(Fixtures.File("contours_reference", "contours.json")));
        foreach (JsonElement c in doc.RootElement.GetProperty("cases").EnumerateArray()) d.Add(c.GetProperty("name").GetString()!);
        return d;
    }

    [Theory]
    [MemberData(nameof(OpenCvCases))]
    public void Find_OpenCvCase_SameBordersPointForPoint(string name)
    {
        string dir = Fixtures.Ensure("contours_reference");
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(dir, "contours.json")));
        JsonElement expected = doc.RootElement.GetProperty("cases").EnumerateArray()
            .Single(c => c.GetProperty("name").GetString() == name).GetProperty("contours");
        Npy npy = Npy.Read(Path.Combine(dir, name + ".npy"));
        BinaryMask mask = BinaryMask.FromBytes(npy.AsUInt8(), npy.Shape[1], npy.Shape[0]);
        MaskContourSet set = MaskContours.Find(mask);

        // OpenCV lists borders in its own order; compare as sets keyed by the point sequence.
        static string Key(bool hole, IEnumerable<int> xy) => (hole ? "H:" : "O:") + string.Join(",", xy);
        var ours = set.Contours.Select(c => Key(c.IsHole, c.Points.SelectMany(p => new[] { p.X, p.Y }))).Order().ToList();
        var theirs = expected.EnumerateArray()
            .Select(c => Key(c.GetProperty("is_hole").GetBoolean(), c.GetProperty("points").EnumerateArray().Select(e => e.GetInt32())))
            .Order().ToList();
        Assert.Equal(theirs, ours);

        // Parents: a hole's parent is the outer border of the same component in both.
        var expectedList = expected.EnumerateArray().ToList();
        foreach (JsonElement c in expectedList.Where(c => c.GetProperty("is_hole").GetBoolean()))
        {
            JsonElement parent = expectedList[c.GetProperty("parent").GetInt32()];
            MaskContour hole = set.Contours.Single(h => h.IsHole &&
                h.Points.SelectMany(p => new[] { p.X, p.Y }).SequenceEqual(c.GetProperty("points").EnumerateArray().Select(e => e.GetInt32())));
            Assert.Equal(parent.GetProperty("points").EnumerateArray().Select(e => e.GetInt32()),
                set.Contours[hole.Parent].Points.SelectMany(p => new[] { p.X, p.Y }));
            Assert.Equal(c.GetProperty("area").GetDouble(), hole.Area, 1e-9);
        }
    }
}
