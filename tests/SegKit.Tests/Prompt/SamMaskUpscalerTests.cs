using System.Text.Json;
using SegKit.Masks;
using SegKit.Prompt;
using SegKit.Tests.TestSupport;
using Xunit.Abstractions;

namespace SegKit.Tests.Prompt;

/// <summary>
/// SamMaskUpscaler: the literal path against torch's Sam.postprocess_masks, and the fast thresholding / counting
/// path against thresholding the literal path's logits, bit for bit, on decoder outputs and adversarial logits.
/// </summary>
public sealed class SamMaskUpscalerTests(ITestOutputHelper output)
{
    private static SamMaskUpscaler For(int width, int height)
    {
        var input = ResizeLongestSide.GetPreprocessShape(width, height);
        return new SamMaskUpscaler(256, 1024, input.Width, input.Height, width, height);
    }

    [Fact]
    public void UpscaleLogits_RandomLogits_EqualTorchPostprocessMasksBitForBit()
    {
        var cases = JsonDocument.Parse(File.ReadAllBytes(Fixtures.File("sam_reference", "upscale_cases.json"))).RootElement;
        foreach (var c in cases.EnumerateArray())
        {
            string name = c.GetProperty("name").GetString()!;
            int h = c.GetProperty("height").GetInt32(), w = c.GetProperty("width").GetInt32();
            var up = For(w, h);
            Assert.Equal(c.GetProperty("input_width").GetInt32(), up.InputWidth);
            Assert.Equal(c.GetProperty("input_height").GetInt32(), up.InputHeight);
            float[] low = Npy.Read(Fixtures.File("sam_reference", $"upscale_{name}_low.npy")).AsFloat32();
            float[] expected = Npy.Read(Fixtures.File("sam_reference", $"upscale_{name}_out.npy")).AsFloat32();
            var mine = new float[h * w];
            float maxDiff = 0;
            long equal = 0;
            for (int m = 0; m < 3; m++)
            {
                up.UpscaleLogits(low.AsSpan(m * 65536, 65536), mine);
                for (int i = 0; i < mine.Length; i++)
                {
                    float e = expected[m * h * w + i];
                    maxDiff = MathF.Max(maxDiff, MathF.Abs(e - mine[i]));
                    if (e == mine[i]) equal++;
                }
            }
            output.WriteLine($"{name} {w}×{h}: max |Δ| {maxDiff:E2}, bit-equal {100.0 * equal / (3.0 * h * w):F2}%");
            Assert.Equal(3L * h * w, equal);
        }
    }

    public static TheoryData<string> Adversarial => new(["reference", "random", "quantised", "zero", "gradient", "nonfinite", "extreme"]);

    private static IEnumerable<float[]> Logits(string kind)
    {
        var rng = new Random(kind.GetHashCode(StringComparison.Ordinal) & 0x7fff);
        float[] Make(Func<int, int, float> f)
        {
            var a = new float[65536];
            for (int y = 0; y < 256; y++) for (int x = 0; x < 256; x++) a[y * 256 + x] = f(x, y);
            return a;
        }
        switch (kind)
        {
            case "reference":
                // The official decoder's low-res logits for the reference prompts.
                foreach (string c in new[] { "one_point", "two_points", "box" })
                {
                    float[] all = Npy.Read(TestPaths.SharedReference("sam", c + "_low_res_logits.npy")).AsFloat32();
                    for (int m = 0; m < all.Length / 65536; m++) yield return all.AsSpan(m * 65536, 65536).ToArray();
                }
                break;
            case "random":
                yield return Make((_, _) => (float)(rng.NextDouble() * 6 - 3));
                break;
            case "quantised":
                // Whole blocks exactly on the thresholds 0 and ±1.
                yield return Make((x, y) => ((x / 9 + y / 7) % 5 - 2) * 0.5f);
                yield return Make((x, y) => (x / 16 + y / 16) % 3 - 1);
                break;
            case "zero":
                yield return new float[65536];
                break;
            case "gradient":
                yield return Make((x, y) => (x - 128) / 32f + (y - 128) / 200f);
                yield return Make((x, y) => MathF.Sqrt((x - 100) * (x - 100) + (y - 90) * (y - 90)) / -20f + 3f);
                break;
            case "nonfinite":
                var a = Make((x, y) => (x + y) % 3 - 1f);
                a[1000] = float.NaN; a[20000] = float.PositiveInfinity; a[40000] = float.NegativeInfinity;
                yield return a;
                // A NaN in a block that would otherwise be decided: its pixels must stay NaN (below every threshold).
                var b = Make((_, _) => 5f);
                b[128 * 256 + 128] = float.NaN;
                b[3] = float.NaN;
                yield return b;
                break;
            case "extreme":
                yield return Make((x, y) => (x % 2 == 0 ? 1e30f : -1e30f) * ((y % 3) - 1));
                yield return Make((x, y) => ((x + y) % 4 - 1.5f) * 1e-30f);
                yield return Make((x, y) => 1f + ((x * 7 + y) % 5 - 2) * 1e-7f);
                break;
        }
    }

    [Theory]
    [MemberData(nameof(Adversarial))]
    public void Threshold_FastPath_EqualsThresholdedLiteralLogits(string kind)
    {
        foreach (var (w, h) in new[] { (1800, 1200), (180, 120), (97, 301), (1024, 683), (7, 5), (1024, 1024), (2100, 700) })
        {
            var up = For(w, h);
            var logits = new float[w * h];
            int m = 0;
            foreach (float[] low in Logits(kind))
            {
                up.UpscaleLogits(low, logits);
                foreach (float t in new[] { 0f, 1f, -1f, 0.5f, -0.95f, 1e-30f })
                {
                    var literal = BinaryMask.FromThreshold(logits, w, h, t);
                    Assert.True(literal.Equals(up.Threshold(low, t)), $"{kind} #{m} {w}×{h} t={t}: fast mask differs");
                }
                foreach (var (hi, lo) in new[] { (1f, -1f), (0.5f, -0.5f), (0f, 0f), (2f, 1e-30f) })
                {
                    long nHi = 0, nLo = 0;
                    foreach (float v in logits) { if (v > hi) nHi++; if (v > lo) nLo++; }
                    Assert.Equal((nHi, nLo), up.CountAbove(low, hi, lo));
                    // The one-pass query everything mode uses (counts and the mask at a threshold between them).
                    using var session = up.Open(low);
                    float mid = lo == hi ? lo : 0.5f * (lo + hi);
                    var (aHi, aLo, mask) = session.CountAboveAndThreshold(hi, lo, mid);
                    Assert.Equal((nHi, nLo), (aHi, aLo));
                    Assert.True(BinaryMask.FromThreshold(logits, w, h, mid).Equals(mask), $"{kind} #{m} {w}×{h}: one-pass mask at {mid} differs");
                }
                m++;
            }
        }
    }

    [Fact]
    public void CountAbove_ThresholdsInWrongOrder_Throws() =>
        Assert.Throws<ArgumentException>(() => For(10, 10).CountAbove(new float[65536], -1f, 1f));

    [Fact]
    public void Axis_SameSize_IsIdentityAsTorch()
    {
        var a = SamMaskUpscaler.Axis.Create(683, 683, 683);
        Assert.All(Enumerable.Range(0, 683), i => { Assert.Equal(i, a.I0[i]); Assert.Equal(1f, a.W0[i]); Assert.Equal(0f, a.W1[i]); });
    }
}
