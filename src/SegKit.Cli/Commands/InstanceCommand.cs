// segkit instance <images or folders...> --model FILE [--format NAME] [--score 0.5] [--classes person,car]
//   [--out DIR] [--overlay] [--json] [--ignore-exif-orientation]: instance segmentation of each image, written as
//   <stem>.instances.png (16-bit instance ids, 0 = background), <stem>.overlay.jpg (with --overlay) and
//   <stem>.json (COCO results with class names; written last, so its presence marks the image done).
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using SegKit.Cli.Batch;
using SegKit.Imaging;

using SegKit.Instance;
using SegKit.Models;

namespace SegKit.Cli;

internal static class InstanceCommand
{
    private static readonly string[] s_formats = ["torchvision", "onnx-zoo", "yolo", "yolo-e2e"];

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var inputs = new Argument<string[]>("images") { Description = "Image files and/or folders (searched recursively for .jpg/.jpeg/.png).", Arity = ArgumentArity.OneOrMore };
        var model = new Option<FileInfo>("--model") { Description = "The ONNX model.", Required = true };
        var format = new Option<string?>("--format") { Description = "Force the model contract: " + string.Join(", ", s_formats) + " (default: detected from the model)." };
        format.AcceptOnlyFromAmong(s_formats);
        var score = new Option<float>("--score") { Description = "Keep instances scoring above this (0..1).", DefaultValueFactory = _ => 0.5f };
        var maskThreshold = new Option<float>("--mask-threshold") { Description = "Mask probability threshold (0..1).", DefaultValueFactory = _ => 0.5f };
        var iou = new Option<float>("--iou") { Description = "NMS IoU threshold for YOLO models (0..1).", DefaultValueFactory = _ => 0.7f };
        var maxDet = new Option<int>("--max-det") { Description = "At most this many instances per image.", DefaultValueFactory = _ => 100 };
        var classes = new Option<string?>("--classes") { Description = "Only these classes, comma-separated names or ids (e.g. person,car)." };
        var outDir = new Option<string>("--out") { Description = "Output folder.", DefaultValueFactory = _ => "out" };
        var overlay = new Option<bool>("--overlay") { Description = "Also write <stem>.overlay.jpg." };
        var json = new Option<bool>("--json") { Description = "Print one JSON document with the results and stage timings." };
        var force = new Option<bool>("--force") { Description = "Redo images whose outputs already exist." };
        var threads = new Option<int>("--threads") { Description = "ONNX Runtime intra-op threads (0 = its default).", DefaultValueFactory = _ => 0 };
        var ignoreExif = ExifOption.Create();
        var command = new Command("instance", "Instance segmentation (Mask R-CNN torchvision / ONNX-zoo exports, YOLOv8/YOLO11-seg): a mask, box, class and score per object.")
        {
            inputs, model, format, score, maskThreshold, iou, maxDet, classes, outDir, overlay, json, force, threads, ignoreExif,
        };
        ThreadsOption.Validate(command, threads);
        command.SetAction((parse, cancel) =>
        {
            // Settings are validated (typed errors) before any model is loaded or image read.
            ThreadsOption.WarnIfOversubscribed(parse.GetValue(threads), stderr);
            InstanceSegmenterOptions options;
            try
            {
                options = new InstanceSegmenterOptions
                {
                    ScoreThreshold = parse.GetValue(score),
                    MaskThreshold = parse.GetValue(maskThreshold),
                    NmsIou = parse.GetValue(iou),
                    MaxDetections = parse.GetValue(maxDet),
                    ClassFilter = parse.GetValue(classes) is { Length: > 0 } c ? ParseClasses(c) : null,
                    Format = parse.GetValue(format) is { } f ? ToKind(f) : null,
                    Threads = Math.Max(0, parse.GetValue(threads)),
                };
            }
            catch (ArgumentOutOfRangeException e)
            {
                string option = e.ParamName switch
                {
                    nameof(InstanceSegmenterOptions.ScoreThreshold) => "--score",
                    nameof(InstanceSegmenterOptions.MaskThreshold) => "--mask-threshold",
                    nameof(InstanceSegmenterOptions.NmsIou) => "--iou",
                    nameof(InstanceSegmenterOptions.MaxDetections) => "--max-det",
                    _ => e.ParamName ?? "option",
                };
                // A bad command line (exit 2), said as the option rather than the property it sets.
                string text = OptionErrors.Text(e);
                if (e.ParamName is { Length: > 0 } p && text.StartsWith(p + " ", StringComparison.Ordinal)) text = text[(p.Length + 1)..];
                stderr.WriteLine($"segkit: {option} {Convert.ToString(e.ActualValue, CultureInfo.InvariantCulture)}: {text}");
                return Task.FromResult(ExitCodes.UsageError);
            }
            catch (ArgumentException e) when (e.ParamName == "--classes")
            {
                stderr.WriteLine("segkit: " + OptionErrors.Text(e));
                return Task.FromResult(ExitCodes.UsageError);
            }
            int code = Run(parse.GetValue(inputs)!, parse.GetValue(model)!, options, ExifOption.DecoderOptions(parse, ignoreExif), parse.GetValue(outDir)!,
                parse.GetValue(overlay), parse.GetValue(json), parse.GetValue(force), stdout, stderr, cancel);
            return Task.FromResult(code);
        });
        return command;
    }

    private static ClassFilter ParseClasses(string text)
    {
        try
        {
            return ClassFilter.Parse(text);
        }
        catch (ArgumentException)
        {
            throw new ArgumentException($"--classes '{text}': give class names or ids separated by commas", "--classes");
        }
    }

    private static ModelContractKind ToKind(string format) => format switch
    {
        "torchvision" => ModelContractKind.TorchvisionMaskRcnn,
        "onnx-zoo" => ModelContractKind.OnnxZooMaskRcnn,
        "yolo" => ModelContractKind.YoloSeg,
        _ => ModelContractKind.YoloSegEndToEnd,
    };

    private static int Run(string[] inputs, FileInfo modelFile, InstanceSegmenterOptions options, ImageDecoderOptions decoding, string outDir, bool overlay,
        bool json, bool force, TextWriter stdout, TextWriter stderr, CancellationToken cancel)
    {
        var images = ImageInputs.Expand(inputs, outDir, stderr);
        using var segmenter = InstanceSegmenter.Load(modelFile.FullName, options);
        stderr.WriteLine($"{segmenter.ModelName}: {segmenter.Format}, {segmenter.ClassNames.Count} class names");
        // An image whose JSON exists but not its id map (or its overlay, when asked for now) is redone.
        return new BatchRunner(stdout, stderr)
        {
            Settings = string.Join("\n", "verb: instance", "model: " + BatchRunner.FileSetting(modelFile.FullName), $"format: {segmenter.Format}",
                FormattableString.Invariant($"score: {options.ScoreThreshold}"), FormattableString.Invariant($"mask threshold: {options.MaskThreshold}"),
                FormattableString.Invariant($"iou: {options.NmsIou}"), $"max detections: {options.MaxDetections}", $"classes: {options.ClassFilter?.ToString() ?? "all"}") + "\n" +
                ExifOption.SettingsLine(decoding),
            OutputsOf = stem => overlay
                ? [Path.Combine(outDir, stem + ".instances.png"), Path.Combine(outDir, stem + ".overlay.jpg")]
                : [Path.Combine(outDir, stem + ".instances.png")],
        }.Run(images, outDir, force, json,
            (image, stem, dir) => ProcessOne(segmenter, image, decoding, stem, dir, overlay), cancel);
    }

    private static (Action<Utf8JsonWriter> Json, string Summary) ProcessOne(InstanceSegmenter segmenter, string imagePath, ImageDecoderOptions decoding, string stem, string dir,
        bool overlay)
    {
        long t = Stopwatch.GetTimestamp();
        RgbImage image = ImageDecoder.DecodeRgb(imagePath, decoding);
        double decodeMs = StageTimings.Since(t);
        InstanceResult result = segmenter.Segment(image);
        result.Timings.DecodeMs = decodeMs;

        t = Stopwatch.GetTimestamp();
        string idsPath = Path.Combine(dir, stem + ".instances.png");
        PngEncoder.Save(result.ToInstanceIdMap(), idsPath);
        string? overlayPath = null;
        if (overlay)
        {
            overlayPath = Path.Combine(dir, stem + ".overlay.jpg");
            InstanceOverlay.Draw(image, result, InstanceOverlayOptions.Default); // the decoded image is ours to draw on
            JpegEncoder.Save(image, overlayPath);
        }
        string jsonPath = Path.Combine(dir, stem + ".json");
        AtomicFile.WriteAllText(jsonPath, CocoResultsJson(result, stem));
        result.Timings.EncodeMs = StageTimings.Since(t);

        string summary = result.Instances.Count == 0 ? "no instances"
            : $"{result.Instances.Count} instances: " + string.Join(", ", result.Instances.GroupBy(d => d.ClassName)
                .OrderByDescending(g => g.Count()).Take(4).Select(g => $"{g.Count()} {g.Key}"));
        return (w =>
        {
            w.WriteString("format", result.Format.ToString());
            w.WriteNumber("width", result.ImageWidth);
            w.WriteNumber("height", result.ImageHeight);
            w.WriteStartObject("outputs");
            w.WriteString("json", jsonPath);
            w.WriteString("instances", idsPath);
            if (overlayPath is not null) w.WriteString("overlay", overlayPath);
            w.WriteEndObject();
            w.WriteStartArray("instances");
            foreach (var d in result.Instances)
            {
                w.WriteStartObject();
                w.WriteNumber("id", d.Id);
                w.WriteNumber("class_id", d.ClassId);
                w.WriteString("class", d.ClassName);
                w.WriteNumber("score", Math.Round(d.Score, 5));
                w.WriteStartArray("box_xyxy");
                foreach (float v in new[] { d.Box.X1, d.Box.Y1, d.Box.X2, d.Box.Y2 }) w.WriteNumberValue(Math.Round(v, 2));
                w.WriteEndArray();
                w.WriteNumber("area", d.Area);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            JsonOut.WriteTimings(w, result.Timings);
        }, summary);
    }

    /// <summary>
    /// COCO results: one record per instance with image_id (the file stem, as a number when it is one, as COCO file
    /// names are), category_id (the model's class id), category_name, bbox [x, y, w, h], score, area and
    /// segmentation as compressed RLE {size: [h, w], counts}.
    /// </summary>
    internal static string CocoResultsJson(InstanceResult result, string stem)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false }))
        {
            w.WriteStartArray();
            foreach (var d in result.Instances)
            {
                w.WriteStartObject();
                if (long.TryParse(stem, NumberStyles.None, CultureInfo.InvariantCulture, out long id)) w.WriteNumber("image_id", id);
                else w.WriteString("image_id", stem);
                w.WriteNumber("category_id", d.ClassId);
                w.WriteString("category_name", d.ClassName);
                var b = d.Box.ToXywh();
                w.WriteStartArray("bbox");
                w.WriteNumberValue(Math.Round(b.X, 3));
                w.WriteNumberValue(Math.Round(b.Y, 3));
                w.WriteNumberValue(Math.Round(b.Width, 3));
                w.WriteNumberValue(Math.Round(b.Height, 3));
                w.WriteEndArray();
                w.WriteNumber("score", Math.Round(d.Score, 5));
                w.WriteNumber("area", d.Area);
                var rle = d.ToRle();
                w.WriteStartObject("segmentation");
                w.WriteStartArray("size");
                w.WriteNumberValue(rle.Height);
                w.WriteNumberValue(rle.Width);
                w.WriteEndArray();
                w.WriteString("counts", rle.ToCompressedString());
                w.WriteEndObject();
                w.WriteEndObject();
                w.Flush();
            }
            w.WriteEndArray();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }
}
