// Contract: ONNX model zoo Mask R-CNN (MaskRCNN-10 / MaskRCNN-12).
//   input  `image` [3,H,W] float32 BGR 0..255 minus (102.9801,115.9465,122.7717); shorter side 800,
//          both sides padded to multiples of 32
//   outputs boxes [N,4] xyxy in resized coordinates, labels [N] int64, scores [N],
//           masks [N,1,28,28] probabilities to be resized into each box and pasted.
using SegKit.Models;
using static SegKit.Models.ShapeRules;

namespace SegKit.Instance;

/// <summary>Recognises the ONNX-zoo Mask R-CNN contract.</summary>
public static class OnnxZooMaskRcnnContract
{
    /// <summary>Input tensor name in the zoo model.</summary>
    public const string InputName = "image";

    /// <summary>The match when <paramref name="s"/> fits the contract, else null.</summary>
    public static ContractMatch? Recognize(ModelSignature s)
    {
        if (s.Inputs.Count != 1 || !IsFloat(s.Inputs[0], 3) || !Fits(s.Inputs[0].Shape[0], 3)) return null;
        if (MaskRcnnOutputs.Find(s) is not { } o) return null;
        bool mask28 = o.Masks.Shape[2] == 28 && o.Masks.Shape[3] == 28;
        if (!mask28) return null;
        return new ContractMatch(ModelContractKind.OnnxZooMaskRcnn, "instance",
            $"BGR mean-subtracted input '{s.Inputs[0].Name}'; masks 28×28 pasted into boxes");
    }
}
