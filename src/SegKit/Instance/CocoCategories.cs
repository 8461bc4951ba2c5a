// COCO class names in the two numberings instance models use.
namespace SegKit.Instance;

/// <summary>COCO category names as torchvision and the ONNX model zoo number them.</summary>
public static class CocoCategories
{
    /// <summary>
    /// torchvision's <c>COCO_INSTANCE_CATEGORY_NAMES</c>: index = COCO category id (0..90), 0 = "__background__",
    /// and "N/A" at the ids COCO leaves unused (12, 26, 29, 30, 45, 66, 68, 69, 71, 83). torchvision detection
    /// models (Mask R-CNN, Faster R-CNN...) return labels in this space.
    /// </summary>
    public static IReadOnlyList<string> Coco91 { get; } =
    [
        "__background__", "person", "bicycle", "car", "motorcycle", "airplane", "bus", "train", "truck", "boat",
        "traffic light", "fire hydrant", "N/A", "stop sign", "parking meter", "bench", "bird", "cat", "dog", "horse",
        "sheep", "cow", "elephant", "bear", "zebra", "giraffe", "N/A", "backpack", "umbrella", "N/A", "N/A",
        "handbag", "tie", "suitcase", "frisbee", "skis", "snowboard", "sports ball", "kite", "baseball bat",
        "baseball glove", "skateboard", "surfboard", "tennis racket", "bottle", "N/A", "wine glass", "cup", "fork",
        "knife", "spoon", "bowl", "banana", "apple", "sandwich", "orange", "broccoli", "carrot", "hot dog", "pizza",
        "donut", "cake", "chair", "couch", "potted plant", "bed", "N/A", "dining table", "N/A", "N/A", "toilet",
        "N/A", "tv", "laptop", "mouse", "remote", "keyboard", "cell phone", "microwave", "oven", "toaster", "sink",
        "refrigerator", "N/A", "book", "clock", "vase", "scissors", "teddy bear", "hair drier", "toothbrush",
    ];

    /// <summary>
    /// The 80 COCO classes in contiguous order (index 0 = "person" ... 79 = "toothbrush"), as Ultralytics models
    /// number them (class id = index) and the ONNX-zoo Mask R-CNN numbers them plus one (label 1..80, 0 = background).
    /// </summary>
    public static IReadOnlyList<string> Coco80 { get; } = Coco91.Skip(1).Where(n => n != "N/A").ToArray();

    /// <summary>The COCO category id (1..90) of contiguous class index <paramref name="index80"/> (0..79).</summary>
    public static int Coco80ToCoco91(int index80)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index80);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index80, 80);
        return s_coco80To91[index80];
    }

    private static readonly int[] s_coco80To91 = Enumerable.Range(0, Coco91.Count)
        .Where(i => i > 0 && Coco91[i] != "N/A").ToArray();
}
