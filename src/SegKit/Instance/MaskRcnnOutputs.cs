// Shared by the two Mask R-CNN contracts: find boxes/labels/scores/masks among a model's outputs by
// type and shape, since exporters name them differently (torchvision export names are the caller's
// choice; the ONNX-zoo model uses numbered names).
using SegKit.Models;
using SegKit.Onnx;
using static SegKit.Models.ShapeRules;

namespace SegKit.Instance;

/// <summary>The four Mask R-CNN outputs, located by element type and shape.</summary>
/// <param name="Boxes">[N,4] float, xyxy.</param>
/// <param name="Labels">[N] int64.</param>
/// <param name="Scores">[N] float.</param>
/// <param name="Masks">[N,1,h,w] float.</param>
public sealed record MaskRcnnOutputs(NodeInfo Boxes, NodeInfo Labels, NodeInfo Scores, NodeInfo Masks)
{
    /// <summary>
    /// The image input's name and the four outputs of a Mask R-CNN model, or a <see cref="ModelContractException"/>
    /// naming what was found and what <paramref name="contract"/> expects (masks as <paramref name="masksShape"/>).
    /// </summary>
    public static (string Input, MaskRcnnOutputs Outputs) Require(ModelSignature s, string model, string contract, string masksShape)
    {
        if (s.Inputs.Count != 1 || s.Inputs[0].ElementType != TensorElementType.Float || s.Inputs[0].Shape.Length != 3)
            throw new ModelContractException(model, null,
                $"inputs {InstanceSegmenter.Describe(s.Inputs)}; the {contract} contract takes one float32 image [3,H,W]");
        var outputs = Find(s) ?? throw new ModelContractException(model, null,
            $"outputs {InstanceSegmenter.Describe(s.Outputs)}; expected boxes [N,4] float, labels [N] int64, scores [N] float, masks {masksShape} float");
        return (s.Inputs[0].Name, outputs);
    }

    /// <summary>Runs <paramref name="session"/> on a [3,H,W] tensor and returns the four outputs.</summary>
    public OrtOutputs Run(InferenceSession session, string input, float[] tensor, int height, int width)
    {
        using var x = OrtTensor.FromArray(tensor, [3, height, width]);
        return session.Run(new Dictionary<string, OrtTensor> { [input] = x }, [Boxes.Name, Labels.Name, Scores.Name, Masks.Name]);
    }

    /// <summary>The four outputs when <paramref name="s"/> has exactly them (names preferred, shapes decide), else null.</summary>
    public static MaskRcnnOutputs? Find(ModelSignature s)
    {
        if (s.Outputs.Count != 4) return null;
        NodeInfo? boxes = s.Outputs.FirstOrDefault(o => IsFloat(o, 2) && Fits(o.Shape[1], 4));
        NodeInfo? labels = s.Outputs.FirstOrDefault(o => o.ElementType == TensorElementType.Int64 && o.Shape.Length == 1);
        NodeInfo? masks = s.Outputs.FirstOrDefault(o => IsFloat(o, 4) && Fits(o.Shape[1], 1));
        // Two rank-1 float candidates are impossible here (labels are int64), so scores is unambiguous.
        NodeInfo? scores = s.Outputs.FirstOrDefault(o => IsFloat(o, 1));
        if (boxes is null || labels is null || masks is null || scores is null) return null;
        return new MaskRcnnOutputs(boxes, labels, scores, masks);
    }
}
