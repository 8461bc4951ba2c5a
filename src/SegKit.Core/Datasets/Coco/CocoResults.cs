using System.Collections;
using System.Text.Json;
using SegKit.Masks;

namespace SegKit.Datasets.Coco;

/// <summary>Reads, checks and writes COCO results files (a JSON array of detections).</summary>
public static class CocoResults
{
    /// <summary>Reads a results file.</summary>
    /// <exception cref="CocoFormatException">Invalid JSON, a top level that is not an array, or (strict) any problem.</exception>
    public static CocoResultList Load(string path, CocoReadOptions? options = null)
    {
        using FileStream fs = new(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        return Read(fs, path, options);
    }

    /// <summary>
    /// Reads results from <paramref name="stream"/>, one entry at a time; <paramref name="name"/> names it in messages.
    /// Entries that cannot be used (missing fields, polygons under 3 points, RLE runs that do not fill their size) are
    /// reported in <see cref="CocoResultList.Diagnostics"/> with their index and image id, or raised when strict.
    /// </summary>
    public static CocoResultList Read(Stream stream, string name = "COCO results", CocoReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        options ??= CocoReadOptions.Default;
        var results = new List<CocoResult>();
        var diagnostics = new List<CocoDiagnostic>();
        bool isArray = JsonElementStream.Read(stream, name, _ => false, (string? _, int index, ref Utf8JsonReader r, ReadOnlySpan<byte> data) =>
        {
            Utf8JsonReader start = r;
            CocoResult result;
            string? badSegmentation;
            try
            {
                result = CocoJson.ParseResult(ref r, data, name, options.KeepExtraFields, options.ForBoxEvaluation, out badSegmentation);
            }
            catch (Exception ex) when (ex is CocoFormatException or FormatException or InvalidOperationException)
            {
                diagnostics.Add(new(CocoProblem.InvalidEntry, "results", index, CocoJson.FindId(start, "image_id"), ex is CocoFormatException ? $"{ex.Message} (result {index})" : $"{name}: result {index}: {ex.Message}", true));
                return;
            }
            if (badSegmentation is not null)
            {
                if (result.Bbox is null)
                {
                    diagnostics.Add(new(CocoProblem.InvalidEntry, "results", index, result.ImageId, $"{badSegmentation} (result {index})", true));
                    return;
                }
                diagnostics.Add(CocoValidation.SegmentationDiscarded("results", index, result.ImageId, $"{badSegmentation} (result {index})"));
            }
            if (CheckSegmentation(result, index, name, diagnostics, options.ForBoxEvaluation) is CocoResult ok) results.Add(ok);
        });
        if (!isArray) throw new CocoFormatException($"{name}: results must be a JSON array of objects");
        var list = new CocoResultList(results, diagnostics);
        if (options.FailOnProblems && diagnostics.Count > 0) throw CocoValidation.StrictFailure(name, diagnostics);
        return list;
    }

    /// <summary>
    /// Checks <paramref name="results"/> against the ground truth they will be evaluated on, as pycocotools' <c>loadRes</c>
    /// requires: a result whose image is not in <paramref name="groundTruth"/> (loadRes fails on it), or whose RLE size is
    /// not its image's, is dropped (for bbox evaluation, <see cref="CocoReadOptions.ForBoxEvaluation"/>, a result with a bbox
    /// only loses that segmentation); one whose category is not in the ground truth is kept (COCOeval ignores it) and reported.
    /// The diagnostics of <paramref name="results"/> (when it is a <see cref="CocoResultList"/>) are carried over.
    /// </summary>
    /// <exception cref="CocoFormatException">Strict <paramref name="options"/> and any problem (all are listed).</exception>
    public static CocoResultList Validate(IReadOnlyList<CocoResult> results, CocoDataset groundTruth, string name = "COCO results", CocoReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(groundTruth);
        var images = new Dictionary<long, CocoImage>();
        foreach (CocoImage i in groundTruth.Images) images[i.Id] = i;
        var categories = groundTruth.Categories.Select(c => c.Id).ToHashSet();
        var diagnostics = results is CocoResultList l ? l.Diagnostics.ToList() : [];
        var kept = new List<CocoResult>(results.Count);
        var unknownCategories = new HashSet<long>();
        for (int index = 0; index < results.Count; index++)
        {
            CocoResult r = results[index];
            string where = $"{name}: result {index} (image {r.ImageId})";
            if (!images.TryGetValue(r.ImageId, out CocoImage? image))
            {
                diagnostics.Add(new(CocoProblem.MissingImage, "results", index, r.ImageId, $"{where}: image_id {r.ImageId} is not in the ground truth", true));
                continue;
            }
            if (r.Segmentation?.Rle is CocoRle rle && (rle.Height != image.Height || rle.Width != image.Width))
            {
                string problem = $"{where}: RLE size [{rle.Height}, {rle.Width}] differs from the image's [{image.Height}, {image.Width}]";
                if (options?.ForBoxEvaluation != true || r.Bbox is null)
                {
                    diagnostics.Add(new(CocoProblem.RleSizeMismatch, "results", index, r.ImageId, problem, true));
                    continue;
                }
                diagnostics.Add(CocoValidation.SegmentationDiscarded("results", index, r.ImageId, problem));
                r = r with { Segmentation = null };
            }
            if (!categories.Contains(r.CategoryId) && unknownCategories.Add(r.CategoryId))
                diagnostics.Add(new(CocoProblem.MissingCategory, "results", index, r.ImageId,
                    $"{where}: category_id {r.CategoryId} is not in the ground truth (results of that category are not evaluated)", false));
            kept.Add(r);
        }
        if (options?.FailOnProblems == true && diagnostics.Count > 0) throw CocoValidation.StrictFailure(name, diagnostics);
        return new CocoResultList(kept, diagnostics);
    }

    /// <summary>Writes <paramref name="results"/> as a COCO results JSON array to <paramref name="path"/>, atomically.</summary>
    public static void Save(string path, IEnumerable<CocoResult> results, CocoWriteOptions? options = null) =>
        AtomicFile.Write(path, s => Write(s, results, options));

    /// <summary>Writes <paramref name="results"/> as a COCO results JSON array.</summary>
    public static void Write(Stream stream, IEnumerable<CocoResult> results, CocoWriteOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(results);
        using var w = new Utf8JsonWriter(stream, CocoWriter.WriterOptions(options));
        w.WriteStartArray();
        foreach (CocoResult r in results)
        {
            CocoWriter.WriteResult(w, r);
            if (w.BytesPending > 1 << 16) w.Flush();
        }
        w.WriteEndArray();
    }

    /// <summary>
    /// Concatenates results files (e.g. one per image, written as a resumable run goes) into one results file at
    /// <paramref name="outputPath"/>, in the order given, streaming and atomically. Returns the number of results written.
    /// </summary>
    /// <exception cref="CocoFormatException">A part is not a valid results file (strict: any problem in it).</exception>
    public static int Merge(IEnumerable<string> parts, string outputPath, CocoWriteOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(parts);
        ArgumentNullException.ThrowIfNull(outputPath);
        using var writer = CocoResultsWriter.Create(outputPath, options);
        foreach (string part in parts)
            foreach (CocoResult r in Load(part, CocoReadOptions.Strict))
                writer.Write(r);
        int n = writer.Count;
        writer.Complete();
        return n;
    }

    // A result whose segmentation cannot be used is dropped, unless it is read for bbox evaluation and has a bbox:
    // then only the segmentation goes.
    private static CocoResult? CheckSegmentation(CocoResult r, int index, string name, List<CocoDiagnostic> diagnostics, bool forBoxEvaluation)
    {
        string where = $"{name}: result {index} (image {r.ImageId})";
        if (r.Segmentation is not CocoSegmentation seg) return r;
        CocoProblem problem;
        string message;
        if (seg.Rle is CocoRle rle)
        {
            long sum = 0;
            foreach (uint c in rle.Counts) sum += c;
            if (sum == (long)rle.Height * rle.Width) return r;
            problem = CocoProblem.RleCountsMismatch;
            message = $"{where}: RLE runs add up to {sum} pixels; [{rle.Height}, {rle.Width}] has {(long)rle.Height * rle.Width}";
        }
        else
        {
            if (seg.Polygons!.Count > 0 && seg.Polygons.All(p => p.Length >= 6)) return r;
            problem = seg.Polygons.Count == 0 ? CocoProblem.EmptySegmentation : CocoProblem.PolygonTooShort;
            message = $"{where}: segmentation has no polygon of at least 3 points";
        }
        if (forBoxEvaluation && r.Bbox is not null)
        {
            diagnostics.Add(CocoValidation.SegmentationDiscarded("results", index, r.ImageId, message));
            return r with { Segmentation = null };
        }
        diagnostics.Add(new(problem, "results", index, r.ImageId, message, true));
        return null;
    }
}

/// <summary>Results as read (or validated), with the problems found on the way.</summary>
public sealed class CocoResultList : IReadOnlyList<CocoResult>
{
    private readonly IReadOnlyList<CocoResult> _results;

    /// <summary>Wraps <paramref name="results"/> and their <paramref name="diagnostics"/>.</summary>
    public CocoResultList(IReadOnlyList<CocoResult> results, IReadOnlyList<CocoDiagnostic> diagnostics)
    {
        _results = results ?? throw new ArgumentNullException(nameof(results));
        Diagnostics = diagnostics ?? throw new ArgumentNullException(nameof(diagnostics));
    }

    /// <summary>Problems found; entries marked <c>Dropped</c> are not in the list.</summary>
    public IReadOnlyList<CocoDiagnostic> Diagnostics { get; }

    /// <inheritdoc/>
    public CocoResult this[int index] => _results[index];

    /// <inheritdoc/>
    public int Count => _results.Count;

    /// <inheritdoc/>
    public IEnumerator<CocoResult> GetEnumerator() => _results.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>
/// Writes a COCO results file one result at a time (for predictions over a whole dataset), into a temporary file that
/// <see cref="Complete"/> moves into place; disposing without completing removes it, so a crashed run leaves no
/// half-written results file.
/// </summary>
public sealed class CocoResultsWriter : IDisposable
{
    private readonly string _path;
    private readonly string _tmp;
    private readonly FileStream _stream;
    private readonly Utf8JsonWriter _writer;
    private bool _done;

    private CocoResultsWriter(string path, CocoWriteOptions? options)
    {
        _path = Path.GetFullPath(path);
        _tmp = AtomicFile.TempPathFor(path);
        _stream = new FileStream(_tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
        _writer = new Utf8JsonWriter(_stream, CocoWriter.WriterOptions(options));
        _writer.WriteStartArray();
    }

    /// <summary>Starts a results file that will appear at <paramref name="path"/> on <see cref="Complete"/>.</summary>
    public static CocoResultsWriter Create(string path, CocoWriteOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        return new CocoResultsWriter(path, options);
    }

    /// <summary>Results written so far.</summary>
    public int Count { get; private set; }

    /// <summary>Appends one result.</summary>
    public void Write(CocoResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        ObjectDisposedException.ThrowIf(_done, this);
        CocoWriter.WriteResult(_writer, result);
        Count++;
        if (_writer.BytesPending > 1 << 16) _writer.Flush();
    }

    /// <summary>Closes the array, flushes to disk and moves the file into place.</summary>
    public void Complete()
    {
        ObjectDisposedException.ThrowIf(_done, this);
        _writer.WriteEndArray();
        _writer.Flush();
        _stream.Flush(flushToDisk: true);
        _writer.Dispose();
        _stream.Dispose();
        _done = true;
        File.Move(_tmp, _path, overwrite: true);
    }

    /// <summary>Removes the temporary file when <see cref="Complete"/> was not called.</summary>
    public void Dispose()
    {
        if (_done) return;
        _done = true;
        _writer.Dispose();
        _stream.Dispose();
        AtomicFile.TryDelete(_tmp);
    }
}
