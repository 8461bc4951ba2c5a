// A model output copied into a managed array. Results never point into native buffers: the OrtValue
// ORT returned is released as soon as its data has been copied out.

namespace SegKit.Onnx;

/// <summary>One output of a run: its name, element type, shape and elements (row-major, C order) in a
/// managed array owned by this object. Read the elements with the accessor for the element type
/// (<see cref="AsFloat"/> for float32...); the wrong accessor throws <see cref="OrtTensorMismatchException"/>.</summary>
public sealed class OrtOutput
{
    private readonly Array _data;
    private readonly long[] _shape;

    internal OrtOutput(string name, TensorElementType elementType, long[] shape, Array data)
    {
        Name = name;
        ElementType = elementType;
        _shape = shape;
        _data = data;
    }

    /// <summary>The output name as declared by the model.</summary>
    public string Name { get; }

    /// <summary>The element type ORT produced.</summary>
    public TensorElementType ElementType { get; }

    /// <summary>The actual dimensions of this result (never -1), outermost first.</summary>
    public ReadOnlySpan<long> Shape => _shape;

    /// <summary>The number of elements (the product of <see cref="Shape"/>).</summary>
    public int ElementCount => _data.Length;

    /// <summary>float32 elements. Returns this output's own array (not a copy).</summary>
    public float[] AsFloat() => As<float>(TensorElementType.Float);
    /// <summary>float64 elements. Returns this output's own array (not a copy).</summary>
    public double[] AsDouble() => As<double>(TensorElementType.Double);
    /// <summary>float16 elements. Returns this output's own array (not a copy).</summary>
    public Half[] AsFloat16() => As<Half>(TensorElementType.Float16);
    /// <summary>int64 elements. Returns this output's own array (not a copy).</summary>
    public long[] AsInt64() => As<long>(TensorElementType.Int64);
    /// <summary>int32 elements. Returns this output's own array (not a copy).</summary>
    public int[] AsInt32() => As<int>(TensorElementType.Int32);
    /// <summary>int16 elements. Returns this output's own array (not a copy).</summary>
    public short[] AsInt16() => As<short>(TensorElementType.Int16);
    /// <summary>int8 elements. Returns this output's own array (not a copy).</summary>
    public sbyte[] AsInt8() => As<sbyte>(TensorElementType.Int8);
    /// <summary>uint8 elements. Returns this output's own array (not a copy).</summary>
    public byte[] AsUInt8() => As<byte>(TensorElementType.UInt8);
    /// <summary>uint16 elements. Returns this output's own array (not a copy).</summary>
    public ushort[] AsUInt16() => As<ushort>(TensorElementType.UInt16);
    /// <summary>uint32 elements. Returns this output's own array (not a copy).</summary>
    public uint[] AsUInt32() => As<uint>(TensorElementType.UInt32);
    /// <summary>uint64 elements. Returns this output's own array (not a copy).</summary>
    public ulong[] AsUInt64() => As<ulong>(TensorElementType.UInt64);
    /// <summary>bool elements. Returns this output's own array (not a copy).</summary>
    public bool[] AsBool() => As<bool>(TensorElementType.Bool);

    /// <inheritdoc/>
    public override string ToString() => $"{Name}: {ElementType.ToDTypeName()} {NodeInfo.FormatShape(_shape)}";

    private T[] As<T>(TensorElementType wanted) =>
        ElementType == wanted
            ? (T[])_data
            : throw new OrtTensorMismatchException(Name,
                $"output '{Name}' is {ElementType.ToDTypeName()} {NodeInfo.FormatShape(_shape)}; it cannot be read as {wanted.ToDTypeName()}");
}

/// <summary>The outputs of one run, in the order requested, also addressable by name.</summary>
public sealed class OrtOutputs : IReadOnlyList<OrtOutput>
{
    private readonly OrtOutput[] _outputs;

    internal OrtOutputs(OrtOutput[] outputs) => _outputs = outputs;

    /// <summary>The output at <paramref name="index"/> in request order.</summary>
    public OrtOutput this[int index] => _outputs[index];

    /// <summary>The output named <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">It was not requested in this run.</exception>
    public OrtOutput this[string name] =>
        Array.Find(_outputs, o => o.Name == name)
        ?? throw new KeyNotFoundException($"output '{name}' is not among this run's outputs ({string.Join(", ", _outputs.Select(o => o.Name))})");

    /// <inheritdoc/>
    public int Count => _outputs.Length;

    /// <inheritdoc/>
    public IEnumerator<OrtOutput> GetEnumerator() => ((IEnumerable<OrtOutput>)_outputs).GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => _outputs.GetEnumerator();
}
