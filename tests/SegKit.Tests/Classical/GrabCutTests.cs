using SegKit.Classical;
using SegKit.Imaging;
using Xunit.Abstractions;

namespace SegKit.Tests.Classical;

public sealed class GrabCutTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("truck")]
    [InlineData("dog")]
    [InlineData("groceries")]
    public void Segment_PhotoWithBox_MatchesOpenCv(string photo)
    {
        RgbImage image = ClassicalReference.Photo(photo);
        var p = ClassicalReference.Params.GetProperty("grabcut");
        var b = p.GetProperty("boxes").GetProperty(photo);
        var box = new RectXywh(b[0].GetInt32(), b[1].GetInt32(), b[2].GetInt32(), b[3].GetInt32());
        var options = new GrabCutOptions { Iterations = p.GetProperty("iterations").GetInt32() };
        var (_, _, cv) = ClassicalReference.Bytes($"{photo}.grabcut.npy");
        byte[] expected = Array.ConvertAll(cv, v => (byte)(v & 1));

        GrabCutResult result = GrabCut.Segment(image, box, options);

        byte[] mask = result.ToForegroundMask();
        double iou = Partition.IoU(mask, expected);
        int differ = 0, labelsEqual = 0;
        for (int i = 0; i < mask.Length; i++)
        {
            if (mask[i] != expected[i]) differ++;
            if ((byte)result.Labels[i] == cv[i]) labelsEqual++;
        }
        output.WriteLine($"{photo}: IoU {iou:F5} vs cv2.grabCut, {differ} pixels differ, labels identical {labelsEqual / (double)mask.Length:P3}, flows {string.Join(", ", result.FlowPerIteration.Select(f => f.ToString("F1")))}");
        Assert.True(iou >= 0.95, $"IoU {iou:F4} < 0.95");
    }

    private static RgbImage Square(int size, int inner, out int offset)
    {
        var image = new RgbImage(size, size);
        var rng = new Random(7);
        offset = (size - inner) / 2;
        for (int y = 0; y < size; y++)
        {
            Span<byte> row = image.GetRow(y);
            for (int x = 0; x < size; x++)
            {
                bool inside = x >= offset && x < offset + inner && y >= offset && y < offset + inner;
                row[3 * x] = (byte)((inside ? 200 : 40) + rng.Next(-15, 16));
                row[3 * x + 1] = (byte)((inside ? 60 : 120) + rng.Next(-15, 16));
                row[3 * x + 2] = (byte)((inside ? 50 : 180) + rng.Next(-15, 16));
            }
        }
        return image;
    }

    [Fact]
    public void Segment_RedSquareOnBlue_ForegroundIsTheSquare()
    {
        RgbImage image = Square(64, 24, out int o);

        GrabCutResult result = GrabCut.Segment(image, new RectXywh(o - 8, o - 8, 40, 40));

        byte[] mask = result.ToForegroundMask();
        for (int y = 0; y < 64; y++)
            for (int x = 0; x < 64; x++)
            {
                bool inside = x >= o && x < o + 24 && y >= o && y < o + 24;
                Assert.Equal(inside ? 1 : 0, mask[y * 64 + x]);
            }
        Assert.Equal(GrabCutLabel.Background, result.Labels[0]);
    }

    [Fact]
    public void Segment_Strokes_PinStrokedPixels()
    {
        RgbImage image = Square(64, 24, out int o);
        var background = new byte[64 * 64];
        var foreground = new byte[64 * 64];
        for (int x = o - 6; x < o + 30; x++) background[(o - 4) * 64 + x] = 1; // blue pixels inside the box
        for (int x = o; x < o + 24; x++) foreground[(o + 3) * 64 + x] = 1;

        GrabCutResult result = GrabCut.Segment(image, new RectXywh(o - 8, o - 8, 40, 40),
            foregroundStrokes: foreground, backgroundStrokes: background);

        for (int x = o - 6; x < o + 30; x++) Assert.Equal(GrabCutLabel.Background, result.Labels[(o - 4) * 64 + x]);
        for (int x = o; x < o + 24; x++) Assert.Equal(GrabCutLabel.Foreground, result.Labels[(o + 3) * 64 + x]);
        Assert.Equal(GrabCutLabel.ProbableForeground, result.Labels[(o + 12) * 64 + o + 12]);
        Assert.Equal(GrabCutLabel.ProbableBackground, result.Labels[(o - 6) * 64 + o]);
    }

    [Fact]
    public void Refine_PreviousResult_KeepsTheSquare()
    {
        RgbImage image = Square(48, 16, out int o);
        GrabCutResult first = GrabCut.Segment(image, new RectXywh(o - 6, o - 6, 28, 28), new GrabCutOptions { Iterations = 1 });

        GrabCutResult second = GrabCut.Refine(image, first.Labels, new GrabCutOptions { Iterations = 2 });

        Assert.Equal(16 * 16, second.ToForegroundMask().Sum(v => v));
        Assert.Equal(2, second.ToRegionMap().RegionCount);
    }

    [Fact]
    public void Segment_BoxOutsideImage_Throws()
    {
        var image = new RgbImage(20, 20);
        Assert.Throws<ArgumentException>(() => GrabCut.Segment(image, new RectXywh(30, 30, 5, 5)));
    }

    [Fact]
    public void Segment_BoxCoversImage_ThrowsNamingBackgroundModel()
    {
        var image = new RgbImage(20, 20);
        var ex = Assert.Throws<ArgumentException>(() => GrabCut.Segment(image, new RectXywh(0, 0, 20, 20)));
        Assert.Contains("background", ex.Message);
    }
}
