namespace SegKit.Masks;

/// <summary>
/// Non-maximum suppression with torchvision's semantics (<c>torchvision.ops.nms</c>, CPU kernel), in float32:
/// boxes are visited by decreasing score (a stable sort: equal scores keep their input order, as torchvision's
/// <c>scores.sort(stable=True, descending=True)</c>); a box is dropped when its IoU with a kept box is strictly
/// greater than the threshold. IoU = inter / (area_i + area_j − inter) with area = (x2 − x1)(y2 − y1), so two
/// zero-area boxes give NaN and never suppress each other, and inverted boxes have negative area, as in torchvision.
/// NaN scores are not supported.
/// </summary>
public static class Nms
{
    /// <summary>
    /// Indices of the boxes kept, by decreasing score.
    /// </summary>
    /// <param name="boxes">XYXY boxes in pixels.</param>
    /// <param name="scores">One score per box.</param>
    /// <param name="iouThreshold">Suppress when IoU &gt; this.</param>
    public static int[] Run(ReadOnlySpan<BoxXyxy> boxes, ReadOnlySpan<float> scores, float iouThreshold)
    {
        if (boxes.Length != scores.Length)
            throw new ArgumentException($"{boxes.Length} boxes but {scores.Length} scores", nameof(scores));
        int n = boxes.Length;
        if (n == 0) return [];
        int[] order = OrderByScoreDescending(scores);
        var areas = new float[n];
        for (int i = 0; i < n; i++) areas[i] = (boxes[i].X2 - boxes[i].X1) * (boxes[i].Y2 - boxes[i].Y1);
        var suppressed = new bool[n];
        var keep = new List<int>();
        for (int oi = 0; oi < n; oi++)
        {
            int i = order[oi];
            if (suppressed[i]) continue;
            keep.Add(i);
            BoxXyxy bi = boxes[i];
            float iarea = areas[i];
            for (int oj = oi + 1; oj < n; oj++)
            {
                int j = order[oj];
                if (suppressed[j]) continue;
                BoxXyxy bj = boxes[j];
                // std::max / std::min as the C++ kernel writes them (first argument wins ties and NaN).
                float xx1 = CMax(bi.X1, bj.X1);
                float yy1 = CMax(bi.Y1, bj.Y1);
                float xx2 = CMin(bi.X2, bj.X2);
                float yy2 = CMin(bi.Y2, bj.Y2);
                float w = CMax(0f, xx2 - xx1);
                float h = CMax(0f, yy2 - yy1);
                float inter = w * h;
                float ovr = inter / (iarea + areas[j] - inter);
                if (ovr > iouThreshold) suppressed[j] = true;
            }
        }
        return keep.ToArray();
    }

    /// <summary>
    /// NMS done independently per class id, with torchvision's <c>batched_nms</c>: up to 1000 boxes it offsets each
    /// box by classId × (max coordinate + 1) in float32 and runs one NMS (the "coordinate trick", whose float
    /// rounding can differ from exact per-class IoU at the margin); above 1000 boxes it runs NMS per class and sorts
    /// the kept indices by decreasing score. Returns kept indices by decreasing score.
    /// </summary>
    public static int[] BatchedNms(ReadOnlySpan<BoxXyxy> boxes, ReadOnlySpan<float> scores, ReadOnlySpan<int> classIds, float iouThreshold)
    {
        if (boxes.Length != scores.Length || boxes.Length != classIds.Length)
            throw new ArgumentException($"{boxes.Length} boxes, {scores.Length} scores and {classIds.Length} class ids: counts must match");
        int n = boxes.Length;
        if (n == 0) return [];
        // torchvision's threshold is on boxes.numel() > 4000 (CPU).
        return n * 4 > 4000
            ? BatchedVanilla(boxes, scores, classIds, iouThreshold)
            : BatchedCoordinateTrick(boxes, scores, classIds, iouThreshold);
    }

    private static int[] BatchedCoordinateTrick(ReadOnlySpan<BoxXyxy> boxes, ReadOnlySpan<float> scores, ReadOnlySpan<int> classIds, float iouThreshold)
    {
        float max = float.NegativeInfinity;
        foreach (BoxXyxy b in boxes) max = MathF.Max(max, MathF.Max(MathF.Max(b.X1, b.Y1), MathF.Max(b.X2, b.Y2)));
        float step = max + 1f;
        var shifted = new BoxXyxy[boxes.Length];
        for (int i = 0; i < boxes.Length; i++)
        {
            float off = classIds[i] * step;
            BoxXyxy b = boxes[i];
            shifted[i] = new BoxXyxy(b.X1 + off, b.Y1 + off, b.X2 + off, b.Y2 + off);
        }
        return Run(shifted, scores, iouThreshold);
    }

    private static int[] BatchedVanilla(ReadOnlySpan<BoxXyxy> boxes, ReadOnlySpan<float> scores, ReadOnlySpan<int> classIds, float iouThreshold)
    {
        var keepMask = new bool[boxes.Length];
        int[] classes = classIds.ToArray();
        foreach (int c in classes.Distinct().Order())
        {
            var idx = new List<int>();
            for (int i = 0; i < classes.Length; i++) if (classes[i] == c) idx.Add(i);
            var b = new BoxXyxy[idx.Count];
            var s = new float[idx.Count];
            for (int k = 0; k < idx.Count; k++) { b[k] = boxes[idx[k]]; s[k] = scores[idx[k]]; }
            foreach (int k in Run(b, s, iouThreshold)) keepMask[idx[k]] = true;
        }
        var kept = new List<int>();
        for (int i = 0; i < keepMask.Length; i++) if (keepMask[i]) kept.Add(i);
        var keptScores = new float[kept.Count];
        for (int k = 0; k < kept.Count; k++) keptScores[k] = scores[kept[k]];
        int[] order = OrderByScoreDescending(keptScores);
        var r = new int[order.Length];
        for (int k = 0; k < order.Length; k++) r[k] = kept[order[k]];
        return r;
    }

    // Stable: equal scores keep input order.
    private static int[] OrderByScoreDescending(ReadOnlySpan<float> scores)
    {
        var order = new int[scores.Length];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        float[] s = scores.ToArray();
        Array.Sort(order, (a, b) =>
        {
            int c = s[b].CompareTo(s[a]);
            return c != 0 ? c : a.CompareTo(b);
        });
        return order;
    }

    private static float CMax(float a, float b) => a < b ? b : a;

    private static float CMin(float a, float b) => b < a ? b : a;
}
