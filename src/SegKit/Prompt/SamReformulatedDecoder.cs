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
// Per prompt (T = 7): ≈ 0.80 G multiply-adds (the upscaling's 0.17 G included) instead of ≈ 1.75 G, plus ≈ 0.67 G
// once per embedding.
//
// How it is laid out: each image→token attention runs tile by tile over the image tokens (scores, softmax, outputs
// and the row work that follows stay in L2), and the next token→image attention's scores are taken in the same
// tiles; the upscaling runs tile by tile too. A run takes its prompts two at a time through these stages
// (PromptPass), so a tile of the image-side arrays is read once for both. Every sum is taken in an order fixed
// by the shapes, so results do not depend on the thread count.
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
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
    private readonly PackedMatrix _wg1Packed, _wgPacked, _up2Packed;
    private readonly float[] _colSumWg1, _colSumWg, _b1Wg, _bo1Wg1, _bo2Wg, _b2WcBc, _up2Bias;
    private readonly Dictionary<SamDecoderWeights.Linear, PackedMatrix> _packedLinears = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<SamDecoderWeights.Attention, HeadWeights> _heads = new(ReferenceEqualityComparer.Instance);
    private readonly ConditionalWeakTable<SamImageEmbedding, ImageState> _images = new();
    private readonly ConcurrentBag<Workspace> _workspaces = [];
    private readonly ConcurrentDictionary<int, ConcurrentBag<float[]>> _lowPool = new();
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
        foreach (var a in weights.Layers.SelectMany(l => new[] { l.TokenToImage, l.ImageToToken }).Append(weights.FinalAttn))
            _heads[a] = new HeadWeights(a);
        foreach (var l in weights.Layers.SelectMany(l => new[] { l.Mlp1, l.Mlp2 })
            .Concat(weights.Hypernetworks.SelectMany(m => m)).Concat(weights.IouHead)) PackLinear(l);

        var l0 = weights.Layers[0];

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

    /// <summary>Keeps a low-res output array of one step's prompts for reuse (every element of it is overwritten by the next run of as many prompts).</summary>
    public void Recycle(float[] low)
    {
        int plane = Masks * _lowRes * _lowRes;
        if (low.Length == 0 || low.Length % plane != 0 || low.Length / plane > PromptsInStep) return;
        var bag = _lowPool.GetOrAdd(low.Length, _ => []);
        if (bag.Count < LowPoolLimit) bag.Add(low);
    }

    private float[] TakeLow(int length) =>
        _lowPool.TryGetValue(length, out var bag) && bag.TryTake(out var pooled) ? pooled : new float[length];

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
        var low = TakeLow(batch * Masks * plane);
        var group = new Workspace[Math.Min(batch, PromptsInStep)];
        for (int i = 0; i < group.Length; i++)
            if (!_workspaces.TryTake(out group[i]!)) group[i] = new Workspace(_p);
        try
        {
            for (int b0 = 0; b0 < batch; b0 += group.Length)
            {
                int g = Math.Min(group.Length, batch - b0);
                var passes = new PromptPass[g];
                for (int i = 0; i < g; i++)
                {
                    int b = b0 + i;
                    passes[i] = new PromptPass(this, image, coords.AsSpan(b * n * 2, n * 2), labels.AsSpan(b * n, n), group[i]);
                }
                var scratch = group[0].EnsureScratch(passes.Max(x => x.ScratchColumns), threads);
                foreach (var pass in passes) pass.Layer0Attention(threads);
                MlpTogether(passes, _w.Layers[0]);
                foreach (var pass in passes) pass.Layer0Prepare();
                VectorMath.ForTiles(_p, TokenTile, threads, (w, r0, r1) =>
                {
                    foreach (var pass in passes) pass.Layer0ImageTile(scratch[w], r0, r1);
                });
                foreach (var pass in passes) pass.Layer1Attention(threads);
                MlpTogether(passes, _w.Layers[1]);
                foreach (var pass in passes) pass.Layer1Prepare();
                VectorMath.ForTiles(_p, TokenTile, threads, (w, r0, r1) =>
                {
                    foreach (var pass in passes) pass.Layer1ImageTile(scratch[w], r0, r1);
                });
                foreach (var pass in passes) pass.OutputTokens(threads);
                VectorMath.ForTiles(_p * 4, UpscaleTile, threads, (w, r0, r1) =>
                {
                    for (int i = 0; i < passes.Length; i++) passes[i].UpscaleTile(scratch[w], r0, r1, low, (b0 + i) * Masks * plane);
                });
                for (int i = 0; i < g; i++) passes[i].Iou(iou.AsSpan((b0 + i) * Masks, Masks));
            }
        }
        finally
        {
            foreach (var ws in group) _workspaces.Add(ws);
        }
        return new SamDecoderOutput(batch, Masks, _lowRes, iou, low);
    }

    // Prompts of one run that go through the decoder together, stage by stage and tile by tile: a tile of the
    // image-side arrays read for the first is still in cache for the second.
    public const int PromptsInStep = 2;

    // Rows of image tokens per tile of the image→token attentions, and rows of ConvT1 output per tile of the
    // upscaling: a tile's scores, attention outputs and ConvT2 output stay in the core's L2 cache.
    private const int TokenTile = 60;
    private const int UpscaleTile = 96;

    /// <summary>
    /// One prompt's way through the decoder, in the stages <see cref="Run"/> interleaves with the other prompts of
    /// its step: the token-side work between the image-side passes, and each image-side pass one tile at a time.
    /// </summary>
    private sealed class PromptPass
    {
        private const int T5 = SamDecoderWeights.OutputTokens;
        private readonly SamReformulatedDecoder _d;
        private readonly ImageState _img;
        private readonly Workspace _ws;
        private readonly int _t, _ht, _htp, _tg, _hg, _hd, _wN, _ldT, _ldI, _htp5;
        private readonly float[] _qpe;
        private float[] _q = [], _q5 = [], _cvec = [];

        public PromptPass(SamReformulatedDecoder d, ImageState img, ReadOnlySpan<float> coords, ReadOnlySpan<float> labels, Workspace ws)
        {
            _d = d;
            _img = img;
            _ws = ws;
            int n = labels.Length;
            _t = SamDecoderWeights.OutputTokens + n;
            _ht = H * _t;
            _htp = (_ht + 15) / 16 * 16;
            // The image→token attentions keep each head's T scores in a group of tg columns (a whole number of
            // 8-float vectors, padding masked out): column h·tg + t, hg columns in all.
            _tg = (_t + 7) / 8 * 8;
            _hg = H * _tg;
            // Layer 0's scores are taken head by head (16 of the 128 projected dimensions each) into blocks of 16
            // columns that start every T (token→image) or tg (image→token) columns; the row strides leave room
            // for the last block.
            _hd = d._l0Head;
            _wN = (_t + 15) / 16 * 16;
            _ldT = Math.Max(_htp, ((H - 1) * _t + _wN + 7) / 8 * 8);
            _ldI = Math.Max(_hg, ((H - 1) * _tg + _wN + 7) / 8 * 8);
            _htp5 = (H * T5 + 15) / 16 * 16;
            ws.EnsureTokens(ScratchColumns);

            // Prompt encoder: output tokens, then the sparse point embeddings (SamOnnxModel._embed_points).
            var w = d._w;
            _qpe = new float[_t * D];
            w.OutputTokenValues.CopyTo(_qpe, 0);
            for (int i = 0; i < n; i++)
            {
                var e = _qpe.AsSpan((SamDecoderWeights.OutputTokens + i) * D, D);
                float label = labels[i];
                if (label == -1f)
                {
                    w.NotAPoint.CopyTo(e);
                    continue;
                }
                PointEncoding((coords[2 * i] + 0.5f) / d._imageSize, (coords[2 * i + 1] + 0.5f) / d._imageSize, w.Gaussian, e);
                int li = (int)label;
                if (label == li && li >= 0 && li < 4) VectorMath.Axpy(1f, w.PointEmbeddings[li], e);
            }
        }

        /// <summary>Columns of the widest score block this prompt puts in a tile's scratch.</summary>
        public int ScratchColumns => Math.Max(_ldT, _ldI);

        /// <summary>The prompt tokens [T, 256] between the stages (the MLPs of a step's prompts run on all of them at once).</summary>
        public float[] Tokens => _q;

        /// <summary>Layer 0's self- and token→image attention (its MLP follows, on all of the step's prompts).</summary>
        public void Layer0Attention(int threads)
        {
            var d = _d;
            var ws = _ws;
            int P = d._p, T = _t;
            var l0 = d._w.Layers[0];
            var l1 = d._w.Layers[1];
            var qpe = _qpe;

            // Layer 0: self-attention without positional encoding or residual.
            var q = d.TokenSelfAttention(l0.SelfAttn, qpe, qpe, qpe, T);
            LayerNormRows(q, T, l0.Norm1);

            // Layer 0 token→image: keys and values of the image tokens come from the embedding alone.
            {
                var a = l0.TokenToImage;
                var qt = d.Linear(Add(q, qpe), T, a.Q);
                float scale = 1f / MathF.Sqrt(a.HeadDim);
                ws.PrepareHeads(qt, T, _hd, scale, _wN);
                for (int h = 0; h < H; h++)
                    Sgemm.Multiply(_img.Ki0, h * _hd, a.Inner, P, ws.HeadB[h], ws.S, h * T, _ldT, threads: threads);
                var inv = d.ColumnSoftmaxTransposed(ws.S, _ldT, _ht, ws.St, threads);
                var c = ws.C;                                             // [ht, inner]
                Sgemm.Multiply(ws.St, 0, P, _ht, _img.Vi0, c, 0, a.Inner, threads: threads);
                ScaleRows(c, _ht, a.Inner, inv);
                var o = new float[T * a.Inner];
                for (int h = 0; h < H; h++)
                    for (int t = 0; t < T; t++)
                        c.AsSpan((h * T + t) * a.Inner + h * a.HeadDim, a.HeadDim).CopyTo(o.AsSpan(t * a.Inner + h * a.HeadDim, a.HeadDim));
                AddInPlace(q, d.Linear(o, T, a.O));
                LayerNormRows(q, T, l0.Norm2);
            }
            _q = q;
        }

        /// <summary>What layer 0's image→token tiles need, and layer 1's self-attention.</summary>
        public void Layer0Prepare()
        {
            var d = _d;
            var ws = _ws;
            int T = _t;
            var l0 = d._w.Layers[0];
            var l1 = d._w.Layers[1];
            var qpe = _qpe;
            var q = _q;

            // Layer 0 image→token: the keys and values of the prompt tokens.
            {
                var a = l0.ImageToToken;
                var (kt, vt) = (d.Linear(Add(q, qpe), T, a.K), d.Linear(q, T, a.V));
                float scale = 1f / MathF.Sqrt(a.HeadDim);
                ws.PrepareHeads(kt, T, _hd, scale, _wN);
                d.BuildValueOutputs(ws, vt, T, _tg, a, d._wg1Packed);
            }

            // Layer 1 self-attention: the tokens do not depend on the image side of layer 0's image→token attention,
            // so layer 1's token→image queries are known before K1, and its scores are taken tile by tile.
            var qq = Add(q, qpe);
            AddInPlace(q, d.TokenSelfAttention(l1.SelfAttn, qq, qq, q, T));
            LayerNormRows(q, T, l1.Norm1);
            d.TokenQueries(l1.TokenToImage, q, qpe, T, ws, _htp, ws.Next);
        }

        /// <summary>
        /// Layer 0 image→token on image tokens r0..r1: queries of the image tokens come from the embedding alone.
        /// Y1 = K0 + A·Mv + bo; K1 = norm4(Y1) (row-major, for layer 1's token→image values), K1 + PE, and
        /// K1·Wg from K0·Wg1 + A·(Mv·Wg1) (see the header); then layer 1's token→image scores of these tokens.
        /// </summary>
        public void Layer0ImageTile(TileScratch sc, int r0, int r1)
        {
            var d = _d;
            var ws = _ws;
            var a = d._w.Layers[0].ImageToToken;
            int inner = a.Inner, rows = r1 - r0;
            for (int h = 0; h < H; h++)
                Sgemm.Multiply(_img.Qi0, r0 * inner + h * _hd, inner, rows, ws.HeadB[h], sc.S, h * _tg, _ldI);
            GroupSoftmax(sc.S, rows, _t, _tg, _ldI);
            Sgemm.Multiply(sc.S, 0, _ldI, rows, ws.Cat, sc.Am, 0, 2 * D);
            for (int r = r0; r < r1; r++)
                d.NormRow(r, _img.K0, sc.Am.AsSpan((r - r0) * 2 * D, 2 * D), a.O.B, d._w.Layers[0].Norm4,
                    _img.K0Wg1, d._bo1Wg1, d._colSumWg1, d._b1Wg, ws.K1.Data, sc.Kpe, r - r0, ws.Kw, sc.Y);
            Sgemm.Multiply(sc.Kpe, 0, D, rows, ws.Next, ws.S, r0 * _htp, _htp);
        }

        /// <summary>Layer 1's token→image attention (its MLP follows, on all of the step's prompts).</summary>
        public void Layer1Attention(int threads)
        {
            var l1 = _d._w.Layers[1];
            _d.AttendImage(l1.TokenToImage, _q, _t, _ws.K1, _ws, threads, _htp);
            LayerNormRows(_q, _t, l1.Norm2);
        }

        /// <summary>What layer 1's image→token tiles need, and the final attention's queries.</summary>
        public void Layer1Prepare()
        {
            var d = _d;
            var ws = _ws;
            int T = _t;
            var l1 = d._w.Layers[1];
            var q = _q;

            // The final attention's queries (only the 5 output tokens are read after it): its scores are taken in
            // layer 1's image→token tiles from K2 + PE, which stays in the tile.
            _q5 = q.AsSpan(0, T5 * D).ToArray();
            d.TokenQueries(d._w.FinalAttn, _q5, _qpe, T5, ws, _htp5, ws.Next);

            var a = l1.ImageToToken;
            var kt = d.Linear(Add(q, _qpe), T, a.K);
            var vt = d.Linear(q, T, a.V);
            float scale = 1f / MathF.Sqrt(a.HeadDim);
            // G [D, hg]: column (h,t) = scale·Wq_h·k_t,h; the bias part bq_h·k_t,h is a per-column constant.
            var gt = ws.Gt;                                            // G transposed: [hg, D]
            Array.Clear(gt, 0, _hg * D);
            var cvec = new float[_hg];
            for (int i = 0; i < kt.Length; i++) kt[i] *= scale;
            var heads = d._heads[a];
            for (int h = 0; h < H; h++)
            {
                Sgemm.Multiply(kt, h * a.HeadDim, a.Inner, T, heads.QT[h], gt, h * _tg * D, D);
                for (int t = 0; t < T; t++)
                    cvec[h * _tg + t] = VectorMath.Dot(a.Q.B.AsSpan(h * a.HeadDim, a.HeadDim), kt.AsSpan(t * a.Inner + h * a.HeadDim, a.HeadDim));
            }
            ws.Small.PackTransposed(gt, 0, D, _hg, D);
            d.BuildValueOutputs(ws, vt, T, _tg, a, d._wgPacked);
            _cvec = cvec;
        }

        /// <summary>
        /// Layer 1 image→token on image tokens r0..r1 (the image tokens K1): Y2 = K1 + A·Mv + bo; K2 = norm4(Y2)
        /// (row-major, for the final attention's values), ConvT1(K2) = U from K1·Wg + A·(Mv·Wg); then the final
        /// attention's scores of these tokens.
        /// </summary>
        public void Layer1ImageTile(TileScratch sc, int r0, int r1)
        {
            var d = _d;
            var ws = _ws;
            var l1 = d._w.Layers[1];
            int rows = r1 - r0;
            // K1 + PE again (cheaper than keeping it: K1's and PE's rows are read below anyway).
            d._pe.AsSpan(r0 * D, rows * D).CopyTo(sc.Kpe);
            VectorMath.Axpy(1f, ws.K1.Data.AsSpan(r0 * D, rows * D), sc.Kpe.AsSpan(0, rows * D));
            Sgemm.Multiply(sc.Kpe, 0, D, rows, ws.Small, sc.S, 0, _hg);
            for (int r = 0; r < rows; r++) VectorMath.Axpy(1f, _cvec, sc.S.AsSpan(r * _hg, _hg));
            GroupSoftmax(sc.S, rows, _t, _tg, _hg);
            Sgemm.Multiply(sc.S, 0, _hg, rows, ws.Cat, sc.Am, 0, 2 * D);
            for (int r = r0; r < r1; r++)
                d.NormRow(r, ws.K1.Data, sc.Am.AsSpan((r - r0) * 2 * D, 2 * D), l1.ImageToToken.O.B, l1.Norm4,
                    ws.Kw, d._bo2Wg, d._colSumWg, d._b2WcBc, ws.K2.Data, sc.Kpe, r - r0, ws.U, sc.Y);
            Sgemm.Multiply(sc.Kpe, 0, D, rows, ws.Next, ws.S, r0 * _htp5, _htp5);
        }

        /// <summary>The final token→image attention and norm, and the hypernetworks.</summary>
        public void OutputTokens(int threads)
        {
            var d = _d;
            var ws = _ws;
            d.AttendImage(d._w.FinalAttn, _q5, T5, ws.K2, ws, threads, _htp5);
            LayerNormRows(_q5, T5, d._w.NormFinal);

            // Hypernetworks, as a block-diagonal [4·32, 4·4] matrix: row (k2, o), column (k2, mask).
            var hb = ws.HyperRows;
            Array.Clear(hb);
            for (int m = 0; m < Masks; m++)
            {
                var x = _q5.AsSpan((1 + m) * D, D).ToArray();
                var layers = d._w.Hypernetworks[m];
                for (int j = 0; j < layers.Length; j++)
                {
                    x = d.Linear(x, 1, layers[j]);
                    if (j < layers.Length - 1) Relu(x);
                }
                for (int k = 0; k < 4; k++)
                    for (int o = 0; o < Up2; o++)
                        hb[(k * Up2 + o) * 4 * Masks + k * Masks + m] = x[o];
            }
            ws.Hyper.Pack(hb, 0, 4 * Up2, 4 * Masks, 4 * Masks);
        }

        /// <summary>
        /// output_upscaling on rows r0..r1 of ConvT1's output (U, built in layer 1's tiles; row (p, k1) of 64
        /// channels): LayerNorm2d → GELU → ConvT2 (row (p, k1), columns (k2, o)) → GELU, then the hypernetwork dot,
        /// scattered to the low-res masks: (p, k1, k2) is pixel (4y + 2ky1 + ky2, 4x + 2kx1 + kx2) for p = (y, x).
        /// </summary>
        public void UpscaleTile(TileScratch sc, int r0, int r1, float[] low, int lowOffset)
        {
            var d = _d;
            var un = d._w.UpscaleNorm;
            int side = d._side, lowRes = d._lowRes, plane = lowRes * lowRes, rows = r1 - r0;
            for (int r = r0; r < r1; r++)
                VectorMath.LayerNormGelu64(_ws.U.AsSpan(r * Up1, Up1), sc.Un.AsSpan((r - r0) * Up1, Up1), un.Weight, un.Bias, un.Epsilon);
            Sgemm.Multiply(sc.Un, 0, Up1, rows, d._up2Packed, sc.Z, 0, 4 * Up2);
            for (int r = 0; r < rows; r++) VectorMath.BiasGelu(sc.Z.AsSpan(r * 4 * Up2, 4 * Up2), d._up2Bias);
            Sgemm.Multiply(sc.Z, 0, 4 * Up2, rows, _ws.Hyper, sc.Mv, 0, 4 * Masks);
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
        }

        /// <summary>The IoU head on the IoU token.</summary>
        public void Iou(Span<float> iouOut)
        {
            var iou = _q5.AsSpan(0, D).ToArray();
            var head = _d._w.IouHead;
            for (int j = 0; j < head.Length; j++)
            {
                iou = _d.Linear(iou, 1, head[j]);
                if (j < head.Length - 1) Relu(iou);
            }
            iou.AsSpan(0, Masks).CopyTo(iouOut);
        }
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
        for (int i = 0; i < qt.Length; i++) qt[i] *= scale;
        var f = ws.Gt;
        Array.Clear(f, 0, htp * D);
        var heads = _heads[a];
        for (int h = 0; h < H; h++)
            Sgemm.Multiply(qt, h * a.HeadDim, a.Inner, T, heads.KT[h], f, h * T * D, D);
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
        for (int t = 0; t < T; t++) a.V.B.CopyTo(o, t * a.Inner);
        var heads = _heads[a];
        for (int h = 0; h < H; h++)
            Sgemm.Multiply(ws.C, h * T * D, D, T, heads.V[h], o, h * a.HeadDim, a.Inner, accumulate: true);
        var outp = Linear(o, T, a.O);
        for (int i = 0; i < T * D; i++) queries[i] += outp[i];
    }

    /// <summary>ws.Cat ← packed [Mv | Mv·W] (H·tg × 2D), Mv row (h·tg + t) = v_t,h·Wo_h; padding rows zero.</summary>
    private void BuildValueOutputs(Workspace ws, float[] vt, int T, int tg, SamDecoderWeights.Attention a, PackedMatrix w)
    {
        int hg = H * tg;
        var cat = ws.CatRows;
        Array.Clear(cat, 0, hg * 2 * D);
        var heads = _heads[a];
        for (int h = 0; h < H; h++)
            Sgemm.Multiply(vt, h * a.HeadDim, a.Inner, T, heads.O[h], cat, h * tg * 2 * D, 2 * D);
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
        int P = _p, vecs = ld / 8;
        if (ld % 8 != 0 || cols % 8 != 0 || P % 8 != 0) throw new InvalidOperationException($"scores of {P}×{ld} ({cols} used) are not in whole 8-float vectors");
        var max = new float[ld];
        {
            Span<Vector256<float>> m = stackalloc Vector256<float>[vecs];
            m.Fill(Vector256.Create(float.NegativeInfinity));
            ref float rs = ref s[0];
            for (int r = 0; r < P; r++)
            {
                nuint o = (nuint)(r * ld);
                for (int v = 0; v < vecs; v++) m[v] = Vector256.Max(m[v], Vector256.LoadUnsafe(ref rs, o + (nuint)(8 * v)));
            }
            for (int v = 0; v < vecs; v++) m[v].CopyTo(max.AsSpan(8 * v, 8));
        }
        // Blocks of 8 rows: exponentiate them, then write them transposed, an 8×8 block at a time.
        var sums = new float[SoftmaxChunks * ld];
        VectorMath.ForTiles(SoftmaxChunks, 1, threads, (_, ch, _) =>
        {
            int r0 = P * ch / SoftmaxChunks / 8 * 8, r1 = ch == SoftmaxChunks - 1 ? P : P * (ch + 1) / SoftmaxChunks / 8 * 8;
            Span<Vector256<float>> acc = stackalloc Vector256<float>[vecs];
            Span<Vector256<float>> shift = stackalloc Vector256<float>[vecs];
            acc.Clear();
            for (int v = 0; v < vecs; v++) shift[v] = Vector256.Create<float>(max.AsSpan(8 * v, 8));
            ref float rs = ref s[0];
            for (int rb = r0; rb < r1; rb += 8)
            {
                for (int r = rb; r < rb + 8; r++)
                {
                    nuint o = (nuint)(r * ld);
                    for (int v = 0; v < vecs; v++)
                    {
                        var e = VectorMath.Exp(Vector256.LoadUnsafe(ref rs, o + (nuint)(8 * v)) - shift[v]);
                        e.StoreUnsafe(ref rs, o + (nuint)(8 * v));
                        acc[v] += e;
                    }
                }
                for (int c0 = 0; c0 < cols; c0 += 8) TransposeBlock(s, rb * ld + c0, ld, st, c0 * P + rb, P);
            }
            for (int v = 0; v < vecs; v++) acc[v].CopyTo(sums.AsSpan(ch * ld + 8 * v, 8));
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

    /// <summary>dst[j·ldd + i] ← src[i·lds + j] for an 8×8 block (AVX unpack/shuffle/permute where available).</summary>
    private static void TransposeBlock(float[] src, int so, int lds, float[] dst, int dO, int ldd)
    {
        if (!Avx.IsSupported)
        {
            for (int j = 0; j < 8; j++)
                for (int i = 0; i < 8; i++) dst[dO + j * ldd + i] = src[so + i * lds + j];
            return;
        }
        ref float rs = ref src[so];
        var r0 = Vector256.LoadUnsafe(ref rs); var r1 = Vector256.LoadUnsafe(ref rs, (nuint)lds);
        var r2 = Vector256.LoadUnsafe(ref rs, (nuint)(2 * lds)); var r3 = Vector256.LoadUnsafe(ref rs, (nuint)(3 * lds));
        var r4 = Vector256.LoadUnsafe(ref rs, (nuint)(4 * lds)); var r5 = Vector256.LoadUnsafe(ref rs, (nuint)(5 * lds));
        var r6 = Vector256.LoadUnsafe(ref rs, (nuint)(6 * lds)); var r7 = Vector256.LoadUnsafe(ref rs, (nuint)(7 * lds));
        var t0 = Avx.UnpackLow(r0, r1); var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3); var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5); var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7); var t7 = Avx.UnpackHigh(r6, r7);
        var u0 = Avx.Shuffle(t0, t2, 0x44); var u1 = Avx.Shuffle(t0, t2, 0xEE);
        var u2 = Avx.Shuffle(t1, t3, 0x44); var u3 = Avx.Shuffle(t1, t3, 0xEE);
        var u4 = Avx.Shuffle(t4, t6, 0x44); var u5 = Avx.Shuffle(t4, t6, 0xEE);
        var u6 = Avx.Shuffle(t5, t7, 0x44); var u7 = Avx.Shuffle(t5, t7, 0xEE);
        ref float rd = ref dst[dO];
        Avx.Permute2x128(u0, u4, 0x20).StoreUnsafe(ref rd);
        Avx.Permute2x128(u1, u5, 0x20).StoreUnsafe(ref rd, (nuint)ldd);
        Avx.Permute2x128(u2, u6, 0x20).StoreUnsafe(ref rd, (nuint)(2 * ldd));
        Avx.Permute2x128(u3, u7, 0x20).StoreUnsafe(ref rd, (nuint)(3 * ldd));
        Avx.Permute2x128(u0, u4, 0x31).StoreUnsafe(ref rd, (nuint)(4 * ldd));
        Avx.Permute2x128(u1, u5, 0x31).StoreUnsafe(ref rd, (nuint)(5 * ldd));
        Avx.Permute2x128(u2, u6, 0x31).StoreUnsafe(ref rd, (nuint)(6 * ldd));
        Avx.Permute2x128(u3, u7, 0x31).StoreUnsafe(ref rd, (nuint)(7 * ldd));
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

    /// <summary>
    /// A layer's MLP (and norm3) on the tokens of all prompts of a step at once, so its 4 MB of weights are read
    /// once for them all; each row's result is the same as on its own.
    /// </summary>
    private void MlpTogether(PromptPass[] passes, SamDecoderWeights.Block layer)
    {
        if (passes.Length == 1)
        {
            Mlp(passes[0].Tokens, passes[0].Tokens.Length / D, layer);
            return;
        }
        var all = new float[passes.Sum(x => x.Tokens.Length)];
        int at = 0;
        foreach (var pass in passes)
        {
            pass.Tokens.CopyTo(all, at);
            at += pass.Tokens.Length;
        }
        Mlp(all, all.Length / D, layer);
        at = 0;
        foreach (var pass in passes)
        {
            all.AsSpan(at, pass.Tokens.Length).CopyTo(pass.Tokens);
            at += pass.Tokens.Length;
        }
    }

    private void Mlp(float[] q, int T, SamDecoderWeights.Block layer)
    {
        var hidden = Linear(q, T, layer.Mlp1);
        Relu(hidden);
        AddInPlace(q, Linear(hidden, T, layer.Mlp2));
        LayerNormRows(q, T, layer.Norm3);
    }

    /// <summary>x [rows, In] · W [In, Out] + b.</summary>
    private float[] Linear(float[] x, int rows, SamDecoderWeights.Linear l, int threads = 1)
    {
        var y = new float[rows * l.Out];
        for (int r = 0; r < rows; r++) l.B.CopyTo(y, r * l.Out);
        Sgemm.Multiply(x, 0, l.In, rows, _packedLinears[l], y, 0, l.Out, accumulate: true, threads: threads);
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

    /// <summary>
    /// A cross attention's weights cut by head for the token-side products: Wq_hᵀ and Wk_hᵀ [16, 256] (a head's
    /// queries or keys times them give that head's rows of G or F), Wv_h [256, 16] and Wo_h [16, 256].
    /// </summary>
    private sealed class HeadWeights
    {
        public readonly PackedMatrix[] QT = new PackedMatrix[H], KT = new PackedMatrix[H], V = new PackedMatrix[H], O = new PackedMatrix[H];

        public HeadWeights(SamDecoderWeights.Attention a)
        {
            int hd = a.HeadDim, inner = a.Inner;
            for (int h = 0; h < H; h++)
            {
                QT[h] = new PackedMatrix().PackTransposed(a.Q.W, h * hd, hd, D, inner);
                KT[h] = new PackedMatrix().PackTransposed(a.K.W, h * hd, hd, D, inner);
                V[h] = new PackedMatrix().Pack(a.V.W, h * hd, D, hd, inner);
                O[h] = new PackedMatrix().Pack(a.O.W, h * hd * D, hd, D, D);
            }
        }
    }

    /// <summary>What depends on the embedding only: K0 = embedding + no_mask_embed, layer 0's image-side projections, K0·Wg1.</summary>
    private sealed class ImageState
    {
        public readonly float[] K0, Ki0, Qi0, K0Wg1;
        public readonly PackedMatrix Vi0; // row-major [P, 128], used in place as the values of layer 0's token→image attention

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
            Ki0 = d.Linear(kpe, P, l0.TokenToImage.K, threads);
            Vi0 = PackedMatrix.OverRows(d.Linear(K0, P, l0.TokenToImage.V, threads), P, l0.TokenToImage.Inner);
            Qi0 = d.Linear(kpe, P, l0.ImageToToken.Q, threads);
            K0Wg1 = new float[P * D];
            Sgemm.Multiply(K0, 0, D, P, d._wg1Packed, K0Wg1, 0, D, threads: threads);
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

        public void EnsureTokens(int htp)
        {
            if (S.Length < _p * htp) S = new float[_p * htp];
            if (St.Length < _p * htp) St = new float[_p * htp];
            if (C.Length < htp * D) C = new float[htp * D];
            if (Gt.Length < htp * D) Gt = new float[htp * D];
            if (CatRows.Length < htp * 2 * D) CatRows = new float[htp * 2 * D];
        }

        /// <summary>Per-worker tile buffers for scores of up to <paramref name="htp"/> columns.</summary>
        public TileScratch[] EnsureScratch(int htp, int threads)
        {
            if (Scratch.Length < threads)
            {
                var grown = new TileScratch[threads];
                Scratch.CopyTo(grown, 0);
                Scratch = grown;
            }
            for (int i = 0; i < threads; i++)
                if (Scratch[i] is null || Scratch[i].S.Length < TokenTile * htp) Scratch[i] = new TileScratch(htp);
            return Scratch;
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
