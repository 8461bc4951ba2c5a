// segkit predict <dataset dir or COCO json> --task semantic|instance|sam --model FILE [--split S] [--out DIR]
//                [--ignore-exif-orientation] ...
// Runs a segmenter over a dataset (VOC folder, COCO annotations JSON, or a folder of photos), resumably:
//   semantic: <out>/SegmentationClass/<id>.png (VOC-style palette label maps) — score with `segkit eval semantic`
//   instance: <out>/results.json (one COCO results file, merged from <out>/parts/<id>.results.json at the end)
//             — score with `segkit eval coco`
//   sam:      SAM's automatic mask generator on every image: the same results.json, category_id 1 ("object"),
//             with SAM's record fields (predicted_iou, stability_score, point_coords, crop_box) kept per result
// <out>/parts/<id>.json marks an image as done (written last), so an interrupted run resumes where it stopped.
using System.CommandLine;
using System.Text.Json;
using SegKit.Cli.Batch;
using SegKit.Datasets;
using SegKit.Datasets.Coco;
using SegKit.Imaging;
using SegKit.Instance;
using SegKit.Masks;
using SegKit.Models;
using SegKit.Semantic;

namespace SegKit.Cli;

internal static class PredictCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var dataset = new Argument<string>("dataset") { Description = "A VOC folder (VOC2012 or VOCdevkit), a COCO annotations JSON, or a folder of images." };
        var task = new Option<string>("--task") { Description = "semantic, instance, or sam (everything mode).", Required = true };
        var encoder = new Option<FileInfo?>("--encoder") { Description = "sam: the SAM / MobileSAM image encoder (--model is the decoder)." };
        var pointsPerSide = new Option<int>("--points-per-side") { Description = "sam: points_per_side of the automatic mask generator.", DefaultValueFactory = _ => 32 };
        var score = new Option<float>("--score") { Description = "instance: minimum score kept.", DefaultValueFactory = _ => InstanceSegmenterOptions.Default.ScoreThreshold };
        task.AcceptOnlyFromAmong(Tasks);
        var model = new Option<FileInfo>("--model") { Description = "The ONNX model.", Required = true };
        var preset = new Option<string?>("--preset") { Description = "semantic: built-in preset (default: from the model's contract)." };
        var presetFile = new Option<FileInfo?>("--preset-file") { Description = "semantic: a JSON preset." };
        var split = new Option<string?>("--split") { Description = "VOC: the ImageSets/Segmentation list to run (default val, else all)." };
        var outDir = new Option<string>("--out") { Description = "Output folder.", DefaultValueFactory = _ => "predictions" };
        var threads = new Option<int>("--threads") { Description = "ONNX Runtime threads (0 = its default).", DefaultValueFactory = _ => 0 };
        var force = new Option<bool>("--force") { Description = "Redo images that are already done." };
        var maxInput = new Option<long?>("--max-input-pixels") { Description = "semantic: largest model input in pixels, after the resize (default 16777216 = 4096×4096); a larger one fails that image." };
        var json = new Option<bool>("--json") { Description = "Print one JSON document with per-image results and timings." };
        var ignoreExif = ExifOption.Create();
        var command = new Command("predict", "Run a segmenter over a dataset, resumably: VOC-style label maps (semantic) or one COCO results JSON (instance).")
        {
            dataset, task, model, encoder, pointsPerSide, preset, presetFile, split, outDir, threads, force, json, score, maxInput, ignoreExif,
        };
        ThreadsOption.Validate(command, threads);
        command.Validators.Add(r =>
        {
            // Only values given (a validator reads 0 for an option left out, not its default).
            if (r.GetResult(score) is not null && !(r.GetValue(score) is >= 0 and <= 1)) r.AddError("--score must be in [0, 1]");
            if (r.GetValue(maxInput) is < 1 or > SemanticSegmenterOptions.MaxInputPixelsCeiling)
                r.AddError($"--max-input-pixels must be 1 to {SemanticSegmenterOptions.MaxInputPixelsCeiling}");
            if (r.GetResult(pointsPerSide) is not null && r.GetValue(pointsPerSide) is < 1 or > Prompt.SamAutomaticMaskGeneratorOptions.MaxPointsPerSide)
                r.AddError($"--points-per-side must be 1 to {Prompt.SamAutomaticMaskGeneratorOptions.MaxPointsPerSide}");
        });
        command.SetAction((parse, cancel) =>
        {
            ThreadsOption.WarnIfOversubscribed(parse.GetValue(threads), stderr);
            if (parse.GetValue(task) == "sam" && parse.GetValue(encoder) is null)
                throw new SegKitException("--task sam needs --encoder (the image encoder); --model is the SAM decoder");
            string outPath = parse.GetValue(outDir)!;
            OutputFolder.Check(outPath); // before SegmentationClass/ is made in it ("Could not find a part of the path")
            string outFull = Path.TrimEndingDirectorySeparator(Path.GetFullPath(outPath));
            if (outFull == Path.TrimEndingDirectorySeparator(Path.GetFullPath(parse.GetValue(dataset)!)))
                throw DatasetFolderAsOut(outPath, parse.GetValue(dataset)!);
            var source = DatasetSource.Open(parse.GetValue(dataset)!, new DatasetSourceOptions { Split = parse.GetValue(split), Exclude = outFull });
            foreach (var skip in source.SkippedFolders)
                stderr.WriteLine((skip.Reason == SkippedFolderReason.Unreadable ? "segkit: warning: " : "segkit: note: ") + skip.Message);
            // Image entries the COCO loader dropped or doubted were left out without a word; two with one id would give
            // results that cannot be told apart.
            foreach (var d in source.Coco?.Diagnostics.Where(d => d.Section == "images") ?? [])
            {
                if (d.Problem == CocoProblem.DuplicateId)
                    throw new SegKitException(d.Message + "; results are keyed by image id, so predict needs unique ones");
                stderr.WriteLine("segkit: warning: " + d.Message);
            }
            if (source.Images.Count == 0)
                throw new SegKitException($"{source.Path}: no images to run on ({source.Kind switch
                {
                    DatasetSourceKind.Voc => "the VOC list is empty, or the folder has no JPEGImages",
                    DatasetSourceKind.Coco => "no usable entry in its 'images' list",
                    _ => "no .jpg, .jpeg or .png files in the folder or below it",
                }})");
            string taskName = parse.GetValue(task)!;
            CheckOutputs(source, outPath, outFull, taskName);
            string parts = Path.Combine(outPath, "parts");
            var items = source.Images.Select(i => new BatchItem(i.Id, i.ImagePath)).ToList();
            // An image whose marker exists but whose label map or results part does not (deleted since) is redone.
            var inv = System.Globalization.CultureInfo.InvariantCulture;
            var decoding = ExifOption.DecoderOptions(parse, ignoreExif);
            var runner = new BatchRunner(stdout, stderr)
            {
                Settings = string.Join("\n", $"verb: predict {taskName}", "model: " + BatchRunner.FileSetting(parse.GetValue(model)!.FullName),
                    taskName switch
                    {
                        "semantic" => "preset: " + (parse.GetValue(presetFile) is { } pfile ? BatchRunner.FileSetting(pfile.FullName) : parse.GetValue(preset) ?? "(from the model)"),
                        "sam" => $"encoder: {(parse.GetValue(encoder) is { } e ? BatchRunner.FileSetting(e.FullName) : "")}; points per side: {parse.GetValue(pointsPerSide)}",
                        _ => "score: " + parse.GetValue(score).ToString("R", inv),
                    }) + "\n" + ExifOption.SettingsLine(decoding),
                OutputsOf = id => [ImageOutput(taskName, outPath, id)],
            };
            string modelPath = parse.GetValue(model)!.FullName;
            int code = taskName switch
            {
                "semantic" => RunSemantic(runner, source, items, outPath, parts, modelPath, decoding, parse, preset, presetFile, threads, force, json, maxInput, cancel),
                "sam" => RunSam(runner, source, items, outPath, parts, parse.GetValue(encoder)?.FullName, modelPath, decoding, parse.GetValue(pointsPerSide),
                    parse.GetValue(threads), parse.GetValue(force), parse.GetValue(json), stderr, cancel),
                "instance" => RunInstance(runner, source, items, outPath, parts, modelPath, decoding, parse.GetValue(score), parse.GetValue(threads),
                    parse.GetValue(force), parse.GetValue(json), stderr, cancel),
                _ => throw new InvalidOperationException("unreachable: --task is validated"),
            };
            stderr.WriteLine($"outputs in {Path.GetFullPath(outPath)} ({source.Kind}, {items.Count} images)");
            return Task.FromResult(code);
        });
        return command;
    }

    private static readonly string[] Tasks = ["semantic", "instance", "sam"];

    private static SegKitException DatasetFolderAsOut(string outPath, string dataset) => new(
        $"--out {outPath} is the dataset folder {dataset}: the outputs would be written among the dataset's own files " +
        "(and could replace its ground truth); give --out another folder");

    /// <summary>
    /// Refuses, before any work, an --out that is the dataset's folder, an output that would overwrite one of the
    /// dataset's files (a photo, a ground-truth label map, the annotation file), and two images that would write the
    /// same file (ids 'x' and 'x.results': the second's marker is the first's results part).
    /// </summary>
    private static void CheckOutputs(DatasetSource source, string outPath, string outFull, string task)
    {
        // (--out equal to the path given was refused before the dataset was opened; a VOCdevkit's inner root is checked here.)
        if (source.Kind != DatasetSourceKind.Coco && outFull == Path.TrimEndingDirectorySeparator(source.Path))
            throw DatasetFolderAsOut(outPath, source.Path);
        var inputs = new HashSet<string>(StringComparer.Ordinal);
        if (source.Kind == DatasetSourceKind.Coco) inputs.Add(Path.GetFullPath(source.Path));
        foreach (var image in source.Images)
        {
            inputs.Add(Path.GetFullPath(image.ImagePath));
            if (image.ClassMapPath is { } map) inputs.Add(Path.GetFullPath(map));
        }
        var writers = new Dictionary<string, string>(StringComparer.Ordinal);
        void Output(string path, string id)
        {
            string full = Path.GetFullPath(path);
            if (inputs.Contains(full))
                throw new SegKitException($"--out {outPath}: {(id.Length == 0 ? "the results file" : $"image '{id}''s output")} {full} is a file of the " +
                                          "dataset, which it would overwrite; give --out another folder");
            if (!writers.TryAdd(full, id))
                throw new SegKitException($"images '{writers[full]}' and '{id}' would both write {full} (outputs are named by id); " +
                                          "rename one of them");
        }
        if (task != "semantic") Output(Path.Combine(outPath, "results.json"), "");
        foreach (var image in source.Images)
        {
            Output(Path.Combine(outPath, "parts", image.Id + ".json"), image.Id);
            Output(ImageOutput(task, outPath, image.Id), image.Id);
        }
    }

    /// <summary>An image's own output besides its marker: its label map (semantic) or its results part.</summary>
    private static string ImageOutput(string task, string outPath, string id) => task == "semantic"
        ? Path.Combine(outPath, "SegmentationClass", id + ".png")
        : Path.Combine(outPath, "parts", id + ".results.json");

    /// <summary>
    /// Refuses, before any work on it, an image whose decoded size is not the size its ground truth has (a COCO entry's
    /// width × height, a VOC class map's): its results or label map could not be scored against it, and `eval` would
    /// say so only after the whole run. A JPEG whose EXIF orientation makes the difference is named as such, with the
    /// setting of --ignore-exif-orientation that gives the ground truth's frame.
    /// </summary>
    private static void CheckFrame(DatasetImage image, ImageDecoderOptions decoding)
    {
        ImageSize expected;
        string what;
        if (image.AnnotatedSize is { } annotated)
            (expected, what) = (annotated, $"its COCO image entry (id {image.CocoImageId}) says");
        else if (image.ClassMapPath is { } map)
        {
            PngInfo info;
            try { info = PngDecoder.ReadInfo(File.ReadAllBytes(map), map); }
            catch (Exception e) when (e is ImageFormatException or IOException or UnauthorizedAccessException) { return; } // for `eval` to report
            (expected, what) = (new ImageSize(info.Width, info.Height), $"its ground truth {map} is");
        }
        else return;
        var decoded = ImageDecoder.ReadDecodedSize(image.ImagePath, decoding);
        if (decoded.Size == expected) return;
        string how = decoded.Orientation == ExifOrientation.Normal ? ""
            : decoding.ApplyExifOrientation ? $" with its EXIF orientation ({(int)decoded.Orientation}) applied"
            : $" in its stored frame (--ignore-exif-orientation; its EXIF orientation is {(int)decoded.Orientation})";
        // The size the other setting of the option would give, when that is the ground truth's.
        var otherFrame = decoding.ApplyExifOrientation ? decoded.StoredSize
            : ExifOrientationTransform.OrientedSize(decoded.StoredSize.Width, decoded.StoredSize.Height, decoded.Orientation);
        string hint = otherFrame != expected ? ""
            : decoding.ApplyExifOrientation ? "; --ignore-exif-orientation decodes it in its stored frame, which is"
            : "; without --ignore-exif-orientation it decodes upright, which is";
        hint = hint.Length == 0 ? "" : $"{hint} {expected}";
        throw new SegKitException($"{image.ImagePath} decodes to {decoded.Size}{how} but {what} {expected}: its outputs could not be " +
                                  $"scored against its ground truth{hint}");
    }

    private static int RunSam(BatchRunner runner, DatasetSource source, List<BatchItem> items, string outPath, string parts,
        string? encoderPath, string decoderPath, ImageDecoderOptions decoding, int pointsPerSide, int threads, bool force, bool json, TextWriter stderr, CancellationToken cancel)
    {
        using var predictor = Prompt.SamPredictor.Open(encoderPath!, decoderPath, new Onnx.SessionOptions { IntraOpThreads = threads });
        var generator = new Prompt.SamAutomaticMaskGenerator(predictor, new Prompt.SamAutomaticMaskGeneratorOptions { PointsPerSide = pointsPerSide });
        var imageIds = source.Images.Select((img, i) => (img.Id, CocoId: img.CocoImageId ?? i + 1)).ToDictionary(p => p.Id, p => p.CocoId);
        var byId = source.Images.ToDictionary(i => i.Id, StringComparer.Ordinal);
        int code = runner.Run(items, outPath, parts, force, json, (image, id, _) =>
        {
            CheckFrame(byId[id], decoding);
            var result = generator.Generate(ImageDecoder.DecodeRgb(image, decoding), null, cancel);
            var records = result.Records.Select(r => new CocoResult(imageIds[id], 1, r.PredictedIou,
                new CocoBoxXywh(r.Bbox.X, r.Bbox.Y, r.Bbox.Width, r.Bbox.Height), CocoSegmentation.FromRle(r.Segmentation))
            {
                Extra = CocoExtras.Build(w =>
                {
                    w.WriteNumber("predicted_iou", r.PredictedIou);
                    w.WriteNumber("stability_score", r.StabilityScore);
                    w.WriteStartArray("point_coords");
                    w.WriteStartArray();
                    w.WriteNumberValue(r.PointCoords.X);
                    w.WriteNumberValue(r.PointCoords.Y);
                    w.WriteEndArray();
                    w.WriteEndArray();
                    w.WriteStartArray("crop_box");
                    foreach (var v in new[] { r.CropBox.X, r.CropBox.Y, r.CropBox.Width, r.CropBox.Height }) w.WriteNumberValue(v);
                    w.WriteEndArray();
                }),
            }).ToList();
            CocoResults.Save(Path.Combine(parts, id + ".results.json"), records);
            void Fields(Utf8JsonWriter w)
            {
                w.WriteString("id", id);
                w.WriteNumber("image_id", imageIds[id]);
                w.WriteNumber("masks", records.Count);
                w.WriteNumber("total_ms", Math.Round(result.Timings.TotalMs, 3));
            }
            BatchRunner.WriteImageJson(Path.Combine(parts, id + ".json"), image, Fields);
            return (Fields, $"{records.Count} masks");
        }, cancel);
        MergeParts(items, outPath, parts, stderr);
        return code;
    }

    private static void MergeParts(List<BatchItem> items, string outPath, string parts, TextWriter stderr)
    {
        // One results file from the parts, in dataset order (parts of failed images are simply absent).
        var done = items.Select(i => Path.Combine(parts, i.Id + ".results.json")).Where(File.Exists).ToList();
        string resultsPath = Path.Combine(outPath, "results.json");
        int count = CocoResults.Merge(done, resultsPath);
        stderr.WriteLine($"{count} results from {done.Count} images → {resultsPath}");
    }

    private static int RunInstance(BatchRunner runner, DatasetSource source, List<BatchItem> items, string outPath, string parts,
        string modelPath, ImageDecoderOptions decoding, float score, int threads, bool force, bool json, TextWriter stderr, CancellationToken cancel)
    {
        using var segmenter = InstanceSegmenter.Load(modelPath, new InstanceSegmenterOptions { ScoreThreshold = score, Threads = threads });
        var categoryOf = CategoryMap(segmenter, source);
        var imageIds = source.Images.Select((img, i) => (img.Id, CocoId: img.CocoImageId ?? i + 1)).ToDictionary(p => p.Id, p => p.CocoId);
        var byId = source.Images.ToDictionary(i => i.Id, StringComparer.Ordinal);
        int code = runner.Run(items, outPath, parts, force, json, (image, id, _) =>
        {
            CheckFrame(byId[id], decoding);
            var result = segmenter.Segment(image, decoding);
            var records = result.Instances.Select(d =>
            {
                var box = d.Box.ToXywh();
                return new CocoResult(imageIds[id], categoryOf(d), d.Score, new CocoBoxXywh(box.X, box.Y, box.Width, box.Height),
                    CocoSegmentation.FromRle(d.ToRle()));
            }).ToList();
            CocoResults.Save(Path.Combine(parts, id + ".results.json"), records);
            void Fields(Utf8JsonWriter w)
            {
                w.WriteString("id", id);
                w.WriteNumber("image_id", imageIds[id]);
                w.WriteNumber("instances", records.Count);
                JsonOut.WriteTimings(w, result.Timings);
            }
            BatchRunner.WriteImageJson(Path.Combine(parts, id + ".json"), image, Fields);
            return (Fields, $"{records.Count} instances");
        }, cancel);

        MergeParts(items, outPath, parts, stderr);
        return code;
    }

    // COCO category ids: torchvision Mask R-CNN labels already are COCO ids; other models' class ids are
    // matched by name to the dataset's categories when it has them, and kept as they are otherwise.
    private static Func<InstanceDetection, long> CategoryMap(InstanceSegmenter segmenter, DatasetSource source)
    {
        if (segmenter.Format is ModelContractKind.TorchvisionMaskRcnn || source.Coco is null)
            return d => d.ClassId;
        var byName = source.Coco.Categories.GroupBy(c => c.Name, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.First().Id, StringComparer.OrdinalIgnoreCase);
        return d => byName.TryGetValue(d.ClassName, out long id) ? id : d.ClassId;
    }

    private static int RunSemantic(BatchRunner runner, DatasetSource source, List<BatchItem> items, string outPath, string parts, string modelPath,
        ImageDecoderOptions decoding, ParseResult parse, Option<string?> preset, Option<FileInfo?> presetFile, Option<int> threads, Option<bool> force, Option<bool> json,
        Option<long?> maxInput, CancellationToken cancel)
    {
        var chosen = parse.GetValue(presetFile) is { } pf ? SemanticPreset.FromJson(pf.FullName)
            : parse.GetValue(preset) is { } pn ? SemanticPreset.FromName(pn) : null;
        using var segmenter = SemanticSegmenter.Load(modelPath, chosen, new SemanticSegmenterOptions
        {
            Threads = parse.GetValue(threads),
            MaxInputPixels = parse.GetValue(maxInput) ?? SemanticSegmenterOptions.Default.MaxInputPixels,
        });
        string labelsDir = Path.Combine(outPath, "SegmentationClass");
        Directory.CreateDirectory(labelsDir);
        var byId = source.Images.ToDictionary(i => i.Id, StringComparer.Ordinal);
        return runner.Run(items, outPath, parts, parse.GetValue(force), parse.GetValue(json), (image, id, _) =>
        {
            CheckFrame(byId[id], decoding);
            var result = segmenter.Segment(image, decoding);
            string labelsPath = Path.Combine(labelsDir, id + ".png");
            PngEncoder.Save(SemanticPictures.LabelImage(result), labelsPath);
            void Fields(Utf8JsonWriter w)
            {
                w.WriteString("id", id);
                w.WriteString("labels", labelsPath);
                w.WriteStartArray("classes");
                foreach (var (classId, name, pixels) in result.ClassesPresent())
                {
                    w.WriteStartObject();
                    w.WriteNumber("id", classId);
                    w.WriteString("name", name);
                    w.WriteNumber("pixels", pixels);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                JsonOut.WriteTimings(w, result.Timings);
            }
            BatchRunner.WriteImageJson(Path.Combine(parts, id + ".json"), image, Fields);
            return (Fields, $"{result.ClassesPresent().Count()} classes");
        }, cancel);
    }
}
