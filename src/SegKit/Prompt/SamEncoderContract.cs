// Contract: SAM / MobileSAM image encoder.
//   input  [1,3,1024,1024] float32: RGB resized so the longest side is 1024 (PIL bilinear), normalised
//          on the 0..255 scale with mean (123.675,116.28,103.53) std (58.395,57.12,57.375), zero-padded
//          bottom/right
//   output `image_embeddings` [1,256,64,64]
//   Variant: encoders whose graph preprocesses itself take an HWC uint8/float image of any size.
using SegKit.Models;
using SegKit.Onnx;
using static SegKit.Models.ShapeRules;

namespace SegKit.Prompt;

/// <summary>Recognises the SAM image-encoder contract (normalised 1024² input or raw HWC image).</summary>
public static class SamEncoderContract
{
    /// <summary>The match when <paramref name="s"/> fits the contract, else null.</summary>
    public static ContractMatch? Recognize(ModelSignature s)
    {
        if (s.Inputs.Count != 1 || s.Outputs.Count < 1) return null;
        // Named image_embeddings, or a single output whose shape is statically [1,256,64,64]: a fully
        // dynamic [N,C,H,W] output alone says nothing (every semantic model has one).
        var emb = s.Output("image_embeddings");
        if (emb is null && s.Outputs.Count == 1 && s.Outputs[0].Shape is [_, 256, 64, 64])
            emb = s.Outputs[0];
        if (emb is null || !IsFloat(emb, 4) || !Fits(emb.Shape[1], 256) || !Fits(emb.Shape[2], 64) || !Fits(emb.Shape[3], 64))
            return null;
        var input = s.Inputs[0];
        if (IsFloat(input, 4) && Fits(input.Shape[1], 3) && Fits(input.Shape[2], 1024) && Fits(input.Shape[3], 1024))
            return new ContractMatch(ModelContractKind.SamEncoder, "promptable", "normalised [1,3,1024,1024] input → [1,256,64,64] embedding");
        bool rawType = input.ElementType is TensorElementType.UInt8 or TensorElementType.Float;
        if (rawType && input.Shape.Length == 3 && Fits(input.Shape[2], 3))
            return new ContractMatch(ModelContractKind.SamEncoderRawImage, "promptable",
                $"raw HWC {input.ElementType.ToDTypeName()} image of any size (preprocessing in the graph) → [1,256,64,64] embedding");
        return null;
    }
}
