// SamAutomaticMaskGenerator's parameters under segment-anything's names (snake_case there, PascalCase
// here) with its defaults; validated when set.
namespace SegKit.Prompt;

/// <summary>How <see cref="SamMaskRecord.Segmentation"/> is also offered (segment-anything's output_mode).</summary>
public enum SamOutputMode
{
    /// <summary>"binary_mask": each record also carries the decoded <see cref="SamMaskRecord.Mask"/>.</summary>
    BinaryMask,
    /// <summary>"uncompressed_rle": run lengths (<see cref="SegKit.Masks.CocoRle.Counts"/>).</summary>
    UncompressedRle,
    /// <summary>"coco_rle": compressed COCO RLE strings.</summary>
    CocoRle,
}

/// <summary>
/// Parameters of the automatic ("everything") mask generator, with segment-anything's defaults.
/// Use <see cref="Default"/> or an initializer, e.g. <c>new SamAutomaticMaskGeneratorOptions { PointsPerSide = 16 }</c>.
/// </summary>
public sealed class SamAutomaticMaskGeneratorOptions
{
    /// <summary>segment-anything's defaults (chosen for SAM ViT-H).</summary>
    public static SamAutomaticMaskGeneratorOptions Default { get; } = new();

    /// <summary>points_per_side: points along one side of the image (points_per_side² prompts); null when <see cref="PointGrids"/> is given. Default 32.</summary>
    public int? PointsPerSide
    {
        get;
        init => field = value is null or (>= 1 and <= MaxPointsPerSide) ? value
            : throw new ArgumentOutOfRangeException(nameof(PointsPerSide), value, $"must be 1 to {MaxPointsPerSide} ({MaxPointsPerSide}² prompts)");
    } = 32;

    /// <summary>The largest <see cref="PointsPerSide"/>: 1024² prompts, hours of decoder runs (and well within int's range).</summary>
    public const int MaxPointsPerSide = 1024;

    /// <summary>points_per_batch: prompts per decoder batch (when the decoder batches). Default 64.</summary>
    public int PointsPerBatch
    {
        get;
        init => field = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(PointsPerBatch), value, "must be ≥ 1");
    } = 64;

    /// <summary>pred_iou_thresh: keep masks whose predicted IoU is &gt; this (0 or less: no filter). Default 0.88.</summary>
    public float PredIouThresh
    {
        get;
        init => field = float.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(nameof(PredIouThresh), value, "must be a finite number");
    } = 0.88f;

    /// <summary>stability_score_thresh: keep masks whose stability score is ≥ this (0 or less: no filter; at most 1, the
    /// largest stability score). Default 0.95.</summary>
    public float StabilityScoreThresh
    {
        get;
        init => field = float.IsFinite(value) && value <= 1 ? value
            : throw new ArgumentOutOfRangeException(nameof(StabilityScoreThresh), value, "must be a finite number ≤ 1 (a stability score is at most 1)");
    } = 0.95f;

    /// <summary>stability_score_offset: the logit offset of the stability score's two thresholds. Default 1.0.</summary>
    public float StabilityScoreOffset
    {
        get;
        init => field = float.IsFinite(value) && value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(StabilityScoreOffset), value, "must be a finite number ≥ 0");
    } = 1.0f;

    /// <summary>box_nms_thresh: box IoU above which duplicate masks within a crop are dropped. Default 0.7.</summary>
    public float BoxNmsThresh
    {
        get;
        init => field = value is >= 0 and <= 1 ? value : throw new ArgumentOutOfRangeException(nameof(BoxNmsThresh), value, "must be in [0, 1]");
    } = 0.7f;

    /// <summary>crop_n_layers: extra layers of crops (layer i has 2^i × 2^i crops). Default 0.</summary>
    public int CropNLayers
    {
        get;
        init => field = value is >= 0 and <= 8 ? value : throw new ArgumentOutOfRangeException(nameof(CropNLayers), value, "must be in 0..8");
    }

    /// <summary>crop_nms_thresh: box IoU above which duplicates across crops are dropped. Default 0.7.</summary>
    public float CropNmsThresh
    {
        get;
        init => field = value is >= 0 and <= 1 ? value : throw new ArgumentOutOfRangeException(nameof(CropNmsThresh), value, "must be in [0, 1]");
    } = 0.7f;

    /// <summary>crop_overlap_ratio: overlap of first-layer crops as a fraction of the shorter side. Default 512/1500.</summary>
    public double CropOverlapRatio
    {
        get;
        init => field = value is >= 0 and < 1 ? value : throw new ArgumentOutOfRangeException(nameof(CropOverlapRatio), value, "must be in [0, 1)");
    } = 512.0 / 1500;

    /// <summary>crop_n_points_downscale_factor: layer i uses points_per_side / factor^i points per side. Default 1.</summary>
    public int CropNPointsDownscaleFactor
    {
        get;
        init => field = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(CropNPointsDownscaleFactor), value, "must be ≥ 1");
    } = 1;

    /// <summary>point_grids: explicit grids in [0,1]², one per crop layer; exclusive with <see cref="PointsPerSide"/>. Default null.</summary>
    public IReadOnlyList<IReadOnlyList<(double X, double Y)>>? PointGrids { get; init; }

    /// <summary>min_mask_region_area: remove islands and fill holes smaller than this many pixels (0: off). Default 0.</summary>
    public int MinMaskRegionArea
    {
        get;
        init => field = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(MinMaskRegionArea), value, "must be ≥ 0");
    }

    /// <summary>output_mode. Default <see cref="SamOutputMode.BinaryMask"/> as segment-anything.</summary>
    public SamOutputMode OutputMode { get; init; } = SamOutputMode.BinaryMask;

    /// <summary>Checks what single properties cannot: exactly one of PointsPerSide and PointGrids, enough points per crop layer.</summary>
    /// <exception cref="ArgumentException">The combination is invalid; the message says why.</exception>
    public void Validate() => ResolvePointGrids();

    /// <summary>The point grids per crop layer (checks that exactly one of PointsPerSide and PointGrids is set).</summary>
    internal (double X, double Y)[][] ResolvePointGrids()
    {
        if ((PointsPerSide is null) == (PointGrids is null))
            throw new ArgumentException("exactly one of PointsPerSide and PointGrids must be given");
        if (PointsPerSide is { } n)
            return SamAmg.BuildAllLayerPointGrids(n, CropNLayers, CropNPointsDownscaleFactor);
        if (PointGrids!.Count < CropNLayers + 1)
            throw new ArgumentException($"PointGrids has {PointGrids.Count} grids; crop_n_layers {CropNLayers} needs {CropNLayers + 1}");
        return PointGrids.Select(g => g.ToArray()).ToArray();
    }
}
