// A read-only view of an ONNX model file's graph: its nodes (name, op type, inputs, outputs, attributes) and
// its float32 constants (initializers, Constant nodes, and Identity nodes that forward one). Reads the
// protobuf wire format of onnx.proto (ModelProto.graph = 7; GraphProto.node = 1, initializer = 5;
// NodeProto input = 1, output = 2, name = 3, op_type = 4, attribute = 5; TensorProto dims = 1,
// data_type = 2, float_data = 4, name = 8, raw_data = 9, data_location = 14) directly, so SegKit needs
// no generated protobuf code. Tensors stored outside the file (external data) are not read.
// AddGraphOutputs writes a copy of a model with more graph outputs (GraphProto.output = 12), and
// GraphOutputsSuffix the bytes that add them when appended, so a caller can fetch an intermediate tensor (ORT
// computes only what the requested outputs need).
using System.Buffers.Binary;
using System.Text;

namespace SegKit.Onnx;

/// <summary>The ONNX file could not be read as a model, or lacks what a caller needed from it.</summary>
public sealed class OnnxModelFormatException : Exception
{
    /// <summary>Creates the exception; <paramref name="message"/> names the file and what was wrong.</summary>
    public OnnxModelFormatException(string message) : base(message) { }
}

/// <summary>One node of the graph.</summary>
public sealed record OnnxNode(string Name, string OpType, IReadOnlyList<string> Inputs, IReadOnlyList<string> Outputs,
    IReadOnlyDictionary<string, float> FloatAttributes)
{
    private static readonly Dictionary<string, string> NoStrings = new();
    private static readonly Dictionary<string, long> NoInts = new();

    /// <summary>String attributes (AttributeProto.s, as UTF-8), e.g. Resize's "mode".</summary>
    public IReadOnlyDictionary<string, string> StringAttributes { get; init; } = NoStrings;

    /// <summary>Integer attributes (AttributeProto.i), e.g. Resize's "antialias".</summary>
    public IReadOnlyDictionary<string, long> IntAttributes { get; init; } = NoInts;
}

/// <summary>A float32 constant of the graph: its dimensions and values (row-major).</summary>
public sealed record OnnxFloatTensor(string Name, long[] Dims, float[] Values)
{
    /// <summary>"[256,128]".</summary>
    public string ShapeText => "[" + string.Join(",", Dims) + "]";
}

/// <summary>The graph of an ONNX model file, for code that needs the model's weights (not for running it).</summary>
public sealed class OnnxModelFile
{
    private const int MaxFileBytes = 1 << 30;
    private readonly Dictionary<string, OnnxFloatTensor> _tensors = new(StringComparer.Ordinal);
    private readonly List<OnnxNode> _nodes = [];
    private readonly List<string> _graphOutputs = [];
    private readonly bool _readConstants;
    private readonly bool _readConstantNodes;

    private OnnxModelFile(string source, bool readConstants, bool readConstantNodes)
    {
        Source = source;
        _readConstants = readConstants;
        _readConstantNodes = readConstants || readConstantNodes;
    }

    /// <summary>The file this was read from.</summary>
    public string Source { get; }

    /// <summary>Nodes in the file's (topological) order.</summary>
    public IReadOnlyList<OnnxNode> Nodes => _nodes;

    /// <summary>The names of the graph's outputs, in declared order.</summary>
    public IReadOnlyList<string> GraphOutputs => _graphOutputs;

    /// <summary>True when some initializer keeps its data in a separate file (external data).</summary>
    public bool HasExternalData { get; private set; }

    /// <summary>Reads <paramref name="path"/>.</summary>
    /// <exception cref="OnnxModelFormatException">The file is larger than 1 GiB or is not an ONNX model.</exception>
    public static OnnxModelFile Read(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists) throw new FileNotFoundException($"ONNX model {path} does not exist", path);
        if (info.Length > MaxFileBytes)
            throw new OnnxModelFormatException($"{path}: {info.Length} bytes; SegKit reads graphs of at most {MaxFileBytes} bytes");
        return Parse(File.ReadAllBytes(path), path);
    }

    /// <summary>Parses model bytes; <paramref name="source"/> names them in errors. With
    /// <paramref name="readConstants"/> false only the graph's structure is read (no weights are copied), and the values
    /// of Constant nodes too when <paramref name="readConstantNodes"/> is true (small scalars such as a resize's sizes).</summary>
    /// <exception cref="OnnxModelFormatException">The bytes are not an ONNX model.</exception>
    public static OnnxModelFile Parse(ReadOnlySpan<byte> bytes, string source, bool readConstants = true, bool readConstantNodes = false)
    {
        var model = new OnnxModelFile(source, readConstants, readConstantNodes);
        try
        {
            var r = new Reader(bytes);
            bool sawGraph = false;
            while (!r.End)
            {
                var (field, wire) = r.Tag();
                if (field == 7 && wire == 2) { model.ReadGraph(r.Bytes()); sawGraph = true; }
                else r.Skip(wire);
            }
            if (!sawGraph) throw new OnnxModelFormatException($"{source} has no graph: not an ONNX model");
        }
        catch (IndexOutOfRangeException)
        {
            throw new OnnxModelFormatException($"{source} is truncated or not an ONNX model");
        }
        catch (OnnxModelFormatException e) when (!e.Message.StartsWith(source, StringComparison.Ordinal))
        {
            throw new OnnxModelFormatException($"{source} is not an ONNX model: {e.Message}");
        }
        catch (ArgumentOutOfRangeException)
        {
            throw new OnnxModelFormatException($"{source} is truncated or not an ONNX model");
        }
        // Identity nodes that forward a constant (PyTorch's exporter uses them for de-duplicated weights).
        foreach (var node in model._nodes)
            if (node.OpType == "Identity" && node.Inputs.Count == 1 && node.Outputs.Count == 1
                && model._tensors.TryGetValue(node.Inputs[0], out var t) && !model._tensors.ContainsKey(node.Outputs[0]))
                model._tensors[node.Outputs[0]] = t with { Name = node.Outputs[0] };
        return model;
    }

    /// <summary>The float constant called <paramref name="name"/>, or null.</summary>
    public OnnxFloatTensor? Tensor(string name) => _tensors.GetValueOrDefault(name);

    /// <summary>All float constants.</summary>
    public IEnumerable<OnnxFloatTensor> Tensors => _tensors.Values;

    private void ReadGraph(ReadOnlySpan<byte> graph)
    {
        var r = new Reader(graph);
        while (!r.End)
        {
            var (field, wire) = r.Tag();
            if (field == 1 && wire == 2) ReadNode(r.Bytes());
            else if (field == 5 && wire == 2 && _readConstants) AddTensor(ReadTensor(r.Bytes()), null);
            else if (field == 5 && wire == 2) HasExternalData |= IsExternal(r.Bytes());
            else if (field == 12 && wire == 2) _graphOutputs.Add(ValueInfoName(r.Bytes()));
            else r.Skip(wire);
        }
    }

    private void ReadNode(ReadOnlySpan<byte> bytes)
    {
        var r = new Reader(bytes);
        var inputs = new List<string>();
        var outputs = new List<string>();
        string name = "", op = "";
        var floats = new Dictionary<string, float>(StringComparer.Ordinal);
        Dictionary<string, string>? strings = null;
        Dictionary<string, long>? ints = null;
        OnnxFloatTensor? value = null;
        while (!r.End)
        {
            var (field, wire) = r.Tag();
            switch (field)
            {
                case 1 when wire == 2: inputs.Add(r.String()); break;
                case 2 when wire == 2: outputs.Add(r.String()); break;
                case 3 when wire == 2: name = r.String(); break;
                case 4 when wire == 2: op = r.String(); break;
                case 5 when wire == 2:
                    var (attrName, f, t, i, str) = ReadAttribute(r.Bytes());
                    if (f is float fv) floats[attrName] = fv;
                    if (i is long iv) (ints ??= new(StringComparer.Ordinal))[attrName] = iv;
                    if (str is not null) (strings ??= new(StringComparer.Ordinal))[attrName] = str;
                    if (t is not null && attrName == "value") value = t;
                    break;
                default: r.Skip(wire); break;
            }
        }
        var node = new OnnxNode(name, op, inputs, outputs, floats);
        if (strings is not null) node = node with { StringAttributes = strings };
        if (ints is not null) node = node with { IntAttributes = ints };
        _nodes.Add(node);
        if (op == "Constant" && value is not null && outputs.Count == 1) AddTensor(value, outputs[0]);
    }

    private (string Name, float? F, OnnxFloatTensor? T, long? I, string? S) ReadAttribute(ReadOnlySpan<byte> bytes)
    {
        var r = new Reader(bytes);
        string name = "";
        float? f = null;
        long? i = null;
        string? str = null;
        OnnxFloatTensor? t = null;
        while (!r.End)
        {
            var (field, wire) = r.Tag();
            if (field == 1 && wire == 2) name = r.String();
            else if (field == 2 && wire == 5) f = r.Float();
            else if (field == 3 && wire == 0) i = (long)r.Varint();
            else if (field == 4 && wire == 2) str = r.String();
            else if (field == 5 && wire == 2 && _readConstantNodes) t = ReadTensor(r.Bytes());
            else r.Skip(wire);
        }
        return (name, f, t, i, str);
    }

    private static string ValueInfoName(ReadOnlySpan<byte> bytes)
    {
        var r = new Reader(bytes);
        while (!r.End)
        {
            var (field, wire) = r.Tag();
            if (field == 1 && wire == 2) return r.String();
            r.Skip(wire);
        }
        return "";
    }

    private static bool IsExternal(ReadOnlySpan<byte> tensor)
    {
        var r = new Reader(tensor);
        while (!r.End)
        {
            var (field, wire) = r.Tag();
            if (field == 14 && wire == 0) return r.Varint() == 1;
            r.Skip(wire);
        }
        return false;
    }

    /// <summary>
    /// A copy of the model <paramref name="model"/> with <paramref name="floatOutputs"/> (names of tensors the
    /// graph computes, float32) appended to the graph's outputs. Everything else is copied byte for byte.
    /// </summary>
    /// <exception cref="OnnxModelFormatException">The bytes are not an ONNX model.</exception>
    public static byte[] AddGraphOutputs(ReadOnlySpan<byte> model, IReadOnlyList<string> floatOutputs, string source)
    {
        byte[] extra = OutputFields(floatOutputs);
        var (graphStart, graphBody, graphLength) = LocateGraph(model, source);
        int graphEnd = graphBody + graphLength;
        byte[] header = GraphHeader(graphLength + extra.Length);
        var output = GC.AllocateUninitializedArray<byte>(graphStart + header.Length + graphLength + extra.Length + (model.Length - graphEnd));
        var o = output.AsSpan();
        model[..graphStart].CopyTo(o);
        header.CopyTo(o[graphStart..]);
        o = o[(graphStart + header.Length)..];
        model.Slice(graphBody, graphLength).CopyTo(o);
        extra.CopyTo(o[graphLength..]);
        model[graphEnd..].CopyTo(o[(graphLength + extra.Length)..]);
        return output;
    }

    /// <summary>
    /// Bytes that, appended to a model, add <paramref name="floatOutputs"/> (float32) to its graph's outputs: a second
    /// ModelProto.graph field holding only those outputs. Protobuf parsers merge repeated occurrences of an embedded
    /// message, appending its repeated fields (ORT's among them), so model + suffix reads as
    /// <see cref="AddGraphOutputs"/>'s copy without moving a byte of the model.
    /// </summary>
    public static byte[] GraphOutputsSuffix(IReadOnlyList<string> floatOutputs)
    {
        var suffix = new List<byte>();
        WriteBytesField(suffix, 7, OutputFields(floatOutputs));
        return suffix.ToArray();
    }

    // ValueInfoProto { name = 1; type = 2: TypeProto { tensor_type = 1: { elem_type = 1: FLOAT } } } per name, as GraphProto.output (12) fields.
    private static byte[] OutputFields(IReadOnlyList<string> floatOutputs)
    {
        ArgumentNullException.ThrowIfNull(floatOutputs);
        var extra = new List<byte>();
        foreach (string name in floatOutputs)
        {
            var info = new List<byte>();
            WriteBytesField(info, 1, Encoding.UTF8.GetBytes(name));
            WriteBytesField(info, 2, [0x0A, 0x02, 0x08, 0x01]);
            WriteBytesField(extra, 12, info.ToArray());
        }
        return extra.ToArray();
    }

    private static byte[] GraphHeader(int graphLength)
    {
        var header = new List<byte>(8);
        WriteVarint(header, (7 << 3) | 2);
        WriteVarint(header, (ulong)graphLength);
        return header.ToArray();
    }

    // ModelProto.graph: where its tag starts, where its bytes start, and how many there are.
    private static (int Start, int Body, int Length) LocateGraph(ReadOnlySpan<byte> model, string source)
    {
        try
        {
            var r = new Reader(model);
            while (!r.End)
            {
                int start = r.Position;
                var (field, wire) = r.Tag();
                if (field == 7 && wire == 2)
                {
                    var graph = r.Bytes();
                    return (start, r.Position - graph.Length, graph.Length);
                }
                r.Skip(wire);
            }
        }
        catch (Exception e) when (e is IndexOutOfRangeException or ArgumentOutOfRangeException)
        {
            throw new OnnxModelFormatException($"{source} is truncated or not an ONNX model");
        }
        throw new OnnxModelFormatException($"{source} has no graph: not an ONNX model");
    }

    private static void WriteBytesField(List<byte> to, int field, ReadOnlySpan<byte> bytes)
    {
        WriteVarint(to, (ulong)((field << 3) | 2));
        WriteVarint(to, (ulong)bytes.Length);
        to.AddRange(bytes);
    }

    private static void WriteVarint(List<byte> to, ulong v)
    {
        while (v >= 0x80)
        {
            to.Add((byte)(v | 0x80));
            v >>= 7;
        }
        to.Add((byte)v);
    }

    private void AddTensor(OnnxFloatTensor? tensor, string? nameOverride)
    {
        if (tensor is null) return;
        if (nameOverride is not null) tensor = tensor with { Name = nameOverride };
        if (tensor.Name.Length > 0) _tensors[tensor.Name] = tensor;
    }

    /// <summary>A float32 tensor, or null for other element types and external data.</summary>
    private OnnxFloatTensor? ReadTensor(ReadOnlySpan<byte> bytes)
    {
        var r = new Reader(bytes);
        var dims = new List<long>();
        int dataType = 0;
        string name = "";
        float[]? values = null;
        List<float>? floatData = null;
        bool external = false;
        while (!r.End)
        {
            var (field, wire) = r.Tag();
            switch (field)
            {
                case 1 when wire == 0: dims.Add((long)r.Varint()); break;
                case 1 when wire == 2:
                    var packed = new Reader(r.Bytes());
                    while (!packed.End) dims.Add((long)packed.Varint());
                    break;
                case 2 when wire == 0: dataType = (int)r.Varint(); break;
                case 4 when wire == 5: (floatData ??= []).Add(r.Float()); break;
                case 4 when wire == 2:
                    var raw = r.Bytes();
                    floatData ??= [];
                    for (int i = 0; i + 4 <= raw.Length; i += 4) floatData.Add(BinaryPrimitives.ReadSingleLittleEndian(raw[i..]));
                    break;
                case 8 when wire == 2: name = r.String(); break;
                case 9 when wire == 2:
                    var data = r.Bytes();
                    values = new float[data.Length / 4];
                    for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(data[(4 * i)..]);
                    break;
                case 14 when wire == 0: external = r.Varint() == 1; break;
                default: r.Skip(wire); break;
            }
        }
        const int Float32 = 1;
        if (dataType != Float32 || external) return null;
        values ??= floatData?.ToArray() ?? [];
        long count = 1;
        foreach (long d in dims) count *= d;
        if (count != values.Length)
            throw new OnnxModelFormatException($"{Source}: tensor '{name}' declares {count} values but holds {values.Length}");
        return new OnnxFloatTensor(name, dims.ToArray(), values);
    }

    private ref struct Reader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _pos;

        public readonly bool End => _pos >= _data.Length;

        public readonly int Position => _pos;

        public ulong Varint()
        {
            ulong v = 0;
            for (int shift = 0; shift < 64; shift += 7)
            {
                byte b = _data[_pos++];
                v |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80) return v;
            }
            throw new OnnxModelFormatException("varint longer than 10 bytes");
        }

        public (int Field, int Wire) Tag()
        {
            ulong tag = Varint();
            return ((int)(tag >> 3), (int)(tag & 7));
        }

        public ReadOnlySpan<byte> Bytes()
        {
            ulong len = Varint();
            if (len > (ulong)(_data.Length - _pos)) throw new IndexOutOfRangeException();
            var s = _data.Slice(_pos, (int)len);
            _pos += (int)len;
            return s;
        }

        public string String() => Encoding.UTF8.GetString(Bytes());

        public float Float()
        {
            float f = BinaryPrimitives.ReadSingleLittleEndian(_data[_pos..]);
            _pos += 4;
            return f;
        }

        public void Skip(int wire)
        {
            switch (wire)
            {
                case 0: Varint(); break;
                case 1: _pos += 8; break;
                case 2: Bytes(); break;
                case 5: _pos += 4; break;
                default: throw new OnnxModelFormatException($"protobuf wire type {wire} is not supported");
            }
            if (_pos > _data.Length) throw new IndexOutOfRangeException();
        }
    }
}
