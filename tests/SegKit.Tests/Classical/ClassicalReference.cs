using System.Text.Json;
using SegKit.Imaging;
using SegKit.Tests.TestSupport;

namespace SegKit.Tests.Classical;

/// <summary>Reads the outputs of tools/fixtures/classical_reference.py (skimage 0.19 / OpenCV 4.6 / SciPy references).</summary>
internal static class ClassicalReference
{
    public const string Fixture = "classical_reference";

    public static string PathOf(string file) => Fixtures.File(Fixture, file);

    public static JsonElement Params => JsonDocument.Parse(File.ReadAllText(PathOf("params.json"))).RootElement;

    /// <summary>The PIL-decoded photo (uint8 H×W×3 .npy) as an RgbImage.</summary>
    public static RgbImage Photo(string photo)
    {
        Npy npy = Npy.Read(PathOf(photo + ".rgb.npy"));
        Assert.Equal(3, npy.Shape.Length);
        Assert.Equal(3, npy.Shape[2]);
        return new RgbImage(npy.Shape[1], npy.Shape[0], npy.AsUInt8().ToArray());
    }

    /// <summary>An int64 (H, W) label array as int[] with its shape.</summary>
    public static (int Width, int Height, int[] Labels) Labels(string file)
    {
        Npy npy = Npy.Read(PathOf(file));
        Assert.Equal(2, npy.Shape.Length);
        long[] values = npy.AsInt64();
        return (npy.Shape[1], npy.Shape[0], Array.ConvertAll(values, v => checked((int)v)));
    }

    /// <summary>A float32 (H, W) image widened to double.</summary>
    public static (int Width, int Height, double[] Values) Float(string file)
    {
        Npy npy = Npy.Read(PathOf(file));
        return (npy.Shape[1], npy.Shape[0], Array.ConvertAll(npy.AsFloat32(), v => (double)v));
    }

    /// <summary>A float64 (H, W) array.</summary>
    public static (int Width, int Height, double[] Values) Double(string file)
    {
        Npy npy = Npy.Read(PathOf(file));
        Assert.Equal("<f8", npy.Dtype);
        var values = new double[npy.Data.Length / 8];
        Buffer.BlockCopy(npy.Data, 0, values, 0, npy.Data.Length);
        return (npy.Shape[1], npy.Shape[0], values);
    }

    /// <summary>A uint8 (H, W) array.</summary>
    public static (int Width, int Height, byte[] Values) Bytes(string file)
    {
        Npy npy = Npy.Read(PathOf(file));
        return (npy.Shape[1], npy.Shape[0], npy.AsUInt8());
    }
}

/// <summary>Partition agreement measures for comparing region maps with reference label maps.</summary>
internal static class Partition
{
    /// <summary>Adjusted Rand index (Hubert &amp; Arabie 1985) between two labelings of the same pixels; 1 = identical partitions.</summary>
    public static double AdjustedRandIndex(ReadOnlySpan<int> a, ReadOnlySpan<int> b)
    {
        Assert.Equal(a.Length, b.Length);
        var pairs = new Dictionary<long, long>();
        var rows = new Dictionary<int, long>();
        var cols = new Dictionary<int, long>();
        for (int i = 0; i < a.Length; i++)
        {
            long key = ((long)a[i] << 32) | (uint)b[i];
            pairs[key] = pairs.GetValueOrDefault(key) + 1;
            rows[a[i]] = rows.GetValueOrDefault(a[i]) + 1;
            cols[b[i]] = cols.GetValueOrDefault(b[i]) + 1;
        }
        static double Comb2(long n) => n * (n - 1) / 2.0;
        double index = pairs.Values.Sum(Comb2);
        double sumA = rows.Values.Sum(Comb2);
        double sumB = cols.Values.Sum(Comb2);
        double expected = sumA * sumB / Comb2(a.Length);
        double max = 0.5 * (sumA + sumB);
        return max == expected ? 1.0 : (index - expected) / (max - expected);
    }

    /// <summary>Intersection over union of two binary masks (non-zero = inside).</summary>
    public static double IoU(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        Assert.Equal(a.Length, b.Length);
        long inter = 0, union = 0;
        for (int i = 0; i < a.Length; i++)
        {
            bool x = a[i] != 0, y = b[i] != 0;
            if (x && y) inter++;
            if (x || y) union++;
        }
        return union == 0 ? 1.0 : (double)inter / union;
    }
}
