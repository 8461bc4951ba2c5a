using SegKit.Datasets.Coco;
using SegKit.Masks;
using SegKit.Metrics;

namespace SegKit.Tests.Metrics;

public class CocoEvaluatorTests
{
    private static CocoDataset Gt(params CocoAnnotation[] anns) => new(
        [new CocoImage(1, 100, 100, null), new CocoImage(2, 100, 100, null)],
        [new CocoCategory(1, "a", null), new CocoCategory(2, "b", null)], anns);

    private static CocoAnnotation Box(long id, long img, long cat, double x, double y, double w, double h, bool crowd = false) =>
        new(id, img, cat, CocoSegmentation.FromPolygons([[x, y, x + w, y, x + w, y + h, x, y + h]]), w * h, new CocoBoxXywh(x, y, w, h), crowd);

    private static CocoResult Det(long img, long cat, double score, double x, double y, double w, double h) =>
        new(img, cat, score, new CocoBoxXywh(x, y, w, h), null);

    [Fact]
    public void Evaluate_PerfectDetections_ApOneAndMissingCategoryMinusOne()
    {
        CocoDataset gt = Gt(Box(1, 1, 1, 10, 10, 50, 50), Box(2, 2, 1, 0, 0, 20, 20));
        CocoEvalResult r = CocoEvaluator.Evaluate(gt, [Det(1, 1, 0.9, 10, 10, 50, 50), Det(2, 1, 0.8, 0, 0, 20, 20)], CocoIouType.Bbox);
        Assert.Equal(1.0, r.AP, 12);
        Assert.Equal(1.0, r.AP50, 12);
        Assert.Equal(-1.0, r.PerCategoryAp[2]);
        Assert.Equal(1.0, r.PerCategoryAp[1], 12);
        Assert.Equal(1.0, r.Stats[3], 12); // small: the 20×20 box
        Assert.Equal(-1.0, r.Stats[5]);    // no large object
    }

    [Fact]
    public void Evaluate_SegmOnBoxPolygons_SameAsBbox()
    {
        CocoDataset gt = Gt(Box(1, 1, 1, 10, 10, 50, 50), Box(2, 1, 2, 40, 40, 30, 30));
        CocoResult[] dt = [Det(1, 1, 0.9, 12, 10, 50, 48), Det(1, 2, 0.6, 0, 0, 10, 10), Det(1, 2, 0.7, 41, 42, 30, 30)];
        CocoEvalResult box = CocoEvaluator.Evaluate(gt, dt, CocoIouType.Bbox);
        CocoEvalResult segm = CocoEvaluator.Evaluate(gt, dt, CocoIouType.Segm);
        Assert.True(box.AP > 0);
        // Integer-aligned boxes rasterize to exactly their pixels, so mask IoU equals box IoU.
        Assert.Equal(box.Stats, segm.Stats);
    }

    [Fact]
    public void Evaluate_DetectionOnCrowdOnly_NeitherTruePositiveNorFalsePositive()
    {
        CocoDataset gt = Gt(Box(1, 1, 1, 0, 0, 50, 50), Box(2, 1, 1, 60, 60, 30, 30, crowd: true));
        // The second detection lies inside the crowd region: it is ignored, so precision stays 1.
        CocoEvalResult r = CocoEvaluator.Evaluate(gt, [Det(1, 1, 0.9, 0, 0, 50, 50), Det(1, 1, 0.95, 62, 62, 10, 10)], CocoIouType.Bbox);
        Assert.Equal(1.0, r.AP, 12);
    }

    [Fact]
    public void Evaluate_NoResults_ZeroApForCategoriesWithGroundTruth()
    {
        CocoEvalResult r = CocoEvaluator.Evaluate(Gt(Box(1, 1, 1, 0, 0, 50, 50)), [], CocoIouType.Bbox);
        Assert.Equal(0.0, r.AP);
        Assert.Equal(0.0, r.Stats[8]);
    }

    [Fact]
    public void Evaluate_ResultForUnknownImage_Throws() =>
        Assert.Throws<SegKitException>(() =>
            CocoEvaluator.Evaluate(Gt(Box(1, 1, 1, 0, 0, 5, 5)), [Det(9, 1, 0.5, 0, 0, 5, 5)], CocoIouType.Bbox));

    // pycocotools fails too (annToRLE: KeyError 'segmentation'); this was an ArgumentException, which `segkit eval coco`
    // reported as an internal error (exit 70).
    [Fact]
    public void Evaluate_SegmWithGroundTruthWithoutSegmentation_TypedError() =>
        Assert.Contains("annotation 1 (image 1) has no segmentation; segm evaluation needs one",
            Assert.Throws<SegKitException>(() =>
                CocoEvaluator.Evaluate(Gt(new CocoAnnotation(1, 1, 1, null, 25, new CocoBoxXywh(0, 0, 5, 5), false)),
                    [Det(1, 1, 0.5, 0, 0, 5, 5)], CocoIouType.Segm)).Message);

    [Fact]
    public void Evaluate_BboxWithGroundTruthWithoutBbox_TypedError() =>
        Assert.Contains("annotation 1 (image 1) has no bbox; bbox evaluation needs one",
            Assert.Throws<SegKitException>(() =>
                CocoEvaluator.Evaluate(Gt(new CocoAnnotation(1, 1, 1, CocoSegmentation.FromPolygons([[0, 0, 5, 0, 5, 5, 0, 5]]), 25, null, false)),
                    [Det(1, 1, 0.5, 0, 0, 5, 5)], CocoIouType.Bbox)).Message);

    [Fact]
    public void Params_Default_ThresholdsAsNumpyLinspace()
    {
        IReadOnlyList<double> iou = CocoEvalParams.Default.IouThresholds;
        Assert.Equal(10, iou.Count);
        Assert.Equal(0.5, iou[0]);
        Assert.Equal(0.75, iou[5]); // exactly, so AP75 finds its threshold
        Assert.Equal(0.95, iou[9]);
        Assert.Equal(0.8999999999999999, iou[8]); // as numpy prints it: 8 * (0.45 / 9) + 0.5
        Assert.Equal(101, CocoEvalParams.Default.RecallThresholds.Count);
        Assert.Equal(0.07, CocoEvalParams.Default.RecallThresholds[7]);
    }
}
