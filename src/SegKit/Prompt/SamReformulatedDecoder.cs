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
    private readonly int _side, _p, _lowRes;
    private readonly float _imageSize;
    private readonly float[] _pe;                       // [P, D] dense positional encoding (get_dense_pe)
    private readonly PackedMatrix _l0KProj, _l0VProj, _l0QProj, _wg1Packed, _wgPacked, _up2Packed;
    private readonly float[] _colSumWg1, _colSumWg, _b1Wg, _bo1Wg1, _bo2Wg, _b2WcBc, _up2Bias;
    private readonly ConditionalWeakTable<SamImageEmbedding, ImageState> _images = new();
    private readonly ConcurrentBag<Workspace> _workspaces = [];

    public SamReformulatedDecoder(SamDecoderWeights weights, int embeddingSide)
    {
        _w = weights;
        _side = embeddingSide;
        _p = embeddingSide * embeddingSide;
        _lowRes = 4 * embeddingSide;
        _imageSize = 16 * embeddingSide; // the encoder's input side (1024 for 64×64 embeddings)
        _pe = DensePositionalEncoding(weights.Gaussian, embeddingSide);

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

    /// <summary>Low-res side of the masks (4 × the embedding side).</summary>
    public int LowResSize => _lowRes;

    /// <summary>
    /// Decodes <paramref name="batch"/> prompts of <paramref name="n"/> points each (coordinates in the encoder's
    /// input frame; labels 1, 0, 2, 3 or -1) with no mask input. Returns IoU [B,4] and low-res logits [B,4,S,S].
    /// </summary>
    public SamDecoderOutput Run(SamImageEmbedding embedding, float[] coords, float[] labels, int batch, int n, int threads)
    {
        var image = _images.GetValue(embedding, e => new ImageState(this, e, threads));
        int plane = _lowRes * _lowRes;
        var iou = new float[batch * Masks];
        var low = new float[batch * Masks * plane];
        if (!_workspaces.TryTake(out var ws)) ws = new Workspace(_p);
        try
        {
            for (int b = 0; b < batch; b++)
                Decode(image, coords.AsSpan(b * n * 2, n * 2), labels.AsSpan(b * n, n), ws, threads,
                    iou.AsSpan(b * Masks, Masks), low.AsSpan(b * Masks * plane, Masks * plane));
        }
        finally
        {
            _workspaces.Add(ws);
        }
        return new SamDecoderOutput(batch, Masks, _lowRes, iou, low);
    }

    private void Decode(ImageState img, ReadOnlySpan<float> coords, ReadOnlySpan<float> labels, Workspace ws, int threads,
        Span<float> iouOut, Span<float> lowOut)
    {
        int P = _p;
        int n = labels.Length;
        int T = SamDecoderWeights.OutputTokens + n;
        int ht = H * T, htp = (ht + 15) / 16 * 16;
        ws.EnsureTokens(T, htp);
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
            var blk = ws.BlockDiag(qt, T, a.HeadDim, scale, htp);   // [inner, htp]: column (h,t) holds q_t of head h
            ws.Small.Pack(blk, 0, a.Inner, htp, htp);
            Sgemm.Multiply(img.Ki0, 0, a.Inner, P, ws.Small, ws.S, 0, htp, threads: threads);
            ColumnSoftmaxTransposed(ws.S, htp, ht, ws.St, threads);
            var c = ws.C;                                             // [ht, inner]
            Sgemm.Multiply(ws.St, 0, P, ht, img.Vi0Packed, c, 0, a.Inner, threads: threads);
            var o = new float[T * a.Inner];
            for (int h = 0; h < H; h++)
                for (int t = 0; t < T; t++)
                    c.AsSpan((h * T + t) * a.Inner + h * a.HeadDim, a.HeadDim).CopyTo(o.AsSpan(t * a.Inner + h * a.HeadDim, a.HeadDim));
            AddInPlace(q, Linear(o, T, a.O));
            LayerNormRows(q, T, l0.Norm2);
        }
        Mlp(q, T, l0);

        // Layer 0 image→token: queries of the image tokens come from the embedding alone.
        {
            var a = l0.ImageToToken;
            var (kt, vt) = (Linear(Add(q, qpe), T, a.K), Linear(q, T, a.V));
            float scale = 1f / MathF.Sqrt(a.HeadDim);
            var blk = ws.BlockDiag(kt, T, a.HeadDim, scale, htp);
            ws.Small.Pack(blk, 0, a.Inner, htp, htp);
            Sgemm.Multiply(img.Qi0, 0, a.Inner, P, ws.Small, ws.S, 0, htp, threads: threads);
            GroupSoftmax(ws.S, P, htp, T, threads);
            BuildValueOutputs(ws, vt, T, htp, a, _wg1Packed);
            Sgemm.Multiply(ws.S, 0, htp, P, ws.Cat, ws.Am, 0, 2 * D, threads: threads);
            // Y1 = K0 + A·Mv + bo; K1 = norm4(Y1); K1·Wg from K0·Wg1 + A·(Mv·Wg1) (see the header).
            var bo = a.O.B;
            var n4 = l0.Norm4;
            VectorMath.ForRanges(P, threads, (r0, r1) =>
            {
                for (int r = r0; r < r1; r++)
                {
                    var y = ws.K1.AsSpan(r * D, D);
                    var am = ws.Am.AsSpan(r * 2 * D, 2 * D);
                    var k0 = img.K0.AsSpan(r * D, D);
                    for (int i = 0; i < D; i++) y[i] = k0[i] + am[i] + bo[i];
                    var (mean, std) = VectorMath.LayerNorm(y, n4.Weight, n4.Bias, n4.Epsilon);
                    float inv = 1f / std;
                    var kw = ws.Kw.AsSpan(r * D, D);
                    var k0w = img.K0Wg1.AsSpan(r * D, D);
                    var kpe = ws.Kpe.AsSpan(r * D, D);
                    var pe = _pe.AsSpan(r * D, D);
                    for (int i = 0; i < D; i++)
                    {
                        kw[i] = (k0w[i] + am[D + i] + _bo1Wg1[i] - mean * _colSumWg1[i]) * inv + _b1Wg[i];
                        kpe[i] = y[i] + pe[i];
                    }
                }
            });
        }

        // Layer 1 self-attention, token→image, MLP.
        {
            var qq = Add(q, qpe);
            AddInPlace(q, TokenSelfAttention(l1.SelfAttn, qq, qq, q, T));
            LayerNormRows(q, T, l1.Norm1);
        }
        TokenToImage(l1.TokenToImage, q, qpe, T, ws.K1, ws, threads, htp);
        LayerNormRows(q, T, l1.Norm2);
        Mlp(q, T, l1);

        // Layer 1 image→token on the image tokens K1.
        {
            var a = l1.ImageToToken;
            var kt = Linear(Add(q, qpe), T, a.K);
            var vt = Linear(q, T, a.V);
            float scale = 1f / MathF.Sqrt(a.HeadDim);
            // G [D, htp]: column (h,t) = scale·Wq_h·k_t,h; the bias part bq_h·k_t,h is a per-column constant.
            var gt = ws.Gt;                                            // G transposed: [htp, D]
            Array.Clear(gt, 0, htp * D);
            var cvec = new float[htp];
            for (int h = 0; h < H; h++)
                for (int t = 0; t < T; t++)
                {
                    var row = gt.AsSpan((h * T + t) * D, D);
                    var k = kt.AsSpan(t * a.Inner + h * a.HeadDim, a.HeadDim);
                    float cb = 0;
                    for (int i = 0; i < D; i++)
                        row[i] = scale * VectorMath.Dot(a.Q.W.AsSpan(i * a.Inner + h * a.HeadDim, a.HeadDim), k);
                    for (int j = 0; j < a.HeadDim; j++) cb += a.Q.B[h * a.HeadDim + j] * k[j];
                    cvec[h * T + t] = scale * cb;
                }
            ws.Small.PackTransposed(gt, 0, D, htp, D);
            Sgemm.Multiply(ws.Kpe, 0, D, P, ws.Small, ws.S, 0, htp, threads: threads);
            VectorMath.ForRanges(P, threads, (r0, r1) =>
            {
                for (int r = r0; r < r1; r++) VectorMath.Axpy(1f, cvec, ws.S.AsSpan(r * htp, htp));
            });
            GroupSoftmax(ws.S, P, htp, T, threads);
            BuildValueOutputs(ws, vt, T, htp, a, _wgPacked);
            Sgemm.Multiply(ws.S, 0, htp, P, ws.Cat, ws.Am, 0, 2 * D, threads: threads);
            // Y2 = K1 + A·Mv + bo; K2 = norm4(Y2) (into K2, with K2 + PE); ConvT1(K2) = U from K1·Wg + A·(Mv·Wg).
            var bo = a.O.B;
            var n4 = l1.Norm4;
            VectorMath.ForRanges(P, threads, (r0, r1) =>
            {
                for (int r = r0; r < r1; r++)
                {
                    var y = ws.K2.AsSpan(r * D, D);
                    var am = ws.Am.AsSpan(r * 2 * D, 2 * D);
                    var k1 = ws.K1.AsSpan(r * D, D);
                    for (int i = 0; i < D; i++) y[i] = k1[i] + am[i] + bo[i];
                    var (mean, std) = VectorMath.LayerNorm(y, n4.Weight, n4.Bias, n4.Epsilon);
                    float inv = 1f / std;
                    var u = ws.U.AsSpan(r * D, D);
                    var kw = ws.Kw.AsSpan(r * D, D);
                    var kpe = ws.Kpe.AsSpan(r * D, D);
                    var pe = _pe.AsSpan(r * D, D);
                    for (int i = 0; i < D; i++)
                    {
                        u[i] = (kw[i] + am[D + i] + _bo2Wg[i] - mean * _colSumWg[i]) * inv + _b2WcBc[i];
                        kpe[i] = y[i] + pe[i];
                    }
                }
            });
        }

        // Final token→image attention: only the 5 output tokens are read afterwards.
        const int T5 = SamDecoderWeights.OutputTokens;
        var q5 = q.AsSpan(0, T5 * D).ToArray();
        TokenToImage(_w.FinalAttn, q5, qpe, T5, ws.K2, ws, threads, (H * T5 + 15) / 16 * 16);
        LayerNormRows(q5, T5, _w.NormFinal);

        // output_upscaling: ConvT1 (U, built above) → LayerNorm2d → GELU → ConvT2 → GELU, then hypernetwork dot.
        var un = _w.UpscaleNorm;
        VectorMath.ForRanges(P * 4, threads, (r0, r1) =>
        {
            for (int r = r0; r < r1; r++)
            {
                var px = ws.U.AsSpan(r * Up1, Up1);
                VectorMath.LayerNorm(px, un.Weight, un.Bias, un.Epsilon);
                VectorMath.Gelu(px);
            }
        });
        Sgemm.Multiply(ws.U, 0, Up1, P * 4, _up2Packed, ws.Z, 0, 4 * Up2, threads: threads);
        VectorMath.ForRanges(P * 4, threads, (r0, r1) =>
        {
            for (int r = r0; r < r1; r++)
            {
                var z = ws.Z.AsSpan(r * 4 * Up2, 4 * Up2);
                VectorMath.Axpy(1f, _up2Bias, z);
                VectorMath.Gelu(z);
            }
        });
        var hyper = new float[Masks * Up2];
        for (int m = 0; m < Masks; m++)
        {
            var x = q5.AsSpan((1 + m) * D, D).ToArray();
            var layers = _w.Hypernetworks[m];
            for (int j = 0; j < layers.Length; j++)
            {
                x = Linear(x, 1, layers[j]);
                if (j < layers.Length - 1) Relu(x);
            }
            x.CopyTo(hyper, m * Up2);
        }
        ws.Small.PackTransposed(hyper, 0, Up2, Masks, Up2);
        Sgemm.Multiply(ws.Z, 0, Up2, P * 16, ws.Small, ws.MaskValues, 0, Masks, threads: threads);
        // Row ((p·4 + k1)·4 + k2) of the product is pixel (4y + 2ky1 + ky2, 4x + 2kx1 + kx2) for p = (y, x).
        int side = _side, lowRes = _lowRes, plane = lowRes * lowRes;
        var mv = ws.MaskValues;
        var lowArr = ws.Low;
        VectorMath.ForRanges(P, threads, (r0, r1) =>
        {
            for (int p = r0; p < r1; p++)
            {
                int y = p / side, x = p % side;
                for (int k1 = 0; k1 < 4; k1++)
                    for (int k2 = 0; k2 < 4; k2++)
                    {
                        int yy = 4 * y + 2 * (k1 >> 1) + (k2 >> 1), xx = 4 * x + 2 * (k1 & 1) + (k2 & 1);
                        int src = ((p * 4 + k1) * 4 + k2) * Masks;
                        for (int m = 0; m < Masks; m++) lowArr[m * plane + yy * lowRes + xx] = mv[src + m];
                    }
            }
        });
        lowArr.AsSpan(0, Masks * plane).CopyTo(lowOut);

        var iou = q5.AsSpan(0, D).ToArray();
        for (int j = 0; j < _w.IouHead.Length; j++)
        {
            iou = Linear(iou, 1, _w.IouHead[j]);
            if (j < _w.IouHead.Length - 1) Relu(iou);
        }
        iou.AsSpan(0, Masks).CopyTo(iouOut);
    }

    /// <summary>queries ← queries + attn(queries + qpe, K + PE, K) for image tokens <paramref name="k"/> (ws.Kpe = K + PE).</summary>
    private void TokenToImage(SamDecoderWeights.Attention a, float[] queries, float[] qpe, int T, float[] k, Workspace ws, int threads, int htp)
    {
        int P = _p, ht = H * T;
        var qt = Linear(Add(queries, qpe, T), T, a.Q);
        float scale = 1f / MathF.Sqrt(a.HeadDim);
        // F [ht, D]: row (h,t) = scale·q_t,h·Wk_hᵀ (the bias term is constant along each softmax row and drops out).
        var f = ws.Gt;
        Array.Clear(f, 0, htp * D);
        for (int h = 0; h < H; h++)
            for (int t = 0; t < T; t++)
            {
                var row = f.AsSpan((h * T + t) * D, D);
                var qh = qt.AsSpan(t * a.Inner + h * a.HeadDim, a.HeadDim);
                for (int i = 0; i < D; i++) row[i] = scale * VectorMath.Dot(a.K.W.AsSpan(i * a.Inner + h * a.HeadDim, a.HeadDim), qh);
            }
        ws.Small.PackTransposed(f, 0, D, htp, D);
        Sgemm.Multiply(ws.Kpe, 0, D, P, ws.Small, ws.S, 0, htp, threads: threads);
        ColumnSoftmaxTransposed(ws.S, htp, ht, ws.St, threads);
        ws.Big.Pack(k, 0, P, D, D);
        Sgemm.Multiply(ws.St, 0, P, ht, ws.Big, ws.C, 0, D, threads: threads);
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

    /// <summary>ws.Cat ← packed [Mv | Mv·W] (htp × 2D), Mv row (h,t) = v_t,h·Wo_h; padded rows zero.</summary>
    private static void BuildValueOutputs(Workspace ws, float[] vt, int T, int htp, SamDecoderWeights.Attention a, PackedMatrix w)
    {
        var cat = ws.CatRows;
        Array.Clear(cat, 0, htp * 2 * D);
        for (int h = 0; h < H; h++)
            for (int t = 0; t < T; t++)
            {
                var row = cat.AsSpan((h * T + t) * 2 * D, D);
                var v = vt.AsSpan(t * a.Inner + h * a.HeadDim, a.HeadDim);
                for (int j = 0; j < a.HeadDim; j++) VectorMath.Axpy(v[j], a.O.W.AsSpan((h * a.HeadDim + j) * D, D), row);
            }
        // Mv·W into the right half.
        Sgemm.Multiply(cat, 0, 2 * D, H * T, w, cat, D, 2 * D);
        ws.Cat.Pack(cat, 0, htp, 2 * D, 2 * D);
    }

    /// <summary>Softmax over rows 0..P-1 of each column of S [P, ld] (first <paramref name="cols"/> columns), written transposed to St [cols, P].</summary>
    private void ColumnSoftmaxTransposed(float[] s, int ld, int cols, float[] st, int threads)
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
        int chunks = Math.Max(1, threads);
        var sums = new float[chunks * ld];
        void Chunk(int ch)
        {
            int r0 = P * ch / chunks, r1 = P * (ch + 1) / chunks;
            var sum = sums.AsSpan(ch * ld, ld);
            for (int r = r0; r < r1; r++)
            {
                var row = s.AsSpan(r * ld, ld);
                VectorMath.Axpy(-1f, max, row);
                VectorMath.Exp(row);
                VectorMath.Axpy(1f, row, sum);
            }
        }
        if (chunks == 1) Chunk(0);
        else Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = chunks }, Chunk);
        var inv = new float[ld];
        for (int c = 0; c < ld; c++)
        {
            float t = 0;
            for (int ch = 0; ch < chunks; ch++) t += sums[ch * ld + c];
            inv[c] = 1f / t;
        }
        VectorMath.ForRanges(P, threads, (r0, r1) =>
        {
            for (int r = r0; r < r1; r++)
            {
                var row = s.AsSpan(r * ld, ld);
                for (int c = 0; c < cols; c++) st[c * P + r] = row[c] * inv[c];
            }
        });
    }

    /// <summary>Softmax within each group of <paramref name="t"/> consecutive columns (one group per head) of every row.</summary>
    private static void GroupSoftmax(float[] s, int rows, int ld, int t, int threads)
    {
        VectorMath.ForRanges(rows, threads, (r0, r1) =>
        {
            Span<float> shift = stackalloc float[ld];
            for (int r = r0; r < r1; r++)
            {
                var row = s.AsSpan(r * ld, ld);
                shift.Clear();
                for (int h = 0; h < H; h++)
                {
                    var g = row.Slice(h * t, t);
                    float m = g[0];
                    for (int i = 1; i < t; i++) if (g[i] > m) m = g[i];
                    shift.Slice(h * t, t).Fill(-m);
                }
                VectorMath.Axpy(1f, shift, row);
                VectorMath.Exp(row);
                for (int h = 0; h < H; h++)
                {
                    var g = row.Slice(h * t, t);
                    float sum = 0;
                    for (int i = 0; i < t; i++) sum += g[i];
                    float inv = 1f / sum;
                    for (int i = 0; i < t; i++) g[i] *= inv;
                }
            }
        });
    }

    private static float[] TokenSelfAttention(SamDecoderWeights.Attention a, float[] qIn, float[] kIn, float[] vIn, int T)
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

    private static void Mlp(float[] q, int T, SamDecoderWeights.Block layer)
    {
        var hidden = Linear(q, T, layer.Mlp1);
        Relu(hidden);
        AddInPlace(q, Linear(hidden, T, layer.Mlp2));
        LayerNormRows(q, T, layer.Norm3);
    }

    /// <summary>x [rows, In] · W [In, Out] + b.</summary>
    private static float[] Linear(float[] x, int rows, SamDecoderWeights.Linear l)
    {
        var y = new float[rows * l.Out];
        for (int r = 0; r < rows; r++) l.B.CopyTo(y, r * l.Out);
        for (int i = 0; i < l.In; i++)
        {
            var wRow = l.W.AsSpan(i * l.Out, l.Out);
            for (int r = 0; r < rows; r++)
            {
                float xv = x[r * l.In + i];
                if (xv != 0f) VectorMath.Axpy(xv, wRow, y.AsSpan(r * l.Out, l.Out));
            }
        }
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

    /// <summary>Per-run buffers, pooled so concurrent runs do not share them and runs do not allocate ~40 MB each.</summary>
    private sealed class Workspace
    {
        private readonly int _p;
        public readonly float[] K1, K2, Kpe, Kw, U, Am, Z, MaskValues, Low;
        public float[] S = [], St = [], C = [], Gt = [], CatRows = [], BlockBuffer = [];
        public readonly PackedMatrix Small = new(), Big = new(), Cat = new();

        public Workspace(int p)
        {
            _p = p;
            K1 = new float[p * D];
            K2 = new float[p * D];
            Kpe = new float[p * D];
            Kw = new float[p * D];
            U = new float[p * D];
            Am = new float[p * 2 * D];
            Z = new float[p * 4 * 4 * Up2];
            MaskValues = new float[p * 16 * Masks];
            Low = new float[p * 16 * Masks];
        }

        public void EnsureTokens(int t, int htp)
        {
            if (S.Length < _p * htp) S = new float[_p * htp];
            if (St.Length < _p * htp) St = new float[_p * htp];
            if (C.Length < htp * D) C = new float[htp * D];
            if (Gt.Length < htp * D) Gt = new float[htp * D];
            if (CatRows.Length < htp * 2 * D) CatRows = new float[htp * 2 * D];
            if (BlockBuffer.Length < D * htp) BlockBuffer = new float[D * htp];
        }

        /// <summary>[inner, htp] with column (h·T + t) holding scale·x[t, h-block] in rows of head h, zero elsewhere.</summary>
        public float[] BlockDiag(float[] x, int t, int headDim, float scale, int htp)
        {
            int inner = H * headDim;
            var b = BlockBuffer;
            Array.Clear(b, 0, inner * htp);
            for (int h = 0; h < H; h++)
                for (int tt = 0; tt < t; tt++)
                    for (int j = 0; j < headDim; j++)
                        b[(h * headDim + j) * htp + h * t + tt] = scale * x[tt * inner + h * headDim + j];
            return b;
        }
    }
}
