// An input tensor over caller memory: ORT reads the caller's buffer in place (no copy). The tensor
// pins that memory until disposed and never owns it; the caller keeps it alive and unchanged while
// runs that use the tensor are in flight.

using System.Buffers;
using System.Runtime.InteropServices;
using SegKit.Onnx.Native;

namespace SegKit.Onnx;

/// <summary>
/// A tensor input for <see cref="InferenceSession.Run(IReadOnlyDictionary{string, OrtTensor}, IReadOnlyList{string}?)"/>, created over caller memory without copying.
/// It pins the memory until <see cref="Dispose"/> and does not own it: disposing unpins, it does not
/// free or clear. Writes to the memory between runs are seen by the next run. One tensor may be used
/// by several concurrent runs.
/// </summary>
public sealed unsafe class OrtTensor : IDisposable
{
    private readonly OrtValueHandle _value;
    private readonly long[] _shape;

    private OrtTensor(OrtValueHandle value, TensorElementType elementType, long[] shape)
    {
        _value = value;
        ElementType = elementType;
        _shape = shape;
    }

    /// <summary>The element type, from <c>T</c> at creation.</summary>
    public TensorElementType ElementType { get; }

    /// <summary>The dimensions, outermost first (e.g. [1,3,224,224] for NCHW).</summary>
    public ReadOnlySpan<long> Shape => _shape;

    /// <summary>The number of elements (the product of <see cref="Shape"/>).</summary>
    public long ElementCount { get; private init; }

    /// <summary>
    /// Wraps <paramref name="data"/> (row-major, C order) as a tensor of shape <paramref name="shape"/>,
    /// without copying. Supported <typeparamref name="T"/>: float, double, Half, long, int, short,
    /// sbyte, byte, ushort, uint, ulong, bool.
    /// </summary>
    /// <param name="data">The elements; its length must equal the product of <paramref name="shape"/>.
    /// Pinned until the tensor is disposed; not owned.</param>
    /// <param name="shape">The dimensions, each >= 0 (an empty shape is a scalar of one element).</param>
    /// <exception cref="ArgumentException">Unsupported <typeparamref name="T"/>, a negative dimension,
    /// or a length that does not match the shape.</exception>
    public static OrtTensor FromMemory<T>(Memory<T> data, ReadOnlySpan<long> shape) where T : unmanaged
    {
        var type = TensorElementTypes.Of<T>();
        if (type == TensorElementType.Undefined)
            throw new ArgumentException($"element type {typeof(T).Name} has no ONNX tensor equivalent", nameof(data));
        long count = ElementCountOf(shape);
        if (count != data.Length)
            throw new ArgumentException(
                $"data holds {data.Length} {type.ToDTypeName()} elements but shape {NodeInfo.FormatShape(shape)} needs {count}", nameof(data));

        long[] shapeCopy = shape.ToArray();
        // The pin moves into the value handle, which releases the OrtValue before unpinning.
        MemoryHandle pin = data.Pin();
        IntPtr value = IntPtr.Zero;
        try
        {
            fixed (long* dims = shapeCopy)
            {
                // ORT wants a non-null data pointer even for zero elements; the pin of an empty
                // Memory is null, so point at the (unused) shape array instead.
                void* p = pin.Pointer != null ? pin.Pointer : dims;
                var memory = OrtEnvironment.CpuMemory;
                bool added = false;
                try
                {
                    memory.DangerousAddRef(ref added);
                    OrtStatus.Check(OrtApi.Instance.CreateTensorWithDataAsOrtValue(
                        memory.DangerousGetHandle(), p, (nuint)(count * sizeof(T)), dims, (nuint)shapeCopy.Length, (int)type, &value),
                        $"creating a {type.ToDTypeName()} tensor {NodeInfo.FormatShape(shape)}");
                }
                finally
                {
                    if (added) memory.DangerousRelease();
                }
            }
        }
        catch
        {
            pin.Dispose();
            throw;
        }
        return new OrtTensor(new OrtValueHandle(value, pin), type, shapeCopy) { ElementCount = count };
    }

    /// <summary>Same as <see cref="FromMemory{T}"/> for an array (lets the compiler infer <typeparamref name="T"/>).</summary>
    public static OrtTensor FromArray<T>(T[] data, ReadOnlySpan<long> shape) where T : unmanaged =>
        FromMemory(new Memory<T>(data ?? throw new ArgumentNullException(nameof(data))), shape);

    /// <summary>The OrtValue, for a native call that holds <see cref="Handle"/> with DangerousAddRef.</summary>
    internal OrtValueHandle Handle => _value.IsClosed ? throw new ObjectDisposedException(nameof(OrtTensor)) : _value;

    /// <summary>Releases the native value and unpins the memory (which stays the caller's). Safe to call twice.</summary>
    public void Dispose() => _value.Dispose();

    internal static long ElementCountOf(ReadOnlySpan<long> shape)
    {
        long count = 1;
        foreach (long d in shape)
        {
            if (d < 0)
                throw new ArgumentException($"shape {NodeInfo.FormatShape(shape)} has a negative dimension", nameof(shape));
            count = checked(count * d);
        }
        return count;
    }
}
