// Raised when session options ask for an execution provider the loaded ORT cannot supply.

namespace SegKit.Onnx;

/// <summary>The requested execution provider (e.g. CUDA) cannot be used with the loaded ONNX Runtime,
/// typically because the library is a CPU-only build. <see cref="Exception.InnerException"/> holds
/// ORT's own error when there is one.</summary>
public sealed class OrtExecutionProviderUnavailableException : Exception
{
    internal OrtExecutionProviderUnavailableException(string provider, string libraryPath, string message, Exception? inner)
        : base(message, inner)
    {
        Provider = provider;
        LibraryPath = libraryPath;
    }

    /// <summary>The provider asked for, e.g. "CUDA".</summary>
    public string Provider { get; }

    /// <summary>The ONNX Runtime library that lacks it.</summary>
    public string LibraryPath { get; }
}
