// OrtTensor: boundary validation of data length vs shape, supported element types, disposal.

using SegKit.Onnx;

namespace SegKit.Tests.Onnx;

public sealed class OrtTensorTests
{
    [Fact]
    public void FromMemory_LengthNotProductOfShape_ThrowsArgumentNamingBoth()
    {
        var e = Assert.Throws<ArgumentException>(() => OrtTensor.FromMemory<float>(new float[5], [2, 3]));

        Assert.Contains("5 float32 elements", e.Message);
        Assert.Contains("[2,3] needs 6", e.Message);
    }

    [Fact]
    public void FromMemory_NegativeDimension_ThrowsArgument()
    {
        var e = Assert.Throws<ArgumentException>(() => OrtTensor.FromMemory<long>(new long[2], [-1, 2]));

        Assert.Contains("negative dimension", e.Message);
    }

    [Fact]
    public void FromMemory_UnsupportedElementType_ThrowsArgument()
    {
        var e = Assert.Throws<ArgumentException>(() => OrtTensor.FromMemory<char>(new char[2], [2]));

        Assert.Contains("Char", e.Message);
    }

    [Fact]
    public void FromMemory_EachSupportedType_ReportsElementTypeShapeAndCount()
    {
        using var f = OrtTensor.FromMemory<float>(new float[6], [1, 2, 3]);
        using var l = OrtTensor.FromMemory<long>(new long[4], [4]);
        using var i = OrtTensor.FromMemory<int>(new int[4], [2, 2]);
        using var u = OrtTensor.FromMemory<byte>(new byte[3], [3]);
        using var b = OrtTensor.FromMemory<bool>(new bool[2], [2, 1]);
        using var h = OrtTensor.FromMemory<Half>(new Half[1], []);

        Assert.Equal(TensorElementType.Float, f.ElementType);
        Assert.Equal([1L, 2L, 3L], f.Shape.ToArray());
        Assert.Equal(6, f.ElementCount);
        Assert.Equal(TensorElementType.Int64, l.ElementType);
        Assert.Equal(TensorElementType.Int32, i.ElementType);
        Assert.Equal(TensorElementType.UInt8, u.ElementType);
        Assert.Equal(TensorElementType.Bool, b.ElementType);
        Assert.Equal(TensorElementType.Float16, h.ElementType);
        Assert.Equal(1, h.ElementCount);
    }

    [Fact]
    public void FromMemory_SliceOfLargerArray_UsesOnlyTheSlice()
    {
        // A Memory slice pins at its own offset: the session must see elements 4..7, not 0..3.
        var multi = InferenceSession.FromFile(OnnxTestModels.MultiDtype);
        var inputs = OnnxTestModels.MultiDtypeInputs();
        try
        {
            int[] backing = [0, 0, 0, 0, 1, 2, 3, 4, 0, 0];
            inputs["i32"].Dispose();
            inputs["i32"] = OrtTensor.FromMemory(backing.AsMemory(4, 4), [4]);

            Assert.Equal([-3, -6, -9, -12], multi.Run(inputs, ["i32_out"])[0].AsInt32());
        }
        finally
        {
            inputs.DisposeAll();
            multi.Dispose();
        }
    }

    [Fact]
    public void Dispose_Twice_IsHarmlessAndCallerMemoryUntouched()
    {
        float[] data = [1, 2, 3];
        var t = OrtTensor.FromArray(data, [3]);

        t.Dispose();
        t.Dispose();

        Assert.Equal([1f, 2f, 3f], data);
    }
}
