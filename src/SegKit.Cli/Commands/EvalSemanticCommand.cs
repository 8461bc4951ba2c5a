// segkit eval semantic --pred DIR --gt DIR [--num-classes N] [--ignore 255] [--labels voc] [--threads N] [--json]
using System.CommandLine;
using System.Diagnostics;
using SegKit.Datasets;
using SegKit.Metrics;

namespace SegKit.Cli;

internal static class EvalSemanticCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var pred = new Option<DirectoryInfo>("--pred") { Description = "Predicted label maps: <stem>.png or <stem>.labels.png (palette or gray PNG of class ids).", Required = true };
        var gt = new Option<DirectoryInfo>("--gt") { Description = "Ground-truth label maps <stem>.png (e.g. VOC2012/SegmentationClass).", Required = true };
        var numClasses = new Option<int?>("--num-classes") { Description = "Number of classes (default: 1 + the largest id found, ignore excluded)." };
        var ignore = new Option<int>("--ignore")
        {
            Description = "Ground-truth id that is not counted. Inside the class range (e.g. 0) only that class's ground-truth pixels are " +
                          "skipped, as in mmsegmentation: it is still scored where it is predicted (IoU 0), or left out of the means.",
            DefaultValueFactory = _ => 255,
        };
        var labels = new Option<string?>("--labels") { Description = "Name the classes in the table: voc, ade20k or cityscapes." };
        var threads = new Option<int>("--threads") { Description = "Reader threads (0 = one per core).", DefaultValueFactory = _ => 0 };
        var json = new Option<bool>("--json") { Description = "Print one JSON document: pixel_accuracy, mean_accuracy, miou, fwiou, per_class_iou, timings." };
        var command = new Command("semantic", "Confusion-matrix metrics of predicted label maps against ground truth, as torchvision's segmentation reference.")
        {
            pred, gt, numClasses, ignore, labels, threads, json,
        };
        command.Validators.Add(r =>
        {
            if (r.GetValue(numClasses) is < 1 or > 255) r.AddError("--num-classes must be 1..255");
            if (r.GetValue(ignore) is < 0 or > 255) r.AddError("--ignore must be 0..255");
            if (r.GetValue(threads) < 0) r.AddError("--threads must be ≥ 0");
            if (r.GetValue(labels) is string l && LabelSet.FromId(l) is null) r.AddError($"--labels: unknown label set '{l}' (voc, ade20k, cityscapes)");
        });
        command.SetAction((parse, cancel) =>
        {
            long start = Stopwatch.GetTimestamp();
            var options = new SemanticEvalOptions
            {
                NumClasses = parse.GetValue(numClasses),
                IgnoreIndex = (byte)parse.GetValue(ignore),
                Threads = parse.GetValue(threads),
            };
            SemanticEvalResult r = SemanticEvaluation.EvaluateFolders(parse.GetValue(pred)!.FullName, parse.GetValue(gt)!.FullName, options, cancel);
            double totalMs = StageTimings.Since(start);
            if (r.BeyondClassesPixels > 0)
                stderr.WriteLine($"segkit: warning: {r.BeyondClassesPixels:N0} ground-truth pixels hold class ids ≥ {r.Matrix.NumClasses} (up to " +
                                 $"{r.LargestBeyondClass}), beyond --num-classes, and were not counted (as in torchvision's reference)");
            if (r.Matrix.IgnoreIndex < r.Matrix.NumClasses)
                stderr.WriteLine($"segkit: warning: --ignore {r.Matrix.IgnoreIndex} is a class id (classes 0..{r.Matrix.NumClasses - 1}): its ground-truth " +
                                 "pixels are skipped, but where it is predicted on counted pixels it still scores IoU 0 (as in mmsegmentation; " +
                                 "torchvision's reference would count it)");
            if (r.Matrix.Total == 0)
                stderr.WriteLine("segkit: warning: no pixel was counted: every ground-truth pixel is the ignore index or a class id beyond " +
                                 "--num-classes, so the metrics are undefined (NaN, null in JSON)");
            LabelSet? names = parse.GetValue(labels) is string id ? LabelSet.FromId(id) : null;
            if (parse.GetValue(json)) PrintJson(stdout, r, names, totalMs);
            else PrintText(stdout, r, names);
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }

    private static string NameOf(LabelSet? names, int c) => names is not null && c < names.Count ? names.Names[c] : "";

    private static void PrintText(TextWriter o, SemanticEvalResult r, LabelSet? names)
    {
        o.WriteLine($"images: {r.Images}   classes: {r.Matrix.NumClasses}   ignore: {r.Matrix.IgnoreIndex}   pixels counted: {r.Matrix.Total:N0}");
        o.WriteLine($"pixel accuracy  {r.PixelAccuracy:F4}");
        o.WriteLine($"mean accuracy   {r.MeanAccuracy:F4}");
        o.WriteLine($"mIoU            {r.MeanIou:F4}");
        o.WriteLine($"fwIoU           {r.FrequencyWeightedIou:F4}");
        o.WriteLine();
        o.WriteLine("class                   IoU   accuracy");
        double?[] acc = r.Matrix.PerClassAccuracy();
        for (int c = 0; c < r.Matrix.NumClasses; c++)
        {
            string iou = r.PerClassIou[c] is double v ? v.ToString("F4") : "   -  ";
            string a = acc[c] is double x ? x.ToString("F4") : "   -  ";
            o.WriteLine($"{c,3} {NameOf(names, c),-16} {iou,6}   {a,6}");
        }
    }

    private static void PrintJson(TextWriter o, SemanticEvalResult r, LabelSet? names, double totalMs)
    {
        JsonOut.Print(o, w =>
        {
            w.WriteStartObject();
            w.WriteNumber("images", r.Images);
            w.WriteNumber("num_classes", r.Matrix.NumClasses);
            w.WriteNumber("ignore_index", r.Matrix.IgnoreIndex);
            w.WriteNumber("pixels", r.Matrix.Total);
            WriteMetric(w, "pixel_accuracy", r.PixelAccuracy);
            WriteMetric(w, "mean_accuracy", r.MeanAccuracy);
            WriteMetric(w, "miou", r.MeanIou);
            WriteMetric(w, "fwiou", r.FrequencyWeightedIou);
            w.WriteStartArray("per_class_iou");
            foreach (double? v in r.PerClassIou) { if (v is double d) w.WriteNumberValue(d); else w.WriteNullValue(); }
            w.WriteEndArray();
            w.WriteStartArray("per_class_accuracy");
            foreach (double? v in r.Matrix.PerClassAccuracy()) { if (v is double d) w.WriteNumberValue(d); else w.WriteNullValue(); }
            w.WriteEndArray();
            if (names is not null)
            {
                w.WriteStartArray("class_names");
                for (int c = 0; c < r.Matrix.NumClasses; c++) w.WriteStringValue(NameOf(names, c));
                w.WriteEndArray();
            }
            // Reading label maps is the decode stage, counting the postprocess stage (summed over reader threads).
            JsonOut.WriteTimings(w, new StageTimings { DecodeMs = r.ReadMs, PostprocessMs = r.CountMs });
            w.WriteNumber("wall_ms", Math.Round(totalMs, 3));
            w.WriteEndObject();
        });
    }

    // NaN (nothing counted) is written as null: JSON has no NaN.
    private static void WriteMetric(System.Text.Json.Utf8JsonWriter w, string name, double v)
    {
        if (double.IsNaN(v)) w.WriteNull(name); else w.WriteNumber(name, v);
    }
}
