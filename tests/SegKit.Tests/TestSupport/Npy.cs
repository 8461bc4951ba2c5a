using System.Buffers.Binary;
using System.Text;

namespace SegKit.Tests.TestSupport;

/// <summary>Minimal reader for NumPy .npy files (v1/v2/v3, little-endian, C order) used by reference fixtures.</summary>
public sealed class Npy
{
    /// <summary>The dtype descriptor, e.g. "&lt;f4", "&lt;i8", "|u1", "|b1".</summary>
    public required string Dtype { get; init; }
    public required int[] Shape { get; init; }
    /// <summary>The raw little-endian element bytes in C order.</summary>
    public required byte[] Data { get; init; }

    public static Npy Read(string path)
    {
        byte[] all = File.ReadAllBytes(path);
        if (all.Length < 10 || all[0] != 0x93 || Encoding.ASCII.GetString(all, 1, 5) != "NUMPY")
            throw new InvalidDataException($"{path}: not a .npy file");
        int major = all[6];
        int headerLen, offset;
        if (major == 1) { headerLen = BinaryPrimitives.ReadUInt16LittleEndian(all.AsSpan(8)); offset = 10; }
        else { headerLen = (int)BinaryPrimitives.ReadUInt32LittleEndian(all.AsSpan(8)); offset = 12; }
        string header = Encoding.Latin1.GetString(all, offset, headerLen);
        string descr = Between(header, "'descr':", ",").Trim().Trim('\'');
        if (header.Contains("'fortran_order': True"))
            throw new NotSupportedException($"{path}: Fortran order");
        string shapeText = Between(header, "'shape':", ")").Trim().TrimStart('(');
        int[] shape = shapeText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(int.Parse).ToArray();
        return new Npy { Dtype = descr, Shape = shape, Data = all[(offset + headerLen)..] };
    }

    /// <summary>Writes a little-endian float32 array in C order as a version-1 .npy file.</summary>
    public static void Write(string path, ReadOnlySpan<float> data, params int[] shape)
    {
        long count = shape.Aggregate(1L, (a, d) => a * d);
        if (count != data.Length) throw new ArgumentException($"{data.Length} values for shape ({string.Join(",", shape)})");
        string dims = shape.Length == 1 ? shape[0] + "," : string.Join(", ", shape);
        string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + dims + "), }";
        int total = 10 + header.Length + 1;
        header = header.PadRight(header.Length + (64 - total % 64) % 64) + "\n";
        using var f = File.Create(path);
        f.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0]);
        Span<byte> len = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(len, (ushort)header.Length);
        f.Write(len);
        f.Write(Encoding.Latin1.GetBytes(header));
        f.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(data));
    }

    public float[] AsFloat32()
    {
        if (Dtype != "<f4") throw new InvalidDataException($"dtype {Dtype}, expected <f4");
        var r = new float[Data.Length / 4];
        Buffer.BlockCopy(Data, 0, r, 0, Data.Length);
        return r;
    }

    public long[] AsInt64()
    {
        if (Dtype != "<i8") throw new InvalidDataException($"dtype {Dtype}, expected <i8");
        var r = new long[Data.Length / 8];
        Buffer.BlockCopy(Data, 0, r, 0, Data.Length);
        return r;
    }

    public byte[] AsUInt8()
    {
        if (Dtype != "|u1" && Dtype != "|b1") throw new InvalidDataException($"dtype {Dtype}, expected |u1");
        return Data;
    }

    private static string Between(string s, string start, string end)
    {
        int i = s.IndexOf(start, StringComparison.Ordinal);
        if (i < 0) throw new InvalidDataException("npy header lacks " + start);
        i += start.Length;
        int j = s.IndexOf(end, i, StringComparison.Ordinal);
        return s[i..j];
    }
}
