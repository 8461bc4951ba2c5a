using SegKit.Datasets;
using SegKit.Masks;

namespace SegKit.Metrics;

/// <summary>Options of <see cref="SemanticEvaluation"/>.</summary>
public sealed record SemanticEvalOptions
{
    /// <summary>Classes inferred from the data, 255 ignored.</summary>
    public static SemanticEvalOptions Default { get; } = new();

    /// <summary>
    /// Number of classes (1..255); null infers it as 1 + the largest id (other than <see cref="IgnoreIndex"/>) in the
    /// ground truth and the predictions.
    /// </summary>
    public int? NumClasses
    {
        get => _numClasses;
        init
        {
            if (value is < 1 or > 255) throw new ArgumentOutOfRangeException(nameof(NumClasses), value, "1..255 classes");
            _numClasses = value;
        }
    }

    private readonly int? _numClasses;

    /// <summary>The ground-truth id that is not counted (255). Ground truth ≥ NumClasses is not counted either, as torchvision.</summary>
    public byte IgnoreIndex { get; init; } = LabelMap.Ignore;

    /// <summary>Worker threads for reading and counting (0: one per core).</summary>
    public int Threads { get; init; }
}

/// <summary>The metrics of a semantic evaluation, as torchvision's segmentation reference reports them.</summary>
public sealed class SemanticEvalResult
{
    internal SemanticEvalResult(ConfusionMatrix matrix, int images, double readMs, double countMs, long beyondClasses = 0, int largestBeyond = -1)
    {
        BeyondClassesPixels = beyondClasses;
        LargestBeyondClass = largestBeyond;
        Matrix = matrix;
        Images = images;
        ReadMs = readMs;
        CountMs = countMs;
    }

    /// <summary>The confusion matrix (rows ground truth, columns prediction).</summary>
    public ConfusionMatrix Matrix { get; }

    /// <summary>Image pairs counted.</summary>
    public int Images { get; }

    /// <summary>Correct / counted pixels.</summary>
    public double PixelAccuracy => Matrix.PixelAccuracy();

    /// <summary>Mean per-class recall over classes present in the ground truth.</summary>
    public double MeanAccuracy => Matrix.MeanAccuracy();

    /// <summary>Mean IoU over classes present in either.</summary>
    public double MeanIou => Matrix.MeanIou();

    /// <summary>Frequency-weighted IoU.</summary>
    public double FrequencyWeightedIou => Matrix.FrequencyWeightedIou();

    /// <summary>IoU per class id; null for a class absent from both.</summary>
    public IReadOnlyList<double?> PerClassIou => Matrix.PerClassIou();

    /// <summary>Ground-truth pixels whose class id is ≥ the class count (and not the ignore index): not counted, as in
    /// torchvision's reference (<c>k = (a &gt;= 0) &amp; (a &lt; n)</c>).</summary>
    public long BeyondClassesPixels { get; }

    /// <summary>The largest such class id; −1 when there is none.</summary>
    public int LargestBeyondClass { get; }

    /// <summary>Milliseconds spent reading and decoding label maps (summed over threads).</summary>
    public double ReadMs { get; }

    /// <summary>Milliseconds spent counting pixels (summed over threads).</summary>
    public double CountMs { get; }
}

/// <summary>
/// Semantic segmentation evaluation over label maps: a confusion matrix over every pair of prediction and ground truth,
/// with torchvision's semantics (<see cref="ConfusionMatrix"/>).
/// </summary>
public static class SemanticEvaluation
{
    /// <summary>
    /// Evaluates the label maps in <paramref name="predictionDir"/> against those in <paramref name="groundTruthDir"/>:
    /// every <c>&lt;stem&gt;.png</c> of the ground truth is paired with the prediction <c>&lt;stem&gt;.png</c>, or
    /// <c>&lt;stem&gt;.labels.png</c> as <c>segkit semantic</c> writes it (both at once is an error). Label maps are palette or gray PNGs
    /// (<see cref="LabelMapFile"/>).
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">A folder is missing.</exception>
    /// <exception cref="SegKitException">A prediction is missing or differs in size from its ground truth, the ground truth is empty, or a prediction holds a class id ≥ NumClasses where the ground truth is counted (the message names the files).</exception>
    public static SemanticEvalResult EvaluateFolders(string predictionDir, string groundTruthDir, SemanticEvalOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(predictionDir);
        ArgumentNullException.ThrowIfNull(groundTruthDir);
        if (!Directory.Exists(groundTruthDir)) throw new DirectoryNotFoundException($"ground-truth folder not found: {groundTruthDir}");
        if (!Directory.Exists(predictionDir)) throw new DirectoryNotFoundException($"prediction folder not found: {predictionDir}");
        string[] gts = Directory.GetFiles(groundTruthDir, "*.png").Order(StringComparer.Ordinal).ToArray();
        if (gts.Length == 0) throw new SegKitException($"{groundTruthDir}: no ground-truth label maps (*.png)");
        var pairs = new List<(string Prediction, string GroundTruth)>(gts.Length);
        var missing = new List<string>();
        foreach (string gt in gts)
        {
            string stem = Path.GetFileNameWithoutExtension(gt);
            string a = Path.Combine(predictionDir, stem + ".png"), b = Path.Combine(predictionDir, stem + ".labels.png");
            // Both present: which one is the prediction cannot be told (a stale one was silently used).
            if (File.Exists(a) && File.Exists(b))
                throw new SegKitException($"{predictionDir}: both {stem}.png and {stem}.labels.png are there; keep one prediction per ground-truth map");
            if (File.Exists(a)) pairs.Add((a, gt));
            else if (File.Exists(b)) pairs.Add((b, gt));
            else missing.Add(stem);
        }
        if (missing.Count > 0)
            throw new SegKitException($"{predictionDir}: no prediction for {missing.Count} of {gts.Length} ground-truth maps (looked for <stem>.png and <stem>.labels.png), e.g. "
                + string.Join(", ", missing.Take(5)));
        return Evaluate(pairs, options, cancellationToken);
    }

    /// <summary>Evaluates (prediction file, ground-truth file) pairs of label-map PNGs.</summary>
    public static SemanticEvalResult Evaluate(IReadOnlyList<(string Prediction, string GroundTruth)> files, SemanticEvalOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(files);
        options ??= SemanticEvalOptions.Default;
        int ignore = options.IgnoreIndex;
        // Joint histogram of (gt, pred) byte values; the class count is applied at the end so that it can be inferred.
        var joint = new long[256 * 256];
        // Per image, the largest prediction where the ground truth is not the ignore id, so that a prediction outside
        // 0..N−1 can be traced to its file once N is known.
        var maxPrediction = new byte[files.Count];
        double readMs = 0, countMs = 0;
        object gate = new();
        var parallel = new ParallelOptions
        {
            CancellationToken = cancellationToken,
            MaxDegreeOfParallelism = options.Threads > 0 ? options.Threads : Environment.ProcessorCount,
        };
        try
        {
            CountAll();
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            // A bad file in a worker: raise its own exception (typed, naming the file), not the aggregate.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }

        void CountAll() => Parallel.For(0, files.Count, parallel,
            () => (Hist: new long[256 * 256], Counts: new int[256 * 256], Read: 0.0, Count: 0.0),
            (i, _, local) =>
            {
                long t = System.Diagnostics.Stopwatch.GetTimestamp();
                (string predPath, string gtPath) = files[i];
                LabelMap pred = LabelMapFile.Read(predPath), gt = LabelMapFile.Read(gtPath);
                local.Read += StageTimings.Since(t);
                if (pred.Width != gt.Width || pred.Height != gt.Height)
                    throw new SegKitException($"{predPath}: prediction is {pred.Width}×{pred.Height} but ground truth {gtPath} is {gt.Width}×{gt.Height}");
                t = System.Diagnostics.Stopwatch.GetTimestamp();
                int[] counts = local.Counts;
                Array.Clear(counts);
                byte[] g = gt.Data, p = pred.Data;
                for (int j = 0; j < g.Length; j++) counts[(g[j] << 8) | p[j]]++;
                byte maxPred = 0;
                for (int k = 0; k < counts.Length; k++)
                {
                    int c = counts[k];
                    if (c == 0) continue;
                    local.Hist[k] += c;
                    if (k >> 8 != ignore && (k & 255) > maxPred) maxPred = (byte)(k & 255);
                }
                maxPrediction[i] = maxPred;
                local.Count += StageTimings.Since(t);
                return local;
            },
            local =>
            {
                lock (gate)
                {
                    for (int k = 0; k < joint.Length; k++) joint[k] += local.Hist[k];
                    readMs += local.Read;
                    countMs += local.Count;
                }
            });

        int n = options.NumClasses ?? InferClasses(joint, ignore);
        // torchvision counts pixels whose ground truth lies in [0, n); there the prediction must be a class id too.
        for (int i = 0; i < files.Count; i++)
        {
            if (maxPrediction[i] < n) continue;
            // Exact check for this image: a counted pixel (gt < n, gt ≠ ignore) predicted ≥ n.
            LabelMap pred = LabelMapFile.Read(files[i].Prediction), gt = LabelMapFile.Read(files[i].GroundTruth);
            for (int j = 0; j < gt.Data.Length; j++)
            {
                int gv = gt.Data[j];
                if (gv < n && gv != ignore && pred.Data[j] >= n)
                    throw new SegKitException($"{files[i].Prediction}: pixel ({j % gt.Width}, {j / gt.Width}) is predicted as class {pred.Data[j]}, outside 0..{n - 1} (ground truth {gv})");
            }
        }
        var matrix = new long[n * n];
        for (int gv = 0; gv < n; gv++)
        {
            if (gv == ignore) continue;
            for (int pv = 0; pv < n; pv++) matrix[gv * n + pv] = joint[(gv << 8) | pv];
        }
        long beyond = 0;
        int largest = -1;
        for (int gv = n; gv < 256; gv++)
        {
            if (gv == ignore) continue;
            for (int pv = 0; pv < 256; pv++)
            {
                long c = joint[(gv << 8) | pv];
                if (c == 0) continue;
                beyond += c;
                largest = gv;
            }
        }
        return new SemanticEvalResult(ConfusionMatrix.FromCounts(n, matrix, ignore), files.Count, readMs, countMs, beyond, largest);
    }

    private static int InferClasses(long[] joint, int ignore)
    {
        int max = 0;
        for (int gv = 0; gv < 256; gv++)
            for (int pv = 0; pv < 256; pv++)
            {
                if (joint[(gv << 8) | pv] == 0) continue;
                if (gv != ignore) max = Math.Max(max, gv);
                if (pv != ignore) max = Math.Max(max, pv);
            }
        return Math.Min(max + 1, 255);
    }
}
