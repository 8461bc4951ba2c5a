// A model whose output is made by a last Resize node: ONNX Resize, mode "linear", half-pixel coordinates, no
// antialiasing, from a lower-resolution tensor (torchvision's FCN/DeepLabV3/LRASPP end with F.interpolate of
// the classifier's logits to the input size, exported exactly so). SegKit then fetches the tensor before
// that node as an extra graph output (ORT skips the node when only that tensor is requested) and does both
// resizes, the model's and the one to the photo's size, in its fused two-stage kernel. A load-time check on
// two small inputs confirms that the node resizes to the model input's size and that SegKit's resize of the
// fetched tensor gives the model's own output; otherwise the model's output is used as before.
using SegKit.Imaging;
using SegKit.Onnx;

namespace SegKit.Semantic;

/// <summary>A graph output <see cref="Output"/> that node <see cref="Node"/> makes by resizing <see cref="Source"/> bilinearly.</summary>
internal sealed record ModelFinalResize(string Output, string Source, string Node)
{
    /// <summary>Largest model file SegKit maps to add the extra output (bigger ones load unchanged).</summary>
    private const long MaxEditBytes = 1L << 30;

    /// <summary>Room mapped after the model file's end for the added outputs (names of a few dozen characters each;
    /// longer ones make a copy of the model).</summary>
    private const int EditRoom = 4096;

    /// <summary>The graph outputs of <paramref name="graph"/> made by a final bilinear Resize.</summary>
    public static IReadOnlyList<ModelFinalResize> Find(OnnxModelFile graph)
    {
        var outputs = graph.GraphOutputs.ToHashSet(StringComparer.Ordinal);
        var found = new List<ModelFinalResize>();
        foreach (var n in graph.Nodes)
        {
            if (n.OpType != "Resize" || n.Outputs.Count != 1 || !outputs.Contains(n.Outputs[0]) || n.Inputs.Count < 1) continue;
            if (n.Inputs[0].Length == 0 || outputs.Contains(n.Inputs[0])) continue;
            if (n.StringAttributes.GetValueOrDefault("mode", "nearest") != "linear") continue;
            if (n.StringAttributes.GetValueOrDefault("coordinate_transformation_mode", "half_pixel") is not ("half_pixel" or "pytorch_half_pixel")) continue;
            if (n.IntAttributes.GetValueOrDefault("antialias", 0) != 0) continue;
            found.Add(new ModelFinalResize(n.Outputs[0], n.Inputs[0], n.Name));
        }
        return found;
    }

    /// <summary>
    /// Opens <paramref name="modelPath"/> with the sources of its final resizes added as outputs when it has any
    /// (and is an ordinary single-file model); otherwise as it is. Returns the session, the final resizes whose
    /// sources it can fetch, and why none were used when that is the case.
    /// </summary>
    public static (InferenceSession Session, IReadOnlyList<ModelFinalResize> Finals, string? Why) Open(string modelPath, SessionOptions options)
    {
        string? why = null;
        long fileLength = new FileInfo(modelPath).Length;
        MappedModelFile? mapped = null;
        if (fileLength > MaxEditBytes) why = "the model file is larger than 1 GiB";
        else
        {
            try
            {
                mapped = MappedModelFile.Open(modelPath, EditRoom);
            }
            catch (IOException e)
            {
                why = "the model file could not be mapped: " + e.Message; // ORT still reads it below
            }
        }
        if (mapped is not null)
        {
            // Mapped, not read: the graph is parsed from the mapping, and the extra outputs go in the room after it.
            using var file = mapped;
            OnnxModelFile? graph = null;
            try
            {
                graph = OnnxModelFile.Parse(file.FileBytes, modelPath, readConstants: false);
            }
            catch (OnnxModelFormatException e)
            {
                why = e.Message; // ORT reports its own error for the file below
            }
            if (graph is { HasExternalData: true }) why = "the model keeps weights in external data files";
            else if (graph is not null && Find(graph) is { Count: > 0 } finals)
            {
                var sources = finals.Select(f => f.Source).ToList();
                try
                {
                    var session = file.TryAppend(OnnxModelFile.GraphOutputsSuffix(sources))
                        ? InferenceSession.FromBytes(file.Contents, options, modelPath)
                        : InferenceSession.FromBytes(OnnxModelFile.AddGraphOutputs(file.FileBytes, sources, modelPath), options, modelPath);
                    return (session, finals, null);
                }
                catch (OrtException e)
                {
                    why = "ORT did not load the model with the extra output: " + e.NativeMessage;
                }
            }
            else if (graph is not null) why = "no output is made by a final bilinear Resize";
        }
        return (InferenceSession.FromFile(modelPath, options), [], why);
    }

    /// <summary>
    /// Runs <paramref name="session"/> on three small inputs of its input's shape and checks that <see cref="Output"/>
    /// has the input's height and width and equals SegKit's bilinear resize of <see cref="Source"/> within 1e-4 of
    /// its magnitude (ORT's and PyTorch's interpolation weights differ in their last bits). Null when it holds;
    /// otherwise what failed (a check run that ORT refuses, e.g. at a size the model cannot take, is a failure).
    /// </summary>
    public string? Check(InferenceSession session, string inputName, long[] inputShape)
    {
        // Dynamic sides: two sizes that are multiples of 8, and one that is a multiple of nothing, so that a Resize by
        // scales (right only where the input divides by its factor) is caught too. A fixed side keeps its size.
        (int H, int W)[] sizes = inputShape[2] > 0 && inputShape[3] > 0
            ? [((int)inputShape[2], (int)inputShape[3])]
            : [.. new[] { (48, 64), (56, 40), (45, 61) }.Select(s =>
                (inputShape[2] > 0 ? (int)inputShape[2] : s.Item1, inputShape[3] > 0 ? (int)inputShape[3] : s.Item2))];
        foreach (var (h, w) in sizes)
        {
            var x = new float[3 * h * w];
            for (int i = 0; i < x.Length; i++) x[i] = 2f * MathF.Sin(0.37f * i) * MathF.Cos(0.011f * i);
            using var tensor = OrtTensor.FromArray(x, [1, 3, h, w]);
            OrtOutputs run;
            try
            {
                run = session.Run(new Dictionary<string, OrtTensor> { [inputName] = tensor }, [Output, Source]);
            }
            catch (OrtException e)
            {
                // e.g. a model that only runs at some input sizes: keep its own output path
                return $"the check run at a {w}×{h} input failed: {e.NativeMessage}";
            }
            var o = run[Output];
            var s = run[Source];
            if (o.Shape.Length != 4 || s.Shape.Length != 4 || o.Shape[1] != s.Shape[1] || o.Shape[0] != 1 || s.Shape[0] != 1)
                return $"'{Output}' [{string.Join(",", o.Shape.ToArray())}] and '{Source}' [{string.Join(",", s.Shape.ToArray())}] are not [1,C,h,w] with one C";
            if (o.Shape[2] != h || o.Shape[3] != w)
                return $"node '{Node}' resizes to {o.Shape[3]}×{o.Shape[2]} for a {w}×{h} input, not to the input's size";
            int c = (int)s.Shape[1];
            var mine = new float[c * h * w];
            TensorResize.BilinearChw(s.AsFloat(), c, (int)s.Shape[2], (int)s.Shape[3], mine, h, w);
            float[] theirs = o.AsFloat();
            float scale = 1, diff = 0;
            for (int i = 0; i < mine.Length; i++)
            {
                scale = MathF.Max(scale, MathF.Abs(theirs[i]));
                diff = MathF.Max(diff, MathF.Abs(mine[i] - theirs[i]));
            }
            if (!(diff <= 1e-4f * scale))
                return $"SegKit's resize of '{Source}' differs from '{Output}' by {diff:G3} at a {w}×{h} input (magnitude {scale:G3})";
        }
        return null;
    }
}
