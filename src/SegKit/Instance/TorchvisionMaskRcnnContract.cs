// Contract: torchvision Mask R-CNN export (maskrcnn_resnet50_fpn and friends, torch.onnx.export).
//   input  [3,H,W] float32 RGB in 0..1 (normalisation and resizing happen inside the graph)
//   outputs boxes [N,4] xyxy in input pixels, labels [N] int64 (COCO 91-id space), scores [N],
//           masks [N,1,H,W] probabilities already pasted into the image (threshold 0.5).
using SegKit.Models;
using static SegKit.Models.ShapeRules;

namespace SegKit.Instance;

/// <summary>Recognises the torchvision Mask R-CNN export contract.</summary>
public static class TorchvisionMaskRcnnContract
{
    /// <summary>The match when <paramref name="s"/> fits the contract, else null.</summary>
    public static ContractMatch? Recognize(ModelSignature s)
    {
        if (s.Inputs.Count != 1 || !IsFloat(s.Inputs[0], 3) || !Fits(s.Inputs[0].Shape[0], 3)) return null;
        if (MaskRcnnOutputs.Find(s) is not { } o) return null;
        // Pasted masks have the image's size; 28×28 means the ONNX-zoo contract instead.
        if (o.Masks.Shape[2] == 28 && o.Masks.Shape[3] == 28) return null;
        return new ContractMatch(ModelContractKind.TorchvisionMaskRcnn, "instance",
            $"RGB 0..1 input {Dim(s.Inputs[0], 1)}×{Dim(s.Inputs[0], 2)}; outputs {o.Boxes.Name}, {o.Labels.Name}, {o.Scores.Name}, {o.Masks.Name} (masks pasted)");
    }
}
