using System.Text.Json;
using SegKit.Datasets.Coco;
using SegKit.Metrics;
using SegKit.Tests.TestSupport;

namespace SegKit.Tests.Metrics;

/// <summary>Every case of ../shared/reference/coco/coco_eval_expected.json (pycocotools COCOeval) must match to 1e-9.</summary>
public class CocoEvaluatorReferenceTests
{
    private static readonly Lazy<JsonDocument> s_expected = new(() =>
        JsonDocument.Parse(File.ReadAllBytes(TestPaths.SharedReference("coco", "coco_eval_expected.json"))));

    public static TheoryData<int, string> Cases()
    {
        var d = new TheoryData<int, string>();
        int n = s_expected.Value.RootElement.GetProperty("cases").GetArrayLength();
        for (int i = 0; i < n; i++)
        {
            d.Add(i, "bbox");
            d.Add(i, "segm");
        }
        return d;
    }

    private static CocoEvalResult Run(int index, string iouType, out JsonElement expected)
    {
        JsonElement c = s_expected.Value.RootElement.GetProperty("cases")[index];
        expected = c.GetProperty(iouType);
        CocoDataset gt = CocoDataset.Load(TestPaths.SharedReference("coco", c.GetProperty("gt").GetString()!));
        IReadOnlyList<CocoResult> dt = CocoResults.Load(TestPaths.SharedReference("coco", c.GetProperty("dt").GetString()!));
        return CocoEvaluator.Evaluate(gt, dt, iouType == "bbox" ? CocoIouType.Bbox : CocoIouType.Segm);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Evaluate_ReferenceCase_StatsMatchPycocotools(int index, string iouType)
    {
        CocoEvalResult r = Run(index, iouType, out JsonElement expected);
        double[] stats = expected.GetProperty("stats").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Assert.Equal(12, r.Stats.Count);
        for (int i = 0; i < 12; i++)
            Assert.True(Math.Abs(stats[i] - r.Stats[i]) <= 1e-9, $"stat {i}: expected {stats[i]:R}, got {r.Stats[i]:R}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Evaluate_ReferenceCase_PerCategoryApMatchesPycocotools(int index, string iouType)
    {
        CocoEvalResult r = Run(index, iouType, out JsonElement expected);
        var perCat = expected.GetProperty("per_category_ap").EnumerateObject().ToDictionary(p => long.Parse(p.Name), p => p.Value.GetDouble());
        Assert.Equal(perCat.Keys.Order(), r.PerCategoryAp.Keys.Order());
        foreach ((long cat, double ap) in perCat)
            Assert.True(Math.Abs(ap - r.PerCategoryAp[cat]) <= 1e-9, $"category {cat}: expected {ap:R}, got {r.PerCategoryAp[cat]:R}");
    }
}
