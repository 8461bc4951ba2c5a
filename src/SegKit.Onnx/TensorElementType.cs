// Mirrors ONNXTensorElementDataType (onnxruntime_c_api.h / onnx.proto TensorProto.DataType); the
// numeric values are ORT's, so a value read from ORT casts directly.

namespace SegKit.Onnx;

/// <summary>The element type of a tensor. Values equal ORT's <c>ONNXTensorElementDataType</c>.</summary>
public enum TensorElementType
{
    /// <summary>Not a tensor, or unknown.</summary>
    Undefined = 0,
    /// <summary>float32 (<see cref="float"/>).</summary>
    Float = 1,
    /// <summary>uint8 (<see cref="byte"/>).</summary>
    UInt8 = 2,
    /// <summary>int8 (<see cref="sbyte"/>).</summary>
    Int8 = 3,
    /// <summary>uint16 (<see cref="ushort"/>).</summary>
    UInt16 = 4,
    /// <summary>int16 (<see cref="short"/>).</summary>
    Int16 = 5,
    /// <summary>int32 (<see cref="int"/>).</summary>
    Int32 = 6,
    /// <summary>int64 (<see cref="long"/>).</summary>
    Int64 = 7,
    /// <summary>string (not supported for inputs or outputs by this binding).</summary>
    String = 8,
    /// <summary>bool, one byte per element (<see cref="bool"/>).</summary>
    Bool = 9,
    /// <summary>IEEE half (<see cref="System.Half"/>).</summary>
    Float16 = 10,
    /// <summary>float64 (<see cref="double"/>).</summary>
    Double = 11,
    /// <summary>uint32 (<see cref="uint"/>).</summary>
    UInt32 = 12,
    /// <summary>uint64 (<see cref="ulong"/>).</summary>
    UInt64 = 13,
    /// <summary>complex64 (not supported by this binding).</summary>
    Complex64 = 14,
    /// <summary>complex128 (not supported by this binding).</summary>
    Complex128 = 15,
    /// <summary>bfloat16 (not supported by this binding).</summary>
    BFloat16 = 16,
    /// <summary>float8 e4m3fn (not supported by this binding).</summary>
    Float8E4M3FN = 17,
    /// <summary>float8 e4m3fnuz (not supported by this binding).</summary>
    Float8E4M3FNUZ = 18,
    /// <summary>float8 e5m2 (not supported by this binding).</summary>
    Float8E5M2 = 19,
    /// <summary>float8 e5m2fnuz (not supported by this binding).</summary>
    Float8E5M2FNUZ = 20,
    /// <summary>uint4, packed (not supported by this binding).</summary>
    UInt4 = 21,
    /// <summary>int4, packed (not supported by this binding).</summary>
    Int4 = 22,
}

/// <summary>Helpers for <see cref="TensorElementType"/>.</summary>
public static class TensorElementTypes
{
    /// <summary>The numpy-style name: "float32", "int64", "uint8", "bool", "float16"...</summary>
    public static string ToDTypeName(this TensorElementType type) => type switch
    {
        TensorElementType.Float => "float32",
        TensorElementType.Double => "float64",
        TensorElementType.Float16 => "float16",
        TensorElementType.BFloat16 => "bfloat16",
        TensorElementType.UInt8 => "uint8",
        TensorElementType.Int8 => "int8",
        TensorElementType.UInt16 => "uint16",
        TensorElementType.Int16 => "int16",
        TensorElementType.UInt32 => "uint32",
        TensorElementType.Int32 => "int32",
        TensorElementType.UInt64 => "uint64",
        TensorElementType.Int64 => "int64",
        TensorElementType.Bool => "bool",
        TensorElementType.String => "string",
        TensorElementType.Complex64 => "complex64",
        TensorElementType.Complex128 => "complex128",
        TensorElementType.Undefined => "undefined",
        _ => type.ToString().ToLowerInvariant(),
    };

    /// <summary>The element type that .NET type <typeparamref name="T"/> maps to, or
    /// <see cref="TensorElementType.Undefined"/> when it maps to none.</summary>
    public static TensorElementType Of<T>() where T : unmanaged =>
        typeof(T) == typeof(float) ? TensorElementType.Float :
        typeof(T) == typeof(long) ? TensorElementType.Int64 :
        typeof(T) == typeof(int) ? TensorElementType.Int32 :
        typeof(T) == typeof(byte) ? TensorElementType.UInt8 :
        typeof(T) == typeof(bool) ? TensorElementType.Bool :
        typeof(T) == typeof(double) ? TensorElementType.Double :
        typeof(T) == typeof(sbyte) ? TensorElementType.Int8 :
        typeof(T) == typeof(short) ? TensorElementType.Int16 :
        typeof(T) == typeof(ushort) ? TensorElementType.UInt16 :
        typeof(T) == typeof(uint) ? TensorElementType.UInt32 :
        typeof(T) == typeof(ulong) ? TensorElementType.UInt64 :
        typeof(T) == typeof(Half) ? TensorElementType.Float16 :
        TensorElementType.Undefined;
}
