namespace SegKit;

/// <summary>
/// Base of every error SegKit raises for bad input (a corrupt file, a model that does not fit its
/// contract, an out-of-range prompt). The message names the file or tensor and what was expected.
/// </summary>
public class SegKitException : Exception
{
    /// <summary>Creates the exception with a message that names the offending file or tensor.</summary>
    public SegKitException(string message) : base(message) { }

    /// <summary>Creates the exception wrapping the underlying cause.</summary>
    public SegKitException(string message, Exception? inner) : base(message, inner) { }
}
