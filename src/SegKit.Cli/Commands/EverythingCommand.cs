// segkit everything <image> --encoder E --decoder D [--embedding FILE] [--save-embedding FILE]
//                   [--points-per-side 32] [--points-per-batch 64] [--pred-iou-thresh 0.88] [--stability-score-thresh 0.95]
//                   [--stability-score-offset 1.0] [--box-nms-thresh 0.7] [--crop-n-layers 0] [--crop-nms-thresh 0.7]
//                   [--crop-overlap-ratio 0.3413] [--crop-n-points-downscale-factor 1] [--min-mask-region-area 0]
//                   [--output-mode coco_rle|uncompressed_rle|binary_mask] [--out DIR] [--json] [--threads N] [--decoder-engine auto|graph]
//                   [--ignore-exif-orientation]
// segment-anything's automatic mask generator: writes <stem>.everything.json (SAM's records: segmentation, area,
// bbox, predicted_iou, point_coords, stability_score, crop_box) and <stem>.everything.jpg (each mask in its own colour);
// with --output-mode binary_mask the masks are PNGs in <stem>.everything/ and the records name them.
using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using SegKit.Imaging;
using SegKit.Onnx;
using SegKit.Prompt;

namespace SegKit.Cli;

internal static class EverythingCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var d = SamAutomaticMaskGeneratorOptions.Default;
        var image = new Argument<string>("image") { Description = "The image (JPEG/PNG)." };
        var encoder = new Option<FileInfo?>("--encoder") { Description = "SAM / MobileSAM image encoder (ONNX)." };
        var decoder = new Option<FileInfo>("--decoder") { Description = "SAM prompt encoder + mask decoder (ONNX, official export).", Required = true };
        var embedding = new Option<FileInfo?>("--embedding") { Description = "Use this saved embedding instead of running the encoder (crop_n_layers 0 only)." };
        var saveEmbedding = new Option<string?>("--save-embedding") { Description = "Save the image's embedding to this file." };
        var pointsPerSide = new Option<int>("--points-per-side") { Description = "points_per_side: points along one side (squared in all).", DefaultValueFactory = _ => d.PointsPerSide!.Value };
        var pointsPerBatch = new Option<int>("--points-per-batch") { Description = "points_per_batch: prompts per decoder batch.", DefaultValueFactory = _ => d.PointsPerBatch };
        var predIou = new Option<float>("--pred-iou-thresh") { Description = "pred_iou_thresh: keep masks whose predicted IoU is above this.", DefaultValueFactory = _ => d.PredIouThresh };
        var stability = new Option<float>("--stability-score-thresh") { Description = "stability_score_thresh: keep masks at least this stable.", DefaultValueFactory = _ => d.StabilityScoreThresh };
        var offset = new Option<float>("--stability-score-offset") { Description = "stability_score_offset: logit offset of the stability score.", DefaultValueFactory = _ => d.StabilityScoreOffset };
        var boxNms = new Option<float>("--box-nms-thresh") { Description = "box_nms_thresh: NMS IoU within a crop.", DefaultValueFactory = _ => d.BoxNmsThresh };
        var cropLayers = new Option<int>("--crop-n-layers") { Description = "crop_n_layers: extra layers of image crops (0..8); layer k adds 4^k crops, each encoded (about as long as the whole image), with a progress line per crop.", DefaultValueFactory = _ => d.CropNLayers };
        var cropNms = new Option<float>("--crop-nms-thresh") { Description = "crop_nms_thresh: NMS IoU across crops.", DefaultValueFactory = _ => d.CropNmsThresh };
        var overlap = new Option<double>("--crop-overlap-ratio") { Description = "crop_overlap_ratio: crop overlap as a fraction of the shorter side.", DefaultValueFactory = _ => d.CropOverlapRatio };
        var downscale = new Option<int>("--crop-n-points-downscale-factor") { Description = "crop_n_points_downscale_factor: points per side shrink by this per layer.", DefaultValueFactory = _ => d.CropNPointsDownscaleFactor };
        var minArea = new Option<int>("--min-mask-region-area") { Description = "min_mask_region_area: remove islands and holes smaller than this (0: off).", DefaultValueFactory = _ => d.MinMaskRegionArea };
        var outputMode = new Option<string>("--output-mode") { Description = "output_mode: coco_rle (default here), uncompressed_rle or binary_mask (PNG files).", DefaultValueFactory = _ => "coco_rle" };
        outputMode.AcceptOnlyFromAmong("coco_rle", "uncompressed_rle", "binary_mask");
        var outDir = new Option<string>("--out") { Description = "Output folder.", DefaultValueFactory = _ => "out" };
        var json = new Option<bool>("--json") { Description = "Print one JSON document with the records and stage timings." };
        var threads = new Option<int>("--threads") { Description = "ONNX Runtime threads per decoder run (0 = one thread per run and one run per core, which keeps the cores busier than threads inside one run).", DefaultValueFactory = _ => 0 };
        var engine = SamModels.DecoderEngineOption();
        var ignoreExif = ExifOption.Create();
        var command = new Command("everything", "Segment everything (SAM's automatic mask generator): writes <stem>.everything.json and <stem>.everything.jpg.")
        {
            image, encoder, decoder, embedding, saveEmbedding, pointsPerSide, pointsPerBatch, predIou, stability, offset, boxNms,
            cropLayers, cropNms, overlap, downscale, minArea, outputMode, outDir, json, threads, engine, ignoreExif,
        };

        // A command result seen by a validator does not yet hold the defaults of absent options: fall back to SAM's.
        static T Get<T>(System.CommandLine.Parsing.CommandResult r, Option<T> option, T fallback) =>
            r.GetResult(option) is null ? fallback : r.GetValue(option)!;

        SamAutomaticMaskGeneratorOptions Options(System.CommandLine.Parsing.CommandResult r) => new()
        {
            PointsPerSide = Get(r, pointsPerSide, d.PointsPerSide!.Value),
            PointsPerBatch = Get(r, pointsPerBatch, d.PointsPerBatch),
            PredIouThresh = Get(r, predIou, d.PredIouThresh),
            StabilityScoreThresh = Get(r, stability, d.StabilityScoreThresh),
            StabilityScoreOffset = Get(r, offset, d.StabilityScoreOffset),
            BoxNmsThresh = Get(r, boxNms, d.BoxNmsThresh),
            CropNLayers = Get(r, cropLayers, d.CropNLayers),
            CropNmsThresh = Get(r, cropNms, d.CropNmsThresh),
            CropOverlapRatio = Get(r, overlap, d.CropOverlapRatio),
            CropNPointsDownscaleFactor = Get(r, downscale, d.CropNPointsDownscaleFactor),
            MinMaskRegionArea = Get(r, minArea, d.MinMaskRegionArea),
            OutputMode = Get(r, outputMode, "coco_rle") switch
            {
                "binary_mask" => SamOutputMode.BinaryMask,
                "uncompressed_rle" => SamOutputMode.UncompressedRle,
                _ => SamOutputMode.CocoRle,
            },
        };

        command.Validators.Add(r =>
        {
            try
            {
                Options(r).Validate();
            }
            catch (ArgumentException e)
            {
                // The options name the property; say it as the option.
                string option = e.ParamName is { Length: > 0 } n ? OptionErrors.OptionFor(n) + ": " : "";
                r.AddError(option + OptionErrors.Text(e));
            }
            if (r.GetValue(encoder) is null && r.GetValue(embedding) is null)
                r.AddError("--encoder (or a saved --embedding) is required");
            if (r.GetValue(encoder) is null && Get(r, cropLayers, 0) > 0)
                r.AddError("--crop-n-layers > 0 needs --encoder: every crop is encoded");
            if (ThreadsOption.Check(r.GetValue(threads)) is { } threadsError) r.AddError(threadsError);
        });
        command.SetAction((parse, cancel) =>
        {
            ThreadsOption.WarnIfOversubscribed(parse.GetValue(threads), stderr);
            return Task.FromResult(Run(parse.GetValue(image)!, ExifOption.DecoderOptions(parse, ignoreExif), parse.GetValue(encoder), parse.GetValue(decoder)!,
            parse.GetValue(embedding), parse.GetValue(saveEmbedding), Options(parse.CommandResult), parse.GetValue(outputMode)!, parse.GetValue(outDir)!,
            parse.GetValue(json), parse.GetValue(threads), SamModels.ParseEngine(parse.GetValue(engine)!), stdout, stderr, cancel));
        });
        return command;
    }

    private static int Run(string imagePath, ImageDecoderOptions decoding, FileInfo? encoderFile, FileInfo decoderFile, FileInfo? embeddingFile, string? saveEmbedding,
        SamAutomaticMaskGeneratorOptions options, string outputMode, string outDir, bool json, int threads, SamDecoderEngine engine,
        TextWriter stdout, TextWriter stderr, CancellationToken cancel)
    {
        SamModels.CheckOutputs(outDir, saveEmbedding, ("image", imagePath), ("--encoder", encoderFile?.FullName), ("--decoder", decoderFile.FullName),
            ("--embedding", embeddingFile?.FullName));
        var timings = new StageTimings();
        long t = Stopwatch.GetTimestamp();
        var image = ImageDecoder.DecodeRgb(imagePath, decoding);
        timings.DecodeMs = StageTimings.Since(t);
        // The decoder's operators are small: by default one run per core, each on one thread (measured faster than two
        // threads inside one run, and much steadier on a busy machine). --threads N gives each run N threads, one run at a time.
        var decoderOptions = new SessionOptions { IntraOpThreads = threads == 0 ? 1 : threads };
        using var decoder = SamDecoder.Open(decoderFile.FullName, decoderOptions, engine);
        using var encoder = encoderFile is null ? null : SamEncoder.Open(encoderFile.FullName, new SessionOptions { IntraOpThreads = threads });
        using var predictor = new SamPredictor(decoder, encoder);
        var embedding = SamModels.Embedding(predictor, image, imagePath, embeddingFile, saveEmbedding, timings);

        var generator = new SamAutomaticMaskGenerator(predictor, options)
        {
            MaxConcurrentDecoderRuns = threads == 0 ? Environment.ProcessorCount : 1,
            // Every crop is encoded (4^layer per layer): a line per crop, with the time left at the pace so far.
            CropDone = options.CropNLayers == 0 ? null : p => stderr.WriteLine(
                $"[crop {p.Done}/{p.Total}] layer {p.Layer} ({p.Crop.X0},{p.Crop.Y0})–({p.Crop.X1},{p.Crop.Y1}): {p.ElapsedMs / 1000:0.0} s so far" +
                (p.Done < p.Total ? $", about {p.ElapsedMs / p.Done * (p.Total - p.Done) / 1000:0} s left" : "")),
        };
        var result = generator.Generate(image, embedding, cancel);
        var s = result.Timings;
        timings.PreprocessMs += s.EncoderMs; // crops encoded by the generator (preprocess and encoder together)
        timings.InferenceMs += s.DecoderMs;
        timings.PostprocessMs = s.FilterMs + s.NmsMs + s.MasksMs + s.SmallRegionsMs;

        t = Stopwatch.GetTimestamp();
        Directory.CreateDirectory(outDir);
        string stem = Path.GetFileNameWithoutExtension(imagePath);
        string? maskDir = null;
        if (options.OutputMode == SamOutputMode.BinaryMask)
        {
            maskDir = Path.Combine(outDir, stem + ".everything");
            Directory.CreateDirectory(maskDir);
            for (int i = 0; i < result.Records.Count; i++)
                PngEncoder.Save(SamPictures.MaskImage(result.Records[i].Mask!), Path.Combine(maskDir, $"{i}.png"));
        }
        string overlayPath = Path.Combine(outDir, stem + ".everything.jpg");
        JpegEncoder.Save(SamPictures.EverythingOverlay(image, result.Records), overlayPath);
        string jsonPath = Path.Combine(outDir, stem + ".everything.json");

        void WriteRecords(Utf8JsonWriter w)
        {
            w.WriteStartArray();
            for (int i = 0; i < result.Records.Count; i++)
            {
                var r = result.Records[i];
                w.WriteStartObject();
                switch (options.OutputMode)
                {
                    case SamOutputMode.CocoRle:
                        SamModels.WriteRle(w, "segmentation", r.Segmentation);
                        break;
                    case SamOutputMode.UncompressedRle:
                        w.WriteStartObject("segmentation");
                        SamModels.WriteNumbers(w, "size", r.Segmentation.Height, r.Segmentation.Width);
                        w.WriteStartArray("counts");
                        foreach (uint c in r.Segmentation.Counts) w.WriteNumberValue(c);
                        w.WriteEndArray();
                        w.WriteEndObject();
                        break;
                    default:
                        w.WriteString("segmentation", Path.Combine(maskDir!, $"{i}.png"));
                        break;
                }
                w.WriteNumber("area", r.Area);
                SamModels.WriteNumbers(w, "bbox", r.Bbox.X, r.Bbox.Y, r.Bbox.Width, r.Bbox.Height);
                w.WriteNumber("predicted_iou", r.PredictedIou);
                w.WriteStartArray("point_coords");
                w.WriteStartArray();
                w.WriteNumberValue(r.PointCoords.X);
                w.WriteNumberValue(r.PointCoords.Y);
                w.WriteEndArray();
                w.WriteEndArray();
                if (float.IsNaN(r.StabilityScore)) w.WriteNull("stability_score");
                else w.WriteNumber("stability_score", r.StabilityScore);
                SamModels.WriteNumbers(w, "crop_box", r.CropBox.X, r.CropBox.Y, r.CropBox.Width, r.CropBox.Height);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }

        var records = new StringWriter();
        JsonOut.Print(records, WriteRecords);
        AtomicFile.WriteAllText(jsonPath, records.ToString());
        timings.EncodeMs = StageTimings.Since(t);

        if (json)
        {
            JsonOut.Print(stdout, w =>
            {
                w.WriteStartObject();
                w.WriteString("image", imagePath);
                w.WriteNumber("width", image.Width);
                w.WriteNumber("height", image.Height);
                SamModels.WriteDecoder(w, decoder, decoderFile);
                SamModels.WriteEmbedding(w, embedding, embeddingFile);
                w.WriteStartObject("options");
                w.WriteNumber("points_per_side", options.PointsPerSide!.Value);
                w.WriteNumber("points_per_batch", options.PointsPerBatch);
                w.WriteNumber("pred_iou_thresh", options.PredIouThresh);
                w.WriteNumber("stability_score_thresh", options.StabilityScoreThresh);
                w.WriteNumber("stability_score_offset", options.StabilityScoreOffset);
                w.WriteNumber("box_nms_thresh", options.BoxNmsThresh);
                w.WriteNumber("crop_n_layers", options.CropNLayers);
                w.WriteNumber("crop_nms_thresh", options.CropNmsThresh);
                w.WriteNumber("crop_overlap_ratio", options.CropOverlapRatio);
                w.WriteNumber("crop_n_points_downscale_factor", options.CropNPointsDownscaleFactor);
                w.WriteNumber("min_mask_region_area", options.MinMaskRegionArea);
                w.WriteString("output_mode", outputMode);
                w.WriteEndObject();
                w.WriteNumber("prompts", result.PromptCount);
                w.WriteNumber("candidates", result.CandidateCount);
                w.WritePropertyName("records");
                WriteRecords(w);
                w.WriteStartObject("stages");
                w.WriteNumber("encoder", Math.Round(s.EncoderMs, 3));
                w.WriteNumber("decoder", Math.Round(s.DecoderMs, 3));
                w.WriteNumber("filter", Math.Round(s.FilterMs, 3));
                w.WriteNumber("nms", Math.Round(s.NmsMs, 3));
                w.WriteNumber("masks", Math.Round(s.MasksMs, 3));
                w.WriteNumber("small_regions", Math.Round(s.SmallRegionsMs, 3));
                w.WriteEndObject();
                w.WriteStartObject("outputs");
                w.WriteString("json", jsonPath);
                w.WriteString("overlay", overlayPath);
                if (maskDir is not null) w.WriteString("masks", maskDir);
                if (saveEmbedding is not null) w.WriteString("embedding", saveEmbedding);
                w.WriteEndObject();
                JsonOut.WriteTimings(w, timings);
                w.WriteEndObject();
            });
        }
        else
        {
            stdout.WriteLine($"{result.Records.Count} masks from {result.PromptCount} prompts ({result.CandidateCount} passed the filters) → {jsonPath}, {overlayPath}");
        }
        return ExitCodes.Ok;
    }
}
