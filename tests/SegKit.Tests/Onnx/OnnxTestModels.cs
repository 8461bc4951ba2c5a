// Shared access to the onnx_parity fixture (tools/fixtures/onnx_parity.py): model paths, .npy
// readers for the dtypes the fixture writes, and sessions shared by a test class.

using System.Runtime.InteropServices;
using SegKit.Onnx;
using SegKit.Tests.TestSupport;

namespace SegKit.Tests.Onnx;

internal static class OnnxTestModels
{
    public const string FixtureName = "onnx_parity";

    public static string Path(string file) => Fixtures.File(FixtureName, file);

    public static string MultiDtype => Path("multi_dtype.onnx");

    public static string Resnet18 => Path("resnet18.onnx");

    public static Npy Npy(string name) => TestSupport.Npy.Read(Path(name + ".npy"));

    public static long[] Shape(this Npy npy) => npy.Shape.Select(d => (long)d).ToArray();

    /// <summary>The elements as <typeparamref name="T"/>, checking the npy dtype matches.</summary>
    public static T[] As<T>(this Npy npy, string dtype) where T : unmanaged
    {
        Assert.Equal(dtype, npy.Dtype);
        return MemoryMarshal.Cast<byte, T>(npy.Data).ToArray();
    }

    /// <summary>The multi_dtype model's inputs, read from the fixture, as tensors over fresh arrays.</summary>
    public static Dictionary<string, OrtTensor> MultiDtypeInputs()
    {
        var f = Npy("multi_in_f");
        var i64 = Npy("multi_in_i64");
        var i32 = Npy("multi_in_i32");
        var u8 = Npy("multi_in_u8");
        var b = Npy("multi_in_b");
        return new Dictionary<string, OrtTensor>
        {
            ["f"] = OrtTensor.FromArray(f.As<float>("<f4"), f.Shape()),
            ["i64"] = OrtTensor.FromArray(i64.As<long>("<i8"), i64.Shape()),
            ["i32"] = OrtTensor.FromArray(i32.As<int>("<i4"), i32.Shape()),
            ["u8"] = OrtTensor.FromArray(u8.As<byte>("|u1"), u8.Shape()),
            ["b"] = OrtTensor.FromArray(b.As<bool>("|b1"), b.Shape()),
        };
    }

    public static void DisposeAll(this Dictionary<string, OrtTensor> tensors)
    {
        foreach (var t in tensors.Values)
            t.Dispose();
    }
}

/// <summary>One multi_dtype session per test class (loading is cheap, but sharing also exercises reuse).</summary>
public sealed class MultiDtypeSessionFixture : IDisposable
{
    public InferenceSession Session { get; } = InferenceSession.FromFile(OnnxTestModels.MultiDtype);

    public void Dispose() => Session.Dispose();
}
