// What a model declares for one input or output: name, element type, shape with symbolic dims.

namespace SegKit.Onnx;

/// <summary>A model input or output as declared in the graph.</summary>
/// <param name="Name">The tensor name, e.g. "images".</param>
/// <param name="ElementType">The element type; <see cref="TensorElementType.Undefined"/> for non-tensor values (sequences, maps).</param>
/// <param name="Shape">One entry per dimension: the size, or -1 where the size is dynamic.</param>
/// <param name="SymbolicDims">One entry per dimension: the symbolic name (e.g. "batch"), or "" when none.</param>
public sealed record NodeInfo(string Name, TensorElementType ElementType, long[] Shape, string[] SymbolicDims)
{
    /// <summary>The shape as text: symbolic names where given, "?" for unnamed dynamic dims, e.g. "[batch,3,640,640]".</summary>
    public string ShapeText => FormatShape(Shape, SymbolicDims);

    /// <summary>e.g. <c>images: float32 [batch,3,640,640]</c>.</summary>
    public override string ToString() => $"{Name}: {ElementType.ToDTypeName()} {ShapeText}";

    internal static string FormatShape(ReadOnlySpan<long> shape, string[]? symbolic = null)
    {
        var parts = new string[shape.Length];
        for (int i = 0; i < shape.Length; i++)
        {
            string sym = symbolic is not null && i < symbolic.Length ? symbolic[i] : "";
            parts[i] = sym.Length > 0 ? sym : shape[i] < 0 ? "?" : shape[i].ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        return "[" + string.Join(",", parts) + "]";
    }
}

/// <summary>The model-level metadata of an ONNX file (ModelProto fields and metadata_props).</summary>
public sealed class ModelMetadata
{
    internal ModelMetadata(string producerName, string graphName, string domain, string description,
        string graphDescription, long version, IReadOnlyDictionary<string, string> custom)
    {
        ProducerName = producerName;
        GraphName = graphName;
        Domain = domain;
        Description = description;
        GraphDescription = graphDescription;
        Version = version;
        CustomMetadata = custom;
    }

    /// <summary>ModelProto.producer_name, e.g. "pytorch".</summary>
    public string ProducerName { get; }
    /// <summary>GraphProto.name.</summary>
    public string GraphName { get; }
    /// <summary>ModelProto.domain.</summary>
    public string Domain { get; }
    /// <summary>ModelProto.doc_string.</summary>
    public string Description { get; }
    /// <summary>GraphProto.doc_string.</summary>
    public string GraphDescription { get; }
    /// <summary>ModelProto.model_version.</summary>
    public long Version { get; }
    /// <summary>ModelProto.metadata_props, all keys and values (Ultralytics exports keep <c>names</c>,
    /// <c>stride</c>, <c>imgsz</c>, <c>task</c> here).</summary>
    public IReadOnlyDictionary<string, string> CustomMetadata { get; }
}
