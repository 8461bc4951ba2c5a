// What a model declares: its inputs, outputs and custom metadata. Contract recognition works on this
// alone, so it can be tested without ONNX Runtime and printed by `segkit info`.
using SegKit.Onnx;

namespace SegKit.Models;

/// <summary>A model's declared inputs, outputs (names, element types, shapes with -1 for dynamic) and custom metadata.</summary>
public sealed record ModelSignature(
    IReadOnlyList<NodeInfo> Inputs,
    IReadOnlyList<NodeInfo> Outputs,
    IReadOnlyDictionary<string, string> CustomMetadata)
{
    /// <summary>The signature of an open session.</summary>
    public static ModelSignature Of(InferenceSession session) =>
        new(session.Inputs, session.Outputs, session.Metadata.CustomMetadata);

    /// <summary>The input called <paramref name="name"/>, or null.</summary>
    public NodeInfo? Input(string name) => Inputs.FirstOrDefault(i => i.Name == name);

    /// <summary>The output called <paramref name="name"/>, or null.</summary>
    public NodeInfo? Output(string name) => Outputs.FirstOrDefault(o => o.Name == name);
}

/// <summary>Shape tests that treat a dynamic dimension (-1) as matching anything.</summary>
internal static class ShapeRules
{
    /// <summary>True when <paramref name="actual"/> is dynamic or equals <paramref name="expected"/>.</summary>
    public static bool Fits(long actual, long expected) => actual < 0 || actual == expected;

    /// <summary>True when the node is a float32 tensor of the given rank.</summary>
    public static bool IsFloat(NodeInfo n, int rank) => n.ElementType == TensorElementType.Float && n.Shape.Length == rank;

    /// <summary>A dimension as text for messages: the number, or the symbolic name / "?".</summary>
    public static string Dim(NodeInfo n, int i) =>
        n.Shape[i] >= 0 ? n.Shape[i].ToString(System.Globalization.CultureInfo.InvariantCulture)
            : n.SymbolicDims.Length > i && n.SymbolicDims[i].Length > 0 ? n.SymbolicDims[i] : "?";
}
