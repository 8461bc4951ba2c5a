// segkit info <model.onnx> [--json]: a model's inputs, outputs, metadata and the SegKit contract it fits.
using System.CommandLine;
using System.Text.Json;
using SegKit.Models;
using SegKit.Onnx;

namespace SegKit.Cli;

internal static class InfoCommand
{
    // ONNX Runtime reports INT64_MAX when ModelProto.model_version is not set.
    private const long UnsetVersion = long.MaxValue;

    public static Command Create(TextWriter stdout)
    {
        var model = new Argument<FileInfo>("model") { Description = "An ONNX model file." };
        var json = new Option<bool>("--json") { Description = "Print one JSON document instead of text." };
        var command = new Command("info", "Show a model's inputs, outputs (names, types, shapes with symbolic dims), metadata, and which SegKit contract it matches.")
        {
            model, json,
        };
        command.SetAction(parse => Run(parse.GetValue(model)!, parse.GetValue(json), stdout));
        return command;
    }

    private static int Run(FileInfo file, bool json, TextWriter stdout)
    {
        if (!file.Exists)
            throw new FileNotFoundException($"model file not found: {file.FullName}", file.FullName);
        using var session = InferenceSession.FromFile(file.FullName);
        var signature = ModelSignature.Of(session);
        var matches = ModelContracts.Identify(signature);
        if (json)
            PrintJson(stdout, file, session, matches);
        else
            PrintText(stdout, file, session, matches);
        return ExitCodes.Ok;
    }

    private static void PrintText(TextWriter o, FileInfo file, InferenceSession session, IReadOnlyList<ContractMatch> matches)
    {
        o.WriteLine($"model: {file.FullName} ({file.Length / 1e6:0.##} MB)");
        o.WriteLine($"onnx runtime: {OrtRuntime.Version}");
        o.WriteLine("inputs:");
        foreach (var i in session.Inputs) o.WriteLine("  " + i);
        o.WriteLine("outputs:");
        foreach (var x in session.Outputs) o.WriteLine("  " + x);
        var m = session.Metadata;
        o.WriteLine("metadata:");
        o.WriteLine($"  producer: {m.ProducerName}");
        if (m.GraphName.Length > 0) o.WriteLine($"  graph: {m.GraphName}");
        if (m.Domain.Length > 0) o.WriteLine($"  domain: {m.Domain}");
        if (m.Description.Length > 0) o.WriteLine($"  description: {m.Description}");
        if (m.GraphDescription.Length > 0) o.WriteLine($"  graph description: {m.GraphDescription}");
        if (m.Version != UnsetVersion) o.WriteLine($"  version: {m.Version}");
        foreach (var (k, v) in m.CustomMetadata.OrderBy(p => p.Key, StringComparer.Ordinal))
            o.WriteLine($"  {k}: {v}");
        if (matches.Count == 0)
        {
            o.WriteLine("contract: none of SegKit's contracts. Each expects:");
            foreach (var d in ModelContracts.Descriptions) o.WriteLine("  " + d);
        }
        else
        {
            o.WriteLine("contract: " + matches[0]);
            foreach (var other in matches.Skip(1)) o.WriteLine("  also fits: " + other);
        }
    }

    private static void PrintJson(TextWriter o, FileInfo file, InferenceSession session, IReadOnlyList<ContractMatch> matches)
    {
        JsonOut.Print(o, w =>
        {
            w.WriteStartObject();
            w.WriteString("model", file.FullName);
            w.WriteNumber("bytes", file.Length);
            w.WriteString("onnx_runtime", OrtRuntime.Version);
            WriteNodes(w, "inputs", session.Inputs);
            WriteNodes(w, "outputs", session.Outputs);
            var m = session.Metadata;
            w.WriteStartObject("metadata");
            w.WriteString("producer_name", m.ProducerName);
            w.WriteString("graph_name", m.GraphName);
            w.WriteString("domain", m.Domain);
            w.WriteString("description", m.Description);
            w.WriteString("graph_description", m.GraphDescription);
            if (m.Version == UnsetVersion) w.WriteNull("version"); else w.WriteNumber("version", m.Version);
            w.WriteStartObject("custom");
            foreach (var (k, v) in m.CustomMetadata.OrderBy(p => p.Key, StringComparer.Ordinal))
                w.WriteString(k, v);
            w.WriteEndObject();
            w.WriteEndObject();
            if (matches.Count == 0) w.WriteNull("contract");
            else WriteMatch(w, "contract", matches[0]);
            w.WriteStartArray("also_fits");
            foreach (var other in matches.Skip(1)) WriteMatch(w, null, other);
            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    private static void WriteNodes(Utf8JsonWriter w, string name, IReadOnlyList<NodeInfo> nodes)
    {
        w.WriteStartArray(name);
        foreach (var n in nodes)
        {
            w.WriteStartObject();
            w.WriteString("name", n.Name);
            w.WriteString("type", n.ElementType.ToDTypeName());
            w.WriteStartArray("shape");
            for (int d = 0; d < n.Shape.Length; d++)
            {
                if (n.Shape[d] >= 0) w.WriteNumberValue(n.Shape[d]);
                else if (n.SymbolicDims.Length > d && n.SymbolicDims[d].Length > 0) w.WriteStringValue(n.SymbolicDims[d]);
                else w.WriteNullValue();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private static void WriteMatch(Utf8JsonWriter w, string? property, ContractMatch m)
    {
        if (property is null) w.WriteStartObject(); else w.WriteStartObject(property);
        w.WriteString("id", m.Kind.ToString());
        w.WriteString("task", m.Task);
        w.WriteString("detail", m.Detail);
        w.WriteEndObject();
    }
}
