// Contract: Ultralytics YOLOv8 / YOLO11 segmentation export.
//   input  `images` [1,3,S,S] float32 RGB / 255, letterboxed (pad value 114)
//   output0 [1,4+nc+32,A]: cx,cy,w,h in input pixels, nc class scores (already sigmoid), 32 mask coefficients
//   output1 [1,32,S/4,S/4] mask prototypes
//   End-to-end exports (NMS inside): output0 [1,300,6+32] = x1,y1,x2,y2,score,class + 32 coefficients.
//   ONNX metadata: names (a Python dict literal {0: 'person', ...}), imgsz, stride, task ('segment').
using System.Globalization;
using System.Text;
using SegKit.Models;
using static SegKit.Models.ShapeRules;

namespace SegKit.Instance;

/// <summary>Recognises the Ultralytics segmentation contract and reads its metadata.</summary>
public static class YoloSegContract
{
    /// <summary>Number of mask coefficients / prototypes.</summary>
    public const int MaskCoefficients = 32;

    /// <summary>The match when <paramref name="s"/> fits the contract (plain or end-to-end), else null.</summary>
    public static ContractMatch? Recognize(ModelSignature s)
    {
        if (s.CustomMetadata.TryGetValue("task", out var task) && task != "segment") return null;
        if (s.Inputs.Count != 1 || s.Outputs.Count != 2) return null;
        var input = s.Inputs[0];
        if (!IsFloat(input, 4) || !Fits(input.Shape[1], 3)) return null;
        var det = s.Outputs.FirstOrDefault(o => IsFloat(o, 3));
        var protos = s.Outputs.FirstOrDefault(o => IsFloat(o, 4) && Fits(o.Shape[1], MaskCoefficients));
        if (det is null || protos is null) return null;
        int names = s.CustomMetadata.TryGetValue("names", out var n) ? TryParseNames(n)?.Count ?? 0 : 0;
        string size = $"input {Dim(input, 2)}×{Dim(input, 3)}";
        if (det.Shape[2] == 6 + MaskCoefficients)
        {
            return new ContractMatch(ModelContractKind.YoloSegEndToEnd, "instance",
                $"end-to-end (NMS in graph), up to {Dim(det, 1)} detections, {size}" + (names > 0 ? $", {names} class names" : ""));
        }
        long nc = det.Shape[1] > 0 ? det.Shape[1] - 4 - MaskCoefficients : names;
        if (det.Shape[1] > 0 && nc < 1) return null;
        return new ContractMatch(ModelContractKind.YoloSeg, "instance",
            $"{nc} classes, {size}, {Dim(det, 2)} anchors" + (names > 0 ? $", names from metadata" : ""));
    }

    /// <summary>
    /// Parses Ultralytics' <c>names</c> metadata, a Python dict literal such as
    /// <c>{0: 'person', 1: "kid's bike"}</c>; null when it is not one.
    /// </summary>
    public static IReadOnlyDictionary<int, string>? TryParseNames(string text)
    {
        var result = new Dictionary<int, string>();
        int i = 0;
        SkipSpace(text, ref i);
        if (i >= text.Length || text[i++] != '{') return null;
        while (true)
        {
            SkipSpace(text, ref i);
            if (i < text.Length && text[i] == '}') return result;
            int start = i;
            while (i < text.Length && (char.IsDigit(text[i]) || text[i] == '-')) i++;
            if (!int.TryParse(text.AsSpan(start, i - start), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int key)) return null;
            SkipSpace(text, ref i);
            if (i >= text.Length || text[i++] != ':') return null;
            SkipSpace(text, ref i);
            if (ReadPythonString(text, ref i) is not { } value) return null;
            result[key] = value;
            SkipSpace(text, ref i);
            if (i >= text.Length) return null;
            if (text[i] == ',') { i++; continue; }
            if (text[i] == '}') return result;
            return null;
        }
    }

    private static void SkipSpace(string t, ref int i)
    {
        while (i < t.Length && char.IsWhiteSpace(t[i])) i++;
    }

    private static string? ReadPythonString(string t, ref int i)
    {
        if (i >= t.Length || (t[i] != '\'' && t[i] != '"')) return null;
        char quote = t[i++];
        var sb = new StringBuilder();
        while (i < t.Length)
        {
            char c = t[i++];
            if (c == quote) return sb.ToString();
            if (c == '\\' && i < t.Length)
            {
                char e = t[i++];
                sb.Append(e switch { 'n' => '\n', 't' => '\t', '\\' => '\\', '\'' => '\'', '"' => '"', _ => e });
                continue;
            }
            sb.Append(c);
        }
        return null;
    }
}
