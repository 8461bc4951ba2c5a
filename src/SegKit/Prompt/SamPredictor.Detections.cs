// Detector → SAM: boxes from any instance model (InstanceResult) or a list become SAM masks that keep the detector's class
// and score. Each box is one prompt (box corners, labels 2/3, single-mask output as SAM recommends for boxes);
// all boxes run as one decoder batch when the decoder allows it.
using SegKit.Instance;
using SegKit.Masks;

namespace SegKit.Prompt;

/// <summary>A detection refined by SAM: the detector's box, class and score, with SAM's mask for the box.</summary>
/// <param name="Box">The detector's box (XYXY, image pixels), clipped to the image.</param>
/// <param name="ClassId">The detector's class id.</param>
/// <param name="ClassName">The detector's class name, when it has one.</param>
/// <param name="Score">The detector's confidence.</param>
/// <param name="Mask">SAM's mask at the image size.</param>
/// <param name="IouPrediction">SAM's predicted IoU of the mask.</param>
public sealed record SamDetectionMask(BoxXyxy Box, int ClassId, string? ClassName, float Score, BinaryMask Mask, float IouPrediction);

public sealed partial class SamPredictor
{
    /// <summary>
    /// SAM masks for a detector's boxes, in their order, keeping class and score. Boxes are clipped to the image
    /// first (detectors may overshoot by a pixel); a box with nothing left inside the image gets an empty mask and a
    /// NaN IoU prediction, so the result stays one to one with the detections. With
    /// <see cref="SamPredictOptions.MultimaskOutput"/> the best of the three masks by predicted IoU is kept; the
    /// default here is the single-mask answer.
    /// </summary>
    /// <param name="embedding">The image's embedding.</param>
    /// <param name="detections">(box XYXY in image pixels, class id, class name or null, score) per detection.</param>
    /// <param name="options">Null = single-mask output, no logits.</param>
    /// <exception cref="SamPromptException">A box with a NaN or infinite coordinate; the message names its index.</exception>
    public IReadOnlyList<SamDetectionMask> SegmentDetections(SamImageEmbedding embedding,
        IEnumerable<(BoxXyxy Box, int ClassId, string? ClassName, float Score)> detections, SamPredictOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(embedding);
        ArgumentNullException.ThrowIfNull(detections);
        options ??= new SamPredictOptions { MultimaskOutput = false };
        var list = detections.ToList();
        int w = embedding.OriginalSize.Width, h = embedding.OriginalSize.Height;
        var clipped = new BoxXyxy[list.Count];
        var valid = new List<int>();
        for (int i = 0; i < list.Count; i++)
        {
            var b = list[i].Box;
            if (!float.IsFinite(b.X1) || !float.IsFinite(b.Y1) || !float.IsFinite(b.X2) || !float.IsFinite(b.Y2))
                throw new SamPromptException(SamPromptError.NotFinite, $"detection {i}: box ({b.X1}, {b.Y1}, {b.X2}, {b.Y2}) has a coordinate that is not a finite number");
            clipped[i] = b.Clip(w, h);
            if (clipped[i].X2 > clipped[i].X1 && clipped[i].Y2 > clipped[i].Y1) valid.Add(i);
        }
        var predictions = PredictMany(embedding, valid.Select(i => SamPrompt.FromBox(clipped[i])).ToArray(), options);
        var result = new SamDetectionMask[list.Count];
        for (int i = 0; i < list.Count; i++)
            result[i] = new SamDetectionMask(clipped[i], list[i].ClassId, list[i].ClassName, list[i].Score, new BinaryMask(w, h), float.NaN);
        for (int v = 0; v < valid.Count; v++)
        {
            var p = predictions[v];
            int best = p.BestIndex, i = valid[v];
            result[i] = result[i] with { Mask = p.Masks[best], IouPrediction = p.IouPredictions[best] };
        }
        return result;
    }

    /// <summary>SAM masks for an instance model's detections (its boxes, classes and scores; its own masks are not used).</summary>
    public IReadOnlyList<SamDetectionMask> SegmentDetections(SamImageEmbedding embedding, InstanceResult detections, SamPredictOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(detections);
        if (detections.ImageWidth != embedding.OriginalSize.Width || detections.ImageHeight != embedding.OriginalSize.Height)
            throw new ArgumentException($"the detections are of a {detections.ImageWidth}×{detections.ImageHeight} image but the embedding is of {embedding.OriginalSize}");
        return SegmentDetections(embedding, detections.Instances.Select(d => (d.Box, d.ClassId, (string?)d.ClassName, d.Score)), options);
    }
}
