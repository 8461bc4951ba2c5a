// segkit semantic <images or folders...> --model FILE [--preset NAME|--preset-file FILE] [--size N|--no-resize]
//                 [--out DIR] [--overlay] [--json] [--threads N] [--force] [--max-input-pixels N] [--ignore-exif-orientation]
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
        var ignoreExif = ExifOption.Create();
        var command = new Command("semantic", "A class for every pixel: writes <stem>.labels.png (palette PNG of class ids), <stem>.json and, with --overlay, <stem>.overlay.jpg.")
        {
            inputs, model, preset, presetFile, size, noResize, outDir, overlay, json, threads, force, maxInput, ignoreExif,
        };
        command.Validators.Add(r =>
        {
            if (r.GetValue(preset) is not null && r.GetValue(presetFile) is not null)
                r.AddError("--preset and --preset-file are mutually exclusive");
            if (r.GetValue(size) is not null && r.GetValue(noResize))
                r.AddError("--size and --no-resize are mutually exclusive");
            if (r.GetValue(size) is < 1)
                r.AddError("--size must be ≥ 1");
            if (ThreadsOption.Check(r.GetValue(threads)) is { } threadsError)
                r.AddError(threadsError);
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
            var images = ImageInputs.Expand(parse.GetValue(inputs)!, parse.GetValue(outDir), stderr);
            var modelFile = parse.GetValue(model)!;
            using var segmenter = SemanticSegmenter.Load(modelFile.FullName, chosenPreset,
                new SemanticSegmenterOptions
                {
                    Threads = parse.GetValue(threads), ResizeOverride = resize,
                    MaxInputPixels = parse.GetValue(maxInput) ?? SemanticSegmenterOptions.Default.MaxInputPixels,
                });
            string outPath = parse.GetValue(outDir)!;
            bool withOverlay = parse.GetValue(overlay);
            var decoding = ExifOption.DecoderOptions(parse, ignoreExif);
            // An image whose JSON is there but not one of these (deleted, or an overlay asked for only now) is redone.
            var runner = new BatchRunner(stdout, stderr)
            {
                Settings = SettingsOf(segmenter, modelFile.FullName, decoding),
                OutputsOf = stem => withOverlay
                    ? [Path.Combine(outPath, stem + ".labels.png"), Path.Combine(outPath, stem + ".overlay.jpg")]
                    : [Path.Combine(outPath, stem + ".labels.png")],
            };
            var run = new FolderRun(segmenter, modelFile.Name, withOverlay, decoding, images, runner);
            int code = runner.Run(images, outPath, parse.GetValue(force), parse.GetValue(json), run.ProcessOne, cancel);
            return Task.FromResult(code);
        });
        return command;
    }

    /// <summary>What a label map depends on: the model file, the preset's values, the resize in force and, when it is
    /// not the default, the frame photos are decoded in.</summary>
    internal static string SettingsOf(SemanticSegmenter segmenter, string modelPath, ImageDecoderOptions decoding)
    {
        var p = segmenter.Preset;
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        return string.Join("\n", "verb: semantic", "model: " + BatchRunner.FileSetting(modelPath),
            $"preset: {p.Name} mean [{string.Join(",", p.Mean.Select(v => v.ToString("R", inv)))}] std [{string.Join(",", p.Std.Select(v => v.ToString("R", inv)))}] " +
            $"divisor {p.PixelDivisor.ToString("R", inv)} {p.ChannelOrder} output {p.OutputName ?? "(the only one)"}",
            $"resize: {segmenter.Resize}") + "\n" + ExifOption.SettingsLine(decoding);
    }

    /// <summary>
    /// One `segkit semantic` run over its images, in the batch runner's order. Arrays are reused from one photo to the
    /// next of its size (pixels, label map, overlay), and the next photo to process is decoded on another core while
    /// this one's pictures are encoded: libjpeg-turbo's decode and libspng's encode each run on one core, and side by
    /// side they overlap. A failed decode is rethrown when that photo's turn comes, so it is reported as that photo's.
    /// </summary>
    private sealed class FolderRun
    {
        private readonly SemanticSegmenter _segmenter;
        private readonly string _modelName;
        private readonly bool _overlay;
        private readonly ImageDecoderOptions _decoding;
        private readonly BatchRunner _runner; // which photos it will skip
        private readonly IReadOnlyList<string> _images;
        private readonly Dictionary<string, int> _index;
        private RgbImage? _spare;               // the last photo's pixels, decoded into again by a later one of its size
        private SemanticResult? _spareResult;   // the last result, whose label map the next one of its size reuses
        private RgbImage? _spareOverlay;        // the last overlay, drawn into again by the next one of its size
        private (string Path, Task<(RgbImage Image, double Ms)> Decode)? _next;

        public FolderRun(SemanticSegmenter segmenter, string modelName, bool overlay, ImageDecoderOptions decoding, IReadOnlyList<string> images,
            BatchRunner runner)
        {
            (_segmenter, _modelName, _overlay, _decoding, _images, _runner) = (segmenter, modelName, overlay, decoding, images, runner);
            _index = images.Select((path, i) => (path, i)).ToDictionary(e => e.path, e => e.i, StringComparer.Ordinal);
        }

        // The photo's pixels: the ones decoded ahead for it, or decoded now. A decode ahead for another photo (not the
        // runner's order; cannot happen) is dropped with its buffer.
        private (RgbImage Image, double Ms) Decode(string imagePath)
        {
            var next = _next;
            _next = null;
            if (next is { } ahead && ahead.Path == imagePath)
                return ahead.Decode.GetAwaiter().GetResult(); // its decode's own exception, if it failed
            return DecodeTimed(imagePath, Interlocked.Exchange(ref _spare, null));
        }

        private (RgbImage Image, double Ms) DecodeTimed(string path, RgbImage? into)
        {
            long t = Stopwatch.GetTimestamp();
            var image = ImageDecoder.DecodeRgb(path, _decoding, into);
            return (image, StageTimings.Since(t));
        }

        // Starts decoding the first image after imagePath that the runner will process (its outputs are not all there).
        private void DecodeAhead(string imagePath)
        {
            for (int i = _index[imagePath] + 1; i < _images.Count; i++)
            {
                string path = _images[i];
                if (_runner.WillSkip(new BatchItem(Path.GetFileNameWithoutExtension(path), path))) continue;
                var into = Interlocked.Exchange(ref _spare, null);
                _next = (path, Task.Run(() => DecodeTimed(path, into)));
                return;
            }
        }

        public (Action<System.Text.Json.Utf8JsonWriter>, string) ProcessOne(string imagePath, string stem, string dir)
        {
            var (image, decodeMs) = Decode(imagePath);
            var result = _segmenter.Segment(image, Interlocked.Exchange(ref _spareResult, null));
            result.Timings.DecodeMs = decodeMs;
            return Finish(image, result, imagePath, stem, dir);
        }

        private (Action<System.Text.Json.Utf8JsonWriter>, string) Finish(RgbImage image, SemanticResult result, string imagePath, string stem, string dir)
        {
            long t = Stopwatch.GetTimestamp();
            string labelsPath = Path.Combine(dir, stem + ".labels.png");
            string? overlayPath = _overlay ? Path.Combine(dir, stem + ".overlay.jpg") : null;
            if (overlayPath is null)
            {
                DecodeAhead(imagePath); // on the other core, while libspng encodes on this one
                PngEncoder.Save(SemanticPictures.LabelImage(result), labelsPath);
            }
            else
            {
                // Both encoders run on one core each (libspng, libjpeg-turbo), so side by side; the overlay is drawn into the
                // last one. The label PNG is done first, and its core then decodes the next photo (started earlier, the
                // three competed for two cores and a folder took no less time). A failure is rethrown as itself, for the
                // batch runner to report that image.
                try
                {
                    Parallel.Invoke(
                        () =>
                        {
                            PngEncoder.Save(SemanticPictures.LabelImage(result), labelsPath);
                            DecodeAhead(imagePath);
                        },
                        () =>
                        {
                            var picture = SemanticPictures.Overlay(image, result, recycle: Interlocked.Exchange(ref _spareOverlay, null));
                            JpegEncoder.Save(picture, overlayPath);
                            _spareOverlay = picture;
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
                w.WriteString("model", _modelName);
                w.WriteString("preset", _segmenter.Preset.Name);
                w.WriteString("resize", _segmenter.Resize.ToString());
                w.WriteBoolean("fuses_model_resize", _segmenter.FusesModelResize);
                w.WriteString("upsampling", _segmenter.UpsamplingNote);
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
            Interlocked.CompareExchange(ref _spare, image, null); // nothing below reads the pixels (a decode ahead may hold the other buffer)
            _spareResult = result; // nor the label map (WriteFields reads the size and the counts, which stay this result's)
            var top = result.ClassesPresent().Take(3).Select(c => $"{c.Name} {100.0 * c.Pixels / ((long)result.Width * result.Height):0}%");
            return (WriteFields, $"{result.ClassesPresent().Count()} classes ({string.Join(", ", top)})");
        }
    }
}
