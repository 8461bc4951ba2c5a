using System.Text.Encodings.Web;
using System.Text.Json;

namespace SegKit.Cli;

/// <summary>Writes the one JSON document a command prints with <c>--json</c>.</summary>
internal static class JsonOut
{
    private static readonly JsonWriterOptions s_options = new()
    {
        Indented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Builds a document with <paramref name="write"/> and prints it to <paramref name="output"/>.</summary>
    public static void Print(TextWriter output, Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, s_options))
            write(writer);
        output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }

    /// <summary>Writes a "timings" object in milliseconds (decode, preprocess, inference, postprocess, encode, total).</summary>
    public static void WriteTimings(Utf8JsonWriter w, StageTimings t)
    {
        w.WriteStartObject("timings");
        w.WriteNumber("decode", Math.Round(t.DecodeMs, 3));
        w.WriteNumber("preprocess", Math.Round(t.PreprocessMs, 3));
        w.WriteNumber("inference", Math.Round(t.InferenceMs, 3));
        w.WriteNumber("postprocess", Math.Round(t.PostprocessMs, 3));
        w.WriteNumber("encode", Math.Round(t.EncodeMs, 3));
        w.WriteNumber("total", Math.Round(t.TotalMs, 3));
        w.WriteEndObject();
    }
}
