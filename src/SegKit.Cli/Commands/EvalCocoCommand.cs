// segkit eval coco --gt FILE --pred FILE [--iou-type segm|bbox] [--strict] [--json]
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using SegKit.Datasets.Coco;
using SegKit.Metrics;

namespace SegKit.Cli;

internal static class EvalCocoCommand
{
    internal static readonly string[] StatNames = ["AP", "AP50", "AP75", "APs", "APm", "APl", "AR1", "AR10", "AR100", "ARs", "ARm", "ARl"];

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var gt = new Option<FileInfo>("--gt") { Description = "COCO instances JSON (ground truth).", Required = true };
        var pred = new Option<FileInfo>("--pred") { Description = "COCO results JSON (a list of detections).", Required = true };
        var iouType = new Option<string>("--iou-type") { Description = "segm (mask IoU) or bbox (box IoU).", DefaultValueFactory = _ => "segm" };
        iouType.AcceptOnlyFromAmong("segm", "bbox");
        var strict = new Option<bool>("--strict") { Description = "Fail on any problem in either file instead of reporting it and evaluating the rest." };
        var json = new Option<bool>("--json") { Description = "Print one JSON document: AP AP50 AP75 APs APm APl AR1 AR10 AR100 ARs ARm ARl, per_category, warnings, timings." };
        var command = new Command("coco", "COCO detection / instance-segmentation AP and AR, exactly as pycocotools' COCOeval (evaluate, accumulate, summarize).")
        {
            gt, pred, iouType, strict, json,
        };
        command.SetAction((parse, cancel) =>
        {
            var type = parse.GetValue(iouType) == "bbox" ? CocoIouType.Bbox : CocoIouType.Segm;
            // bbox evaluation never reads a result's segmentation (pycocotools' COCOeval): a malformed one does not cost the result.
            var read = (parse.GetValue(strict) ? CocoReadOptions.Strict : CocoReadOptions.Default) with { ForBoxEvaluation = type == CocoIouType.Bbox };
            FileInfo gtFile = parse.GetValue(gt)!, predFile = parse.GetValue(pred)!;
            if (!gtFile.Exists) throw new FileNotFoundException($"ground truth not found: {gtFile.FullName}", gtFile.FullName);
            if (!predFile.Exists) throw new FileNotFoundException($"results not found: {predFile.FullName}", predFile.FullName);

            long t = Stopwatch.GetTimestamp();
            // The two files are independent: read them side by side.
            var gtTask = Task.Run(() => CocoDataset.Load(gtFile.FullName, read with { KeepExtraFields = false }), cancel);
            var dtTask = Task.Run(() => CocoResults.Load(predFile.FullName, read with { KeepExtraFields = false }), cancel);
            CocoDataset groundTruth = gtTask.GetAwaiter().GetResult();
            CocoResultList loaded = dtTask.GetAwaiter().GetResult();
            CocoResultList results = CocoResults.Validate(loaded, groundTruth, predFile.FullName, read);
            double loadMs = StageTimings.Since(t);
            cancel.ThrowIfCancellationRequested();

            t = Stopwatch.GetTimestamp();
            CocoEvalResult eval = CocoEvaluator.Evaluate(groundTruth, results, type);
            double evalMs = StageTimings.Since(t);

            var warnings = groundTruth.Diagnostics.Concat(results.Diagnostics).Select(d => d.Message).ToList();
            // Scores of nothing: AP 0 with no results, -1 with no ground truth (pycocotools' loadRes fails on an empty list).
            if (results.Count == 0)
                warnings.Insert(0, $"{parse.GetValue(pred)}: no usable results, so every AP and AR is 0");
            if (groundTruth.Annotations.Count == 0)
                warnings.Insert(0, $"{parse.GetValue(gt)}: no usable ground-truth annotations, so every AP and AR is -1 (undefined)");
            const int Shown = 5;
            foreach (string w in warnings.Take(Shown)) stderr.WriteLine("segkit: warning: " + w);
            if (warnings.Count > Shown) stderr.WriteLine($"segkit: warning: ... and {warnings.Count - Shown} more (see --json)");

            var names = new Dictionary<long, string>();
            foreach (CocoCategory c in groundTruth.Categories) names[c.Id] = c.Name;
            if (parse.GetValue(json))
                PrintJson(stdout, eval, type, groundTruth, results, names, warnings, loadMs, evalMs);
            else
                PrintText(stdout, eval, type, names);
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }

    // pycocotools' summarize() lines, character for character.
    internal static IEnumerable<string> SummaryLines(CocoEvalResult r)
    {
        var p = r.Params;
        int[] md = p.MaxDets.ToArray();
        (bool Ap, double? Iou, string Area, int MaxDets)[] rows =
        [
            (true, null, "all", md[2]), (true, 0.5, "all", md[2]), (true, 0.75, "all", md[2]),
            (true, null, "small", md[2]), (true, null, "medium", md[2]), (true, null, "large", md[2]),
            (false, null, "all", md[0]), (false, null, "all", md[1]), (false, null, "all", md[2]),
            (false, null, "small", md[2]), (false, null, "medium", md[2]), (false, null, "large", md[2]),
        ];
        var inv = CultureInfo.InvariantCulture;
        for (int i = 0; i < rows.Length; i++)
        {
            var (ap, iou, area, maxDets) = rows[i];
            string title = ap ? "Average Precision" : "Average Recall";
            string kind = ap ? "(AP)" : "(AR)";
            string iouStr = iou is double v ? v.ToString("0.00", inv) : $"{p.IouThresholds[0].ToString("0.00", inv)}:{p.IouThresholds[^1].ToString("0.00", inv)}";
            yield return string.Create(inv, $" {title,-18} {kind} @[ IoU={iouStr,-9} | area={area,6} | maxDets={maxDets,3} ] = {r.Stats[i]:0.000}");
        }
    }

    private static void PrintText(TextWriter o, CocoEvalResult r, CocoIouType type, Dictionary<long, string> names)
    {
        o.WriteLine($"iou type: {(type == CocoIouType.Bbox ? "bbox" : "segm")}");
        foreach (string line in SummaryLines(r)) o.WriteLine(line);
        o.WriteLine();
        o.WriteLine("category                       AP");
        foreach (long id in r.CategoryIds)
        {
            double ap = r.PerCategoryAp[id];
            string name = names.GetValueOrDefault(id, "");
            o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{id,5} {name,-20} {(ap < 0 ? "   -  " : ap.ToString("0.0000", CultureInfo.InvariantCulture)),6}"));
        }
    }

    private static void PrintJson(TextWriter o, CocoEvalResult r, CocoIouType type, CocoDataset gt, CocoResultList dt,
        Dictionary<long, string> names, List<string> warnings, double loadMs, double evalMs)
    {
        JsonOut.Print(o, w =>
        {
            w.WriteStartObject();
            w.WriteString("iou_type", type == CocoIouType.Bbox ? "bbox" : "segm");
            for (int i = 0; i < StatNames.Length; i++) w.WriteNumber(StatNames[i], r.Stats[i]);
            w.WriteStartArray("per_category");
            foreach (long id in r.CategoryIds)
            {
                w.WriteStartObject();
                w.WriteNumber("id", id);
                w.WriteString("name", names.GetValueOrDefault(id, ""));
                w.WriteNumber("ap", r.PerCategoryAp[id]);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteNumber("images", gt.Images.Count);
            w.WriteNumber("annotations", gt.Annotations.Count);
            w.WriteNumber("results", dt.Count);
            w.WriteStartArray("warnings");
            foreach (string s in warnings) w.WriteStringValue(s);
            w.WriteEndArray();
            // Reading both files is the decode stage, evaluation the postprocess stage.
            JsonOut.WriteTimings(w, new StageTimings { DecodeMs = loadMs, PostprocessMs = evalMs });
            w.WriteEndObject();
        });
    }
}
