// The single exception type for failures reported by ONNX Runtime itself (an OrtStatus).

namespace SegKit.Onnx;

/// <summary>ONNX Runtime returned an error status. <see cref="Code"/> and <see cref="NativeMessage"/>
/// are ORT's; <see cref="Exception.Message"/> adds what SegKit was doing (e.g. which model file).</summary>
public class OrtException : Exception
{
    /// <summary>Creates the exception for ORT's <paramref name="code"/> and <paramref name="nativeMessage"/>.</summary>
    /// <param name="code">ORT's error code.</param>
    /// <param name="nativeMessage">ORT's message.</param>
    /// <param name="context">What SegKit was doing; null when nothing useful can be added.</param>
    /// <param name="inner">The exception that caused this one, if any.</param>
    public OrtException(OrtErrorCode code, string nativeMessage, string? context = null, Exception? inner = null)
        : base(Format(code, nativeMessage, context), inner)
    {
        Code = code;
        NativeMessage = nativeMessage;
    }

    /// <summary>ORT's error code.</summary>
    public OrtErrorCode Code { get; }

    /// <summary>ORT's error message, unchanged.</summary>
    public string NativeMessage { get; }

    private static string Format(OrtErrorCode code, string nativeMessage, string? context) =>
        context is null ? $"ONNX Runtime error {code}: {nativeMessage}" : $"{context}: ONNX Runtime error {code}: {nativeMessage}";
}
