// GrabCut: Rother, Kolmogorov & Blake, "GrabCut — Interactive Foreground Extraction using Iterated Graph Cuts",
// SIGGRAPH 2004, following cv::grabCut (OpenCV 4.6, modules/imgproc/src/grabcut.cpp) step by step:
//   - mask from the rectangle (outside GC_BGD, inside GC_PR_FGD) or from a caller's mask (GC_INIT_WITH_MASK);
//   - two GMMs (5 full-covariance Gaussians, BGR order) initialised by cv::kmeans with k-means++ seeding on cv::RNG;
//   - β = 1 / (2·mean squared colour difference) over the left, up-left, up and up-right neighbours; pairwise
//     weights γ·exp(−β‖Δ‖²), divided by √2 on diagonals; hard constraints λ = 9γ (here: fixed pixels merged
//     into their terminal, which gives the same cuts);
//   - per iteration: most likely component per pixel, re-learn GMMs, unary terms −log p(colour), exact minimum cut
//     (Boykov–Kolmogorov, see MaxFlowGraph), probable labels updated from the cut.
// The RNG, k-means and accumulation orders are OpenCV's, so results track cv2.grabCut closely; remaining differences
// come from libm rounding and from how nodes untouched by the flow are assigned.
using SegKit.Imaging;

namespace SegKit.Classical;

/// <summary>The result of <see cref="GrabCut"/>: a <see cref="GrabCutLabel"/> per pixel.</summary>
public sealed class GrabCutResult
{
    internal GrabCutResult(int width, int height, GrabCutLabel[] labels, double[] flows)
    {
        Width = width;
        Height = height;
        Labels = labels;
        FlowPerIteration = flows;
    }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>Per-pixel state, row-major (y × Width + x), OpenCV's mask values; pass it to <see cref="GrabCut.Refine"/> to continue.</summary>
    public GrabCutLabel[] Labels { get; }

    /// <summary>Minimum-cut energy (max-flow value) of each iteration, for diagnostics.</summary>
    public IReadOnlyList<double> FlowPerIteration { get; }

    /// <summary>1 where the pixel is foreground or probable foreground, else 0; row-major, length Width × Height.</summary>
    public byte[] ToForegroundMask()
    {
        var mask = new byte[Labels.Length];
        for (int i = 0; i < mask.Length; i++) mask[i] = (byte)((byte)Labels[i] & 1);
        return mask;
    }

    /// <summary>The foreground as a two-region map: id 1 foreground (incl. probable), id 0 background.</summary>
    public RegionMap ToRegionMap()
    {
        var ids = new int[Labels.Length];
        for (int i = 0; i < ids.Length; i++) ids[i] = (byte)Labels[i] & 1;
        return new RegionMap(Width, Height, ids, 2, trusted: true);
    }
}

/// <summary>GrabCut foreground extraction from a box, optional strokes, or a previous result (cv::grabCut).</summary>
public static class GrabCut
{
    /// <summary>
    /// Extracts the object inside <paramref name="box"/> (pixels, clipped to the image; cv::GC_INIT_WITH_RECT).
    /// Optional stroke masks (row-major, Width × Height, non-zero = stroked) pin pixels to foreground or background.
    /// </summary>
    /// <exception cref="ArgumentException">The box is empty after clipping, a mask has the wrong length, or either model has fewer pixels than Gaussians.</exception>
    public static GrabCutResult Segment(RgbImage image, RectXywh box, GrabCutOptions? options = null,
        byte[]? foregroundStrokes = null, byte[]? backgroundStrokes = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        int w = image.Width, h = image.Height;
        int x0 = Math.Max(0, box.X), y0 = Math.Max(0, box.Y);
        int x1 = (int)Math.Min((long)w, (long)box.X + box.Width), y1 = (int)Math.Min((long)h, (long)box.Y + box.Height);
        if (x1 <= x0 || y1 <= y0)
            throw new ArgumentException($"box {box} does not overlap the {w}×{h} image", nameof(box));
        var labels = new GrabCutLabel[w * h];
        for (int y = y0; y < y1; y++)
            labels.AsSpan(y * w + x0, x1 - x0).Fill(GrabCutLabel.ProbableForeground);
        ApplyStrokes(labels, foregroundStrokes, GrabCutLabel.Foreground, nameof(foregroundStrokes));
        ApplyStrokes(labels, backgroundStrokes, GrabCutLabel.Background, nameof(backgroundStrokes));
        return Run(image, labels, options ?? GrabCutOptions.Default);
    }

    /// <summary>
    /// Runs GrabCut from a full mask of <see cref="GrabCutLabel"/> values (row-major, Width × Height; cv::GC_INIT_WITH_MASK),
    /// e.g. a previous <see cref="GrabCutResult.Labels"/> with strokes painted in. The input is not modified.
    /// </summary>
    public static GrabCutResult Refine(RgbImage image, ReadOnlySpan<GrabCutLabel> mask, GrabCutOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (mask.Length != image.Width * image.Height)
            throw new ArgumentException($"mask has {mask.Length} entries; {image.Width}×{image.Height} expected", nameof(mask));
        foreach (GrabCutLabel l in mask)
        {
            if ((byte)l > 3)
                throw new ArgumentException($"mask value {(byte)l} is not a GrabCutLabel (0..3)", nameof(mask));
        }
        return Run(image, mask.ToArray(), options ?? GrabCutOptions.Default);
    }

    private static void ApplyStrokes(GrabCutLabel[] labels, byte[]? strokes, GrabCutLabel value, string name)
    {
        if (strokes is null) return;
        if (strokes.Length != labels.Length)
            throw new ArgumentException($"stroke mask has {strokes.Length} entries; {labels.Length} expected", name);
        for (int i = 0; i < labels.Length; i++)
            if (strokes[i] != 0) labels[i] = value;
    }

    private static bool IsProbable(GrabCutLabel l) => l is GrabCutLabel.ProbableBackground or GrabCutLabel.ProbableForeground;

    private static bool IsBackground(GrabCutLabel l) => l is GrabCutLabel.Background or GrabCutLabel.ProbableBackground;

    private static GrabCutResult Run(RgbImage image, GrabCutLabel[] mask, GrabCutOptions options)
    {
        options.Validate();
        int w = image.Width, h = image.Height, n = w * h, k = options.ComponentCount;
        int dop = options.MaxDegreeOfParallelism;
        byte[] rgb = image.Data;
        var bgd = new GaussianMixture(k);
        var fgd = new GaussianMixture(k);
        InitializeModels(rgb, mask, bgd, fgd, k, options.Seed, dop);

        double gamma = options.Gamma;
        double beta = Beta(rgb, w, h);
        double[] nWeights = NeighbourWeights(rgb, w, h, beta, gamma, dop);

        var component = new byte[n];
        var fromSource = new double[n];
        var toSink = new double[n];
        var flows = new double[options.Iterations];
        var graph = new MaxFlowGraph(n, 4 * n);
        var node = new int[n];
        var extraSource = new double[n];
        var extraSink = new double[n];
        for (int iter = 0; iter < options.Iterations; iter++)
        {
            // Assign each pixel its most likely component in its current model.
            ParallelBands.For(n, dop, (s, e) =>
            {
                for (int i = s; i < e; i++)
                {
                    (double b, double g, double r) = (rgb[3 * i + 2], rgb[3 * i + 1], rgb[3 * i]);
                    component[i] = (byte)(IsBackground(mask[i]) ? bgd : fgd).MostLikelyComponent(b, g, r);
                }
            }, minBand: 4096);

            // Re-learn both models (sequential raster order: OpenCV's summation order).
            bgd.BeginLearning();
            fgd.BeginLearning();
            for (int i = 0; i < n; i++)
            {
                (double b, double g, double r) = (rgb[3 * i + 2], rgb[3 * i + 1], rgb[3 * i]);
                (IsBackground(mask[i]) ? bgd : fgd).AddSample(component[i], b, g, r);
            }
            bgd.EndLearning();
            fgd.EndLearning();

            // Unary terms.
            ParallelBands.For(n, dop, (s, e) =>
            {
                for (int i = s; i < e; i++)
                {
                    switch (mask[i])
                    {
                        case GrabCutLabel.ProbableBackground:
                        case GrabCutLabel.ProbableForeground:
                            (double b, double g, double r) = (rgb[3 * i + 2], rgb[3 * i + 1], rgb[3 * i]);
                            // A density that underflows to 0 would give an infinite capacity; clamp it.
                            fromSource[i] = -Math.Log(Math.Max(bgd.Density(b, g, r), double.Epsilon));
                            toSink[i] = -Math.Log(Math.Max(fgd.Density(b, g, r), double.Epsilon));
                            break;
                        default:
                            break; // fixed pixels are merged into a terminal below
                    }
                }
            }, minBand: 4096);

            // Pixels fixed by the mask (GC_BGD / GC_FGD) are merged into their terminal: λ = 9γ exceeds the
            // largest total pairwise weight a pixel can have (4γ + 4γ/√2), so every minimum cut of OpenCV's full
            // graph already leaves them on that side. Cuts (and the largest source set) over the probable pixels
            // are unchanged; edges between a fixed pixel and a probable one become terminal capacity.
            int nodes = 0;
            for (int i = 0; i < n; i++) node[i] = IsProbable(mask[i]) ? nodes++ : -1;
            graph.Reset(nodes);
            double constant = 0;
            for (int y = 0; y < h; y++)
            {
                for (int x = 0; x < w; x++)
                {
                    int v = y * w + x;
                    int o = 4 * v;
                    if (x > 0) Link(v, v - 1, nWeights[o]);
                    if (x > 0 && y > 0) Link(v, v - w - 1, nWeights[o + 1]);
                    if (y > 0) Link(v, v - w, nWeights[o + 2]);
                    if (x < w - 1 && y > 0) Link(v, v - w + 1, nWeights[o + 3]);
                }
            }
            for (int i = 0; i < n; i++)
            {
                if (node[i] >= 0)
                    graph.SetTerminalWeightsUnchecked(node[i], fromSource[i] + extraSource[i], toSink[i] + extraSink[i]);
            }
            flows[iter] = graph.ComputeMaxFlow() + constant;
            for (int i = 0; i < n; i++)
            {
                if (node[i] >= 0)
                    mask[i] = graph.InSourceSegment(node[i]) ? GrabCutLabel.ProbableForeground : GrabCutLabel.ProbableBackground;
            }
            Array.Clear(extraSource);
            Array.Clear(extraSink);

            void Link(int a, int b, double weight)
            {
                int na = node[a], nb = node[b];
                if (na >= 0 && nb >= 0) graph.AddEdgeUnchecked(na, nb, weight, weight);
                else if (na >= 0) (mask[b] == GrabCutLabel.Background ? ref extraSink[a] : ref extraSource[a]) += weight;
                else if (nb >= 0) (mask[a] == GrabCutLabel.Background ? ref extraSink[b] : ref extraSource[b]) += weight;
                else if (mask[a] != mask[b]) constant += weight; // a fixed foreground pixel next to a fixed background one
            }
        }
        return new GrabCutResult(w, h, mask, flows);
    }

    // cv::grabCut initGMMs: k-means (BGR float samples, raster order) per model, then one learning pass.
    private static void InitializeModels(byte[] rgb, GrabCutLabel[] mask, GaussianMixture bgd, GaussianMixture fgd, int k, int seed, int dop)
    {
        int n = mask.Length, nb = 0;
        foreach (GrabCutLabel l in mask) if (IsBackground(l)) nb++;
        int nf = n - nb;
        if (nb < k || nf < k)
            throw new ArgumentException(
                $"GrabCut needs at least {k} background and {k} foreground pixels to initialise its models; the mask has {nb} and {nf}");
        var bs = new float[3 * nb];
        var fs = new float[3 * nf];
        int ib = 0, jf = 0;
        for (int i = 0; i < n; i++)
        {
            float[] dst = IsBackground(mask[i]) ? bs : fs;
            ref int at = ref IsBackground(mask[i]) ? ref ib : ref jf;
            dst[at++] = rgb[3 * i + 2];
            dst[at++] = rgb[3 * i + 1];
            dst[at++] = rgb[3 * i];
        }
        var rng = OpenCvRng.FromSeed(seed);
        int[] bl = OpenCvKMeans.Cluster(bs, k, 10, ref rng, dop);
        int[] fl = OpenCvKMeans.Cluster(fs, k, 10, ref rng, dop);
        Learn(bgd, bs, bl);
        Learn(fgd, fs, fl);
    }

    private static void Learn(GaussianMixture gmm, float[] samples, int[] labels)
    {
        gmm.BeginLearning();
        for (int i = 0; i < labels.Length; i++)
            gmm.AddSample(labels[i], samples[3 * i], samples[3 * i + 1], samples[3 * i + 2]);
        gmm.EndLearning();
    }

    // cv::grabCut calcBeta: mean of ‖Δ‖² over left, up-left, up, up-right pairs.
    private static double Beta(byte[] rgb, int w, int h)
    {
        double beta = 0;
        for (int y = 0; y < h; y++)
        {
            for (int x = 0; x < w; x++)
            {
                int i = y * w + x;
                if (x > 0) beta += DiffSqr(rgb, i, i - 1);
                if (y > 0 && x > 0) beta += DiffSqr(rgb, i, i - w - 1);
                if (y > 0) beta += DiffSqr(rgb, i, i - w);
                if (y > 0 && x < w - 1) beta += DiffSqr(rgb, i, i - w + 1);
            }
        }
        if (beta <= 2.220446049250313e-16) return 0; // DBL_EPSILON
        return 1.0 / (2 * beta / (4.0 * w * h - 3.0 * w - 3.0 * h + 2.0));
    }

    // cv::grabCut calcNWeights, packed 4 per pixel: left, up-left, up, up-right.
    private static double[] NeighbourWeights(byte[] rgb, int w, int h, double beta, double gamma, int dop)
    {
        double gammaDivSqrt2 = gamma / Math.Sqrt(2.0f);
        var weights = new double[4 * w * h];
        ParallelBands.For(h, dop, (ys, ye) =>
        {
            for (int y = ys; y < ye; y++)
            {
                for (int x = 0; x < w; x++)
                {
                    int i = y * w + x, o = 4 * i;
                    if (x > 0) weights[o] = gamma * Math.Exp(-beta * DiffSqr(rgb, i, i - 1));
                    if (x > 0 && y > 0) weights[o + 1] = gammaDivSqrt2 * Math.Exp(-beta * DiffSqr(rgb, i, i - w - 1));
                    if (y > 0) weights[o + 2] = gamma * Math.Exp(-beta * DiffSqr(rgb, i, i - w));
                    if (x + 1 < w && y > 0) weights[o + 3] = gammaDivSqrt2 * Math.Exp(-beta * DiffSqr(rgb, i, i - w + 1));
                }
            }
        });
        return weights;
    }

    // Vec3d diff; diff.dot(diff) in BGR order.
    private static double DiffSqr(byte[] rgb, int a, int b)
    {
        double d0 = rgb[3 * a + 2] - rgb[3 * b + 2];
        double d1 = rgb[3 * a + 1] - rgb[3 * b + 1];
        double d2 = rgb[3 * a] - rgb[3 * b];
        return d0 * d0 + d1 * d1 + d2 * d2;
    }
}
