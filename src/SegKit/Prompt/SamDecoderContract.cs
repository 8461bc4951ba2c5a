// Contract: SAM prompt encoder + mask decoder, official export (segment-anything's SamOnnxModel).
//   inputs  image_embeddings [1,256,64,64]; point_coords [1,N,2] in the longest-side-1024 frame;
//           point_labels [1,N] (1 fg, 0 bg, 2/3 box corners, -1 padding); mask_input [1,1,256,256];
//           has_mask_input [1]; orig_im_size [2] (H,W)
//   outputs masks [1,K,H,W] logits (> 0 inside) at orig_im_size; iou_predictions [1,K];
//           low_res_masks [1,K,256,256]. K = 4: 0 is the single-mask answer, 1..3 the multimask ones.
using SegKit.Models;

namespace SegKit.Prompt;

/// <summary>Recognises the SAM decoder contract.</summary>
public static class SamDecoderContract
{
    /// <summary>The decoder's input names, in the official export's order.</summary>
    public static readonly string[] InputNames =
        ["image_embeddings", "point_coords", "point_labels", "mask_input", "has_mask_input", "orig_im_size"];

    /// <summary>The decoder's output names.</summary>
    public static readonly string[] OutputNames = ["masks", "iou_predictions", "low_res_masks"];

    /// <summary>The match when <paramref name="s"/> fits the contract, else null.</summary>
    public static ContractMatch? Recognize(ModelSignature s)
    {
        if (InputNames.Any(n => s.Input(n) is null) || OutputNames.Any(n => s.Output(n) is null)) return null;
        var masks = s.Output("masks")!;
        string k = masks.Shape.Length > 1 && masks.Shape[1] > 0 ? $"{masks.Shape[1]} masks per prompt" : "mask count dynamic";
        return new ContractMatch(ModelContractKind.SamDecoder, "promptable", $"{k}, masks at orig_im_size");
    }
}
