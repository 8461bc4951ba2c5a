using SegKit.Datasets.Coco;
using SegKit.Masks;

namespace SegKit.Metrics;

/// <summary>What COCO evaluation compares: boxes or masks.</summary>
public enum CocoIouType
{
    /// <summary>Box IoU on (x, y, w, h) (pycocotools' <c>bbIou</c>).</summary>
    Bbox,

    /// <summary>Mask IoU on RLEs (pycocotools' <c>rleIou</c>).</summary>
    Segm,
}

/// <summary>An object-size bucket: an annotation belongs when Min ≤ area ≤ Max (both ends inclusive, as COCOeval).</summary>
public readonly record struct CocoAreaRange(string Label, double Min, double Max);

/// <summary>COCOeval's <c>Params</c> for bbox / segm; <see cref="Default"/> is pycocotools' default.</summary>
public sealed record CocoEvalParams
{
    /// <summary>pycocotools' defaults.</summary>
    public static CocoEvalParams Default { get; } = new();

    /// <summary>IoU thresholds: np.linspace(.5, .95, 10), bit for bit.</summary>
    public IReadOnlyList<double> IouThresholds { get; init; } = Linspace(0.5, 0.95, 10);

    /// <summary>Recall points: np.linspace(0, 1, 101), bit for bit.</summary>
    public IReadOnlyList<double> RecallThresholds { get; init; } = Linspace(0.0, 1.00, 101);

    /// <summary>Detections kept per image for the recall columns; sorted before use. The summary needs three.</summary>
    public IReadOnlyList<int> MaxDets { get; init; } = [1, 10, 100];

    /// <summary>Area buckets: all, small (&lt; 32²), medium, large (&gt; 96²). The summary looks them up by these labels.</summary>
    public IReadOnlyList<CocoAreaRange> AreaRanges { get; init; } =
    [
        new("all", 0, 1e5 * 1e5), new("small", 0, 32 * 32), new("medium", 32 * 32, 96 * 96), new("large", 96 * 96, 1e5 * 1e5),
    ];

    /// <summary>Images to evaluate; null means every ground-truth image.</summary>
    public IReadOnlyList<long>? ImageIds { get; init; }

    /// <summary>Categories to evaluate; null means every ground-truth category.</summary>
    public IReadOnlyList<long>? CategoryIds { get; init; }

    /// <summary>NumPy's linspace with endpoint: start + i × ((stop − start) / (num − 1)), and exactly stop last.</summary>
    public static double[] Linspace(double start, double stop, int num)
    {
        var r = new double[num];
        double step = (stop - start) / (num - 1);
        for (int i = 0; i < num; i++) r[i] = i * step + start;
        if (num > 1) r[^1] = stop;
        return r;
    }
}

/// <summary>The output of <see cref="CocoEvaluator.Evaluate"/>: COCOeval's <c>eval</c> arrays and <c>stats</c>.</summary>
public sealed class CocoEvalResult
{
    internal CocoEvalResult(CocoEvalParams p, long[] categoryIds, double[,,,,] precision, double[,,,] recall)
    {
        Params = p;
        CategoryIds = categoryIds;
        Precision = precision;
        Recall = recall;
        Stats = Summarize();
        var perCat = new Dictionary<long, double>();
        int all = AreaIndex("all"), m = p.MaxDets.Count - 1;
        for (int k = 0; k < categoryIds.Length; k++)
        {
            double s = 0;
            int n = 0;
            for (int t = 0; t < precision.GetLength(0); t++)
                for (int r = 0; r < precision.GetLength(1); r++)
                {
                    double v = precision[t, r, k, all, m];
                    if (v > -1) { s += v; n++; }
                }
            perCat[categoryIds[k]] = n == 0 ? -1 : s / n;
        }
        PerCategoryAp = perCat;
    }

    /// <summary>The parameters used (maxDets sorted).</summary>
    public CocoEvalParams Params { get; }

    /// <summary>Evaluated categories, ascending; the K axis of <see cref="Precision"/>.</summary>
    public IReadOnlyList<long> CategoryIds { get; }

    /// <summary>Interpolated precision [T iou thresholds, R recall points, K categories, A area ranges, M maxDets]; −1 where a category has no ground truth.</summary>
    public double[,,,,] Precision { get; }

    /// <summary>Final recall [T, K, A, M]; −1 where a category has no ground truth.</summary>
    public double[,,,] Recall { get; }

    /// <summary>COCOeval.stats: AP, AP50, AP75, APs, APm, APl, AR1, AR10, AR100, ARs, ARm, ARl (−1 where undefined).</summary>
    public IReadOnlyList<double> Stats { get; }

    /// <summary>AP at IoU .50:.95, area all, maxDets 100.</summary>
    public double AP => Stats[0];

    /// <summary>AP at IoU .50.</summary>
    public double AP50 => Stats[1];

    /// <summary>AP at IoU .75.</summary>
    public double AP75 => Stats[2];

    /// <summary>
    /// Per category: precision averaged over IoU thresholds and recall points where it is defined (&gt; −1),
    /// area all, the largest maxDets; −1 for a category without ground truth.
    /// </summary>
    public IReadOnlyDictionary<long, double> PerCategoryAp { get; }

    private int AreaIndex(string label)
    {
        for (int i = 0; i < Params.AreaRanges.Count; i++) if (Params.AreaRanges[i].Label == label) return i;
        throw new InvalidOperationException($"no area range labelled '{label}'");
    }

    // COCOeval.summarize()._summarizeDets.
    private double[] Summarize()
    {
        IReadOnlyList<int> md = Params.MaxDets;
        if (md.Count < 3) throw new InvalidOperationException($"COCO's summary needs three maxDets; {md.Count} given");
        return
        [
            Mean(true, null, "all", md[2]), Mean(true, 0.5, "all", md[2]), Mean(true, 0.75, "all", md[2]),
            Mean(true, null, "small", md[2]), Mean(true, null, "medium", md[2]), Mean(true, null, "large", md[2]),
            Mean(false, null, "all", md[0]), Mean(false, null, "all", md[1]), Mean(false, null, "all", md[2]),
            Mean(false, null, "small", md[2]), Mean(false, null, "medium", md[2]), Mean(false, null, "large", md[2]),
        ];
    }

    private double Mean(bool ap, double? iouThr, string area, int maxDets)
    {
        int a = AreaIndex(area);
        int m = -1;
        for (int i = 0; i < Params.MaxDets.Count; i++) if (Params.MaxDets[i] == maxDets) m = i;
        double s = 0;
        long n = 0;
        for (int t = 0; t < Params.IouThresholds.Count; t++)
        {
            // np.where(iouThr == p.iouThrs): exact comparison.
            if (iouThr is double thr && Params.IouThresholds[t] != thr) continue;
            for (int k = 0; k < CategoryIds.Count; k++)
            {
                if (ap)
                {
                    for (int r = 0; r < Params.RecallThresholds.Count; r++)
                    {
                        double v = Precision[t, r, k, a, m];
                        if (v > -1) { s += v; n++; }
                    }
                }
                else
                {
                    double v = Recall[t, k, a, m];
                    if (v > -1) { s += v; n++; }
                }
            }
        }
        return n == 0 ? -1 : s / n;
    }
}

/// <summary>
/// COCO detection / instance-segmentation evaluation, reproducing pycocotools' <c>COCOeval</c> (evaluate, accumulate,
/// summarize) for iouType "bbox" and "segm" with useCats = 1. Results are loaded as <c>COCO.loadRes</c> loads them:
/// ids 1..N in file order, iscrowd 0, and the area used for the size buckets taken from the result's bbox (w × h)
/// when the first result has a bbox, from its mask otherwise, whichever iouType is evaluated.
/// </summary>
public static class CocoEvaluator
{
    /// <summary>Evaluates <paramref name="results"/> against <paramref name="groundTruth"/>.</summary>
    /// <exception cref="ArgumentException">A result names an image that is not in the ground truth, or lacks what loadRes needs.</exception>
    public static CocoEvalResult Evaluate(CocoDataset groundTruth, IReadOnlyList<CocoResult> results, CocoIouType iouType, CocoEvalParams? parameters = null)
    {
        ArgumentNullException.ThrowIfNull(groundTruth);
        ArgumentNullException.ThrowIfNull(results);
        CocoEvalParams p = parameters ?? CocoEvalParams.Default;
        p = p with { MaxDets = p.MaxDets.Order().ToArray() };
        return new Evaluation(groundTruth, results, iouType, p).Run();
    }

    private sealed class Ann
    {
        public long Id, ImageId, CategoryId;
        public double Area, Score;
        public bool IsCrowd, Ignore;
        public CocoBoxXywh Bbox;
        public bool HasBbox = true;
        public CocoSegmentation? Segmentation;
        public CocoRle? Rle;
    }

    private sealed class EvalImg
    {
        public required long[,] DtMatches;   // [T, D] matched gt id, 0 when unmatched
        public required double[] DtScores;
        public required bool[] GtIgnore;
        public required bool[,] DtIgnore;     // [T, D]
    }

    private sealed class Evaluation(CocoDataset gtSet, IReadOnlyList<CocoResult> results, CocoIouType iouType, CocoEvalParams p)
    {
        private readonly Dictionary<long, CocoImage> _images = gtSet.Images.GroupBy(i => i.Id).ToDictionary(g => g.Key, g => g.Last());
        private readonly Dictionary<(long Img, long Cat), List<Ann>> _gts = [];
        private readonly Dictionary<(long Img, long Cat), List<Ann>> _dts = [];
        private readonly Dictionary<(long Img, long Cat), double[,]> _ious = [];
        private long[] _imgIds = [];
        private long[] _catIds = [];
        private static readonly double[,] s_noIous = new double[0, 0];
        private int[][] _imagesOf = [];

        public CocoEvalResult Run()
        {
            _imgIds = (p.ImageIds ?? _images.Keys.ToList()).Distinct().Order().ToArray();
            _catIds = (p.CategoryIds ?? gtSet.Categories.Select(c => c.Id).ToList()).Distinct().Order().ToArray();
            Prepare();
            // Every (image, category) is independent until accumulation, and every category after it: both stages run
            // in parallel, each writing only its own slots, so the result does not depend on scheduling.
            // IoUs are needed only where an image has both ground truth and detections of a category (COCOeval's [] elsewhere).
            SortDetectionsByScore();
            (long Img, long Cat)[] pairs = _dts.Keys.Where(_gts.ContainsKey).ToArray();
            var ious = new double[pairs.Length][,];
            Parallel.For(0, pairs.Length, j => ious[j] = ComputeIou(pairs[j].Img, pairs[j].Cat));
            for (int j = 0; j < pairs.Length; j++) _ious[pairs[j]] = ious[j];
            int maxDet = p.MaxDets[^1];
            int A = p.AreaRanges.Count, I = _imgIds.Length;
            var evalImgs = new EvalImg?[_catIds.Length * A * I];
            // Per category, the images (ascending) with ground truth or detections of it: evaluateImg is None elsewhere.
            var imageIndex = new Dictionary<long, int>(I);
            for (int i = 0; i < I; i++) imageIndex[_imgIds[i]] = i;
            var catIndex = new Dictionary<long, int>(_catIds.Length);
            for (int k = 0; k < _catIds.Length; k++) catIndex[_catIds[k]] = k;
            var sets = new SortedSet<int>[_catIds.Length];
            for (int k = 0; k < sets.Length; k++) sets[k] = [];
            foreach ((long img, long cat) in _gts.Keys.Concat(_dts.Keys))
                if (catIndex.TryGetValue(cat, out int k) && imageIndex.TryGetValue(img, out int i)) sets[k].Add(i);
            _imagesOf = sets.Select(x => x.ToArray()).ToArray();
            Parallel.For(0, _catIds.Length, k =>
            {
                for (int a = 0; a < A; a++)
                    foreach (int i in _imagesOf[k])
                        evalImgs[(k * A + a) * I + i] = EvaluateImg(_imgIds[i], _catIds[k], p.AreaRanges[a], maxDet);
            });
            return Accumulate(evalImgs);
        }

        // COCO.loadRes + COCOeval._prepare.
        private void Prepare()
        {
            List<Ann> dtAnns = LoadResults();
            List<Ann> gtAnns = gtSet.Annotations.Select(a => new Ann
            {
                Id = a.Id, ImageId = a.ImageId, CategoryId = a.CategoryId, Area = a.Area, IsCrowd = a.IsCrowd,
                Ignore = a.IsCrowd, // _prepare overwrites any 'ignore' field with iscrowd
                Bbox = a.Bbox ?? default, HasBbox = a.Bbox is not null, Segmentation = a.Segmentation,
            }).ToList();
            // Annotations are listed as getAnnIds + loadAnns do: images in ascending id order, each image's annotations
            // in file order, each looked up again by id (so with duplicate ids the last one wins).
            List<Ann> gts = ListForEvaluation(gtAnns, requireBbox: iouType == CocoIouType.Bbox).ToList();
            List<Ann> dts = ListForEvaluation(dtAnns, requireBbox: false).ToList();
            if (iouType == CocoIouType.Segm)
            {
                // annToRLE: rasterizing polygons is the costly part of preparing COCO's own ground truth; in parallel.
                // (An annotation listed twice is the same object: it may be rasterized twice, to the same value.)
                Ann[] todo = gts.Concat(dts).Where(a => a.Rle is null).ToArray();
                try
                {
                    Parallel.For(0, todo.Length, j =>
                    {
                        CocoImage im = _images[todo[j].ImageId];
                        todo[j].Rle = todo[j].Segmentation!.ToRle(im.Height, im.Width);
                    });
                }
                catch (AggregateException e) when (e.InnerExceptions.Count > 0)
                {
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
                }
            }
            foreach (Ann g in gts) Add(_gts, g);
            foreach (Ann d in dts) Add(_dts, d);
        }

        private IEnumerable<Ann> ListForEvaluation(List<Ann> anns, bool requireBbox)
        {
            var byId = new Dictionary<long, Ann>();
            var byImage = new Dictionary<long, List<Ann>>();
            foreach (Ann a in anns)
            {
                byId[a.Id] = a;
                if (!byImage.TryGetValue(a.ImageId, out List<Ann>? l)) byImage[a.ImageId] = l = [];
                l.Add(a);
            }
            var cats = new HashSet<long>(_catIds);
            foreach (long img in _imgIds)
            {
                if (!byImage.TryGetValue(img, out List<Ann>? list)) continue;
                foreach (Ann a in list)
                {
                    if (cats.Count > 0 && !cats.Contains(a.CategoryId)) continue;
                    Ann g = byId[a.Id];
                    if (iouType == CocoIouType.Segm && g.Rle is null && g.Segmentation is null)
                        throw new SegKitException($"annotation {g.Id} (image {g.ImageId}) has no segmentation; segm evaluation needs one");
                    // pycocotools reads g['bbox'] (a KeyError); an empty box here scored AP 0 without a word.
                    if (requireBbox && !g.HasBbox)
                        throw new SegKitException($"annotation {g.Id} (image {g.ImageId}) has no bbox; bbox evaluation needs one");
                    yield return g;
                }
            }
        }

        // COCO.loadRes for bbox / segmentation results.
        private List<Ann> LoadResults()
        {
            var list = new List<Ann>(results.Count);
            if (results.Count == 0) return list;
            bool boxBranch = results[0].Bbox is not null;
            if (!boxBranch && results[0].Segmentation is null)
                throw new SegKitException("results have neither bbox nor segmentation (keypoint and caption results are not supported)");
            for (int i = 0; i < results.Count; i++)
            {
                CocoResult r = results[i];
                if (!_images.TryGetValue(r.ImageId, out CocoImage? im))
                    throw new SegKitException($"result {i} is for image {r.ImageId}, which is not in the ground truth (pycocotools: 'Results do not correspond to current coco set')");
                var a = new Ann { Id = i + 1, ImageId = r.ImageId, CategoryId = r.CategoryId, Score = r.Score };
                if (boxBranch)
                {
                    CocoBoxXywh bb = r.Bbox ?? throw new SegKitException($"result {i} has no bbox but the first result has one");
                    double x1 = bb.X, x2 = bb.X + bb.Width, y1 = bb.Y, y2 = bb.Y + bb.Height;
                    a.Segmentation = r.Segmentation ?? CocoSegmentation.FromPolygons([[x1, y1, x1, y2, x2, y2, x2, y1]]);
                    a.Area = bb.Width * bb.Height;
                    a.Bbox = bb;
                }
                else
                {
                    CocoSegmentation s = r.Segmentation ?? throw new SegKitException($"result {i} has no segmentation but the first result has one");
                    a.Segmentation = s;
                    a.Rle = s.ToRle(im.Height, im.Width);
                    a.Area = a.Rle.Area();
                    a.Bbox = r.Bbox ?? a.Rle.ToBboxXywh();
                }
                list.Add(a);
            }
            return list;
        }

        private static void Add(Dictionary<(long, long), List<Ann>> d, Ann a)
        {
            if (!d.TryGetValue((a.ImageId, a.CategoryId), out List<Ann>? l)) d[(a.ImageId, a.CategoryId)] = l = [];
            l.Add(a);
        }

        private static readonly List<Ann> s_none = [];

        private List<Ann> Gts(long img, long cat) => _gts.TryGetValue((img, cat), out List<Ann>? l) ? l : s_none;

        // Detections of an image and category, already in decreasing score order (see SortDetectionsByScore).
        private List<Ann> Dts(long img, long cat) => _dts.TryGetValue((img, cat), out List<Ann>? l) ? l : s_none;

        // computeIoU and evaluateImg both take each list's detections by decreasing score, stable
        // (np.argsort(-score, kind='mergesort')): sort once, in place.
        private void SortDetectionsByScore()
        {
            foreach (List<Ann> l in _dts.Values)
            {
                if (l.Count < 2) continue;
                Ann[] sorted = l.Select((a, i) => (a, i)).OrderByDescending(x => x.a.Score).Select(x => x.a).ToArray();
                l.Clear();
                l.AddRange(sorted);
            }
        }

        // COCOeval.computeIoU: rows are dts by score (at most maxDets[-1]), columns gts in listed order.
        private double[,] ComputeIou(long img, long cat)
        {
            List<Ann> gt = Gts(img, cat), dtAll = Dts(img, cat);
            if (gt.Count == 0 || dtAll.Count == 0) return s_noIous;
            int D = Math.Min(dtAll.Count, p.MaxDets[^1]);
            var crowd = new bool[gt.Count];
            for (int g = 0; g < gt.Count; g++) crowd[g] = gt[g].IsCrowd;
            if (iouType == CocoIouType.Segm)
            {
                var dr = new CocoRle[D];
                var gr = new CocoRle[gt.Count];
                for (int d = 0; d < D; d++) dr[d] = dtAll[d].Rle!;
                for (int g = 0; g < gt.Count; g++) gr[g] = gt[g].Rle!;
                return CocoRle.Iou(dr, gr, crowd);
            }
            var db = new CocoBoxXywh[D];
            var gb = new CocoBoxXywh[gt.Count];
            for (int d = 0; d < D; d++) db[d] = dtAll[d].Bbox;
            for (int g = 0; g < gt.Count; g++) gb[g] = gt[g].Bbox;
            return CocoRle.BboxIou(db, gb, crowd);
        }

        // COCOeval.evaluateImg.
        private EvalImg? EvaluateImg(long img, long cat, CocoAreaRange aRng, int maxDet)
        {
            List<Ann> gt0 = Gts(img, cat), dt = Dts(img, cat);
            if (gt0.Count == 0 && dt.Count == 0) return null;
            // Ground truth with the ignored ones last (a stable partition, as np.argsort(kind='mergesort') of 0/1 flags).
            int G = gt0.Count;
            var gtind = new int[G];
            var gtIg = new bool[G];
            int n = 0;
            for (int pass = 0; pass < 2; pass++)
                for (int g = 0; g < G; g++)
                {
                    Ann a = gt0[g];
                    bool ignored = a.Ignore || a.Area < aRng.Min || a.Area > aRng.Max;
                    if (ignored != (pass == 1)) continue;
                    gtind[n] = g;
                    gtIg[n++] = ignored;
                }
            double[,] ious = _ious.TryGetValue((img, cat), out double[,]? found) ? found : s_noIous;

            int T = p.IouThresholds.Count, D = Math.Min(dt.Count, maxDet);
            var gtm = new long[T, G];
            var dtm = new long[T, D];
            var dtIg = new bool[T, D];
            if (ious.Length != 0)
            {
                for (int t = 0; t < T; t++)
                {
                    for (int d = 0; d < D; d++)
                    {
                        double iou = Math.Min(p.IouThresholds[t], 1 - 1e-10);
                        int m = -1;
                        for (int g = 0; g < G; g++)
                        {
                            // Already matched and not a crowd: skip.
                            if (gtm[t, g] > 0 && !gt0[gtind[g]].IsCrowd) continue;
                            // Matched to a regular gt and reached the ignored ones: stop.
                            if (m > -1 && !gtIg[m] && gtIg[g]) break;
                            double v = ious[d, gtind[g]];
                            if (v < iou) continue;
                            iou = v;
                            m = g;
                        }
                        if (m == -1) continue;
                        dtIg[t, d] = gtIg[m];
                        dtm[t, d] = gt0[gtind[m]].Id;
                        gtm[t, m] = dt[d].Id;
                    }
                }
            }
            // Unmatched detections outside the area range are ignored. (A match to a gt with id 0 reads as unmatched,
            // as in pycocotools, which stores ids in the match arrays.)
            for (int d = 0; d < D; d++)
            {
                bool outside = dt[d].Area < aRng.Min || dt[d].Area > aRng.Max;
                for (int t = 0; t < T; t++)
                    dtIg[t, d] = dtIg[t, d] || (dtm[t, d] == 0 && outside);
            }
            return new EvalImg
            {
                DtMatches = dtm,
                DtScores = Scores(dt, D),
                GtIgnore = gtIg,
                DtIgnore = dtIg,
            };
        }

        private static double[] Scores(List<Ann> dt, int count)
        {
            var r = new double[count];
            for (int d = 0; d < count; d++) r[d] = dt[d].Score;
            return r;
        }

        // COCOeval.accumulate.
        private CocoEvalResult Accumulate(EvalImg?[] evalImgs)
        {
            int T = p.IouThresholds.Count, R = p.RecallThresholds.Count, K = _catIds.Length, A = p.AreaRanges.Count, M = p.MaxDets.Count;
            int I = _imgIds.Length;
            var precision = new double[T, R, K, A, M];
            var recall = new double[T, K, A, M];
            Fill(precision, -1);
            Fill(recall, -1);
            double eps = Math.BitIncrement(1.0) - 1.0; // np.spacing(1)
            Parallel.For(0, K, k =>
            {
                for (int a = 0; a < A; a++)
                {
                    for (int m = 0; m < M; m++)
                    {
                        int maxDet = p.MaxDets[m];
                        var E = new List<EvalImg>();
                        foreach (int i in _imagesOf[k])
                            if (evalImgs[(k * A + a) * I + i] is EvalImg e) E.Add(e);
                        if (E.Count == 0) continue;

                        // Concatenate each image's first maxDet detections, then sort by score (stable).
                        var scores = new List<double>();
                        var src = new List<(EvalImg E, int D)>();
                        foreach (EvalImg e in E)
                            for (int d = 0; d < Math.Min(maxDet, e.DtScores.Length); d++) { scores.Add(e.DtScores[d]); src.Add((e, d)); }
                        int[] inds = Enumerable.Range(0, scores.Count).OrderByDescending(i => scores[i]).ToArray();
                        long npig = E.Sum(e => e.GtIgnore.LongCount(g => !g));
                        if (npig == 0) continue;
                        int nd = inds.Length;
                        var tp = new double[nd];
                        var fp = new double[nd];
                        var rc = new double[nd];
                        var pr = new double[nd];
                        for (int t = 0; t < T; t++)
                        {
                            long tpSum = 0, fpSum = 0;
                            for (int j = 0; j < nd; j++)
                            {
                                (EvalImg e, int d) = src[inds[j]];
                                bool matched = e.DtMatches[t, d] != 0, ignored = e.DtIgnore[t, d];
                                if (matched && !ignored) tpSum++;
                                if (!matched && !ignored) fpSum++;
                                tp[j] = tpSum;
                                fp[j] = fpSum;
                                rc[j] = tp[j] / npig;
                                pr[j] = tp[j] / (fp[j] + tp[j] + eps);
                            }
                            recall[t, k, a, m] = nd > 0 ? rc[nd - 1] : 0;
                            // Make precision monotone from the right.
                            for (int j = nd - 1; j > 0; j--)
                                if (pr[j] > pr[j - 1]) pr[j - 1] = pr[j];
                            for (int r = 0; r < R; r++)
                            {
                                int pi = SearchSortedLeft(rc, nd, p.RecallThresholds[r]);
                                // pycocotools stops at the first recall point past the last detection; the rest stay 0.
                                if (pi >= nd)
                                {
                                    for (int rr = r; rr < R; rr++) precision[t, rr, k, a, m] = 0;
                                    break;
                                }
                                precision[t, r, k, a, m] = pr[pi];
                            }
                        }
                    }
                }
            });
            return new CocoEvalResult(p, _catIds, precision, recall);
        }

        // np.searchsorted(rc, v, side='left'): first index with rc[i] >= v.
        private static int SearchSortedLeft(double[] rc, int n, double v)
        {
            int lo = 0, hi = n;
            while (lo < hi)
            {
                int mid = (lo + hi) >>> 1;
                if (rc[mid] < v) lo = mid + 1; else hi = mid;
            }
            return lo;
        }

        private static void Fill(double[,,,,] a, double v)
        {
            if (a.Length == 0) return;
            foreach (ref double x in System.Runtime.InteropServices.MemoryMarshal.CreateSpan(ref a[0, 0, 0, 0, 0], a.Length)) x = v;
        }

        private static void Fill(double[,,,] a, double v)
        {
            if (a.Length == 0) return;
            foreach (ref double x in System.Runtime.InteropServices.MemoryMarshal.CreateSpan(ref a[0, 0, 0, 0], a.Length)) x = v;
        }
    }
}
