// The records SamAutomaticMaskGenerator.generate returns, field for field, and the stage timings of a run.
using SegKit.Masks;

namespace SegKit.Prompt;

/// <summary>
/// One mask of everything mode, with segment-anything's record fields: segmentation, area, bbox (XYWH),
/// predicted_iou, point_coords, stability_score, crop_box (XYWH).
/// </summary>
public sealed class SamMaskRecord
{
    /// <summary>segmentation as COCO RLE at the original image size (column-major runs, as pycocotools).</summary>
    public required CocoRle Segmentation { get; init; }

    /// <summary>The decoded mask when the output mode is <see cref="SamOutputMode.BinaryMask"/>, else null.</summary>
    public BinaryMask? Mask { get; init; }

    /// <summary>area: pixels in the mask.</summary>
    public required long Area { get; init; }

    /// <summary>bbox: XYWH of segment-anything's mask box (width = last column − first column).</summary>
    public required BoxXywh Bbox { get; init; }

    /// <summary>predicted_iou: the decoder's own estimate of the mask's quality.</summary>
    public required float PredictedIou { get; init; }

    /// <summary>point_coords: the prompt point that produced the mask, original-image pixels.</summary>
    public required (double X, double Y) PointCoords { get; init; }

    /// <summary>stability_score: IoU of the mask thresholded at ± stability_score_offset.</summary>
    public required float StabilityScore { get; init; }

    /// <summary>crop_box: the crop the mask came from, XYWH in original-image pixels.</summary>
    public required BoxXywh CropBox { get; init; }
}

/// <summary>Wall-clock time of each stage of an everything-mode run, in milliseconds.</summary>
public sealed class SamEverythingTimings
{
    /// <summary>Image encoder runs (0 when the embedding was given).</summary>
    public double EncoderMs { get; set; }
    /// <summary>Decoder runs (prompt encoder + mask decoder).</summary>
    public double DecoderMs { get; set; }
    /// <summary>Predicted-IoU and stability filters, thresholding, boxes, crop-edge filter.</summary>
    public double FilterMs { get; set; }
    /// <summary>Box NMS within and across crops.</summary>
    public double NmsMs { get; set; }
    /// <summary>Uncropping kept masks and encoding their RLEs.</summary>
    public double MasksMs { get; set; }
    /// <summary>min_mask_region_area post-processing.</summary>
    public double SmallRegionsMs { get; set; }

    /// <summary>The sum of the stages.</summary>
    public double TotalMs => EncoderMs + DecoderMs + FilterMs + NmsMs + MasksMs + SmallRegionsMs;
}

/// <summary>An everything-mode run: the records (best first within each NMS) and what it took.</summary>
public sealed class SamEverythingResult
{
    internal SamEverythingResult(IReadOnlyList<SamMaskRecord> records, SamEverythingTimings timings, int prompts, int candidates)
    {
        Records = records;
        Timings = timings;
        PromptCount = prompts;
        CandidateCount = candidates;
    }

    /// <summary>The masks, in segment-anything's order.</summary>
    public IReadOnlyList<SamMaskRecord> Records { get; }

    /// <summary>Stage timings.</summary>
    public SamEverythingTimings Timings { get; }

    /// <summary>Point prompts decoded (over all crops).</summary>
    public int PromptCount { get; }

    /// <summary>Masks that passed the IoU, stability and crop-edge filters before NMS.</summary>
    public int CandidateCount { get; }
}
