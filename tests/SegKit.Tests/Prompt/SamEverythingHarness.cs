using System.Globalization;
using System.Text.Json;
using SegKit.Prompt;
using SegKit.Tests.TestSupport;

namespace SegKit.Tests.Prompt;

/// <summary>
/// Records the decoder outputs of an everything-mode run, replays them through the literal Python port of
/// segment-anything's SamAutomaticMaskGenerator (tools/fixtures/sam_amg_replay.py), and compares the records.
/// </summary>
internal sealed class SamEverythingHarness
{
    private readonly Dictionary<int, List<(float X, float Y, float[] Low, float[] Iou)>> _crops = new();

    /// <summary>For <see cref="SamAutomaticMaskGenerator.DecoderObserver"/>: keeps each prompt's multimask outputs (masks 1..3).</summary>
    public void Observe(int crop, float[] coords, SamDecoderOutput output)
    {
        lock (_crops)
        {
            if (!_crops.TryGetValue(crop, out var list)) _crops[crop] = list = [];
            for (int b = 0; b < output.Batch; b++)
            {
                var low = new float[3 * output.Plane];
                var iou = new float[3];
                for (int k = 1; k <= 3; k++)
                {
                    output.LowRes(b, k).CopyTo(low.AsSpan((k - 1) * output.Plane));
                    iou[k - 1] = output.Iou(b, k);
                }
                list.Add((coords[4 * b], coords[4 * b + 1], low, iou));
            }
        }
    }

    public IReadOnlyDictionary<int, List<(float X, float Y, float[] Low, float[] Iou)>> Crops => _crops;

    /// <summary>Runs the port on the recorded outputs and returns its records.</summary>
    public JsonElement[] Replay(int width, int height, SamAutomaticMaskGeneratorOptions o)
    {
        string dir = TestPaths.NewTempDir();
        try
        {
            foreach (var (crop, list) in _crops)
            {
                int p = list.Count, plane = list[0].Low.Length / 3;
                var coords = new float[p * 2];
                var low = new float[p * 3 * plane];
                var iou = new float[p * 3];
                for (int i = 0; i < p; i++)
                {
                    coords[2 * i] = list[i].X;
                    coords[2 * i + 1] = list[i].Y;
                    list[i].Low.CopyTo(low, i * 3 * plane);
                    list[i].Iou.CopyTo(iou, i * 3);
                }
                int side = (int)Math.Sqrt(plane);
                Npy.Write(Path.Combine(dir, $"crop{crop}_coords.npy"), coords, p, 2);
                Npy.Write(Path.Combine(dir, $"crop{crop}_low.npy"), low, p, 3, side, side);
                Npy.Write(Path.Combine(dir, $"crop{crop}_iou.npy"), iou, p, 3);
            }
            // Floats go over as the exact double of the float32 (torch compares float32 tensors with them as float32).
            var options = new Dictionary<string, object>
            {
                ["height"] = height, ["width"] = width,
                ["points_per_side"] = o.PointsPerSide!.Value, ["points_per_batch"] = o.PointsPerBatch,
                ["pred_iou_thresh"] = (double)o.PredIouThresh, ["stability_score_thresh"] = (double)o.StabilityScoreThresh,
                ["stability_score_offset"] = (double)o.StabilityScoreOffset, ["box_nms_thresh"] = (double)o.BoxNmsThresh,
                ["crop_n_layers"] = o.CropNLayers, ["crop_nms_thresh"] = (double)o.CropNmsThresh,
                ["crop_overlap_ratio"] = o.CropOverlapRatio, ["crop_n_points_downscale_factor"] = o.CropNPointsDownscaleFactor,
                ["min_mask_region_area"] = o.MinMaskRegionArea,
            };
            File.WriteAllText(Path.Combine(dir, "options.json"), JsonSerializer.Serialize(options));
            Fixtures.RunScript("sam_amg_replay", "--dump", dir);
            return JsonDocument.Parse(File.ReadAllBytes(Path.Combine(dir, "records.json"))).RootElement.EnumerateArray().ToArray();
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Asserts SegKit's records equal the port's, field for field and in order.</summary>
    public static void AssertSame(JsonElement[] expected, IReadOnlyList<SamMaskRecord> actual)
    {
        Assert.Equal(expected.Length, actual.Count);
        for (int i = 0; i < expected.Length; i++)
        {
            var e = expected[i];
            var a = actual[i];
            string at = $"record {i}";
            Assert.True(e.GetProperty("counts").EnumerateArray().Select(v => v.GetUInt32()).SequenceEqual(a.Segmentation.Counts.ToArray()), at + ": RLE differs");
            Assert.Equal(e.GetProperty("size")[0].GetInt32(), a.Segmentation.Height);
            Assert.Equal(e.GetProperty("area").GetInt64(), a.Area);
            var b = e.GetProperty("bbox").EnumerateArray().Select(v => (float)v.GetInt32()).ToArray();
            Assert.Equal(new SegKit.Masks.BoxXywh(b[0], b[1], b[2], b[3]), a.Bbox);
            Assert.Equal((float)e.GetProperty("predicted_iou").GetDouble(), a.PredictedIou);
            var s = e.GetProperty("stability_score");
            if (s.ValueKind == JsonValueKind.Null) Assert.True(float.IsNaN(a.StabilityScore), at);
            else Assert.Equal((float)s.GetDouble(), a.StabilityScore);
            var p = e.GetProperty("point_coords");
            Assert.Equal((p[0].GetDouble(), p[1].GetDouble()), a.PointCoords);
            var c = e.GetProperty("crop_box").EnumerateArray().Select(v => (float)v.GetInt32()).ToArray();
            Assert.Equal(new SegKit.Masks.BoxXywh(c[0], c[1], c[2], c[3]), a.CropBox);
        }
    }

    public static string Describe(IReadOnlyList<SamMaskRecord> records) =>
        string.Join("; ", records.Take(5).Select(r => string.Create(CultureInfo.InvariantCulture,
            $"iou {r.PredictedIou:F4} stab {r.StabilityScore:F4} area {r.Area} bbox {r.Bbox}")));
}
