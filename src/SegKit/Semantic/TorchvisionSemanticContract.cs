// Contract: torchvision semantic segmentation export (FCN, DeepLabV3, LRASPP).
//   input  [N,3,H,W] float32, RGB / 255, ImageNet mean (0.485,0.456,0.406) std (0.229,0.224,0.225)
//   output `out` [N,C,H,W] float32 logits at the input size; an `aux` output may exist and is ignored.
//   Default preprocessing resizes the shorter side to 520 (PIL bilinear with antialias).
using SegKit.Models;
using static SegKit.Models.ShapeRules;

namespace SegKit.Semantic;

/// <summary>Recognises the torchvision semantic-segmentation contract.</summary>
public static class TorchvisionSemanticContract
{
    /// <summary>The main logits output.</summary>
    public const string OutputName = "out";

    /// <summary>The match when <paramref name="s"/> fits the contract, else null.</summary>
    public static ContractMatch? Recognize(ModelSignature s)
    {
        if (s.Inputs.Count != 1 || s.Output(OutputName) is not { } output) return null;
        var input = s.Inputs[0];
        if (!IsFloat(input, 4) || !Fits(input.Shape[1], 3) || !IsFloat(output, 4)) return null;
        if (s.Outputs.Any(o => o.Name != OutputName && o.Name != "aux")) return null;
        string classes = output.Shape[1] > 0 ? $"{output.Shape[1]} classes" : "class count dynamic";
        string aux = s.Output("aux") is null ? "" : ", 'aux' output ignored";
        return new ContractMatch(ModelContractKind.TorchvisionSemantic, "semantic",
            $"{classes}, input {Dim(input, 2)}×{Dim(input, 3)}{aux}");
    }
}
