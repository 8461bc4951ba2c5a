// The weights of segment-anything's prompt encoder + mask decoder, read out of an official SamOnnxModel export
// (PyTorch's exporter names each node after its module: "/transformer/layers.0/self_attn/q_proj/MatMul", and
// keeps parameter names for weights it does not transpose: "...output_upscaling.0.weight"). Linear weights are
// stored [in, out] (as the MatMul nodes take them); hypernetwork and IoU-head weights [out, in] (Gemm, transB).
// Anything missing or of an unexpected shape raises SamDecoderWeightsException, and the caller keeps the graph.
using SegKit.Onnx;

namespace SegKit.Prompt;

/// <summary>The decoder file does not have the layout SegKit's own decoder computation needs.</summary>
internal sealed class SamDecoderWeightsException(string message) : Exception(message);

internal sealed class SamDecoderWeights
{
    public const int Dim = 256;
    public const int Heads = 8;
    public const int OutputTokens = 5; // iou token + 4 mask tokens
    public const int MlpDim = 2048;
    public const int UpscaleDim1 = 64;
    public const int UpscaleDim2 = 32;

    internal sealed record Linear(float[] W, float[] B, int In, int Out); // W [In, Out] row-major

    internal sealed record Attention(Linear Q, Linear K, Linear V, Linear O)
    {
        public int Inner => Q.Out;
        public int HeadDim => Q.Out / Heads;
    }

    internal sealed record LayerNorm(float[] Weight, float[] Bias, float Epsilon);

    internal sealed record Block(Attention SelfAttn, LayerNorm Norm1, Attention TokenToImage, LayerNorm Norm2,
        Linear Mlp1, Linear Mlp2, LayerNorm Norm3, Attention ImageToToken, LayerNorm Norm4);

    public required Block[] Layers { get; init; }
    public required Attention FinalAttn { get; init; }
    public required LayerNorm NormFinal { get; init; }
    public required float[] Gaussian { get; init; }          // [2, 128]
    public required float[][] PointEmbeddings { get; init; } // 4 × [256]
    public required float[] NotAPoint { get; init; }         // [256]
    public required float[] NoMask { get; init; }            // [256]
    public required float[] OutputTokenValues { get; init; } // [5, 256]
    public required float[] Upscale1W { get; init; }         // ConvTranspose [256, 64, 2, 2]
    public required float[] Upscale1B { get; init; }
    public required LayerNorm UpscaleNorm { get; init; }     // LayerNorm2d over 64 channels
    public required float[] Upscale2W { get; init; }         // ConvTranspose [64, 32, 2, 2]
    public required float[] Upscale2B { get; init; }
    public required Linear[][] Hypernetworks { get; init; }  // 4 MLPs of 3 layers, W stored [in, out]
    public required Linear[] IouHead { get; init; }

    public static SamDecoderWeights Read(OnnxModelFile model)
    {
        var byName = new Dictionary<string, OnnxNode>(StringComparer.Ordinal);
        foreach (var n in model.Nodes) byName.TryAdd(n.Name.TrimStart('/'), n);

        OnnxFloatTensor ConstInput(OnnxNode node)
        {
            OnnxFloatTensor? found = null;
            foreach (var input in node.Inputs)
                if (model.Tensor(input) is { } t)
                {
                    if (found is not null) throw Missing($"node {node.Name} has two constant inputs");
                    found = t;
                }
            return found ?? throw Missing($"node {node.Name} has no constant input");
        }
        OnnxNode Node(string name) => byName.GetValueOrDefault(name) ?? throw Missing($"no node {name}");
        float[] Expect(OnnxFloatTensor t, string what, params long[] dims)
        {
            if (!t.Dims.AsSpan().SequenceEqual(dims))
                throw Missing($"{what} is {t.ShapeText}; [{string.Join(",", dims)}] expected");
            return t.Values;
        }
        OnnxFloatTensor Named(string suffix) =>
            model.Tensors.FirstOrDefault(t => t.Name.EndsWith(suffix, StringComparison.Ordinal)) ?? throw Missing($"no tensor *{suffix}");

        Linear Lin(string scope, int inDim, int outDim) => new(
            Expect(ConstInput(Node(scope + "/MatMul")), scope + " weight", inDim, outDim),
            Expect(ConstInput(Node(scope + "/Add")), scope + " bias", outDim), inDim, outDim);
        Attention Attn(string scope, int inner) => new(Lin(scope + "/q_proj", Dim, inner), Lin(scope + "/k_proj", Dim, inner),
            Lin(scope + "/v_proj", Dim, inner), Lin(scope + "/out_proj", inner, Dim));
        LayerNorm Ln(string scope)
        {
            var node = Node(scope + "/LayerNormalization");
            if (node.Inputs.Count < 3) throw Missing($"{node.Name} lacks scale or bias");
            var w = model.Tensor(node.Inputs[1]) ?? throw Missing($"{node.Name} scale is not a constant");
            var b = model.Tensor(node.Inputs[2]) ?? throw Missing($"{node.Name} bias is not a constant");
            return new LayerNorm(Expect(w, node.Name + " scale", Dim), Expect(b, node.Name + " bias", Dim),
                node.FloatAttributes.GetValueOrDefault("epsilon", 1e-5f));
        }

        var layers = new Block[2];
        for (int i = 0; i < 2; i++)
        {
            string s = $"transformer/layers.{i}";
            layers[i] = new Block(Attn(s + "/self_attn", Dim), Ln(s + "/norm1"), Attn(s + "/cross_attn_token_to_image", Dim / 2), Ln(s + "/norm2"),
                Lin(s + "/mlp/lin1", Dim, MlpDim), Lin(s + "/mlp/lin2", MlpDim, Dim), Ln(s + "/norm3"),
                Attn(s + "/cross_attn_image_to_token", Dim / 2), Ln(s + "/norm4"));
        }

        // no_mask_embed enters as Mul(1 - has_mask_input, weight); the output tokens as one folded [1,5,256] constant.
        var notMask = model.Nodes.FirstOrDefault(n => n.OpType == "Sub" && n.Inputs.Contains("has_mask_input"))
            ?? throw Missing("no (1 - has_mask_input) node");
        var noMaskMul = model.Nodes.FirstOrDefault(n => n.OpType == "Mul" && n.Inputs.Contains(notMask.Outputs[0]))
            ?? throw Missing("no no_mask_embed product");
        var tokens = model.Tensors.Where(t => t.Values.Length == OutputTokens * Dim && t.Dims.Length >= 2
            && t.Dims[^1] == Dim && t.Dims[^2] == OutputTokens).ToList();
        if (tokens.Count != 1) throw Missing($"{tokens.Count} constants of shape [1,5,256] (the output tokens); one expected");

        Linear[] Mlp(string prefix, int outDim)
        {
            var result = new Linear[3];
            for (int j = 0; j < 3; j++)
            {
                int o = j == 2 ? outDim : Dim;
                var w = Expect(Named($"{prefix}.layers.{j}.weight"), $"{prefix}.layers.{j}.weight", o, Dim);
                result[j] = new Linear(Transpose(w, o, Dim), Expect(Named($"{prefix}.layers.{j}.bias"), $"{prefix}.layers.{j}.bias", o), Dim, o);
            }
            return result;
        }

        var upNormMul = ConstInput(Node("output_upscaling/output_upscaling.1/Mul"));
        var upNormAdd = ConstInput(Node("output_upscaling/output_upscaling.1/Add_1"));
        return new SamDecoderWeights
        {
            Layers = layers,
            FinalAttn = Attn("transformer/final_attn_token_to_image", Dim / 2),
            NormFinal = Ln("transformer/norm_final_attn"),
            Gaussian = Expect(Named("pe_layer.positional_encoding_gaussian_matrix"), "positional_encoding_gaussian_matrix", 2, Dim / 2),
            PointEmbeddings = Enumerable.Range(0, 4).Select(i =>
                Expect(Named($"point_embeddings.{i}.weight"), $"point_embeddings.{i}.weight", 1, Dim)).ToArray(),
            NotAPoint = Expect(Named("not_a_point_embed.weight"), "not_a_point_embed.weight", 1, Dim),
            NoMask = Expect(ConstInput(noMaskMul), "no_mask_embed", 1, Dim, 1, 1),
            OutputTokenValues = tokens[0].Values,
            Upscale1W = Expect(Named("output_upscaling.0.weight"), "output_upscaling.0.weight", Dim, UpscaleDim1, 2, 2),
            Upscale1B = Expect(Named("output_upscaling.0.bias"), "output_upscaling.0.bias", UpscaleDim1),
            UpscaleNorm = new LayerNorm(Expect(upNormMul, "output_upscaling.1 weight", UpscaleDim1, 1, 1),
                Expect(upNormAdd, "output_upscaling.1 bias", UpscaleDim1, 1, 1), 1e-6f),
            Upscale2W = Expect(Named("output_upscaling.3.weight"), "output_upscaling.3.weight", UpscaleDim1, UpscaleDim2, 2, 2),
            Upscale2B = Expect(Named("output_upscaling.3.bias"), "output_upscaling.3.bias", UpscaleDim2),
            Hypernetworks = Enumerable.Range(0, 4).Select(i => Mlp($"output_hypernetworks_mlps.{i}", UpscaleDim2)).ToArray(),
            IouHead = Mlp("iou_prediction_head", 4),
        };
    }

    private static float[] Transpose(float[] w, int rows, int cols)
    {
        var t = new float[w.Length];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
                t[c * rows + r] = w[r * cols + c];
        return t;
    }

    private static SamDecoderWeightsException Missing(string what) => new(what);
}
