namespace SegKit.Datasets.Coco;

/// <summary>
/// A COCO JSON file that is not valid JSON or does not have the structure COCO defines; the message names the file,
/// the entry (annotation id where there is one) and the field. A strict read that found problems carries them all in
/// <see cref="Diagnostics"/>.
/// </summary>
public sealed class CocoFormatException : SegKitException
{
    /// <summary>Creates the exception.</summary>
    public CocoFormatException(string message) : base(message) => Diagnostics = [];

    /// <summary>Creates the exception with its cause.</summary>
    public CocoFormatException(string message, Exception inner) : base(message, inner) => Diagnostics = [];

    /// <summary>Creates the exception a strict read raises for the problems it found.</summary>
    public CocoFormatException(string message, IReadOnlyList<CocoDiagnostic> diagnostics) : base(message) =>
        Diagnostics = diagnostics ?? throw new ArgumentNullException(nameof(diagnostics));

    /// <summary>Every problem a strict read found (empty for a structural or syntax error).</summary>
    public IReadOnlyList<CocoDiagnostic> Diagnostics { get; }
}
