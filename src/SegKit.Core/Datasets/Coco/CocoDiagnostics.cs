namespace SegKit.Datasets.Coco;

/// <summary>How strictly a COCO file is read.</summary>
public sealed record CocoReadOptions
{
    /// <summary>Lenient: problems are collected as <see cref="CocoDiagnostic"/>s and the rest of the file is used.</summary>
    public static CocoReadOptions Default { get; } = new();

    /// <summary>Strict: the file is read to its end, then any problem raises one <see cref="CocoFormatException"/> listing them all.</summary>
    public static CocoReadOptions Strict { get; } = new() { FailOnProblems = true };

    /// <summary>
    /// When true, a file with any problem raises <see cref="CocoFormatException"/> (carrying every diagnostic) instead of
    /// returning the usable part. Invalid JSON always raises: a stream cannot be resynchronised after a syntax error.
    /// </summary>
    public bool FailOnProblems { get; init; }

    /// <summary>Keep fields SegKit does not model (<c>info</c>, <c>licenses</c>, <c>coco_url</c>...) in <c>Extra</c>, so a write gives them back. Default true.</summary>
    public bool KeepExtraFields { get; init; } = true;

    /// <summary>
    /// The file is read for bbox evaluation, where pycocotools' <c>COCOeval</c> never looks at a segmentation. A result or
    /// ground-truth annotation that has a bbox is then kept when its segmentation is malformed (not a polygon list or RLE,
    /// no polygon of 3 points, RLE runs or size that do not fit): the segmentation is discarded and the problem reported
    /// as <see cref="CocoProblem.UnusedSegmentationInvalid"/>. Entries without a bbox still need a valid segmentation.
    /// Default false.
    /// </summary>
    public bool ForBoxEvaluation { get; init; }
}

/// <summary>What is wrong with one entry of a COCO file.</summary>
public enum CocoProblem
{
    /// <summary>The entry lacks a required field or has one of the wrong type (it is dropped).</summary>
    InvalidEntry,

    /// <summary>Two entries of a section share an id (both are kept; lookups by id see the last, as pycocotools).</summary>
    DuplicateId,

    /// <summary>An annotation's <c>image_id</c> names no image (it is dropped).</summary>
    MissingImage,

    /// <summary>An annotation's <c>category_id</c> names no category (it is dropped).</summary>
    MissingCategory,

    /// <summary>A polygon has fewer than 3 points (it is removed; the annotation is dropped when none is left).</summary>
    PolygonTooShort,

    /// <summary>A polygon has an odd number of coordinates (kept; the last number is ignored, as pycocotools does).</summary>
    PolygonOddLength,

    /// <summary>An annotation's segmentation is an empty polygon list (it is dropped).</summary>
    EmptySegmentation,

    /// <summary>An RLE's <c>size</c> is not its image's [height, width] (it is dropped).</summary>
    RleSizeMismatch,

    /// <summary>An RLE's run lengths do not add up to height × width (it is dropped).</summary>
    RleCountsMismatch,

    /// <summary>
    /// A result or annotation read for bbox evaluation (<see cref="CocoReadOptions.ForBoxEvaluation"/>) has a bbox and a
    /// malformed segmentation, which that evaluation never uses: the segmentation is discarded and the entry kept.
    /// </summary>
    UnusedSegmentationInvalid,
}

/// <summary>
/// One problem found while reading a COCO file.
/// </summary>
/// <param name="Problem">What is wrong.</param>
/// <param name="Section">The array the entry is in: <c>images</c>, <c>categories</c>, <c>annotations</c>, or <c>results</c>.</param>
/// <param name="Index">The entry's 0-based position in that array.</param>
/// <param name="Id">The entry's id (the annotation id for annotations; the image id for results) when it could be read.</param>
/// <param name="Message">A sentence naming the file, the entry and what was expected.</param>
/// <param name="Dropped">Whether the entry was left out of what the reader returned.</param>
public sealed record CocoDiagnostic(CocoProblem Problem, string Section, int Index, long? Id, string Message, bool Dropped)
{
    /// <inheritdoc/>
    public override string ToString() => Message;
}
