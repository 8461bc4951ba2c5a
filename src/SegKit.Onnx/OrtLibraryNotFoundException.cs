// Raised once, on first use, when no usable libonnxruntime can be loaded.

namespace SegKit.Onnx;

/// <summary>No usable ONNX Runtime library could be loaded. The message says where SegKit looked
/// and how to install one (tools/setup.sh, or SEGKIT_ORT_LIBRARY pointing at an official package).</summary>
public sealed class OrtLibraryNotFoundException : Exception
{
    internal OrtLibraryNotFoundException(string message, IReadOnlyList<string> searched, Exception? inner = null)
        : base(message, inner)
    {
        Searched = searched;
    }

    /// <summary>The paths and bare library names tried, in order.</summary>
    public IReadOnlyList<string> Searched { get; }
}
