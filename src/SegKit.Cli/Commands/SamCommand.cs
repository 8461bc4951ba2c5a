// segkit sam <image> --encoder E --decoder D [--point x,y[,1|0]]... [--box x1,y1,x2,y2]... [--detector MODEL]
//            [--multimask] [--embedding FILE] [--save-embedding FILE] [--out DIR] [--json] [--threads N] [--decoder-engine auto|graph]
//            [--ignore-exif-orientation]
// Promptable segmentation with SAM: all points (and at most one box) form one prompt; several boxes are one
// prompt each (one decoder batch where the decoder allows); --detector runs an instance model and turns each of
// its boxes into a SAM mask that keeps the class and score. Writes <stem>.sam.p<i>.m<k>.png per mask,
// <stem>.sam.overlay.jpg and <stem>.sam.json (score, area, bbox, RLE per mask; class and detector score for detections).
using System.CommandLine;
using SegKit.Cli.Batch;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using SegKit.Imaging;
using SegKit.Masks;
using SegKit.Onnx;
using SegKit.Prompt;

namespace SegKit.Cli;

internal static class SamCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var image = new Argument<string>("image") { Description = "The image (JPEG/PNG)." };
        var encoder = new Option<FileInfo?>("--encoder") { Description = "SAM / MobileSAM image encoder (ONNX)." };
        var decoder = new Option<FileInfo?>("--decoder") { Description = "SAM prompt encoder + mask decoder (ONNX, official export)." };
        var points = new Option<string[]>("--point") { Description = "A click x,y (foreground) or x,y,1|0 (1 foreground, 0 background); repeatable.", Arity = ArgumentArity.ZeroOrMore };
        var boxes = new Option<string[]>("--box") { Description = "A box x1,y1,x2,y2; repeatable (each box is its own prompt).", Arity = ArgumentArity.ZeroOrMore };
        var detector = new Option<FileInfo?>("--detector") { Description = "An instance model (Mask R-CNN, YOLO-seg): each detection's box becomes a SAM prompt." };
        var multimask = new Option<bool>("--multimask") { Description = "Three masks per prompt (best for one ambiguous click) instead of one." };
        var embedding = new Option<FileInfo?>("--embedding") { Description = "Use this saved embedding instead of running the encoder." };
        var saveEmbedding = new Option<string?>("--save-embedding") { Description = "Save the image's embedding to this file for later runs." };
        var outDir = new Option<string>("--out") { Description = "Output folder.", DefaultValueFactory = _ => "out" };
        var json = new Option<bool>("--json") { Description = "Print one JSON document with the masks and stage timings." };
        var threads = new Option<int>("--threads") { Description = "ONNX Runtime threads (0 = its default).", DefaultValueFactory = _ => 0 };
        var engine = SamModels.DecoderEngineOption();
        var ignoreExif = ExifOption.Create();
        var command = new Command("sam", "Segment the object under clicks or boxes with SAM: writes a PNG per mask, <stem>.sam.overlay.jpg and <stem>.sam.json.")
        {
            image, encoder, decoder, points, boxes, detector, multimask, embedding, saveEmbedding, outDir, json, threads, engine, ignoreExif,
        };
        command.Validators.Add(r =>
        {
            var pts = ParsePoints(r.GetValue(points) ?? [], out string? pointError);
            var bxs = ParseBoxes(r.GetValue(boxes) ?? [], out string? boxError);
            if (pointError is not null) r.AddError(pointError);
            if (boxError is not null) r.AddError(boxError);
            bool withDetector = r.GetValue(detector) is not null;
            if (pts.Count == 0 && bxs.Count == 0 && !withDetector && pointError is null && boxError is null)
                r.AddError("give at least one --point or --box (or a --detector)");
            if (withDetector && (pts.Count > 0 || bxs.Count > 0))
                r.AddError("--detector supplies the boxes: it cannot be combined with --point or --box");
            if (pts.Count > 0 && bxs.Count > 1)
                r.AddError("--point can be combined with one --box, not several (each box is its own prompt)");
            if (ThreadsOption.Check(r.GetValue(threads)) is { } threadsError) r.AddError(threadsError);
        });
        command.SetAction((parse, cancel) =>
        {
            var pts = ParsePoints(parse.GetValue(points) ?? [], out _);
            var bxs = ParseBoxes(parse.GetValue(boxes) ?? [], out _);
            string imagePath = parse.GetValue(image)!;
            var enc = parse.GetValue(encoder);
            var dec = parse.GetValue(decoder);
            var emb = parse.GetValue(embedding);
            var decoding = ExifOption.DecoderOptions(parse, ignoreExif);
            if (enc is null && dec is null)
            {
                // Options that only SAM uses were ignored without a word by the GrabCut fallback.
                string? samOnly = parse.GetValue(detector) is not null ? "--detector" : emb is not null ? "--embedding"
                    : parse.GetValue(saveEmbedding) is not null ? "--save-embedding" : parse.GetValue(multimask) ? "--multimask" : null;
                if (samOnly is not null)
                    return Task.FromResult(Usage(stderr, $"{samOnly} needs SAM models (--decoder, and --encoder or --embedding); without them each --box is segmented with GrabCut"));
                return Task.FromResult(RunWithoutModel(imagePath, decoding, pts, bxs, parse.GetValue(outDir)!, parse.GetValue(json), stdout, stderr));
            }
            if (dec is null)
                return Task.FromResult(Usage(stderr, "--decoder is required with --encoder"));
            if (enc is null && emb is null)
                return Task.FromResult(Usage(stderr, "--encoder (or a saved --embedding) is required with --decoder"));
            ThreadsOption.WarnIfOversubscribed(parse.GetValue(threads), stderr);
            return Task.FromResult(Run(imagePath, decoding, enc, dec, emb, parse.GetValue(saveEmbedding), pts, bxs, parse.GetValue(detector),
                parse.GetValue(multimask), parse.GetValue(outDir)!, parse.GetValue(json), parse.GetValue(threads),
                SamModels.ParseEngine(parse.GetValue(engine)!), stdout));
        });
        return command;
    }

    /// <summary>
    /// `segkit sam` without SAM models: each --box becomes a GrabCut mask (the classical fallback,
    /// <see cref="GrabCutPrompt"/>), written like SAM's masks, and the command says that GrabCut was used.
    /// Points need SAM and are refused.
    /// </summary>
    internal static int RunWithoutModel(string imagePath, ImageDecoderOptions decoding, IReadOnlyList<SamPoint> points, IReadOnlyList<BoxXyxy> boxes,
        string outDir, bool json, TextWriter stdout, TextWriter stderr)
    {
        if (boxes.Count == 0)
            return Usage(stderr, "--encoder and --decoder are required for point prompts; without SAM models only --box prompts work (GrabCut)");
        if (points.Count > 0)
            return Usage(stderr, "--point needs SAM models (--encoder, --decoder); without them only --box prompts work (GrabCut)");
        SamModels.CheckOutputs(outDir, null);
        stderr.WriteLine("segkit: note: no SAM model given: segmenting each box with GrabCut (classical, 5 iterations)");

        var timings = new StageTimings();
        long t = Stopwatch.GetTimestamp();
        var image = ImageDecoder.DecodeRgb(imagePath, decoding);
        timings.DecodeMs = StageTimings.Since(t);
        t = Stopwatch.GetTimestamp();
        for (int i = 0; i < boxes.Count; i++)
        {
            var b = boxes[i];
            var rect = GrabCutPrompt.ToPixelRect(b, image.Width, image.Height);
            if (b.X1 < 0 || b.Y1 < 0 || b.X2 > image.Width || b.Y2 > image.Height)
                stderr.WriteLine(FormattableString.Invariant(
                    $"segkit: box {i} ({b.X1},{b.Y1},{b.X2},{b.Y2}) reaches outside the {image.Width}×{image.Height} image; GrabCut uses its part inside, x {rect.X}..{rect.X + rect.Width}, y {rect.Y}..{rect.Y + rect.Height}"));
        }
        var masks = boxes.Select(b => GrabCutPrompt.Segment(image, b)).ToList();
        timings.InferenceMs = StageTimings.Since(t);

        t = Stopwatch.GetTimestamp();
        Directory.CreateDirectory(outDir);
        string stem = Path.GetFileNameWithoutExtension(imagePath);
        var files = new List<string>();
        var overlay = image.Clone();
        for (int i = 0; i < masks.Count; i++)
        {
            string file = Path.Combine(outDir, $"{stem}.sam.p{i}.m0.png");
            PngEncoder.Save(SamPictures.MaskImage(masks[i]), file);
            files.Add(file);
            var color = Imaging.Drawing.DistinctColors.ForIndex(i);
            Imaging.Drawing.Draw.BlendMask(overlay, masks[i], color, 0.5f);
            Imaging.Drawing.Draw.MaskBoundary(overlay, masks[i], color, 2);
            Imaging.Drawing.Draw.Rectangle(overlay, boxes[i], Imaging.Drawing.RgbColor.White, 2);
        }
        string overlayPath = Path.Combine(outDir, stem + ".sam.overlay.jpg");
        JpegEncoder.Save(overlay, overlayPath);
        SamModels.RemoveStaleMasks(outDir, stem, files);
        string jsonPath = Path.Combine(outDir, stem + ".sam.json");
        timings.EncodeMs = StageTimings.Since(t);

        var doc = new StringWriter();
        JsonOut.Print(doc, w =>
        {
            w.WriteStartObject();
            w.WriteString("image", imagePath);
            w.WriteNumber("width", image.Width);
            w.WriteNumber("height", image.Height);
            w.WriteString("method", "grabcut");
            w.WriteStartArray("masks");
            for (int i = 0; i < masks.Count; i++)
            {
                var rle = CocoRle.Encode(masks[i]);
                w.WriteStartObject();
                w.WriteNumber("prompt", i);
                SamModels.WriteNumbers(w, "box", boxes[i].X1, boxes[i].Y1, boxes[i].X2, boxes[i].Y2);
                w.WriteNumber("area", rle.Area());
                var bbox = rle.ToBboxXywh();
                SamModels.WriteNumbers(w, "bbox", bbox.X, bbox.Y, bbox.Width, bbox.Height);
                SamModels.WriteRle(w, "segmentation", rle);
                w.WriteString("file", files[i]);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartObject("outputs");
            w.WriteString("overlay", overlayPath);
            w.WriteString("json", jsonPath);
            w.WriteEndObject();
            JsonOut.WriteTimings(w, timings);
            w.WriteEndObject();
        });
        AtomicFile.WriteAllText(jsonPath, doc.ToString());
        if (json)
            stdout.Write(doc.ToString());
        else
        {
            for (int i = 0; i < masks.Count; i++)
                stdout.WriteLine($"box {i} (GrabCut): area {masks[i].Area()} → {files[i]}");
            stdout.WriteLine($"overlay → {overlayPath}");
        }
        return ExitCodes.Ok;
    }

    private static int Usage(TextWriter stderr, string message)
    {
        stderr.WriteLine("segkit: " + message);
        stderr.WriteLine("Try 'segkit sam --help'.");
        return ExitCodes.UsageError;
    }

    private static int Run(string imagePath, ImageDecoderOptions decoding, FileInfo? encoderFile, FileInfo decoderFile, FileInfo? embeddingFile, string? saveEmbedding,
        IReadOnlyList<SamPoint> points, IReadOnlyList<BoxXyxy> boxes, FileInfo? detectorFile, bool multimask, string outDir, bool json, int threads,
        SamDecoderEngine engine, TextWriter stdout)
    {
        SamModels.CheckOutputs(outDir, saveEmbedding, ("image", imagePath), ("--encoder", encoderFile?.FullName), ("--decoder", decoderFile.FullName),
            ("--embedding", embeddingFile?.FullName), ("--detector", detectorFile?.FullName));
        var timings = new StageTimings();
        long t = Stopwatch.GetTimestamp();
        var image = ImageDecoder.DecodeRgb(imagePath, decoding);
        timings.DecodeMs = StageTimings.Since(t);
        var sessionOptions = new SessionOptions { IntraOpThreads = threads };
        using var predictor = SamPredictor.Open(encoderFile?.FullName, decoderFile.FullName, sessionOptions, engine);
        var embedding = SamModels.Embedding(predictor, image, imagePath, embeddingFile, saveEmbedding, timings);

        // Each mask: (prompt, decoder mask index, predicted IoU, mask).
        var found = new List<(int Prompt, int Index, float Score, BinaryMask Mask)>();
        List<SamPrompt> prompts;
        IReadOnlyList<SamDetectionMask> detections = [];
        RgbImage overlay;
        if (detectorFile is not null)
        {
            using var instance = Instance.InstanceSegmenter.Load(detectorFile.FullName, new Instance.InstanceSegmenterOptions { Threads = threads });
            var result = instance.Segment(image);
            timings.PreprocessMs += result.Timings.PreprocessMs;
            timings.InferenceMs += result.Timings.InferenceMs;
            timings.PostprocessMs += result.Timings.PostprocessMs;
            t = Stopwatch.GetTimestamp();
            detections = predictor.SegmentDetections(embedding, result, new SamPredictOptions { MultimaskOutput = multimask });
            timings.InferenceMs += StageTimings.Since(t);
            prompts = detections.Select(d => SamPrompt.FromBox(d.Box)).ToList();
            for (int i = 0; i < detections.Count; i++) found.Add((i, multimask ? -1 : 0, detections[i].IouPrediction, detections[i].Mask));
            overlay = SamPictures.DetectionOverlay(image, detections);
        }
        else
        {
            prompts = boxes.Count <= 1
                ? [new SamPrompt { Points = points, Box = boxes.Count == 1 ? boxes[0] : null }]
                : boxes.Select(SamPrompt.FromBox).ToList();
            t = Stopwatch.GetTimestamp();
            var predictions = predictor.PredictMany(embedding, prompts, new SamPredictOptions { MultimaskOutput = multimask });
            timings.InferenceMs += StageTimings.Since(t);
            for (int i = 0; i < predictions.Count; i++)
                for (int k = 0; k < predictions[i].Count; k++)
                    found.Add((i, predictions[i].DecoderMaskIndices[k], predictions[i].IouPredictions[k], predictions[i].Masks[k]));
            overlay = SamPictures.PromptOverlay(image, prompts, predictions);
        }

        t = Stopwatch.GetTimestamp();
        Directory.CreateDirectory(outDir);
        string stem = Path.GetFileNameWithoutExtension(imagePath);
        var masks = new List<(int Prompt, int Index, float Score, BinaryMask Mask, CocoRle Rle, string File)>();
        foreach (var (prompt, index, score, mask) in found)
        {
            string file = Path.Combine(outDir, index >= 0 ? $"{stem}.sam.p{prompt}.m{index}.png" : $"{stem}.sam.p{prompt}.png");
            PngEncoder.Save(SamPictures.MaskImage(mask), file);
            masks.Add((prompt, index, score, mask, CocoRle.Encode(mask), file));
        }
        string overlayPath = Path.Combine(outDir, stem + ".sam.overlay.jpg");
        JpegEncoder.Save(overlay, overlayPath);
        SamModels.RemoveStaleMasks(outDir, stem, masks.Select(m => m.File));
        string jsonPath = Path.Combine(outDir, stem + ".sam.json");
        timings.EncodeMs = StageTimings.Since(t);

        void Write(Utf8JsonWriter w)
        {
            w.WriteStartObject();
            w.WriteString("image", imagePath);
            w.WriteNumber("width", image.Width);
            w.WriteNumber("height", image.Height);
            SamModels.WriteDecoder(w, predictor.Decoder, decoderFile);
            if (detectorFile is not null) w.WriteString("detector", detectorFile.Name);
            SamModels.WriteEmbedding(w, embedding, embeddingFile);
            w.WriteBoolean("multimask", multimask);
            w.WriteStartArray("prompts");
            foreach (var p in prompts)
            {
                w.WriteStartObject();
                w.WriteStartArray("points");
                foreach (var pt in p.Points)
                {
                    w.WriteStartArray();
                    w.WriteNumberValue(pt.X);
                    w.WriteNumberValue(pt.Y);
                    w.WriteNumberValue((int)pt.Label);
                    w.WriteEndArray();
                }
                w.WriteEndArray();
                if (p.Box is { } b) SamModels.WriteNumbers(w, "box", b.X1, b.Y1, b.X2, b.Y2);
                else w.WriteNull("box");
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("masks");
            foreach (var m in masks)
            {
                w.WriteStartObject();
                w.WriteNumber("prompt", m.Prompt);
                if (m.Index >= 0) w.WriteNumber("index", m.Index);
                else w.WriteString("index", "best");
                if (detections.Count > 0)
                {
                    var d = detections[m.Prompt];
                    w.WriteNumber("class_id", d.ClassId);
                    w.WriteString("class_name", d.ClassName);
                    w.WriteNumber("detector_score", Math.Round(d.Score, 6));
                }
                if (float.IsNaN(m.Score)) w.WriteNull("score"); // a detection box entirely outside the image
                else w.WriteNumber("score", Math.Round(m.Score, 6));
                w.WriteNumber("area", m.Rle.Area());
                var box = m.Rle.ToBboxXywh();
                SamModels.WriteNumbers(w, "bbox", box.X, box.Y, box.Width, box.Height);
                SamModels.WriteRle(w, "segmentation", m.Rle);
                w.WriteString("file", m.File);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartObject("outputs");
            w.WriteString("overlay", overlayPath);
            w.WriteString("json", jsonPath);
            if (saveEmbedding is not null) w.WriteString("embedding", saveEmbedding);
            w.WriteEndObject();
            JsonOut.WriteTimings(w, timings);
            w.WriteEndObject();
        }

        var doc = new StringWriter();
        JsonOut.Print(doc, Write);
        AtomicFile.WriteAllText(jsonPath, doc.ToString());
        if (json)
        {
            stdout.Write(doc.ToString());
        }
        else
        {
            foreach (var m in masks)
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"prompt {m.Prompt} mask {(m.Index < 0 ? "best" : m.Index)}: score {m.Score:0.000}, area {m.Rle.Area()} → {m.File}"));
            stdout.WriteLine($"overlay → {overlayPath}");
        }
        return ExitCodes.Ok;
    }

    /// <summary>"x,y" or "x,y,1|0" per value; invariant culture.</summary>
    internal static List<SamPoint> ParsePoints(IEnumerable<string> values, out string? error)
    {
        error = null;
        var result = new List<SamPoint>();
        foreach (string v in values)
        {
            var parts = v.Split(',');
            if (parts.Length is < 2 or > 3 || !TryNumber(parts[0], out double x) || !TryNumber(parts[1], out double y)
                || (parts.Length == 3 && parts[2].Trim() is not ("0" or "1")))
            {
                error = $"--point '{v}': expected x,y or x,y,1|0 (1 foreground, 0 background)";
                return result;
            }
            var label = parts.Length == 3 && parts[2].Trim() == "0" ? SamPointLabel.Background : SamPointLabel.Foreground;
            result.Add(new SamPoint(x, y, label));
        }
        return result;
    }

    /// <summary>"x1,y1,x2,y2" per value; invariant culture.</summary>
    internal static List<BoxXyxy> ParseBoxes(IEnumerable<string> values, out string? error)
    {
        error = null;
        var result = new List<BoxXyxy>();
        foreach (string v in values)
        {
            var parts = v.Split(',');
            var n = new double[4];
            if (parts.Length != 4 || !parts.Select((p, i) => TryNumber(p, out n[i])).All(ok => ok))
            {
                error = $"--box '{v}': expected x1,y1,x2,y2";
                return result;
            }
            result.Add(new BoxXyxy((float)n[0], (float)n[1], (float)n[2], (float)n[3]));
        }
        return result;
    }

    // Finite numbers only: NaN or ∞ is a malformed prompt (exit 2), like any other text that is not a coordinate.
    private static bool TryNumber(string s, out double value) =>
        double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);
}

/// <summary>What `segkit sam` and `segkit everything` share: getting the embedding and writing SAM's JSON pieces.</summary>
internal static class SamModels
{
    /// <summary>
    /// Deletes the mask files an earlier run wrote for <paramref name="stem"/> (<c>&lt;stem&gt;.sam.p&lt;i&gt;[.m&lt;k&gt;].png</c>)
    /// that this run did not: three multimask PNGs stayed beside one new mask, and the JSON listed only the new one.
    /// </summary>
    public static void RemoveStaleMasks(string outDir, string stem, IEnumerable<string> written)
    {
        var keep = written.Select(Path.GetFullPath).ToHashSet(StringComparer.Ordinal);
        var pattern = new System.Text.RegularExpressions.Regex("^" + System.Text.RegularExpressions.Regex.Escape(stem) + @"\.sam\.p[0-9]+(\.m[0-9]+)?\.png$");
        foreach (string file in Directory.EnumerateFiles(outDir, stem + ".sam.p*.png"))
            if (pattern.IsMatch(Path.GetFileName(file)) && !keep.Contains(Path.GetFullPath(file)))
                File.Delete(file);
    }

    /// <summary>
    /// Checks the output paths before any work: --out must be a folder (created when missing), and --save-embedding a
    /// file path that is none of the run's inputs (an image, model or embedding it would overwrite) and not a folder.
    /// </summary>
    public static void CheckOutputs(string outDir, string? saveEmbedding, params (string Option, string? Path)[] inputs)
    {
        OutputFolder.Create(outDir);
        if (saveEmbedding is null) return;
        if (string.IsNullOrWhiteSpace(saveEmbedding))
            throw new SegKitException("--save-embedding is empty; give a file path");
        string full = Path.GetFullPath(saveEmbedding);
        if (Directory.Exists(full))
            throw new SegKitException($"--save-embedding {saveEmbedding} is a folder; give a file path");
        foreach (var (option, path) in inputs)
            if (path is not null && Path.GetFullPath(path) == full)
                throw new SegKitException($"--save-embedding {saveEmbedding} is the {option} file, which it would overwrite; give another path");
        try
        {
            if (Path.GetDirectoryName(full) is { } dir) Directory.CreateDirectory(dir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SegKitException($"--save-embedding {saveEmbedding}: cannot create its folder: {e.Message}", e);
        }
    }

    /// <summary>
    /// The image's embedding: loaded from <paramref name="embeddingFile"/> (checked against the image size and, when an
    /// encoder is loaded too, against its identity) or computed by the encoder; saved when asked.
    /// </summary>
    public static SamImageEmbedding Embedding(SamPredictor predictor, RgbImage image, string imagePath, FileInfo? embeddingFile,
        string? saveEmbedding, StageTimings timings)
    {
        SamImageEmbedding embedding;
        if (embeddingFile is not null)
        {
            long t = Stopwatch.GetTimestamp();
            embedding = SamImageEmbedding.Load(embeddingFile.FullName);
            timings.PreprocessMs += StageTimings.Since(t);
            if (embedding.OriginalSize != new ImageSize(image.Width, image.Height))
                throw new SegKitException($"embedding {embeddingFile.Name} is of a {embedding.OriginalSize} image but {imagePath} is {image.Width}×{image.Height}");
            // Another photo of the same size would get this one's masks.
            if (embedding.ImageSha256.Length == 64 && embedding.ImageSha256 != SamImageEmbedding.PixelsSha256(image))
                throw new SegKitException($"embedding {embeddingFile.Name} was computed from another image of the same size, not from {imagePath} (its pixels differ)");
            if (predictor.Encoder is { } encoder && embedding.Encoder.IsKnown && embedding.Encoder.Sha256 != encoder.Identity.Sha256)
                throw new SegKitException($"embedding {embeddingFile.Name} was computed by {embedding.Encoder}, not by {encoder.Identity}");
            predictor.Decoder.CheckEmbedding(embedding);
        }
        else
        {
            embedding = predictor.Encode(image, timings);
        }
        if (saveEmbedding is not null)
            embedding.Save(saveEmbedding); // its path was checked by CheckOutputs
        return embedding;
    }

    /// <summary>`--decoder-engine auto|graph`: SegKit's own computation of the decoder where it applies, or always the ONNX graph.</summary>
    public static Option<string> DecoderEngineOption()
    {
        var option = new Option<string>("--decoder-engine")
        {
            Description = "auto (SegKit's own computation of the official decoder export, checked against its graph at load; the graph otherwise) or graph (always ONNX Runtime).",
            DefaultValueFactory = _ => "auto",
        };
        option.AcceptOnlyFromAmong("auto", "graph");
        return option;
    }

    public static SamDecoderEngine ParseEngine(string value) => value == "graph" ? SamDecoderEngine.OnnxGraph : SamDecoderEngine.Auto;

    /// <summary>"decoder" (file name), "decoder_engine" (segkit | onnx_graph) and "decoder_engine_note" (why).</summary>
    public static void WriteDecoder(Utf8JsonWriter w, SamDecoder decoder, FileInfo file)
    {
        w.WriteString("decoder", file.Name);
        w.WriteString("decoder_engine", decoder.Engine == SamDecoderEngine.Reformulated ? "segkit" : "onnx_graph");
        w.WriteString("decoder_engine_note", decoder.EngineNote);
    }

    public static void WriteEmbedding(Utf8JsonWriter w, SamImageEmbedding e, FileInfo? file)
    {
        w.WriteStartObject("embedding");
        w.WriteString("source", file is null ? "encoder" : file.FullName);
        w.WriteStartArray("shape");
        foreach (int d in e.Shape) w.WriteNumberValue(d);
        w.WriteEndArray();
        if (e.Encoder.IsKnown)
        {
            w.WriteString("encoder", e.Encoder.Name);
            w.WriteString("encoder_sha256", e.Encoder.Sha256);
        }
        else
        {
            w.WriteNull("encoder");
        }
        SamModels.WriteNumbers(w, "input_size", e.InputSize.Width, e.InputSize.Height);
        w.WriteEndObject();
    }

    public static void WriteNumbers(Utf8JsonWriter w, string name, params double[] values)
    {
        w.WriteStartArray(name);
        foreach (double v in values) w.WriteNumberValue(v);
        w.WriteEndArray();
    }

    /// <summary>{"size": [h, w], "counts": "..."} (compressed COCO RLE, pycocotools' string).</summary>
    public static void WriteRle(Utf8JsonWriter w, string name, CocoRle rle)
    {
        w.WriteStartObject(name);
        w.WriteStartArray("size");
        w.WriteNumberValue(rle.Height);
        w.WriteNumberValue(rle.Width);
        w.WriteEndArray();
        w.WriteString("counts", rle.ToCompressedString());
        w.WriteEndObject();
    }
}
