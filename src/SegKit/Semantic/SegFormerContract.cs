// Contract: SegFormer (Hugging Face export).
//   input  `pixel_values` [N,3,512,512] float32, RGB / 255, ImageNet mean/std, image resized to 512×512
//   output `logits` [N,C,H/4,W/4] float32; upsampled bilinearly (align_corners=False) to the image, then argmax.
using SegKit.Models;
using static SegKit.Models.ShapeRules;

namespace SegKit.Semantic;

/// <summary>Recognises the SegFormer contract.</summary>
public static class SegFormerContract
{
    /// <summary>Input tensor name.</summary>
    public const string InputName = "pixel_values";
    /// <summary>Output tensor name.</summary>
    public const string OutputName = "logits";

    /// <summary>The match when <paramref name="s"/> fits the contract, else null.</summary>
    public static ContractMatch? Recognize(ModelSignature s)
    {
        if (s.Input(InputName) is not { } input || s.Output(OutputName) is not { } output) return null;
        if (!IsFloat(input, 4) || !Fits(input.Shape[1], 3) || !IsFloat(output, 4)) return null;
        // Logits at a quarter of the input size where both are static.
        for (int d = 2; d < 4; d++)
        {
            if (input.Shape[d] > 0 && output.Shape[d] > 0 && output.Shape[d] * 4 != input.Shape[d]) return null;
        }
        string classes = output.Shape[1] > 0 ? $"{output.Shape[1]} classes" : "class count dynamic";
        return new ContractMatch(ModelContractKind.SegFormer, "semantic",
            $"{classes}, input {Dim(input, 2)}×{Dim(input, 3)}, logits at 1/4 size");
    }
}
