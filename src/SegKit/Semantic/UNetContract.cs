// Contract: U-Net style segmentation.
//   input  [N,C,H,W] float32 (C = 1 or 3)
//   output [N,1,H,W] float32 logits (foreground where sigmoid > 0.5) or [N,K,H,W] logits (argmax),
//          at the input's size.
using SegKit.Models;
using SegKit.Onnx;
using static SegKit.Models.ShapeRules;

namespace SegKit.Semantic;

/// <summary>Recognises the generic U-Net contract (one image in, per-pixel logits out at the same size).</summary>
public static class UNetContract
{
    /// <summary>The match when <paramref name="s"/> fits the contract, else null.</summary>
    public static ContractMatch? Recognize(ModelSignature s)
    {
        if (s.Inputs.Count != 1 || s.Outputs.Count != 1) return null;
        NodeInfo input = s.Inputs[0], output = s.Outputs[0];
        if (!IsFloat(input, 4) || !IsFloat(output, 4)) return null;
        if (input.Shape[1] is not (1 or 3 or -1)) return null;
        for (int d = 2; d < 4; d++)
        {
            if (input.Shape[d] > 0 && output.Shape[d] > 0 && input.Shape[d] != output.Shape[d]) return null;
        }
        string kind = output.Shape[1] == 1 ? "binary (sigmoid > 0.5)" : output.Shape[1] > 1 ? $"{output.Shape[1]} classes" : "class count dynamic";
        return new ContractMatch(ModelContractKind.UNet, "semantic",
            $"{kind}, input {Dim(input, 1)}×{Dim(input, 2)}×{Dim(input, 3)}");
    }
}
