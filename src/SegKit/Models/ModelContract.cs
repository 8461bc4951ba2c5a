// The model contracts SegKit honours, and the registry that recognises them from a signature.
namespace SegKit.Models;

/// <summary>The model contracts of ../shared/DESIGN.md that SegKit recognises.</summary>
public enum ModelContractKind
{
    /// <summary>torchvision FCN/DeepLabV3/LRASPP: [N,3,H,W] ImageNet-normalised → `out` [N,C,H,W].</summary>
    TorchvisionSemantic,
    /// <summary>HF SegFormer: `pixel_values` [N,3,512,512] → `logits` [N,C,H/4,W/4].</summary>
    SegFormer,
    /// <summary>U-Net style: [N,C,H,W] → [N,1,H,W] (sigmoid) or [N,K,H,W] logits at input size.</summary>
    UNet,
    /// <summary>torchvision Mask R-CNN export: [3,H,W] RGB 0..1 → boxes, labels, scores, pasted masks [N,1,H,W].</summary>
    TorchvisionMaskRcnn,
    /// <summary>ONNX-zoo MaskRCNN-10/12: [3,H,W] BGR minus mean → boxes, labels, scores, masks [N,1,28,28].</summary>
    OnnxZooMaskRcnn,
    /// <summary>Ultralytics YOLOv8/YOLO11-seg: `images` [1,3,S,S] → `output0` [1,4+nc+32,A], `output1` [1,32,S/4,S/4].</summary>
    YoloSeg,
    /// <summary>Ultralytics end-to-end seg export: `output0` [1,300,6+32] plus prototypes.</summary>
    YoloSegEndToEnd,
    /// <summary>SAM / MobileSAM image encoder: [1,3,1024,1024] normalised → `image_embeddings` [1,256,64,64].</summary>
    SamEncoder,
    /// <summary>SAM encoder whose graph preprocesses itself: HWC uint8/float image of any size → embeddings.</summary>
    SamEncoderRawImage,
    /// <summary>SAM prompt encoder + mask decoder (official export).</summary>
    SamDecoder,
}

/// <summary>A contract a model fits, with what was read off the model (class count, sizes...).</summary>
/// <param name="Kind">The contract.</param>
/// <param name="Task">"semantic", "instance" or "promptable".</param>
/// <param name="Detail">What was read off the model, e.g. "21 classes, input 520×520 (dynamic)".</param>
public sealed record ContractMatch(ModelContractKind Kind, string Task, string Detail)
{
    /// <summary>e.g. "TorchvisionSemantic (semantic): 21 classes".</summary>
    public override string ToString() => $"{Kind} ({Task}): {Detail}";
}

/// <summary>Recognises which of SegKit's model contracts a model fits.</summary>
public static class ModelContracts
{
    private static readonly Func<ModelSignature, ContractMatch?>[] s_recognizers =
    [
        // Most specific first: a SegFormer or torchvision export would also pass the generic U-Net test.
        Semantic.SegFormerContract.Recognize,
        Semantic.TorchvisionSemanticContract.Recognize,
        Prompt.SamDecoderContract.Recognize,
        Prompt.SamEncoderContract.Recognize,
        Instance.YoloSegContract.Recognize,
        Instance.OnnxZooMaskRcnnContract.Recognize,
        Instance.TorchvisionMaskRcnnContract.Recognize,
        Semantic.UNetContract.Recognize,
    ];

    /// <summary>Every contract the model fits, best first (empty when none).</summary>
    public static IReadOnlyList<ContractMatch> Identify(ModelSignature signature)
    {
        ArgumentNullException.ThrowIfNull(signature);
        var matches = new List<ContractMatch>();
        foreach (var recognize in s_recognizers)
        {
            if (recognize(signature) is { } m)
                matches.Add(m);
        }
        return matches;
    }

    /// <summary>One line per contract: what its model must look like (for errors listing what was expected).</summary>
    public static IReadOnlyList<string> Descriptions { get; } = Enum.GetValues<ModelContractKind>()
        .Select(k => k + ": " + Describe(k)).ToArray();

    /// <summary>What a model of contract <paramref name="kind"/> declares.</summary>
    public static string Describe(ModelContractKind kind) => kind switch
    {
        ModelContractKind.TorchvisionSemantic => "input [N,3,H,W] float; output 'out' [N,C,H,W] float (optional 'aux')",
        ModelContractKind.SegFormer => "input 'pixel_values' [N,3,H,W] float; output 'logits' [N,C,H/4,W/4] float",
        ModelContractKind.UNet => "one input [N,C,H,W] float; one output [N,K,H,W] float at the input's size (K=1: sigmoid)",
        ModelContractKind.TorchvisionMaskRcnn => "input [3,H,W] float; outputs boxes [N,4], labels [N] int64, scores [N], masks [N,1,H,W]",
        ModelContractKind.OnnxZooMaskRcnn => "input 'image' [3,H,W] float (BGR); outputs boxes [N,4], labels [N] int64, scores [N], masks [N,1,28,28]",
        ModelContractKind.YoloSeg => "input 'images' [1,3,S,S] float; outputs [1,4+nc+32,A] and prototypes [1,32,S/4,S/4]",
        ModelContractKind.YoloSegEndToEnd => "input 'images' [1,3,S,S] float; outputs [1,300,38] and prototypes [1,32,S/4,S/4]",
        ModelContractKind.SamEncoder => "input [1,3,1024,1024] float; output 'image_embeddings' [1,256,64,64]",
        ModelContractKind.SamEncoderRawImage => "input [H,W,3] uint8 or float; output 'image_embeddings' [1,256,64,64]",
        ModelContractKind.SamDecoder => "inputs image_embeddings, point_coords, point_labels, mask_input, has_mask_input, orig_im_size; outputs masks, iou_predictions, low_res_masks",
        _ => kind.ToString(),
    };
}
