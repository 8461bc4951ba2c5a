using System.Diagnostics;

namespace SegKit;

/// <summary>
/// Wall-clock time spent in each stage of a segmentation run, in milliseconds. Stages a run does not
/// have stay 0. The CLI prints these under "timings" in its <c>--json</c> document.
/// </summary>
public sealed class StageTimings
{
    /// <summary>Reading and decoding the image file.</summary>
    public double DecodeMs { get; set; }
    /// <summary>Resize, normalisation, layout conversion: everything before the model or algorithm proper.</summary>
    public double PreprocessMs { get; set; }
    /// <summary>The model run (ONNX Runtime) or the classical algorithm itself.</summary>
    public double InferenceMs { get; set; }
    /// <summary>Turning raw outputs into the typed result (argmax, NMS, mask pasting, resizing back).</summary>
    public double PostprocessMs { get; set; }
    /// <summary>Encoding and writing output files.</summary>
    public double EncodeMs { get; set; }

    /// <summary>Sum of all stages.</summary>
    public double TotalMs => DecodeMs + PreprocessMs + InferenceMs + PostprocessMs + EncodeMs;

    /// <summary>Milliseconds elapsed since <paramref name="startTimestamp"/> (a <see cref="Stopwatch.GetTimestamp"/> value).</summary>
    public static double Since(long startTimestamp) => Stopwatch.GetElapsedTime(startTimestamp).TotalMilliseconds;
}
