// The one place where an OrtStatus* returned by the C API is checked, read, released and turned
// into an OrtException. Every native call in SegKit.Onnx goes through Check.

using System.Runtime.InteropServices;

namespace SegKit.Onnx.Native;

internal static unsafe class OrtStatus
{
    /// <summary>Does nothing for a null status; otherwise reads ORT's code and message, releases the
    /// status and throws <see cref="OrtException"/>.</summary>
    /// <param name="status">The <c>OrtStatus*</c> an API call returned (null = success).</param>
    /// <param name="context">What SegKit was doing, e.g. "loading ONNX model 'x.onnx'"; prefixed to the message.</param>
    public static void Check(IntPtr status, string? context = null)
    {
        if (status != IntPtr.Zero)
            throw ToException(status, context);
    }

    /// <summary>Reads and releases a non-null status, returning (not throwing) the exception.</summary>
    public static OrtException ToException(IntPtr status, string? context)
    {
        var api = OrtApi.Instance;
        try
        {
            var code = (OrtErrorCode)api.GetErrorCode(status);
            string message = Marshal.PtrToStringUTF8((IntPtr)api.GetErrorMessage(status)) ?? "";
            return new OrtException(code, message, context);
        }
        finally
        {
            api.ReleaseStatus(status);
        }
    }

    /// <summary>Makes a status through ORT's own CreateStatus, so tests can check the translation path
    /// (code and message survive the round trip) without provoking a native failure.</summary>
    internal static IntPtr Create(OrtErrorCode code, string message)
    {
        IntPtr utf8 = Marshal.StringToCoTaskMemUTF8(message);
        try
        {
            return OrtApi.Instance.CreateStatus((int)code, (byte*)utf8);
        }
        finally
        {
            Marshal.FreeCoTaskMem(utf8);
        }
    }
}
