// Memory that ORT allocated with its default allocator on SegKit's behalf (names, metadata strings,
// key arrays). Each buffer is owned by exactly one OrtAllocation and freed with AllocatorFree.

using System.Runtime.InteropServices;

namespace SegKit.Onnx.Native;

/// <summary>Owns one buffer from ORT's default allocator; <c>using</c> frees it.</summary>
internal unsafe ref struct OrtAllocation
{
    private void* _pointer;

    public OrtAllocation(void* pointer) => _pointer = pointer;

    public readonly void* Pointer => _pointer;

    /// <summary>The buffer as a NUL-terminated UTF-8 string ("" for null).</summary>
    public readonly string AsUtf8String() => Marshal.PtrToStringUTF8((IntPtr)_pointer) ?? "";

    public void Dispose()
    {
        if (_pointer != null)
        {
            OrtStatus.Check(OrtApi.Instance.AllocatorFree(DefaultAllocator, _pointer));
            _pointer = null;
        }
    }

    /// <summary>ORT's process-wide default CPU allocator. ORT owns it: it is never released.</summary>
    public static IntPtr DefaultAllocator => s_defaultAllocator.Value;

    private static readonly Lazy<IntPtr> s_defaultAllocator = new(() =>
    {
        IntPtr allocator;
        OrtStatus.Check(OrtApi.Instance.GetAllocatorWithDefaultOptions(&allocator), "getting ORT's default allocator");
        return allocator;
    });

    /// <summary>Reads and frees an allocator-owned UTF-8 string.</summary>
    public static string TakeString(byte* utf8)
    {
        using var owned = new OrtAllocation(utf8);
        return owned.AsUtf8String();
    }
}
