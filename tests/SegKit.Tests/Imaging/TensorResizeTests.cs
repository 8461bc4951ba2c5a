using System.Text.Json;
using SegKit.Imaging;
using SegKit.Tests.TestSupport;

namespace SegKit.Tests.Imaging;

/// <summary>Parity with torch.nn.functional.interpolate(mode="bilinear", align_corners=False) (tools/fixtures/tensor_ops.py).</summary>
public class TensorResizeTests
{
    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var name in new[] { "up", "down", "same", "mixed", "one_channel" })
            data.Add(name);
        return data;
    }

    private static (int C, int IH, int IW, int OH, int OW) Shape(string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Fixtures.File("tensor_ops", "manifest.json")));
        foreach (var e in doc.RootElement.EnumerateArray())
        {
            if (e.GetProperty("name").GetString() != name) continue;
            var i = e.GetProperty("in"); var o = e.GetProperty("out");
            return (e.GetProperty("channels").GetInt32(), i[0].GetInt32(), i[1].GetInt32(), o[0].GetInt32(), o[1].GetInt32());
        }
        throw new KeyNotFoundException(name);
    }

    // PyTorch derives its interpolation weights along a different float path (a few ulps apart from
    // (dst + 0.5)·in/out − 0.5 computed directly); on these logits of magnitude up to ~12 the outputs
    // agree within 5e-5 (≈ 4e-6 relative), far inside the 1e-3 logit tolerance of the model contracts.
    [Theory]
    [MemberData(nameof(Cases))]
    public void BilinearChw_MatchesTorchInterpolate_Within5e5(string name)
    {
        var (c, ih, iw, oh, ow) = Shape(name);
        float[] input = Npy.Read(Fixtures.File("tensor_ops", name + "_in.npy")).AsFloat32();
        float[] expected = Npy.Read(Fixtures.File("tensor_ops", name + "_out.npy")).AsFloat32();
        var actual = new float[c * oh * ow];
        TensorResize.BilinearChw(input, c, ih, iw, actual, oh, ow);
        double maxDiff = 0;
        for (int i = 0; i < actual.Length; i++)
            maxDiff = Math.Max(maxDiff, Math.Abs(actual[i] - expected[i]));
        Assert.True(maxDiff <= 5e-5, $"max |diff| {maxDiff}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void BilinearArgmax_MatchesTorchArgmaxAndMaxSoftmax(string name)
    {
        var (c, ih, iw, oh, ow) = Shape(name);
        float[] input = Npy.Read(Fixtures.File("tensor_ops", name + "_in.npy")).AsFloat32();
        float[] upsampled = Npy.Read(Fixtures.File("tensor_ops", name + "_out.npy")).AsFloat32();
        byte[] expected = Npy.Read(Fixtures.File("tensor_ops", name + "_argmax.npy")).AsUInt8();
        float[] expectedConf = Npy.Read(Fixtures.File("tensor_ops", name + "_maxsoftmax.npy")).AsFloat32();
        var labels = new byte[oh * ow];
        var conf = new float[oh * ow];
        TensorResize.BilinearArgmax(input, c, ih, iw, labels, oh, ow, conf);
        int plane = oh * ow, mismatches = 0;
        for (int p = 0; p < plane; p++)
        {
            if (labels[p] == expected[p]) continue;
            // Only a near-tie between the top two channels may flip (float summation order).
            float a = upsampled[labels[p] * plane + p], b = upsampled[expected[p] * plane + p];
            Assert.True(Math.Abs(a - b) < 1e-4, $"pixel {p}: label {labels[p]} vs torch {expected[p]} ({a} vs {b})");
            mismatches++;
        }
        Assert.True(mismatches <= plane / 1000, $"{mismatches} near-tie mismatches");
        for (int p = 0; p < plane; p++)
            Assert.True(Math.Abs(conf[p] - expectedConf[p]) <= 1e-5, $"confidence at {p}: {conf[p]} vs {expectedConf[p]}");
    }

    [Fact]
    public void BilinearChw_WrongSourceLength_ThrowsNamingShape()
    {
        var e = Assert.Throws<ArgumentException>(() => TensorResize.BilinearChw(new float[10], 2, 3, 3, new float[8], 2, 2));
        Assert.Contains("2×3×3", e.Message);
    }

    // The fused kernel's 8-wide paths (8- and 16-value windows, scalar blocks, ragged tails) must give
    // exactly the labels, counts and confidences of resizing every channel and then taking argmax.
    [Theory]
    [InlineData(21, 65, 97, 150, 224, false, 1)]   // noisy logits, upsampling ×2.3 (8-value windows)
    [InlineData(21, 65, 97, 150, 224, true, 2)]    // integer logits: many exact ties
    [InlineData(5, 40, 40, 17, 23, false, 3)]      // downsampling ×2 (scalar blocks)
    [InlineData(150, 32, 32, 120, 120, false, 4)]  // many classes
    [InlineData(7, 50, 60, 50, 60, false, 5)]      // same size (16-value windows)
    [InlineData(21, 520, 779, 534, 800, false, 6)] // dog.jpg's shapes: ×0.97 (16-value windows)
    [InlineData(3, 9, 5, 11, 3, false, 7)]         // narrower than one block
    [InlineData(4, 13, 37, 29, 61, false, 8)]      // ragged tail
    [InlineData(6, 21, 50, 40, 90, false, 9)]      // upsampling ×1.8 with a ragged tail
    [InlineData(150, 16, 16, 128, 128, false, 10)] // ×64, SegFormer-like: through the two-stage kernel, many classes
    [InlineData(21, 12, 18, 100, 150, true, 11)]   // ×69, integer logits (exact ties), through the two-stage kernel
    [InlineData(21, 7, 19, 120, 330, true, 12)]    // ×17, exact ties, 19 source columns (the tail cells 16-18 serve no block: see the plateau test)
    [InlineData(16, 40, 5, 700, 90, true, 13)]     // ×18, exact ties, 5 source columns: narrower than a window, so no block uses candidates
    public void BilinearArgmax_FusedKernel_IdenticalToFullInterpolationArgmax(int c, int ih, int iw, int oh, int ow, bool integers, int seed)
    {
        var logits = SmoothLogits(c, ih, iw, integers, seed, maxFrequency: 0.3);
        var full = new float[c * oh * ow];
        TensorResize.BilinearChw(logits, c, ih, iw, full, oh, ow);
        var expected = FirstArgmax(full, c, oh * ow);
        var labels = new byte[oh * ow];
        TensorResize.BilinearArgmax(logits, c, ih, iw, labels, oh, ow);
        Assert.Equal(expected, labels);

        // With counts and confidence: same labels, counts by hand, max softmax from the full tensor.
        var labels2 = new byte[oh * ow];
        var conf = new float[oh * ow];
        var counts = new long[c + 3];
        Array.Fill(counts, 99);
        TensorResize.BilinearArgmax(logits, c, ih, iw, labels2, oh, ow, conf, counts);
        Assert.Equal(expected, labels2);
        var expectedCounts = new long[c + 3];
        foreach (byte b in expected) expectedCounts[b]++;
        Assert.Equal(expectedCounts, counts);
        for (int p = 0; p < oh * ow; p++)
        {
            double max = full[expected[p] * oh * ow + p], sum = 0;
            for (int k = 0; k < c; k++) sum += Math.Exp(full[k * oh * ow + p] - max);
            Assert.True(Math.Abs(conf[p] - 1 / sum) <= 1e-5, $"confidence at {p}: {conf[p]} vs {1 / sum}");
        }
    }

    // Plateaus of 3×3 source pixels on which two classes tie exactly at the top (the others lower): no source
    // pixel has a clear winner, so every block is computed, and in every cell inside a plateau the winner's four
    // corners are equal (its largest corner is exactly the best smallest corner). A candidate pass that drops such
    // a class gives the wrong first maximum there. Candidates serve only blocks whose 8-value source window fits
    // (first column ≤ width − 8); upsampled across, such a block reads that column's cell and the next. So the
    // scalar tail of the pass (cells from 16·⌊width/16⌋) is read only when width mod 16 ≥ 7: 28 and 25 columns
    // reach it, and 13 columns make the whole pass scalar.
    // Reference: the materialised resize's first argmax.
    [Theory]
    [InlineData(20, 9, 28, 160, 476, 14)]  // ×17-18: vector cells 0-15, scalar tail 16-27
    [InlineData(16, 10, 25, 180, 430, 15)] // scalar tail 16-24
    [InlineData(18, 12, 13, 200, 230, 16)] // 13 columns: the candidate pass is all scalar
    public void BilinearArgmax_TwoStage_FlatTiesOnPlateaus_IdenticalToFullInterpolationArgmax(int c, int ih, int iw, int oh, int ow, int seed)
    {
        var rng = new Random(seed);
        var logits = new float[c * ih * iw];
        for (int by = 0; by < ih; by += 3)
            for (int bx = 0; bx < iw; bx += 3)
            {
                int a = rng.Next(c), b = (a + 1 + rng.Next(c - 1)) % c; // two distinct classes tie at 4 on this plateau
                for (int y = by; y < Math.Min(ih, by + 3); y++)
                    for (int x = bx; x < Math.Min(iw, bx + 3); x++)
                        for (int k = 0; k < c; k++)
                            logits[(k * ih + y) * iw + x] = k == a || k == b ? 4f : rng.Next(-4, 4);
            }
        var full = new float[c * oh * ow];
        TensorResize.BilinearChw(logits, c, ih, iw, full, oh, ow);
        var expected = FirstArgmax(full, c, oh * ow);
        var labels = new byte[oh * ow];
        var counts = new long[c];
        TensorResize.BilinearArgmax(logits, c, ih, iw, labels, oh, ow, default, counts);
        Assert.Equal(expected, labels);
        var expectedCounts = new long[c];
        foreach (byte l in expected) expectedCounts[l]++;
        Assert.Equal(expectedCounts, counts);
    }

    // One logit: labels, confidence and counts are those of the materialised resize, thresholded at 0.
    [Theory]
    [InlineData(13, 17, 120, 90)] // upsampling, ragged
    [InlineData(40, 30, 17, 23)]  // downsampling
    public void BilinearBinary_IdenticalToResizeThenThreshold(int ih, int iw, int oh, int ow)
    {
        var logits = SmoothLogits(1, ih, iw, false, 12, maxFrequency: 0.5);
        for (int i = 0; i < logits.Length; i++) logits[i] -= 0.5f; // both labels present
        var full = new float[oh * ow];
        TensorResize.BilinearChw(logits, 1, ih, iw, full, oh, ow);
        var labels = new byte[oh * ow];
        var confidence = new float[oh * ow];
        var counts = new long[3];
        Array.Fill(counts, 9);
        TensorResize.BilinearBinary(logits, ih, iw, labels, oh, ow, confidence, counts);
        long foreground = 0;
        for (int p = 0; p < full.Length; p++)
        {
            Assert.Equal(full[p] > 0 ? 1 : 0, labels[p]);
            float sigmoid = 1f / (1f + MathF.Exp(-full[p]));
            Assert.Equal(MathF.Max(sigmoid, 1f - sigmoid), confidence[p]);
            foreground += labels[p];
        }
        Assert.InRange(foreground, 1, full.Length - 1);
        Assert.Equal([full.Length - foreground, foreground, 0], counts);
    }

    // Two resizes and the argmax in one pass (a torchvision model's own last resize, then the photo's size) must
    // give exactly the labels and counts of materialising the middle tensor and running BilinearArgmax on it,
    // including where labels are settled without computing them (the known-label shortcut) and on exact ties.
    [Theory]
    [InlineData(21, 65, 98, 520, 780, 1200, 1800, false, 1)] // LRASPP on truck.jpg: ×8 then ×2.3
    [InlineData(21, 33, 49, 520, 780, 1200, 1800, true, 2)]  // DeepLabV3 (×16), integer logits: exact ties
    [InlineData(21, 67, 100, 534, 800, 534, 800, false, 3)]  // no resize: the second stage keeps the size
    [InlineData(21, 65, 98, 520, 779, 534, 800, false, 4)]   // dog.jpg: second stage ×1.03, ragged tail
    [InlineData(5, 40, 40, 60, 60, 17, 23, false, 5)]        // second stage shrinks
    [InlineData(3, 5, 4, 9, 7, 13, 5, false, 6)]             // narrower than one block
    [InlineData(150, 16, 16, 64, 64, 128, 128, false, 7)]    // many classes
    [InlineData(4, 6, 6, 48, 48, 96, 96, true, 8)]           // integer logits, big plateaus
    public void BilinearTwiceArgmax_IdenticalToResizeThenBilinearArgmax(int c, int ih, int iw, int mh, int mw, int oh, int ow, bool integers, int seed)
    {
        var logits = SmoothLogits(c, ih, iw, integers, seed, maxFrequency: 0.6);
        var expectedCounts = new long[c];
        var expected = ResizeThenOnePassArgmax(logits, c, ih, iw, mh, mw, oh, ow, expectedCounts);

        var labels = new byte[oh * ow];
        var counts = new long[c + 2];
        Array.Fill(counts, 7);
        TensorResize.BilinearTwiceArgmax(logits, c, ih, iw, mh, mw, labels, oh, ow, counts);
        Assert.Equal(expected, labels);
        Assert.Equal([.. expectedCounts, 0, 0], counts);
    }

    // Workers keep their scratch rows for the next call of the same shape: nothing of one call leaks into the next.
    [Fact]
    public void BilinearTwiceArgmax_RepeatedCallsOfOneShape_EachAsAlone()
    {
        var rng = new Random(11);
        float[] a = new float[5 * 9 * 13], b = new float[5 * 9 * 13];
        for (int i = 0; i < a.Length; i++) { a[i] = (float)rng.NextDouble(); b[i] = (float)rng.NextDouble() * 3; }
        var first = new byte[40 * 70];
        TensorResize.BilinearTwiceArgmax(a, 5, 9, 13, 20, 30, first, 40, 70);
        var other = new byte[40 * 70];
        TensorResize.BilinearTwiceArgmax(b, 5, 9, 13, 20, 30, other, 40, 70);
        var again = new byte[40 * 70];
        TensorResize.BilinearTwiceArgmax(a, 5, 9, 13, 20, 30, again, 40, 70);
        Assert.Equal(first, again);
        Assert.Equal(ResizeThenOnePassArgmax(b, 5, 9, 13, 20, 30, 40, 70), other);
    }

    [Fact]
    public void BilinearTwiceArgmax_ConstantOrNonFiniteLogits_ComputesEveryPixel()
    {
        // All channels equal: every pixel is a tie, so nothing is settled early and channel 0 wins everywhere.
        var flat = new float[3 * 4 * 5];
        var labels = new byte[20 * 30];
        TensorResize.BilinearTwiceArgmax(flat, 3, 4, 5, 8, 10, labels, 20, 30);
        Assert.All(labels, l => Assert.Equal(0, l));

        // An infinity anywhere turns the shortcut off; the labels are then those of the plain computation.
        var logits = new float[2 * 4 * 4];
        for (int i = 0; i < 16; i++) logits[i] = i % 3;
        logits[20] = float.PositiveInfinity;
        var actual = new byte[16 * 16];
        TensorResize.BilinearTwiceArgmax(logits, 2, 4, 4, 8, 8, actual, 16, 16);
        Assert.Equal(ResizeThenOnePassArgmax(logits, 2, 4, 4, 8, 8, 16, 16), actual);

        // Likewise a NaN, in a source large enough to be scanned in parallel chunks with vectors (256 × 256).
        var big = SmoothLogits(3, 256, 256, false, 13, maxFrequency: 0.2);
        big[3 * 256 * 256 - 5] = float.NaN;
        var bigActual = new byte[310 * 320];
        TensorResize.BilinearTwiceArgmax(big, 3, 256, 256, 300, 300, bigActual, 310, 320);
        Assert.Equal(ResizeThenOnePassArgmax(big, 3, 256, 256, 300, 300, 310, 320), bigActual);
    }

    // Per pixel of a materialised [c, pixels] tensor: the first channel with the largest value.
    private static byte[] FirstArgmax(float[] full, int c, int pixels)
    {
        var labels = new byte[pixels];
        for (int p = 0; p < pixels; p++)
        {
            int best = 0;
            for (int k = 1; k < c; k++)
                if (full[k * pixels + p] > full[best * pixels + p]) best = k;
            labels[p] = (byte)best;
        }
        return labels;
    }

    // The labels of materialising the middle tensor and running BilinearArgmax's one-pass kernel on it (asking for
    // confidence keeps it off the two-stage route): the reference the two-stage kernel must equal.
    private static byte[] ResizeThenOnePassArgmax(float[] logits, int c, int ih, int iw, int mh, int mw, int oh, int ow, long[]? counts = null)
    {
        var mid = new float[c * mh * mw];
        TensorResize.BilinearChw(logits, c, ih, iw, mid, mh, mw);
        var labels = new byte[oh * ow];
        TensorResize.BilinearArgmax(mid, c, mh, mw, labels, oh, ow, new float[oh * ow], counts ?? default(Memory<long>));
        return labels;
    }

    // Smooth per-class fields plus noise, like real logits: large regions with one winner and boundaries
    // (rounded to integers: many exact ties).
    private static float[] SmoothLogits(int c, int h, int w, bool integers, int seed, double maxFrequency)
    {
        var rng = new Random(seed);
        var logits = new float[c * h * w];
        for (int k = 0; k < c; k++)
        {
            double fx = rng.NextDouble() * maxFrequency, fy = rng.NextDouble() * maxFrequency, ph = rng.NextDouble() * 6;
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                {
                    double v = 4 * Math.Sin(fx * x + fy * y + ph) + rng.NextDouble() * 0.5;
                    logits[(k * h + y) * w + x] = integers ? (float)Math.Round(v) : (float)v;
                }
        }
        return logits;
    }

    [Fact]
    public void BilinearArgmax_CountsTooShort_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            TensorResize.BilinearArgmax(new float[3 * 4], 3, 2, 2, new byte[9], 3, 3, default, new long[2]));
        Assert.Contains("at least 3", e.Message);
    }
}
