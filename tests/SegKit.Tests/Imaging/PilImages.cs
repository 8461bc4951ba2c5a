// Access to the PIL 9.4 reference fixture (tools/fixtures/pil_images.py) for the Imaging tests.
using System.Text.Json;
using SegKit.Tests.TestSupport;

namespace SegKit.Tests.Imaging;

internal static class PilImages
{
    public const string Fixture = "pil_images";

    public static string Dir => Fixtures.Ensure(Fixture);

    public static string PathOf(string relative) => Path.Combine(Dir, relative);

    public static JsonElement Cases(string group)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(PathOf("cases.json")));
        return doc.RootElement.GetProperty(group).Clone();
    }

    /// <summary>An HxWx3 (or HxW) uint8 .npy as (height, width, bytes).</summary>
    public static (int Height, int Width, byte[] Data) ReadU8(string relative)
    {
        var npy = Npy.Read(PathOf(relative));
        return (npy.Shape[0], npy.Shape[1], npy.AsUInt8());
    }

    /// <summary>A uint16 .npy (little-endian) as values.</summary>
    public static ushort[] ReadU16(string relative)
    {
        var npy = Npy.Read(PathOf(relative));
        Assert.Equal("<u2", npy.Dtype);
        var values = new ushort[npy.Data.Length / 2];
        Buffer.BlockCopy(npy.Data, 0, values, 0, npy.Data.Length);
        return values;
    }

    /// <summary>Index of the first differing byte, or -1.</summary>
    public static int FirstDifference(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        if (a.Length != b.Length) return Math.Min(a.Length, b.Length);
        int n = a.CommonPrefixLength(b);
        return n == a.Length ? -1 : n;
    }

    public static void AssertBytesEqual(ReadOnlySpan<byte> expected, ReadOnlySpan<byte> actual, string what)
    {
        int d = FirstDifference(expected, actual);
        if (d >= 0)
            Assert.Fail($"{what}: lengths {expected.Length}/{actual.Length}, first difference at byte {d}" +
                        (d < Math.Min(expected.Length, actual.Length) ? $" (expected {expected[d]}, got {actual[d]})" : ""));
    }
}
