using System.Text.Json;
using SegKit.Onnx;
using SegKit.Tests.Prompt;
using SegKit.Tests.TestSupport;

namespace SegKit.Tests.Onnx;

/// <summary>
/// SegKit's ONNX graph reader against the `onnx` package's reading of the same file (tools/fixtures/onnx_graph_summary.py):
/// segment-anything's official decoder export, node by node and constant by constant; broken bytes are a typed error.
/// </summary>
public sealed class OnnxModelFileTests
{
    private static readonly Lazy<JsonElement> s_summary = new(() =>
        JsonDocument.Parse(File.ReadAllBytes(Fixtures.File("onnx_graph_summary", "decoder_summary.json"))).RootElement);

    [Fact]
    public void Read_OfficialDecoder_NodesAsOnnxReadsThem()
    {
        var model = OnnxModelFile.Read(SamReference.Decoder);
        var expected = s_summary.Value.GetProperty("nodes").EnumerateArray().ToArray();
        Assert.Equal(expected.Length, model.Nodes.Count);
        for (int i = 0; i < expected.Length; i++)
        {
            var e = expected[i];
            var n = model.Nodes[i];
            Assert.Equal(e.GetProperty("name").GetString(), n.Name);
            Assert.Equal(e.GetProperty("op_type").GetString(), n.OpType);
            Assert.Equal(e.GetProperty("inputs").EnumerateArray().Select(v => v.GetString()!), n.Inputs);
            Assert.Equal(e.GetProperty("outputs").EnumerateArray().Select(v => v.GetString()!), n.Outputs);
            foreach (var f in e.GetProperty("floats").EnumerateObject())
                Assert.Equal(f.Value.GetSingle(), n.FloatAttributes[f.Name]);
            Assert.Equal(e.GetProperty("ints").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64()), n.IntAttributes);
            Assert.Equal(e.GetProperty("strings").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!), n.StringAttributes);
        }
        Assert.Equal(s_summary.Value.GetProperty("graph_outputs").EnumerateArray().Select(v => v.GetString()!), model.GraphOutputs);
        Assert.False(model.HasExternalData);
    }

    // Protobuf merges a second ModelProto.graph into the first: the model with the suffix appended reads, for SegKit's
    // reader and for ORT, as the copy with the outputs added.
    [Fact]
    public void GraphOutputsSuffix_AppendedToDecoder_ReadsAsTheCopyWithTheOutputs()
    {
        byte[] original = File.ReadAllBytes(SamReference.Decoder);
        var before = OnnxModelFile.Parse(original, "decoder", readConstants: false);
        string name = before.Nodes.First(n => n.OpType == "Softmax").Outputs[0];
        byte[] suffix = OnnxModelFile.GraphOutputsSuffix([name]);
        // graph tag, its one-byte length, then one output field: tag, length, ValueInfoProto of name + 8 bytes.
        Assert.Equal(2 + 2 + name.Length + 8, suffix.Length);
        byte[] appended = [.. original, .. suffix];
        byte[] copy = OnnxModelFile.AddGraphOutputs(original, [name], "decoder");

        var merged = OnnxModelFile.Parse(appended, "appended", readConstants: false);
        Assert.Equal([.. before.GraphOutputs, name], merged.GraphOutputs);
        Assert.Equal(before.Nodes.Select(n => n.Name), merged.Nodes.Select(n => n.Name));

        using var fromSuffix = InferenceSession.FromBytes(appended, null, "appended decoder");
        using var fromCopy = InferenceSession.FromBytes(copy, null, "edited decoder");
        Assert.Equal(fromCopy.Outputs.Select(o => o.ToString()), fromSuffix.Outputs.Select(o => o.ToString()));
        Assert.Contains(fromSuffix.Outputs, o => o.Name == name);
    }

    [Fact]
    public void Parse_WithoutConstants_SameGraphNoWeights()
    {
        var full = OnnxModelFile.Read(SamReference.Decoder);
        var outline = OnnxModelFile.Parse(File.ReadAllBytes(SamReference.Decoder), "decoder", readConstants: false);
        Assert.Equal(full.Nodes.Select(n => (n.Name, n.OpType, string.Join(",", n.Outputs))), outline.Nodes.Select(n => (n.Name, n.OpType, string.Join(",", n.Outputs))));
        Assert.Equal(full.GraphOutputs, outline.GraphOutputs);
        Assert.Empty(outline.Tensors);
    }

    // The copy with extra outputs parses to the same nodes plus the new outputs, and ORT computes them.
    [Fact]
    public void AddGraphOutputs_DecoderIntermediate_OrtReturnsItAndTheRestIsUnchanged()
    {
        byte[] original = File.ReadAllBytes(SamReference.Decoder);
        var before = OnnxModelFile.Parse(original, "decoder", readConstants: false);
        var node = before.Nodes.First(n => n.OpType == "Softmax");
        byte[] edited = OnnxModelFile.AddGraphOutputs(original, [node.Outputs[0]], "decoder");
        var after = OnnxModelFile.Parse(edited, "edited", readConstants: false);
        Assert.Equal([.. before.GraphOutputs, node.Outputs[0]], after.GraphOutputs);
        Assert.Equal(before.Nodes.Count, after.Nodes.Count);
        // One ValueInfoProto of name + 10 bytes; the graph's length prefix may grow by a byte.
        Assert.InRange(edited.Length, original.Length + node.Outputs[0].Length + 10, original.Length + node.Outputs[0].Length + 11);
        using var session = InferenceSession.FromBytes(edited, null, "edited decoder");
        Assert.Contains(session.Outputs, o => o.Name == node.Outputs[0]);
        Assert.Equal("edited decoder", session.Source);
        Assert.Throws<OnnxModelFormatException>(() => OnnxModelFile.AddGraphOutputs("not a model"u8, ["x"], "junk"));
    }

    [Fact]
    public void Read_OfficialDecoder_EveryFloatConstantAsOnnxReadsIt()
    {
        var model = OnnxModelFile.Read(SamReference.Decoder);
        var expected = s_summary.Value.GetProperty("tensors").EnumerateArray().ToArray();
        Assert.True(expected.Length > 100, $"{expected.Length} constants in the summary");
        foreach (var e in expected)
        {
            string name = e.GetProperty("name").GetString()!;
            var t = model.Tensor(name);
            Assert.True(t is not null, $"constant {name} not found");
            Assert.Equal(e.GetProperty("dims").EnumerateArray().Select(v => v.GetInt64()), t!.Dims);
            int count = e.GetProperty("count").GetInt32();
            Assert.Equal(count, t.Values.Length);
            var head = e.GetProperty("head").EnumerateArray().Select(v => v.GetSingle()).ToArray();
            var tail = e.GetProperty("tail").EnumerateArray().Select(v => v.GetSingle()).ToArray();
            Assert.Equal(head, t.Values.Take(head.Length));
            Assert.Equal(tail, t.Values.Skip(count - tail.Length));
            double sum = t.Values.Sum(v => (double)v);
            Assert.Equal(e.GetProperty("sum").GetDouble(), sum, 1e-9 * Math.Max(1, Math.Abs(sum)) + 1e-9);
        }
    }

    [Fact]
    public void Parse_TruncatedOrForeignBytes_IsATypedErrorNamingTheSource()
    {
        byte[] all = File.ReadAllBytes(SamReference.Decoder);
        foreach (int length in new[] { 1, 37, all.Length / 3, all.Length - 5 })
        {
            var ex = Assert.Throws<OnnxModelFormatException>(() => OnnxModelFile.Parse(all.AsSpan(0, length), "cut.onnx"));
            Assert.Contains("cut.onnx", ex.Message);
        }
        var notOnnx = Assert.Throws<OnnxModelFormatException>(() => OnnxModelFile.Parse("{\"json\": true}"u8, "x.json"));
        Assert.Contains("x.json", notOnnx.Message);
        Assert.Throws<FileNotFoundException>(() => OnnxModelFile.Read(Path.Combine(TestPaths.NewTempDir(), "missing.onnx")));
    }
}
