// One SafeHandle type per owned ORT object. Each releases its object exactly once (SafeHandle makes a
// second Dispose a no-op and defers release while a call holds DangerousAddRef), and the finalizer
// releases anything a caller forgot to dispose.

using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace SegKit.Onnx.Native;

/// <summary>Base for handles that own one ORT object released by a single C API call.</summary>
internal abstract class OrtHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    protected OrtHandle(IntPtr handle)
        : base(ownsHandle: true)
    {
        SetHandle(handle);
    }
}

/// <summary>Owns an OrtEnv.</summary>
internal sealed unsafe class OrtEnvHandle(IntPtr handle) : OrtHandle(handle)
{
    protected override bool ReleaseHandle() { OrtApi.Instance.ReleaseEnv(handle); return true; }
}

/// <summary>Owns an OrtSessionOptions.</summary>
internal sealed unsafe class OrtSessionOptionsHandle(IntPtr handle) : OrtHandle(handle)
{
    protected override bool ReleaseHandle() { OrtApi.Instance.ReleaseSessionOptions(handle); return true; }
}

/// <summary>Owns an OrtCUDAProviderOptionsV2.</summary>
internal sealed unsafe class OrtCudaProviderOptionsHandle(IntPtr handle) : OrtHandle(handle)
{
    protected override bool ReleaseHandle() { OrtApi.Instance.ReleaseCUDAProviderOptions(handle); return true; }
}

/// <summary>Owns an OrtSession.</summary>
internal sealed unsafe class OrtSessionHandle(IntPtr handle) : OrtHandle(handle)
{
    protected override bool ReleaseHandle() { OrtApi.Instance.ReleaseSession(handle); return true; }
}

/// <summary>Owns an OrtMemoryInfo.</summary>
internal sealed unsafe class OrtMemoryInfoHandle(IntPtr handle) : OrtHandle(handle)
{
    protected override bool ReleaseHandle() { OrtApi.Instance.ReleaseMemoryInfo(handle); return true; }
}

/// <summary>Owns an OrtTypeInfo.</summary>
internal sealed unsafe class OrtTypeInfoHandle(IntPtr handle) : OrtHandle(handle)
{
    protected override bool ReleaseHandle() { OrtApi.Instance.ReleaseTypeInfo(handle); return true; }
}

/// <summary>Owns an OrtTensorTypeAndShapeInfo (one returned by GetTensorTypeAndShape; those obtained
/// by CastTypeInfoToTensorInfo belong to their OrtTypeInfo and are never wrapped).</summary>
internal sealed unsafe class OrtTensorTypeAndShapeInfoHandle(IntPtr handle) : OrtHandle(handle)
{
    protected override bool ReleaseHandle() { OrtApi.Instance.ReleaseTensorTypeAndShapeInfo(handle); return true; }
}

/// <summary>Owns an OrtModelMetadata.</summary>
internal sealed unsafe class OrtModelMetadataHandle(IntPtr handle) : OrtHandle(handle)
{
    protected override bool ReleaseHandle() { OrtApi.Instance.ReleaseModelMetadata(handle); return true; }
}

/// <summary>Owns an OrtValue, and optionally the pin on the caller memory it was created over: the
/// value is released first, then the memory unpinned, so ORT never sees unpinned memory.</summary>
internal sealed unsafe class OrtValueHandle : OrtHandle
{
    private MemoryHandle _pin;

    public OrtValueHandle(IntPtr handle, MemoryHandle pin = default)
        : base(handle)
    {
        _pin = pin;
    }

    protected override bool ReleaseHandle()
    {
        OrtApi.Instance.ReleaseValue(handle);
        _pin.Dispose();
        _pin = default;
        return true;
    }
}
