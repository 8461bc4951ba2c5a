// SegKit's own computation of segment-anything's prompt encoder + mask decoder (MaskDecoder.predict_masks with the
// TwoWayTransformer), from the weights of an official SamOnnxModel export (SamDecoderWeights). Same inputs and
// outputs as the decoder contract (SamDecoderContract) for prompts without a mask input; the results equal the
// graph's to float32 rounding (SamDecoder checks that on every model it loads before using this).
//
// Why it is faster than running the graph: the graph transforms all P = 4096 image tokens with 256×128 and 128×256
// projections for every prompt (≈ 2.7 GFLOP), although each attention between the image and the T ≈ 7 prompt
// tokens has rank at most 8·T. Re-associating the products around the few tokens makes every per-prompt product
// P × 256 × 8T instead of P × 256 × 128:
//   image→token attention: scores (K+PE)·Wq_h·k_hᵀ = (K+PE)·G with G = [Wq_h k_hᵀ]_h (256 × 8T); output
//     Σ_h A_h (v_h Wo_h) = A·Mv with Mv (8T × 256);
//   token→image attention: scores q_h·Wk_hᵀ·(K+PE)ᵀ (+ a per-row constant, which softmax cancels); output
//     (A_h K)·Wv_h + bv_h, since each softmax row sums to 1;
//   layer 0's image-side projections do not depend on the prompt and are computed once per embedding.
// The first transposed convolution of output_upscaling is linear in norm4(Y) of layer 1, and Y is an affine
// image of layer 0's pre-norm sum, so ConvT1's output is rebuilt from per-embedding products, the two
// attention outputs A·(Mv·W) and the LayerNorms' row means and deviations (P × 8T × 256 each instead of
// P × 256 × 256). The final token→image attention only updates the 5 output tokens that are read afterwards.
// Per prompt (T = 7): ≈ 0.66 G multiply-adds instead of ≈ 1.75 G, plus ≈ 0.67 G once per embedding.
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using SegKit.Numerics;

namespace SegKit.Prompt;

internal sealed class SamReformulatedDecoder
{
    private const int D = SamDecoderWeights.Dim;
    private const int H = SamDecoderWeights.Heads;
    private const int Up1 = SamDecoderWeights.UpscaleDim1;
    private const int Up2 = SamDecoderWeights.UpscaleDim2;
    private const int Masks = 4;

    private readonly SamDecoderWeights _w;
    private readonly int _side, _p, _lowRes, _l0Head;
    private readonly float _imageSize;
    private readonly float[] _pe;                       // [P, D] dense positional encoding (get_dense_pe)
    private readonly PackedMatrix _l0KProj, _l0VProj, _l0QProj, _wg1Packed, _wgPacked, _up2Packed;
    private readonly float[] _colSumWg1, _colSumWg, _b1Wg, _bo1Wg1, _bo2Wg, _b2WcBc, _up2Bias;
    private readonly Dictionary<SamDecoderWeights.Linear, PackedMatrix> _packedLinears = new(ReferenceEqualityComparer.Instance);
    private readonly ConditionalWeakTable<SamImageEmbedding, ImageState> _images = new();
    private readonly ConcurrentBag<Workspace> _workspaces = [];
    private readonly ConcurrentBag<float[]> _lowPool = [];
    private const int LowPoolLimit = 64;

    public SamReformulatedDecoder(SamDecoderWeights weights, int embeddingSide)
    {
        _w = weights;
        _side = embeddingSide;
        _p = embeddingSide * embeddingSide;
        _lowRes = 4 * embeddingSide;
        _imageSize = 16 * embeddingSide; // the encoder's input side (1024 for 64×64 embeddings)
        _l0Head = weights.Layers[0].TokenToImage.HeadDim;
        if (weights.Layers[0].ImageToToken.HeadDim != _l0Head) throw new SamDecoderWeightsException("layer 0's cross attentions have different head sizes");
        _pe = DensePositionalEncoding(weights.Gaussian, embeddingSide);
        foreach (var a in weights.Layers.SelectMany(l => new[] { l.SelfAttn, l.TokenToImage, l.ImageToToken }).Append(weights.FinalAttn))
            foreach (var l in new[] { a.Q, a.K, a.V, a.O }) PackLinear(l);
        foreach (var l in weights.Layers.SelectMany(l => new[] { l.Mlp1, l.Mlp2 })
            .Concat(weights.Hypernetworks.SelectMany(m => m)).Concat(weights.IouHead)) PackLinear(l);

        var l0 = weights.Layers[0];
        _l0KProj = new PackedMatrix().Pack(l0.TokenToImage.K.W, 0, D, l0.TokenToImage.Inner, l0.TokenToImage.Inner);
        _l0VProj = new PackedMatrix().Pack(l0.TokenToImage.V.W, 0, D, l0.TokenToImage.Inner, l0.TokenToImage.Inner);
        _l0QProj = new PackedMatrix().Pack(l0.ImageToToken.Q.W, 0, D, l0.ImageToToken.Inner, l0.ImageToToken.Inner);

        // ConvT1 as a [D, 4·64] matrix with columns (ky, kx, o): Wc[c, (2ky+kx)·64 + o] = W[c, o, ky, kx].
        var wc = new float[D * 4 * Up1];
        for (int c = 0; c < D; c++)
            for (int o = 0; o < Up1; o++)
                for (int k = 0; k < 4; k++)
                    wc[c * 4 * Up1 + k * Up1 + o] = weights.Upscale1W[(c * Up1 + o) * 4 + k];
        var bc = new float[4 * Up1];
        for (int k = 0; k < 4; k++) weights.Upscale1B.CopyTo(bc, k * Up1);
        var n0 = l0.Norm4;
        var n1 = weights.Layers[1].Norm4;
        var wg = Scaled(wc, n1.Weight);  // diag(norm4 of layer 1)·Wc
        var wg1 = Scaled(wg, n0.Weight); // diag(norm4 of layer 0)·Wg
        _wgPacked = new PackedMatrix().Pack(wg, 0, D, 4 * Up1, 4 * Up1);
        _wg1Packed = new PackedMatrix().Pack(wg1, 0, D, 4 * Up1, 4 * Up1);
        _colSumWg1 = ColumnSums(wg1);
        _colSumWg = ColumnSums(wg);
        _b1Wg = VecMat(n0.Bias, wg);
        _bo1Wg1 = VecMat(l0.ImageToToken.O.B, wg1);
        _bo2Wg = VecMat(weights.Layers[1].ImageToToken.O.B, wg);
        _b2WcBc = VecMat(n1.Bias, wc);
        for (int i = 0; i < _b2WcBc.Length; i++) _b2WcBc[i] += bc[i];

        // ConvT2 as [64, 4·32] with columns (ky, kx, o).
        var w2 = new float[Up1 * 4 * Up2];
        for (int c = 0; c < Up1; c++)
            for (int o = 0; o < Up2; o++)
                for (int k = 0; k < 4; k++)
                    w2[c * 4 * Up2 + k * Up2 + o] = weights.Upscale2W[(c * Up2 + o) * 4 + k];
        _up2Packed = new PackedMatrix().Pack(w2, 0, Up1, 4 * Up2, 4 * Up2);
        _up2Bias = new float[4 * Up2];
        for (int k = 0; k < 4; k++) weights.Upscale2B.CopyTo(_up2Bias, k * Up2);
    }

    private void PackLinear(SamDecoderWeights.Linear l) => _packedLinears[l] = new PackedMatrix().Pack(l.W, 0, l.In, l.Out, l.Out);

    /// <summary>Keeps a one-prompt low-res output array for reuse (every element of it is overwritten by the next run).</summary>
    public void Recycle(float[] low)
    {
        if (low.Length == Masks * _lowRes * _lowRes && _lowPool.Count < LowPoolLimit) _lowPool.Add(low);
    }

    /// <summary>Low-res side of the masks (4 × the embedding side).</summary>
    public int LowResSize => _lowRes;

    /// <summary>
    /// Decodes <paramref name="batch"/> prompts of <paramref name="n"/> points each (coordinates in the encoder's
    /// input frame; labels 1, 0, 2, 3 or -1) with no mask input. Returns IoU [B,4] and low-res logits [B,4,S,S].
    /// Results do not depend on <paramref name="threads"/>: every sum is taken in the same order on any count.
    /// </summary>
    public SamDecoderOutput Run(SamImageEmbedding embedding, float[] coords, float[] labels, int batch, int n, int threads)
    {
        threads = Math.Max(1, threads);
        var image = _images.GetValue(embedding, e => new ImageState(this, e, threads));
        int plane = _lowRes * _lowRes;
        var iou = new float[batch * Masks];
        var low = batch == 1 && _lowPool.TryTake(out var pooled) ? pooled : new float[batch * Masks * plane];
        if (!_workspaces.TryTake(out var ws)) ws = new Workspace(_p);
        try
        {
            for (int b = 0; b < batch; b++)
                Decode(image, coords.AsSpan(b * n * 2, n * 2), labels.AsSpan(b * n, n), ws, threads,
                    iou.AsSpan(b * Masks, Masks), low, b * Masks * plane);
        }
        finally
        {
            _workspaces.Add(ws);
        }
        return new SamDecoderOutput(batch, Masks, _lowRes, iou, low);
    }

    // Rows of image tokens per tile of the image→token attentions, and rows of ConvT1 output per tile of the
    // upscaling: a tile's scores, attention outputs and ConvT2 output stay in the core's L2 cache.
    private const int TokenTile = 60;
    private const int UpscaleTile = 96;

    private void Decode(ImageState img, ReadOnlySpan<float> coords, ReadOnlySpan<float> labels, Workspace ws, int threads,
        Span<float> iouOut, float[] low, int lowOffset)
    {
        int P = _p;
        int n = labels.Length;
        int T = SamDecoderWeights.OutputTokens + n;
        int ht = H * T, htp = (ht + 15) / 16 * 16;
        // The image→token attentions keep each head's T scores in a group of tg columns (a whole number of 8-float
        // vectors, padding masked out): column h·tg + t, hg columns in all.
        int tg = (T + 7) / 8 * 8, hg = H * tg;
        // Layer 0's scores are taken head by head (16 of the 128 projected dimensions each) into blocks of 16 columns
        // that start every T (token→image) or tg (image→token) columns; the row strides leave room for the last block.
        int hd = _l0Head, wN = (T + 15) / 16 * 16;
        int ldT = Math.Max(htp, ((H - 1) * T + wN + 7) / 8 * 8), ldI = Math.Max(hg, ((H - 1) * tg + wN + 7) / 8 * 8);
        ws.EnsureTokens(Math.Max(ldT, ldI), threads);
        var l0 = _w.Layers[0];
        var l1 = _w.Layers[1];

        // Prompt encoder: output tokens, then the sparse point embeddings (SamOnnxModel._embed_points).
        var qpe = new float[T * D];
        _w.OutputTokenValues.CopyTo(qpe, 0);
        for (int i = 0; i < n; i++)
        {
            var e = qpe.AsSpan((SamDecoderWeights.OutputTokens + i) * D, D);
            float label = labels[i];
            if (label == -1f)
            {
                _w.NotAPoint.CopyTo(e);
                continue;
            }
            PointEncoding((coords[2 * i] + 0.5f) / _imageSize, (coords[2 * i + 1] + 0.5f) / _imageSize, _w.Gaussian, e);
            int li = (int)label;
            if (label == li && li >= 0 && li < 4) VectorMath.Axpy(1f, _w.PointEmbeddings[li], e);
        }

        // Layer 0: self-attention without positional encoding or residual.
        var q = TokenSelfAttention(l0.SelfAttn, qpe, qpe, qpe, T);
        LayerNormRows(q, T, l0.Norm1);

        // Layer 0 token→image: keys and values of the image tokens come from the embedding alone.
        {
            var a = l0.TokenToImage;
            var qt = Linear(Add(q, qpe), T, a.Q);
            float scale = 1f / MathF.Sqrt(a.HeadDim);
            ws.PrepareHeads(qt, T, hd, scale, wN);
            for (int h = 0; h < H; h++)
                Sgemm.Multiply(img.Ki0, h * hd, a.Inner, P, ws.HeadB[h], ws.S, h * T, ldT, threads: threads);
            var inv = ColumnSoftmaxTransposed(ws.S, ldT, ht, ws.St, threads);
            var c = ws.C;                                             // [ht, inner]
            Sgemm.Multiply(ws.St, 0, P, ht, img.Vi0Packed, c, 0, a.Inner, threads: threads);
            ScaleRows(c, ht, a.Inner, inv);
            var o = new float[T * a.Inner];
            for (int h = 0; h < H; h++)
                for (int t = 0; t < T; t++)
                    c.AsSpan((h * T + t) * a.Inner + h * a.HeadDim, a.HeadDim).CopyTo(o.AsSpan(t * a.Inner + h * a.HeadDim, a.HeadDim));
            AddInPlace(q, Linear(o, T, a.O));
            LayerNormRows(q, T, l0.Norm2);
        }
        Mlp(q, T, l0);

        // Layer 0 image→token, tile by tile: queries of the image tokens come from the embedding alone.
        // Y1 = K0 + A·Mv + bo; K1 = norm4(Y1) (row-major, for layer 1's token→image values), K1 + PE, and
        // K1·Wg from K0·Wg1 + A·(Mv·Wg1) (see the header).
        var k1 = ws.K1;
        {
            var a = l0.ImageToToken;
            var (kt, vt) = (Linear(Add(q, qpe), T, a.K), Linear(q, T, a.V));
            float scale = 1f / MathF.Sqrt(a.HeadDim);
            ws.PrepareHeads(kt, T, hd, scale, wN);
            BuildValueOutputs(ws, vt, T, tg, a, _wg1Packed);

            // Layer 1 self-attention: the tokens do not depend on the image side of this attention, so layer 1's
            // token→image queries are known before K1, and its scores are taken tile by tile below.
            var qq = Add(q, qpe);
            AddInPlace(q, TokenSelfAttention(l1.SelfAttn, qq, qq, q, T));
            LayerNormRows(q, T, l1.Norm1);
            TokenQueries(l1.TokenToImage, q, qpe, T, ws, htp, ws.Next);

            int inner = a.Inner;
            var bo = a.O.B;
            VectorMath.ForTiles(P, TokenTile, threads, (w, r0, r1) =>
            {
                var sc = ws.Scratch[w];
                int rows = r1 - r0;
                for (int h = 0; h < H; h++)
                    Sgemm.Multiply(img.Qi0, r0 * inner + h * hd, inner, rows, ws.HeadB[h], sc.S, h * tg, ldI);
                GroupSoftmax(sc.S, rows, T, tg, ldI);
                Sgemm.Multiply(sc.S, 0, ldI, rows, ws.Cat, sc.Am, 0, 2 * D);
                for (int r = r0; r < r1; r++)
                    NormRow(r, img.K0, sc.Am.AsSpan((r - r0) * 2 * D, 2 * D), bo, l0.Norm4,
                        img.K0Wg1, _bo1Wg1, _colSumWg1, _b1Wg, k1.Data, sc.Kpe, r - r0, ws.Kw, sc.Y);
                Sgemm.Multiply(sc.Kpe, 0, D, rows, ws.Next, ws.S, r0 * htp, htp);   // layer 1 token→image scores
            });
        }

        // Layer 1 token→image (scores in ws.S), MLP.
        AttendImage(l1.TokenToImage, q, T, k1, ws, threads, htp);
        LayerNormRows(q, T, l1.Norm2);
        Mlp(q, T, l1);

        // Layer 1 image→token on the image tokens K1, tile by tile. Y2 = K1 + A·Mv + bo; K2 = norm4(Y2) (row-major,
        // for the final attention's values), ConvT1(K2) = U from K1·Wg + A·(Mv·Wg), and the final attention's
        // scores from K2 + PE, which stays in the tile. Only the 5 output tokens are read after the final attention.
        var k2 = ws.K2;
        const int T5 = SamDecoderWeights.OutputTokens;
        int htp5 = (H * T5 + 15) / 16 * 16;
        var q5 = q.AsSpan(0, T5 * D).ToArray();
        TokenQueries(_w.FinalAttn, q5, qpe, T5, ws, htp5, ws.Next);
        {
            var a = l1.ImageToToken;
            var kt = Linear(Add(q, qpe), T, a.K);
            var vt = Linear(q, T, a.V);
            float scale = 1f / MathF.Sqrt(a.HeadDim);
            // G [D, hg]: column (h,t) = scale·Wq_h·k_t,h; the bias part bq_h·k_t,h is a per-column constant.
            var gt = ws.Gt;                                            // G transposed: [hg, D]
            Array.Clear(gt, 0, hg * D);
            var cvec = new float[hg];
            for (int h = 0; h < H; h++)
                for (int t = 0; t < T; t++)
                {
                    var row = gt.AsSpan((h * tg + t) * D, D);
                    var k = kt.AsSpan(t * a.Inner + h * a.HeadDim, a.HeadDim);
                    float cb = 0;
                    for (int i = 0; i < D; i++)
                        row[i] = scale * VectorMath.Dot(a.Q.W.AsSpan(i * a.Inner + h * a.HeadDim, a.HeadDim), k);
                    for (int j = 0; j < a.HeadDim; j++) cb += a.Q.B[h * a.HeadDim + j] * k[j];
                    cvec[h * tg + t] = scale * cb;
                }
            ws.Small.PackTransposed(gt, 0, D, hg, D);
            BuildValueOutputs(ws, vt, T, tg, a, _wgPacked);
            var bo = a.O.B;
            VectorMath.ForTiles(P, TokenTile, threads, (w, r0, r1) =>
            {
                var sc = ws.Scratch[w];
                int rows = r1 - r0;
                // K1 + PE again (cheaper than keeping it: K1's and PE's rows are read below anyway).
                _pe.AsSpan(r0 * D, rows * D).CopyTo(sc.Kpe);
                VectorMath.Axpy(1f, k1.Data.AsSpan(r0 * D, rows * D), sc.Kpe.AsSpan(0, rows * D));
                Sgemm.Multiply(sc.Kpe, 0, D, rows, ws.Small, sc.S, 0, hg);
                for (int r = 0; r < rows; r++) VectorMath.Axpy(1f, cvec, sc.S.AsSpan(r * hg, hg));
                GroupSoftmax(sc.S, rows, T, tg, hg);
                Sgemm.Multiply(sc.S, 0, hg, rows, ws.Cat, sc.Am, 0, 2 * D);
                for (int r = r0; r < r1; r++)
                    NormRow(r, k1.Data, sc.Am.AsSpan((r - r0) * 2 * D, 2 * D),
                        bo, l1.Norm4, ws.Kw, _bo2Wg, _colSumWg, _b2WcBc, k2.Data, sc.Kpe, r - r0, ws.U, sc.Y);
                Sgemm.Multiply(sc.Kpe, 0, D, rows, ws.Next, ws.S, r0 * htp5, htp5);   // final token→image scores
            });
        }

        AttendImage(_w.FinalAttn, q5, T5, k2, ws, threads, htp5);
        LayerNormRows(q5, T5, _w.NormFinal);

        // Hypernetworks, as a block-diagonal [4·32, 4·4] matrix: row (k2, o), column (k2, mask).
        var hb = ws.HyperRows;
        Array.Clear(hb);
        for (int m = 0; m < Masks; m++)
        {
            var x = q5.AsSpan((1 + m) * D, D).ToArray();
            var layers = _w.Hypernetworks[m];
            for (int j = 0; j < layers.Length; j++)
            {
                x = Linear(x, 1, layers[j]);
                if (j < layers.Length - 1) Relu(x);
            }
            for (int k = 0; k < 4; k++)
                for (int o = 0; o < Up2; o++)
                    hb[(k * Up2 + o) * 4 * Masks + k * Masks + m] = x[o];
        }
        var hyper = ws.Hyper.Pack(hb, 0, 4 * Up2, 4 * Masks, 4 * Masks);

        // output_upscaling tile by tile: ConvT1 (U, built above; row (p, k1) of 64 channels) → LayerNorm2d → GELU →
        // ConvT2 (row (p, k1), columns (k2, o)) → GELU, then the hypernetwork dot, scattered to the low-res masks:
        // (p, k1, k2) is pixel (4y + 2ky1 + ky2, 4x + 2kx1 + kx2) for p = (y, x).
        var un = _w.UpscaleNorm;
        int side = _side, lowRes = _lowRes, plane = lowRes * lowRes;
        VectorMath.ForTiles(P * 4, UpscaleTile, threads, (w, r0, r1) =>
        {
            var sc = ws.Scratch[w];
            int rows = r1 - r0;
            for (int r = r0; r < r1; r++)
            {
                VectorMath.LayerNormGelu64(ws.U.AsSpan(r * Up1, Up1), sc.Un.AsSpan((r - r0) * Up1, Up1), un.Weight, un.Bias, un.Epsilon);
            }
            Sgemm.Multiply(sc.Un, 0, Up1, rows, _up2Packed, sc.Z, 0, 4 * Up2);
            for (int r = 0; r < rows; r++)
            {
                VectorMath.BiasGelu(sc.Z.AsSpan(r * 4 * Up2, 4 * Up2), _up2Bias);
            }
            Sgemm.Multiply(sc.Z, 0, 4 * Up2, rows, hyper, sc.Mv, 0, 4 * Masks);
            for (int r = r0; r < r1; r++)
            {
                int p = r >> 2, k1i = r & 3, y = p / side, x = p % side;
                int yBase = 4 * y + 2 * (k1i >> 1), xBase = 4 * x + 2 * (k1i & 1);
                var mv = sc.Mv.AsSpan((r - r0) * 4 * Masks, 4 * Masks);
                for (int k = 0; k < 4; k++)
                {
                    int at = lowOffset + (yBase + (k >> 1)) * lowRes + xBase + (k & 1);
                    for (int m = 0; m < Masks; m++) low[at + m * plane] = mv[k * Masks + m];
                }
            }
        });

        var iou = q5.AsSpan(0, D).ToArray();
        for (int j = 0; j < _w.IouHead.Length; j++)
        {
            iou = Linear(iou, 1, _w.IouHead[j]);
            if (j < _w.IouHead.Length - 1) Relu(iou);
        }
        iou.AsSpan(0, Masks).CopyTo(iouOut);
    }

    /// <summary>
    /// One image token of an image→token attention's residual, LayerNorm and the products that follow:
    /// y = x0 + am[..D] + bo; yn = norm(y) into <paramref name="kOut"/> (row-major [P, D]) and yn + PE into
    /// <paramref name="kpe"/> (row <paramref name="kpeRow"/>); wOut = (xw + am[D..] + boW − mean·colSum)/std + bias, the ConvT1-side product of yn.
    /// </summary>
    private void NormRow(int r, float[] x0, ReadOnlySpan<float> am, float[] bo, SamDecoderWeights.LayerNorm norm,
        float[] xw, float[] boW, float[] colSum, float[] bias, float[] kOut, float[] kpe, int kpeRow, float[] wOut, float[] y)
    {
        // One 512-bit vector per 16-float chunk (where AVX-512 is not accelerated .NET splits each into two 256-bit halves).
        const int W = PackedMatrix.PanelWidth;
        ref float ry = ref y[0];
        ref float ram = ref MemoryMarshal.GetReference(am);
        ref float rbo = ref bo[0];
        var acc = Vector512<float>.Zero;
        for (int j = 0; j < D / W; j++)
        {
            nuint i = (nuint)(j * W);
            var v = Vector512.LoadUnsafe(ref x0[r * D], i) + Vector512.LoadUnsafe(ref ram, i) + Vector512.LoadUnsafe(ref rbo, i);
            v.StoreUnsafe(ref ry, i);
            acc += v;
        }
        float mean = Vector512.Sum(acc) / D;
        var vm = Vector512.Create(mean);
        acc = Vector512<float>.Zero;
        for (int j = 0; j < D / W; j++)
        {
            var d = Vector512.LoadUnsafe(ref ry, (nuint)(j * W)) - vm;
            acc = Vector512.FusedMultiplyAdd(d, d, acc);
        }
        float std = MathF.Sqrt(Vector512.Sum(acc) / D + norm.Epsilon);
        var vInv = Vector512.Create(1f / std);
        var vShift = Vector512.Create(-mean / std);
        ref float rw = ref norm.Weight[0];
        ref float rb = ref norm.Bias[0];
        ref float rpe = ref _pe[r * D];
        ref float rkpe = ref kpe[kpeRow * D];
        ref float rxw = ref xw[r * D];
        ref float rwo = ref wOut[r * D];
        ref float rboW = ref boW[0];
        ref float rcs = ref colSum[0];
        ref float rbias = ref bias[0];
        for (int j = 0; j < D / W; j++)
        {
            nuint i = (nuint)(j * W);
            var yn = Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref ry, i), vInv, vShift),
                Vector512.LoadUnsafe(ref rw, i), Vector512.LoadUnsafe(ref rb, i));
            yn.StoreUnsafe(ref kOut[r * D + j * W]);
            (yn + Vector512.LoadUnsafe(ref rpe, i)).StoreUnsafe(ref rkpe, i);
            var sum = Vector512.LoadUnsafe(ref rxw, i) + Vector512.LoadUnsafe(ref ram, i + D) + Vector512.LoadUnsafe(ref rboW, i);
            Vector512.FusedMultiplyAdd(sum, vInv, Vector512.FusedMultiplyAdd(vShift, Vector512.LoadUnsafe(ref rcs, i), Vector512.LoadUnsafe(ref rbias, i)))
                .StoreUnsafe(ref rwo, i);
        }
    }

    /// <summary>
    /// The scores side of a token→image attention: <paramref name="dst"/> ← Fᵀ packed [D, htp], F row (h,t) =
    /// scale·q_t,h·Wk_hᵀ for q = (queries + qpe)·Wq + bq, so that (K + PE)·Fᵀ are the scores (the key bias adds a
    /// constant to each softmax column and drops out).
    /// </summary>
    private void TokenQueries(SamDecoderWeights.Attention a, float[] queries, float[] qpe, int T, Workspace ws, int htp, PackedMatrix dst)
    {
        var qt = Linear(Add(queries, qpe, T), T, a.Q);
        float scale = 1f / MathF.Sqrt(a.HeadDim);
        var f = ws.Gt;
        Array.Clear(f, 0, htp * D);
        for (int h = 0; h < H; h++)
            for (int t = 0; t < T; t++)
            {
                var row = f.AsSpan((h * T + t) * D, D);
                var qh = qt.AsSpan(t * a.Inner + h * a.HeadDim, a.HeadDim);
                for (int i = 0; i < D; i++) row[i] = scale * VectorMath.Dot(a.K.W.AsSpan(i * a.Inner + h * a.HeadDim, a.HeadDim), qh);
            }
        dst.PackTransposed(f, 0, D, htp, D);
    }

    /// <summary>
    /// queries ← queries + attn(·) of a token→image attention whose scores [P, htp] are in ws.S, over the image
    /// tokens <paramref name="k"/> ([P, D] as B of a product): softmax over the image tokens, A·K, then Wv, bv and the output projection.
    /// </summary>
    private void AttendImage(SamDecoderWeights.Attention a, float[] queries, int T, PackedMatrix k, Workspace ws, int threads, int htp)
    {
        int P = _p, ht = H * T;
        var inv = ColumnSoftmaxTransposed(ws.S, htp, ht, ws.St, threads);
        Sgemm.Multiply(ws.St, 0, P, ht, k, ws.C, 0, D, threads: threads);
        ScaleRows(ws.C, ht, D, inv);
        // O[t, h-block] = C[(h,t)]·Wv_h + bv_h
        var o = new float[T * a.Inner];
        for (int h = 0; h < H; h++)
            for (int t = 0; t < T; t++)
            {
                var dst = o.AsSpan(t * a.Inner + h * a.HeadDim, a.HeadDim);
                a.V.B.AsSpan(h * a.HeadDim, a.HeadDim).CopyTo(dst);
                var crow = ws.C.AsSpan((h * T + t) * D, D);
                for (int i = 0; i < D; i++) VectorMath.Axpy(crow[i], a.V.W.AsSpan(i * a.Inner + h * a.HeadDim, a.HeadDim), dst);
            }
        var outp = Linear(o, T, a.O);
        for (int i = 0; i < T * D; i++) queries[i] += outp[i];
    }

    /// <summary>ws.Cat ← packed [Mv | Mv·W] (H·tg × 2D), Mv row (h·tg + t) = v_t,h·Wo_h; padding rows zero.</summary>
    private static void BuildValueOutputs(Workspace ws, float[] vt, int T, int tg, SamDecoderWeights.Attention a, PackedMatrix w)
    {
        int hg = H * tg;
        var cat = ws.CatRows;
        Array.Clear(cat, 0, hg * 2 * D);
        for (int h = 0; h < H; h++)
            for (int t = 0; t < T; t++)
            {
                var row = cat.AsSpan((h * tg + t) * 2 * D, D);
                var v = vt.AsSpan(t * a.Inner + h * a.HeadDim, a.HeadDim);
                for (int j = 0; j < a.HeadDim; j++) VectorMath.Axpy(v[j], a.O.W.AsSpan((h * a.HeadDim + j) * D, D), row);
            }
        // Mv·W into the right half.
        Sgemm.Multiply(cat, 0, 2 * D, hg, w, cat, D, 2 * D);
        ws.Cat.Pack(cat, 0, hg, 2 * D, 2 * D);
    }

    // The column sums of a softmax over the P image tokens are taken in this many fixed row ranges, then added in order.
    private const int SoftmaxChunks = 8;

    /// <summary>
    /// Softmax over rows 0..P-1 of each of the first <paramref name="cols"/> columns of S [P, ld], unnormalised and
    /// transposed into St [cols, P]; returns 1 / (column sum), by which the caller scales the product St·V.
    /// </summary>
    private float[] ColumnSoftmaxTransposed(float[] s, int ld, int cols, float[] st, int threads)
    {
        int P = _p;
        var max = new float[ld];
        Array.Fill(max, float.NegativeInfinity);
        for (int r = 0; r < P; r++)
        {
            var row = s.AsSpan(r * ld, ld);
            for (int c = 0; c + 8 <= ld; c += 8)
                Vector256.Max(Vector256.Create<float>(max.AsSpan(c, 8)),
                    Vector256.Create<float>(row.Slice(c, 8))).CopyTo(max.AsSpan(c, 8));
        }
        // Row blocks of 16 (one cache line of St per column); P is a multiple of 16 for every SAM embedding (64²).
        var sums = new float[SoftmaxChunks * ld];
        VectorMath.ForTiles(SoftmaxChunks, 1, threads, (_, ch, _) =>
        {
            int r0 = P * ch / SoftmaxChunks / 16 * 16, r1 = ch == SoftmaxChunks - 1 ? P : P * (ch + 1) / SoftmaxChunks / 16 * 16;
            var sum = sums.AsSpan(ch * ld, ld);
            for (int rb = r0; rb < r1; rb += 16)
            {
                int rows = Math.Min(16, r1 - rb);
                for (int r = rb; r < rb + rows; r++)
                {
                    var row = s.AsSpan(r * ld, ld);
                    VectorMath.Axpy(-1f, max, row);
                    VectorMath.Exp(row);
                    VectorMath.Axpy(1f, row, sum);
                }
                for (int c = 0; c < cols; c++)
                {
                    var dst = st.AsSpan(c * P + rb, rows);
                    for (int i = 0; i < rows; i++) dst[i] = s[(rb + i) * ld + c];
                }
            }
        });
        var inv = new float[ld];
        for (int c = 0; c < ld; c++)
        {
            float t = 0;
            for (int ch = 0; ch < SoftmaxChunks; ch++) t += sums[ch * ld + c];
            inv[c] = 1f / t;
        }
        return inv;
    }

    private static void ScaleRows(float[] c, int rows, int ld, float[] scale)
    {
        for (int r = 0; r < rows; r++)
        {
            var row = c.AsSpan(r * ld, ld);
            float f = scale[r];
            for (int i = 0; i < row.Length; i++) row[i] *= f;
        }
    }

    /// <summary>
    /// Softmax over each head's <paramref name="t"/> scores (columns h·tg .. h·tg + t − 1) of every row of S
    /// [rows, ld] (ld ≥ H·tg); padding columns become 0. The shift is the row's maximum; a head whose sum would fall below
    /// 1e-20 with it (its scores far below another head's) is redone with its own maximum, so none underflows.
    /// </summary>
    internal static void GroupSoftmax(float[] s, int rows, int t, int tg, int ld)
    {
        int vecs = tg / 8, used = H * tg;
        Span<Vector256<float>> valid = stackalloc Vector256<float>[vecs];
        Span<Vector256<float>> e = stackalloc Vector256<float>[vecs];
        var lane = Vector256.Create(0f, 1f, 2f, 3f, 4f, 5f, 6f, 7f);
        for (int k = 0; k < vecs; k++) valid[k] = Vector256.LessThan(lane + Vector256.Create(8f * k), Vector256.Create((float)t));
        var negInf = Vector256.Create(float.NegativeInfinity);
        for (int r = 0; r < rows; r++)
        {
            ref float row = ref s[r * ld];
            var vmax = negInf;
            for (int i = 0; i < used; i += 8)
                vmax = Vector256.Max(vmax, Vector256.ConditionalSelect(valid[(i % tg) / 8], Vector256.LoadUnsafe(ref row, (nuint)i), negInf));
            float m = vmax[0];
            for (int i = 1; i < 8; i++) m = MathF.Max(m, vmax[i]);
            for (int h = 0; h < H; h++)
            {
                nuint g = (nuint)(h * tg);
                float sum = Shifted(ref row, g, m, valid, e);
                if (!(sum >= 1e-20f))
                {
                    var own = negInf;
                    for (int k = 0; k < vecs; k++)
                        own = Vector256.Max(own, Vector256.ConditionalSelect(valid[k], Vector256.LoadUnsafe(ref row, g + (nuint)(8 * k)), negInf));
                    float om = own[0];
                    for (int i = 1; i < 8; i++) om = MathF.Max(om, own[i]);
                    sum = Shifted(ref row, g, om, valid, e);
                }
                var inv = Vector256.Create(1f / sum);
                for (int k = 0; k < vecs; k++) (e[k] * inv).StoreUnsafe(ref row, g + (nuint)(8 * k));
            }
        }
    }

    /// <summary>e ← exp(x − shift) over one head's group (padding 0); returns the sum. The row is not written.</summary>
    private static float Shifted(ref float row, nuint g, float shift, ReadOnlySpan<Vector256<float>> valid, Span<Vector256<float>> e)
    {
        var vs = Vector256.Create(shift);
        var acc = Vector256<float>.Zero;
        for (int k = 0; k < valid.Length; k++)
        {
            e[k] = Vector256.ConditionalSelect(valid[k], VectorMath.Exp(Vector256.LoadUnsafe(ref row, g + (nuint)(8 * k)) - vs), Vector256<float>.Zero);
            acc += e[k];
        }
        return Vector256.Sum(acc);
    }

    private float[] TokenSelfAttention(SamDecoderWeights.Attention a, float[] qIn, float[] kIn, float[] vIn, int T)
    {
        var q = Linear(qIn, T, a.Q);
        var k = Linear(kIn, T, a.K);
        var v = Linear(vIn, T, a.V);
        int dh = a.HeadDim;
        float scale = 1f / MathF.Sqrt(dh);
        var o = new float[T * a.Inner];
        var w = new float[T];
        for (int h = 0; h < H; h++)
            for (int i = 0; i < T; i++)
            {
                var qi = q.AsSpan(i * a.Inner + h * dh, dh);
                float m = float.NegativeInfinity;
                for (int j = 0; j < T; j++)
                {
                    w[j] = VectorMath.Dot(qi, k.AsSpan(j * a.Inner + h * dh, dh)) * scale;
                    if (w[j] > m) m = w[j];
                }
                float sum = 0;
                for (int j = 0; j < T; j++) sum += w[j] = MathF.Exp(w[j] - m);
                var dst = o.AsSpan(i * a.Inner + h * dh, dh);
                for (int j = 0; j < T; j++) VectorMath.Axpy(w[j] / sum, v.AsSpan(j * a.Inner + h * dh, dh), dst);
            }
        return Linear(o, T, a.O);
    }

    private void Mlp(float[] q, int T, SamDecoderWeights.Block layer)
    {
        var hidden = Linear(q, T, layer.Mlp1);
        Relu(hidden);
        AddInPlace(q, Linear(hidden, T, layer.Mlp2));
        LayerNormRows(q, T, layer.Norm3);
    }

    /// <summary>x [rows, In] · W [In, Out] + b.</summary>
    private float[] Linear(float[] x, int rows, SamDecoderWeights.Linear l)
    {
        var y = new float[rows * l.Out];
        for (int r = 0; r < rows; r++) l.B.CopyTo(y, r * l.Out);
        Sgemm.Multiply(x, 0, l.In, rows, _packedLinears[l], y, 0, l.Out, accumulate: true);
        return y;
    }

    private static void LayerNormRows(float[] x, int rows, SamDecoderWeights.LayerNorm n)
    {
        for (int r = 0; r < rows; r++) VectorMath.LayerNorm(x.AsSpan(r * D, D), n.Weight, n.Bias, n.Epsilon);
    }

    private static float[] Add(float[] a, float[] b, int rows = -1)
    {
        int len = rows < 0 ? a.Length : rows * D;
        var r = new float[len];
        for (int i = 0; i < len; i++) r[i] = a[i] + b[i];
        return r;
    }

    private static void AddInPlace(float[] a, float[] b)
    {
        for (int i = 0; i < a.Length; i++) a[i] += b[i];
    }

    private static void Relu(float[] x)
    {
        for (int i = 0; i < x.Length; i++) if (x[i] < 0f) x[i] = 0f;
    }

    /// <summary>PositionEmbeddingRandom._pe_encoding of (x, y) in [0, 1]: [sin(2π(2c−1)·G), cos(...)] into <paramref name="dst"/> (256).</summary>
    private static void PointEncoding(float x, float y, float[] gaussian, Span<float> dst)
    {
        int half = gaussian.Length / 2;
        float cx = 2f * x - 1f, cy = 2f * y - 1f;
        for (int j = 0; j < half; j++)
        {
            float v = 2f * MathF.PI * (cx * gaussian[j] + cy * gaussian[half + j]);
            dst[j] = MathF.Sin(v);
            dst[half + j] = MathF.Cos(v);
        }
    }

    /// <summary>get_dense_pe for a side×side grid, as [P, 256] (token p = y·side + x).</summary>
    private static float[] DensePositionalEncoding(float[] gaussian, int side)
    {
        var pe = new float[side * side * D];
        for (int y = 0; y < side; y++)
            for (int x = 0; x < side; x++)
                PointEncoding((x + 0.5f) / side, (y + 0.5f) / side, gaussian, pe.AsSpan((y * side + x) * D, D));
        return pe;
    }

    private static float[] Scaled(float[] m, float[] rowScale)
    {
        int cols = m.Length / rowScale.Length;
        var r = new float[m.Length];
        for (int i = 0; i < rowScale.Length; i++)
            for (int j = 0; j < cols; j++)
                r[i * cols + j] = m[i * cols + j] * rowScale[i];
        return r;
    }

    private static float[] ColumnSums(float[] m)
    {
        int cols = 4 * Up1;
        var s = new float[cols];
        for (int i = 0; i < m.Length / cols; i++)
            for (int j = 0; j < cols; j++)
                s[j] += m[i * cols + j];
        return s;
    }

    private static float[] VecMat(float[] v, float[] m)
    {
        int cols = m.Length / v.Length;
        var r = new float[cols];
        for (int i = 0; i < v.Length; i++) VectorMath.Axpy(v[i], m.AsSpan(i * cols, cols), r);
        return r;
    }

    /// <summary>What depends on the embedding only: K0 = embedding + no_mask_embed, layer 0's image-side projections, K0·Wg1.</summary>
    private sealed class ImageState
    {
        public readonly float[] K0, Ki0, Qi0, K0Wg1;
        public readonly PackedMatrix Vi0Packed;

        public ImageState(SamReformulatedDecoder d, SamImageEmbedding embedding, int threads)
        {
            int P = d._p;
            var data = embedding.DangerousData; // [1, 256, side, side]
            K0 = new float[P * D];
            var noMask = d._w.NoMask;
            for (int c = 0; c < D; c++)
                for (int p = 0; p < P; p++)
                    K0[p * D + c] = data[c * P + p] + noMask[c];
            var kpe = new float[P * D];
            for (int i = 0; i < kpe.Length; i++) kpe[i] = K0[i] + d._pe[i];
            var l0 = d._w.Layers[0];
            int inner = l0.TokenToImage.Inner;
            Ki0 = Project(kpe, P, d._l0KProj, l0.TokenToImage.K.B, threads);
            var vi0 = Project(K0, P, d._l0VProj, l0.TokenToImage.V.B, threads);
            Vi0Packed = new PackedMatrix().Pack(vi0, 0, P, inner, inner);
            Qi0 = Project(kpe, P, d._l0QProj, l0.ImageToToken.Q.B, threads);
            K0Wg1 = new float[P * D];
            Sgemm.Multiply(K0, 0, D, P, d._wg1Packed, K0Wg1, 0, D, threads: threads);
        }

        private static float[] Project(float[] x, int rows, PackedMatrix w, float[] bias, int threads)
        {
            var y = new float[rows * w.N];
            for (int r = 0; r < rows; r++) bias.CopyTo(y, r * w.N);
            Sgemm.Multiply(x, 0, D, rows, w, y, 0, w.N, accumulate: true, threads: threads);
            return y;
        }
    }

    /// <summary>Per-run buffers, pooled so concurrent runs do not share them and runs do not allocate ~30 MB each.</summary>
    private sealed class Workspace
    {
        private readonly int _p;
        public readonly float[] Kw, U;
        public readonly float[] HyperRows = new float[4 * Up2 * 4 * Masks];
        public float[] S = [], St = [], C = [], Gt = [], CatRows = [];
        public readonly PackedMatrix Small = new(), Next = new(), Cat = new(), Hyper = new();
        public readonly PackedMatrix K1, K2; // row-major [P, D], used in place as the values of the token→image attentions
        public readonly PackedMatrix[] HeadB = Enumerable.Range(0, H).Select(_ => new PackedMatrix()).ToArray();
        private float[] _headRows = [];
        public TileScratch[] Scratch = [];

        public Workspace(int p)
        {
            _p = p;
            Kw = new float[p * D];
            K1 = PackedMatrix.OverRows(new float[p * D], p, D);
            K2 = PackedMatrix.OverRows(new float[p * D], p, D);
            U = new float[p * D];
        }

        public void EnsureTokens(int htp, int threads)
        {
            if (S.Length < _p * htp) S = new float[_p * htp];
            if (St.Length < _p * htp) St = new float[_p * htp];
            if (C.Length < htp * D) C = new float[htp * D];
            if (Gt.Length < htp * D) Gt = new float[htp * D];
            if (CatRows.Length < htp * 2 * D) CatRows = new float[htp * 2 * D];
            if (Scratch.Length < threads)
            {
                var grown = new TileScratch[threads];
                Scratch.CopyTo(grown, 0);
                Scratch = grown;
            }
            for (int i = 0; i < threads; i++)
                if (Scratch[i] is null || Scratch[i].S.Length < TokenTile * htp) Scratch[i] = new TileScratch(htp);
        }

        /// <summary>HeadB[h] ← packed [hd, width]: column t &lt; T holds scale·x[t, h-block], the rest zero.</summary>
        public void PrepareHeads(float[] x, int t, int hd, float scale, int width)
        {
            int inner = H * hd;
            if (_headRows.Length < hd * width) _headRows = new float[hd * width];
            for (int h = 0; h < H; h++)
            {
                Array.Clear(_headRows, 0, hd * width);
                for (int j = 0; j < hd; j++)
                    for (int tt = 0; tt < t; tt++)
                        _headRows[j * width + tt] = scale * x[tt * inner + h * hd + j];
                HeadB[h].Pack(_headRows, 0, hd, width, width);
            }
        }
    }

    /// <summary>One worker's buffers for a tile: scores, attention outputs, a token row, K + PE, ConvT2 output, mask values.</summary>
    private sealed class TileScratch(int htp)
    {
        public readonly float[] S = new float[TokenTile * htp];
        public readonly float[] Am = new float[TokenTile * 2 * D];
        public readonly float[] Y = new float[D];
        public readonly float[] Kpe = new float[TokenTile * D];
        public readonly float[] Un = new float[UpscaleTile * Up1];
        public readonly float[] Z = new float[UpscaleTile * 4 * Up2];
        public readonly float[] Mv = new float[UpscaleTile * 4 * Masks];
    }
}
