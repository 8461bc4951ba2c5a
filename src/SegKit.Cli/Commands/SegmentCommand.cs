// segkit segment <images or folders...> [--method felzenszwalb|slic] [method options] [--out DIR] [--json] [--force]
//                [--ignore-exif-orientation]
// Classical segmentation, no model: writes <stem>.regions.png (16-bit region ids), <stem>.colored.png
// (a random colour per region), <stem>.overlay.jpg (region boundaries on the photo) and <stem>.json.
using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using SegKit.Classical;
using SegKit.Cli.Batch;
using SegKit.Imaging;

namespace SegKit.Cli;

internal static class SegmentCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var inputs = new Argument<string[]>("images") { Description = "Images (JPEG/PNG) or folders of images.", Arity = ArgumentArity.OneOrMore };
        var method = new Option<string>("--method") { Description = "felzenszwalb (graph-based) or slic (superpixels).", DefaultValueFactory = _ => "felzenszwalb" };
        method.AcceptOnlyFromAmong("felzenszwalb", "slic");
        // Photo-friendly defaults (the library's follow scikit-image's 100 / 50): on an 800-px photo these
        // give tens of regions that follow objects rather than hundreds of texture fragments.
        var scale = new Option<double>("--scale") { Description = "Felzenszwalb: larger gives larger regions (skimage's scale).", DefaultValueFactory = _ => 500 };
        var sigma = new Option<double?>("--sigma") { Description = "Gaussian pre-smoothing width (Felzenszwalb default 0.8, SLIC default 0)." };
        var minSize = new Option<int>("--min-size") { Description = "Felzenszwalb: smallest region in pixels.", DefaultValueFactory = _ => 200 };
        var segments = new Option<int>("--n-segments") { Description = "SLIC: approximate number of superpixels.", DefaultValueFactory = _ => SlicOptions.Default.NSegments };
        var compactness = new Option<double>("--compactness") { Description = "SLIC: colour vs space balance; larger gives squarer superpixels.", DefaultValueFactory = _ => SlicOptions.Default.Compactness };
        var outDir = new Option<string>("--out") { Description = "Output folder.", DefaultValueFactory = _ => "out" };
        var json = new Option<bool>("--json") { Description = "Print one JSON document with results and stage timings." };
        var force = new Option<bool>("--force") { Description = "Redo images whose outputs already exist." };
        var ignoreExif = ExifOption.Create();
        var command = new Command("segment", "Regions of similar pixels, no model: writes <stem>.regions.png (16-bit ids), <stem>.colored.png, <stem>.overlay.jpg, <stem>.json.")
        {
            inputs, method, scale, sigma, minSize, segments, compactness, outDir, json, force, ignoreExif,
        };

        // An option of the other method would be silently ignored: refuse it (--sigma belongs to both).
        command.Validators.Add(r =>
        {
            bool slic = r.GetValue(method) == "slic";
            foreach (Option o in slic ? [scale, minSize] : new Option[] { segments, compactness })
                if (r.GetResult(o) is { Implicit: false })
                    r.AddError($"{o.Name} is a {(slic ? "felzenszwalb" : "slic")} option; --method is {(slic ? "slic" : "felzenszwalb")}");
        });

        Func<ParseResult, RgbImage, RegionMap> MakeAlgorithm(ParseResult r, out string description)
        {
            if (r.GetValue(method) == "slic")
            {
                var o = new SlicOptions { NSegments = r.GetValue(segments), Compactness = r.GetValue(compactness), Sigma = r.GetValue(sigma) ?? SlicOptions.Default.Sigma };
                o.Validate();
                description = $"slic n_segments={o.NSegments} compactness={o.Compactness} sigma={o.Sigma}";
                return (_, image) => Slic.Segment(image, o);
            }
            var f = new FelzenszwalbOptions { Scale = r.GetValue(scale), Sigma = r.GetValue(sigma) ?? FelzenszwalbOptions.Default.Sigma, MinSize = r.GetValue(minSize) };
            f.Validate();
            description = $"felzenszwalb scale={f.Scale} sigma={f.Sigma} min_size={f.MinSize}";
            return (_, image) => Felzenszwalb.Segment(image, f);
        }

        command.SetAction((parse, cancel) =>
        {
            Func<ParseResult, RgbImage, RegionMap> algorithm;
            string description;
            try
            {
                algorithm = MakeAlgorithm(parse, out description);
            }
            catch (ArgumentOutOfRangeException e)
            {
                // Said as the option: Scale, Sigma, MinSize, NSegments and Compactness are --scale, --sigma, ...
                string text = OptionErrors.Text(e);
                stderr.WriteLine("segkit: " + (e.ParamName is { Length: > 0 } p ? $"{OptionErrors.OptionFor(p)} {e.ActualValue}: {text}" : text));
                return Task.FromResult(ExitCodes.UsageError);
            }
            var images = ImageInputs.Expand(parse.GetValue(inputs)!, parse.GetValue(outDir), stderr);
            string outPath = parse.GetValue(outDir)!;
            var decoding = ExifOption.DecoderOptions(parse, ignoreExif);
            // An image whose JSON exists but not one of its pictures is redone.
            int code = new BatchRunner(stdout, stderr)
            {
                Settings = $"verb: segment\nalgorithm: {description}\n" + ExifOption.SettingsLine(decoding),
                OutputsOf = stem => [.. new[] { ".regions.png", ".colored.png", ".overlay.jpg" }.Select(e => Path.Combine(outPath, stem + e))],
            }.Run(images, outPath, parse.GetValue(force), parse.GetValue(json),
                (image, stem, dir) => ProcessOne(image, stem, dir, decoding, img => algorithm(parse, img), description), cancel);
            return Task.FromResult(code);
        });
        return command;
    }

    private static (Action<Utf8JsonWriter>, string) ProcessOne(string imagePath, string stem, string dir, ImageDecoderOptions decoding,
        Func<RgbImage, RegionMap> algorithm, string description)
    {
        var timings = new StageTimings();
        long t = Stopwatch.GetTimestamp();
        var image = ImageDecoder.DecodeRgb(imagePath, decoding);
        timings.DecodeMs = StageTimings.Since(t);

        t = Stopwatch.GetTimestamp();
        var regions = algorithm(image);
        timings.InferenceMs = StageTimings.Since(t);

        t = Stopwatch.GetTimestamp();
        if (regions.RegionCount > ushort.MaxValue + 1)
            throw new SegKitException($"{imagePath}: {regions.RegionCount} regions do not fit a 16-bit region map; use larger --scale/--min-size or fewer --n-segments");
        var ids = new ushort[regions.Labels.Length];
        for (int i = 0; i < ids.Length; i++) ids[i] = (ushort)regions.Labels[i];
        int[] sizes = regions.GetRegionSizes();
        timings.PostprocessMs = StageTimings.Since(t);

        t = Stopwatch.GetTimestamp();
        string regionsPath = Path.Combine(dir, stem + ".regions.png");
        string coloredPath = Path.Combine(dir, stem + ".colored.png");
        string overlayPath = Path.Combine(dir, stem + ".overlay.jpg");
        string jsonPath = Path.Combine(dir, stem + ".json");
        PngEncoder.Save(new Gray16Image(regions.Width, regions.Height, ids), regionsPath);
        PngEncoder.Save(regions.Colorize(), coloredPath);
        JpegEncoder.Save(regions.DrawBoundaries(image), overlayPath);
        timings.EncodeMs = StageTimings.Since(t);

        void WriteFields(Utf8JsonWriter w)
        {
            w.WriteNumber("width", regions.Width);
            w.WriteNumber("height", regions.Height);
            w.WriteString("method", description);
            w.WriteNumber("region_count", regions.RegionCount);
            var sorted = sizes.Order().ToArray();
            w.WriteStartObject("region_size");
            w.WriteNumber("min", sorted.Length > 0 ? sorted[0] : 0);
            w.WriteNumber("median", sorted.Length > 0 ? sorted[sorted.Length / 2] : 0);
            w.WriteNumber("max", sorted.Length > 0 ? sorted[^1] : 0);
            w.WriteEndObject();
            w.WriteStartArray("sizes");
            foreach (int s in sizes) w.WriteNumberValue(s);
            w.WriteEndArray();
            w.WriteStartObject("outputs");
            w.WriteString("regions", regionsPath);
            w.WriteString("colored", coloredPath);
            w.WriteString("overlay", overlayPath);
            w.WriteString("json", jsonPath);
            w.WriteEndObject();
            JsonOut.WriteTimings(w, timings);
        }

        BatchRunner.WriteImageJson(jsonPath, imagePath, WriteFields);
        return (WriteFields, $"{regions.RegionCount} regions ({description})");
    }
}
