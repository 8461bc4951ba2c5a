using SegKit.Masks;
using SegKit.Tests.TestSupport;

namespace SegKit.Tests.Masks;

public class NmsTests
{
    public static TheoryData<string> Cases()
    {
        var d = new TheoryData<string>();
        foreach (string line in File.ReadAllLines(Fixtures.File("nms_reference", "cases.txt")))
            if (line.Length > 0) d.Add(line.Split(' ')[0]);
        return d;
    }

    private static (BoxXyxy[] Boxes, float[] Scores, int[] Classes, float Threshold) Load(string name)
    {
        string dir = Fixtures.Ensure("nms_reference");
        float thr = float.Parse(File.ReadAllLines(Path.Combine(dir, "cases.txt"))
            .Single(l => l.StartsWith(name + " ", StringComparison.Ordinal)).Split(' ')[1],
            System.Globalization.CultureInfo.InvariantCulture);
        float[] b = Npy.Read(Path.Combine(dir, name + "_boxes.npy")).AsFloat32();
        var boxes = new BoxXyxy[b.Length / 4];
        for (int i = 0; i < boxes.Length; i++) boxes[i] = new BoxXyxy(b[4 * i], b[4 * i + 1], b[4 * i + 2], b[4 * i + 3]);
        float[] scores = Npy.Read(Path.Combine(dir, name + "_scores.npy")).AsFloat32();
        int[] classes = Npy.Read(Path.Combine(dir, name + "_classes.npy")).AsInt64().Select(v => (int)v).ToArray();
        return (boxes, scores, classes, thr);
    }

    private static int[] Expected(string name, string kind) =>
        Npy.Read(Fixtures.File("nms_reference", name + "_" + kind + ".npy")).AsInt64().Select(v => (int)v).ToArray();

    [Theory]
    [MemberData(nameof(Cases))]
    public void Run_TorchvisionCase_SameKeptIndicesInOrder(string name)
    {
        var (boxes, scores, _, thr) = Load(name);
        Assert.Equal(Expected(name, "keep"), Nms.Run(boxes, scores, thr));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void BatchedNms_TorchvisionCase_SameKeptIndicesInOrder(string name)
    {
        var (boxes, scores, classes, thr) = Load(name);
        Assert.Equal(Expected(name, "bkeep"), Nms.BatchedNms(boxes, scores, classes, thr));
    }

    [Fact]
    public void Run_Empty_Empty() => Assert.Empty(Nms.Run([], [], 0.5f));

    [Fact]
    public void Run_IouEqualToThreshold_NotSuppressed()
    {
        // IoU of these two is exactly 0.5: torchvision suppresses only when IoU > threshold.
        BoxXyxy[] boxes = [new(0, 0, 3, 1), new(1, 0, 4, 1)];
        Assert.Equal(new[] { 0, 1 }, Nms.Run(boxes, [0.9f, 0.8f], 0.5f));
        Assert.Equal(new[] { 0 }, Nms.Run(boxes, [0.9f, 0.8f], 0.49f));
    }

    [Fact]
    public void Run_EqualScores_InputOrderKept()
    {
        BoxXyxy[] boxes = [new(0, 0, 1, 1), new(5, 5, 6, 6), new(0, 0, 1, 1)];
        Assert.Equal(new[] { 0, 1 }, Nms.Run(boxes, [0.5f, 0.5f, 0.5f], 0.5f));
    }

    [Fact]
    public void BatchedNms_OverlapAcrossClasses_BothKept()
    {
        BoxXyxy[] boxes = [new(0, 0, 10, 10), new(0, 0, 10, 10), new(1, 1, 10, 10)];
        Assert.Equal(new[] { 2, 0 }, Nms.BatchedNms(boxes, [0.5f, 0.4f, 0.9f], [0, 0, 1], 0.5f));
    }
}
