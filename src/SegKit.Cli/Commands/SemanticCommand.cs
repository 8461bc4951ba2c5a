// segkit semantic <images or folders...> --model FILE [--preset NAME|--preset-file FILE] [--size N|--no-resize]
//                 [--out DIR] [--overlay] [--json] [--threads N] [--force] [--max-input-pixels N]
using System.CommandLine;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using SegKit.Cli.Batch;
using SegKit.Imaging;
using SegKit.Semantic;

namespace SegKit.Cli;

internal static class SemanticCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var inputs = new Argument<string[]>("images") { Description = "Images (JPEG/PNG) or folders of images.", Arity = ArgumentArity.OneOrMore };
        var model = new Option<FileInfo>("--model") { Description = "A semantic ONNX model (torchvision, SegFormer, U-Net or custom).", Required = true };
        var preset = new Option<string?>("--preset") { Description = "Built-in preset: torchvision, segformer, unet (default: from the model's contract)." };
        var presetFile = new Option<FileInfo?>("--preset-file") { Description = "A JSON preset (mean, std, resize, output, labels, palette)." };
        var size = new Option<int?>("--size") { Description = "Resize the shorter side to N pixels (overrides the preset)." };
        var noResize = new Option<bool>("--no-resize") { Description = "Feed images at their own size." };
        var outDir = new Option<string>("--out") { Description = "Output folder.", DefaultValueFactory = _ => "out" };
        var overlay = new Option<bool>("--overlay") { Description = "Also write <stem>.overlay.jpg (colours, boundaries, legend)." };
        var json = new Option<bool>("--json") { Description = "Print one JSON document with results and stage timings." };
        var threads = new Option<int>("--threads") { Description = "ONNX Runtime threads (0 = its default).", DefaultValueFactory = _ => 0 };
        var force = new Option<bool>("--force") { Description = "Redo images whose outputs already exist." };
        var maxInput = new Option<long?>("--max-input-pixels") { Description = "Largest model input in pixels, after the resize (default 16777216 = 4096×4096); a larger one fails that image." };
        var command = new Command("semantic", "A class for every pixel: writes <stem>.labels.png (palette PNG of class ids), <stem>.json and, with --overlay, <stem>.overlay.jpg.")
        {
            inputs, model, preset, presetFile, size, noResize, outDir, overlay, json, threads, force, maxInput,
        };
        command.Validators.Add(r =>
        {
            if (r.GetValue(preset) is not null && r.GetValue(presetFile) is not null)
                r.AddError("--preset and --preset-file are mutually exclusive");
            if (r.GetValue(size) is not null && r.GetValue(noResize))
                r.AddError("--size and --no-resize are mutually exclusive");
            if (r.GetValue(size) is < 1)
                r.AddError("--size must be ≥ 1");
            if (r.GetValue(threads) < 0)
                r.AddError("--threads must be ≥ 0");
            if (r.GetValue(maxInput) is < 1 or > SemanticSegmenterOptions.MaxInputPixelsCeiling)
                r.AddError($"--max-input-pixels must be 1 to {SemanticSegmenterOptions.MaxInputPixelsCeiling}");
        });
        command.SetAction((parse, cancel) =>
        {
            ThreadsOption.WarnIfOversubscribed(parse.GetValue(threads), stderr);
            var chosenPreset = parse.GetValue(presetFile) is { } pf ? SemanticPreset.FromJson(pf.FullName)
                : parse.GetValue(preset) is { } pn ? SemanticPreset.FromName(pn) : null;
            ResizePolicy? resize = parse.GetValue(noResize) ? ResizePolicy.None
                : parse.GetValue(size) is { } n ? ResizePolicy.ShorterSide(n) : null;
            var images = ImageInputs.Expand(parse.GetValue(inputs)!);
            var modelFile = parse.GetValue(model)!;
            using var segmenter = SemanticSegmenter.Load(modelFile.FullName, chosenPreset,
                new SemanticSegmenterOptions
                {
                    Threads = parse.GetValue(threads), ResizeOverride = resize,
                    MaxInputPixels = parse.GetValue(maxInput) ?? SemanticSegmenterOptions.Default.MaxInputPixels,
                });
            bool wantOverlay = parse.GetValue(overlay);
            var spare = new StrongBox<RgbImage?>(); // the last photo's pixels, decoded into again by the next one of its size
            var spareResult = new StrongBox<SemanticResult?>(); // the last result, whose label map the next one of its size reuses
            var spareOverlay = new StrongBox<RgbImage?>(); // the last overlay, drawn into again by the next one of its size
            int code = new BatchRunner(stdout, stderr).Run(images, parse.GetValue(outDir)!, parse.GetValue(force), parse.GetValue(json),
                (image, stem, dir) => ProcessOne(segmenter, modelFile.Name, image, stem, dir, wantOverlay, spare, spareResult, spareOverlay), cancel);
            return Task.FromResult(code);
        });
        return command;
    }

    private static (Action<System.Text.Json.Utf8JsonWriter>, string) ProcessOne(SemanticSegmenter segmenter, string modelName,
        string imagePath, string stem, string dir, bool overlay, StrongBox<RgbImage?> spare, StrongBox<SemanticResult?> spareResult,
        StrongBox<RgbImage?> spareOverlay)
    {
        long t = Stopwatch.GetTimestamp();
        var image = ImageDecoder.DecodeRgb(imagePath, null, spare.Value);
        spare.Value = null; // in use until this image is done
        double decodeMs = StageTimings.Since(t);
        var result = segmenter.Segment(image, spareResult.Value);
        spareResult.Value = null;
        result.Timings.DecodeMs = decodeMs;

        t = Stopwatch.GetTimestamp();
        string labelsPath = Path.Combine(dir, stem + ".labels.png");
        string? overlayPath = overlay ? Path.Combine(dir, stem + ".overlay.jpg") : null;
        if (overlayPath is null)
            PngEncoder.Save(SemanticPictures.LabelImage(result), labelsPath);
        else
        {
            // Both encoders run on one core each (libspng, libjpeg-turbo), so side by side; the overlay is drawn into the
            // last one. A failure is rethrown as itself, for the batch runner to report that image.
            try
            {
                Parallel.Invoke(
                    () => PngEncoder.Save(SemanticPictures.LabelImage(result), labelsPath),
                    () =>
                    {
                        var picture = SemanticPictures.Overlay(image, result, recycle: Interlocked.Exchange(ref spareOverlay.Value, null));
                        JpegEncoder.Save(picture, overlayPath);
                        spareOverlay.Value = picture;
                    });
            }
            catch (AggregateException e)
            {
                ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
            }
        }
        string jsonPath = Path.Combine(dir, stem + ".json");
        result.Timings.EncodeMs = StageTimings.Since(t);

        void WriteFields(System.Text.Json.Utf8JsonWriter w)
        {
            w.WriteNumber("width", result.Width);
            w.WriteNumber("height", result.Height);
            w.WriteString("model", modelName);
            w.WriteString("preset", segmenter.Preset.Name);
            w.WriteString("resize", segmenter.Resize.ToString());
            w.WriteBoolean("fuses_model_resize", segmenter.FusesModelResize);
            w.WriteString("upsampling", segmenter.UpsamplingNote);
            w.WriteStartArray("model_input");
            w.WriteNumberValue(result.ModelInputSize.Width);
            w.WriteNumberValue(result.ModelInputSize.Height);
            w.WriteEndArray();
            w.WriteStartArray("classes");
            long total = (long)result.Width * result.Height;
            foreach (var (id, name, pixels) in result.ClassesPresent())
            {
                w.WriteStartObject();
                w.WriteNumber("id", id);
                w.WriteString("name", name);
                w.WriteNumber("pixels", pixels);
                w.WriteNumber("fraction", Math.Round((double)pixels / total, 6));
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartObject("outputs");
            w.WriteString("labels", labelsPath);
            if (overlayPath is not null) w.WriteString("overlay", overlayPath);
            w.WriteString("json", jsonPath);
            w.WriteEndObject();
            JsonOut.WriteTimings(w, result.Timings);
        }

        BatchRunner.WriteImageJson(jsonPath, imagePath, WriteFields);
        spare.Value = image; // nothing below reads the pixels
        spareResult.Value = result; // nor the label map (WriteFields reads the size and the counts, which stay this result's)
        var top = result.ClassesPresent().Take(3).Select(c => $"{c.Name} {100.0 * c.Pixels / ((long)result.Width * result.Height):0}%");
        return (WriteFields, $"{result.ClassesPresent().Count()} classes ({string.Join(", ", top)})");
    }
}
