// Runs one verb over many images: skip what is done, report failures and go on, show progress, summarise.
using System.Diagnostics;
using System.Text.Json;
using Spectre.Console;

namespace SegKit.Cli.Batch;

/// <summary>What happened to one image.</summary>
internal enum ImageStatus
{
    /// <summary>Processed and written.</summary>
    Done,
    /// <summary>Its outputs already existed (use --force to redo).</summary>
    Skipped,
    /// <summary>Unreadable or rejected; reported and skipped.</summary>
    Failed,
}

/// <summary>One unit of a batch: an id (used for output names and the completion marker) and the image file.</summary>
internal sealed record BatchItem(string Id, string ImagePath);

/// <summary>The result of one image: status, the error when it failed, and the verb's own JSON fields.</summary>
internal sealed record ImageOutcome(string Image, ImageStatus Status, string? Error, double Milliseconds, Action<Utf8JsonWriter>? WriteJson, string Summary);

/// <summary>
/// Runs a per-image function over a list of images. An image whose completion marker (the verb's
/// <c>&lt;stem&gt;.json</c>, written last) exists is skipped unless <c>force</c>; an image that throws a
/// SegKit/IO error is reported and the run goes on; progress goes to stderr; at the end a summary table
/// (stderr) and, with <c>--json</c>, one JSON document on stdout: <c>{"images":[...],"summary":{...}}</c>.
/// Exit code 0 when every image was done or skipped, 3 when some failed, 1 when the only image failed.
/// </summary>
internal sealed class BatchRunner
{
    private readonly TextWriter _stdout;
    private readonly TextWriter _stderr;

    public BatchRunner(TextWriter stdout, TextWriter stderr)
    {
        _stdout = stdout;
        _stderr = stderr;
    }

    /// <summary>Processes <paramref name="images"/> with <paramref name="process"/> (which writes its outputs and returns its JSON fields and a one-line summary).</summary>
    /// <param name="images">Image paths, from <see cref="ImageInputs.Expand"/>.</param>
    /// <param name="outputDir">The --out folder (created if missing).</param>
    /// <param name="force">Redo images whose outputs exist.</param>
    /// <param name="json">Print the JSON document on stdout.</param>
    /// <param name="process">Does one image: (image path, stem, output dir) → (json fields, summary line).</param>
    /// <param name="cancel">Stops between images.</param>
    public int Run(IReadOnlyList<string> images, string outputDir, bool force, bool json,
        Func<string, string, string, (Action<Utf8JsonWriter> Json, string Summary)> process, CancellationToken cancel) =>
        Run(images.Select(i => new BatchItem(Path.GetFileNameWithoutExtension(i), i)).ToList(), outputDir, outputDir, force, json, process, cancel);

    /// <summary>
    /// The files an image's run writes besides its marker, from its id: an image whose marker exists but one of these
    /// does not (deleted since, or asked for only now, such as an overlay) is redone. Null: the marker alone.
    /// </summary>
    public Func<string, IEnumerable<string>>? OutputsOf { get; init; }

    /// <summary>
    /// What the outputs depend on, one "name: value" per line (the model file, thresholds, the algorithm's
    /// parameters; not thread counts). Kept in the marker folder; when a run's differ from the last run's there,
    /// every image is redone (images "already done" with other settings were skipped: `--scale 50` after a run with
    /// 500 changed nothing). Null: not checked.
    /// </summary>
    public string? Settings { get; init; }

    private const string SettingsFile = ".segkit-settings";

    // Set by Run: the marker folder, and whether every image is redone (--force, or settings that changed).
    private string? _markerDir;
    private bool _force;

    /// <summary>While <see cref="Run"/> runs: true when it skips (or skipped) <paramref name="item"/>, for a verb that looks
    /// ahead to the next image it will process.</summary>
    public bool WillSkip(BatchItem item) =>
        IsDone(_markerDir ?? throw new InvalidOperationException("WillSkip is asked during Run"), item.Id, _force, OutputsOf?.Invoke(item.Id), item.ImagePath);

    // The lines of settings that differ from the last run's in markerDir; empty when they are the same or no earlier
    // run left any. A line only the last run had (a setting given then and not now, such as --ignore-exif-orientation)
    // is named as gone.
    private static IReadOnlyList<string> ChangedSettings(string markerDir, string settings)
    {
        string file = Path.Combine(markerDir, SettingsFile);
        if (!File.Exists(file)) return [];
        string previous;
        try { previous = File.ReadAllText(file); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return ["(the last run's settings could not be read)"]; }
        if (previous == settings) return [];
        string[] before = previous.Split('\n', StringSplitOptions.RemoveEmptyEntries), now = settings.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var changed = now.Except(before, StringComparer.Ordinal).ToList();
        if (changed.Count > 0) return changed;
        var gone = before.Except(now, StringComparer.Ordinal).Select(l => $"(no longer '{l}')").ToList();
        return gone.Count > 0 ? gone : ["(the last run's settings differ only in their order)"];
    }

    /// <summary>A model file as a setting: its full path, length and modification time.</summary>
    public static string FileSetting(string path)
    {
        var f = new FileInfo(path);
        return f.Exists ? $"{f.FullName} ({f.Length} bytes, modified {f.LastWriteTimeUtc:O})" : f.FullName;
    }

    /// <summary>
    /// Processes <paramref name="items"/>; an item is done when <c>&lt;markerDir&gt;/&lt;Id&gt;.json</c> exists.
    /// <paramref name="process"/> gets (image path, id, output dir) and writes that marker last.
    /// </summary>
    public int Run(IReadOnlyList<BatchItem> items, string outputDir, string markerDir, bool force, bool json,
        Func<string, string, string, (Action<Utf8JsonWriter> Json, string Summary)> process, CancellationToken cancel)
    {
        OutputFolder.Create(outputDir);
        OutputFolder.Create(markerDir);
        if (Settings is not null)
        {
            var changed = ChangedSettings(markerDir, Settings);
            if (!force && changed.Count > 0)
            {
                _stderr.WriteLine($"segkit: note: the outputs in {markerDir} were made with other settings; every image is redone. Now: {string.Join("; ", changed)}");
                force = true;
            }
            AtomicFile.WriteAllText(Path.Combine(markerDir, SettingsFile), Settings);
        }
        (_markerDir, _force) = (markerDir, force);
        var outcomes = new List<ImageOutcome>(items.Count);
        // A live progress bar on a terminal; one line per image when stderr is a file or a pipe (CI logs).
        bool interactive = ReferenceEquals(CliApp.Underlying(_stderr), Console.Error) && !Console.IsErrorRedirected && items.Count > 1;
        if (interactive)
        {
            ErrorConsole().Progress().AutoClear(true).Start(ctx =>
            {
                var task = ctx.AddTask("segmenting", maxValue: items.Count);
                for (int i = 0; i < items.Count; i++)
                {
                    task.Description = Markup.Escape(items[i].Id);
                    outcomes.Add(RunOne(items[i], outputDir, process, cancel));
                    task.Increment(1);
                }
            });
        }
        else
        {
            for (int i = 0; i < items.Count; i++)
            {
                var outcome = RunOne(items[i], outputDir, process, cancel);
                outcomes.Add(outcome);
                _stderr.WriteLine(outcome.Status switch
                {
                    ImageStatus.Failed => $"[{i + 1}/{items.Count}] {outcome.Image}: error: {outcome.Error}",
                    _ => $"[{i + 1}/{items.Count}] {outcome.Image}: {outcome.Summary} ({outcome.Milliseconds:0} ms)",
                });
            }
        }

        if (items.Count > 1)
            WriteSummaryTable(outcomes);
        if (json)
            WriteJson(outcomes, outputDir);
        // One image that failed is a bad input (1); some images of several, a partial failure (3).
        if (!outcomes.Any(o => o.Status == ImageStatus.Failed)) return ExitCodes.Ok;
        return items.Count == 1 ? ExitCodes.InputError : ExitCodes.PartialFailure;
    }

    private ImageOutcome RunOne(BatchItem item, string outputDir,
        Func<string, string, string, (Action<Utf8JsonWriter> Json, string Summary)> process, CancellationToken cancel)
    {
        cancel.ThrowIfCancellationRequested();
        string image = item.ImagePath, stem = item.Id;
        if (WillSkip(item))
            return new ImageOutcome(image, ImageStatus.Skipped, null, 0, null, "already done (use --force to redo)");
        long start = Stopwatch.GetTimestamp();
        try
        {
            var (write, summary) = process(image, stem, outputDir);
            return new ImageOutcome(image, ImageStatus.Done, null, StageTimings.Since(start), write, summary);
        }
        catch (Exception e) when (IsInputError(e))
        {
            return new ImageOutcome(image, ImageStatus.Failed, e.Message, StageTimings.Since(start), null, "failed");
        }
    }

    // Skipped: not forced, its marker <stem>.json exists and names this photo, and so do all of its outputs.
    private static bool IsDone(string markerDir, string stem, bool force, IEnumerable<string>? outputs, string imagePath) =>
        !force && File.Exists(Path.Combine(markerDir, stem + ".json")) && (outputs is null || outputs.All(File.Exists))
        && SameSource(Path.Combine(markerDir, stem + ".json"), imagePath);

    // The marker names the photo it was made from ("source", written by WriteImageJson): another photo with the same stem
    // (other/dog.jpg after dog.jpg, into one --out) is not done. A marker without it (an older run's, or a verb whose
    // marker is not an object) is trusted.
    private static bool SameSource(string marker, string imagePath)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(marker));
            return doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("source", out var source)
                || source.GetString() == Path.GetFullPath(imagePath);
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            return false; // unreadable or not JSON: redo it
        }
    }

    /// <summary>
    /// Writes an image's standalone <c>&lt;stem&gt;.json</c> ({"image": ..., fields...}) atomically. Verbs call it
    /// after every other output is written: its presence marks the image as done.
    /// </summary>
    public static void WriteImageJson(string jsonPath, string imagePath, Action<Utf8JsonWriter> writeFields)
    {
        var doc = new StringWriter();
        JsonOut.Print(doc, w =>
        {
            w.WriteStartObject();
            w.WriteString("image", imagePath);
            w.WriteString("source", Path.GetFullPath(imagePath));
            writeFields(w);
            w.WriteEndObject();
        });
        AtomicFile.WriteAllText(jsonPath, doc.ToString());
    }

    private IAnsiConsole ErrorConsole() => AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(CliApp.Underlying(_stderr)), // the terminal itself, which Spectre recognises
        Ansi = AnsiSupport.Detect,
        ColorSystem = ColorSystemSupport.Detect,
    });

    // Errors that concern one image and must not stop a folder run; anything else is a bug and propagates.
    private static bool IsInputError(Exception e) =>
        e is SegKitException or IOException or UnauthorizedAccessException or Onnx.OrtException or Onnx.OrtTensorMismatchException;

    private void WriteSummaryTable(List<ImageOutcome> outcomes)
    {
        var console = ErrorConsole();
        // A failed image is listed again after the table so it is not lost in a long log.
        foreach (var failed in outcomes.Where(o => o.Status == ImageStatus.Failed))
            _stderr.WriteLine($"failed: {failed.Image}: {failed.Error}");
        var table = new Table().AddColumn("image").AddColumn("status").AddColumn(new TableColumn("ms").RightAligned()).AddColumn("result");
        foreach (var o in outcomes)
        {
            table.AddRow(Markup.Escape(Path.GetFileName(o.Image)), o.Status.ToString().ToLowerInvariant(),
                o.Milliseconds.ToString("0", System.Globalization.CultureInfo.InvariantCulture),
                Markup.Escape(o.Error ?? o.Summary));
        }
        console.Write(table);
        console.WriteLine($"{outcomes.Count(o => o.Status == ImageStatus.Done)} done, " +
                          $"{outcomes.Count(o => o.Status == ImageStatus.Skipped)} skipped, " +
                          $"{outcomes.Count(o => o.Status == ImageStatus.Failed)} failed");
    }

    private void WriteJson(List<ImageOutcome> outcomes, string outputDir)
    {
        JsonOut.Print(_stdout, w =>
        {
            w.WriteStartObject();
            w.WriteString("out", Path.GetFullPath(outputDir));
            w.WriteStartArray("images");
            foreach (var o in outcomes)
            {
                w.WriteStartObject();
                w.WriteString("image", o.Image);
                w.WriteString("status", o.Status.ToString().ToLowerInvariant());
                if (o.Error is not null) w.WriteString("error", o.Error);
                o.WriteJson?.Invoke(w);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartObject("summary");
            w.WriteNumber("done", outcomes.Count(o => o.Status == ImageStatus.Done));
            w.WriteNumber("skipped", outcomes.Count(o => o.Status == ImageStatus.Skipped));
            w.WriteNumber("failed", outcomes.Count(o => o.Status == ImageStatus.Failed));
            w.WriteEndObject();
            w.WriteEndObject();
        });
    }
}
