// Typed errors of the promptable (SAM) runners. Each message names what was wrong: the prompt field and
// its value, the tensor and both shapes, or the embedding file and the check it failed.
namespace SegKit.Prompt;

/// <summary>What was wrong with a SAM prompt.</summary>
public enum SamPromptError
{
    /// <summary>Neither a point nor a box was given (a mask input alone is not a prompt).</summary>
    Empty,
    /// <summary>A coordinate is NaN or infinite.</summary>
    NotFinite,
    /// <summary>A point or box corner lies outside the image [0, width] × [0, height].</summary>
    OutsideImage,
    /// <summary>A box whose X2 ≤ X1 or Y2 ≤ Y1.</summary>
    EmptyBox,
    /// <summary>A mask input that is not the decoder's low-resolution size (256 × 256 for SAM).</summary>
    MaskInputShape,
}

/// <summary>A prompt SAM cannot take: empty, NaN coordinates, outside the image, a degenerate box.</summary>
public sealed class SamPromptException : SegKitException
{
    /// <summary>Creates the exception; <paramref name="message"/> names the field and its value.</summary>
    public SamPromptException(SamPromptError error, string message) : base(message) => Error = error;

    /// <summary>Which check failed.</summary>
    public SamPromptError Error { get; }
}

/// <summary>
/// A model that does not fit where it is used: an encoder or decoder outside its contract, or a decoder
/// whose <c>image_embeddings</c> input does not take the embedding's shape.
/// </summary>
public sealed class SamModelMismatchException : SegKitException
{
    /// <summary>Creates the exception; <paramref name="message"/> names the model, the tensor, and both shapes.</summary>
    public SamModelMismatchException(string message) : base(message) { }
}

/// <summary>An image-embedding file that is not one SegKit wrote, or is truncated, corrupt or of a newer version.</summary>
public sealed class SamEmbeddingFileException : SegKitException
{
    /// <summary>Creates the exception for <paramref name="path"/>; <paramref name="problem"/> says which check failed.</summary>
    public SamEmbeddingFileException(string path, string problem, Exception? inner = null)
        : base($"{path}: not a usable SegKit SAM embedding file: {problem}", inner)
    {
        FileName = path;
        Problem = problem;
    }

    /// <summary>The file.</summary>
    public string FileName { get; }

    /// <summary>The check that failed, e.g. "version 7 is newer than this SegKit reads (1)".</summary>
    public string Problem { get; }
}
