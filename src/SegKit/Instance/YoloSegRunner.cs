// Runner for the Ultralytics YOLOv8/YOLO11 segmentation contract (YoloSegContract.cs):
//   input  `images` [1,3,S,S] float32 RGB / 255, letterboxed; output0 [1,4+nc+32,A] (cx,cy,w,h in input pixels,
//   nc sigmoid scores, 32 mask coefficients) or, end to end, [1,K,6+32] (x1,y1,x2,y2,score,class, coefficients);
//   output1 [1,32,S/4,S/4] prototypes; metadata names (Python dict literal), imgsz, stride, task.
// Pre- and post-processing follow Ultralytics 8.3's published code for retina masks (predict with
// retina_masks=True), re-implemented here:
//   LetterBox(auto=False, center=True): r = min(S/h, S/w); new = (round(w·r), round(h·r)) (ties to even, as Python);
//     cv2.resize INTER_LINEAR (OpenCvResize) when the size changes; pad 114 with top/left = round(d/2 − 0.1),
//     bottom/right = round(d/2 + 0.1);
//   non_max_suppression: best class per anchor, keep score > conf and allowed classes, at most 30000 by score,
//     boxes offset by class × 7680 and one torchvision NMS (Nms.Run), first max_det (end to end: score > conf, allowed
//     classes, by score, first max_det);
//   scale_boxes: subtract pad = round((S − side·gain)/2 − 0.1), divide by gain (float32), clip to the image;
//   process_mask_native: logits = coefficients · prototypes; scale_masks (drop the letterbox rows/columns
//     round(pad − 0.1) .. S/4 − round(pad + 0.1) in prototype space, bilinear align_corners=False to the image size);
//     crop_mask (keep x1 ≤ x < x2, y1 ≤ y < y2 of the scaled box); logit > log(t / (1 − t)), i.e. sigmoid > t
//     (t = MaskThreshold; 0.5 gives Ultralytics' logit > 0). Only the box's pixels and the prototype rows and
//     columns they read are computed.
using System.Diagnostics;
using System.Globalization;
using System.Runtime.Intrinsics;
using SegKit.Imaging;
using SegKit.Masks;
using SegKit.Models;
using SegKit.Onnx;

namespace SegKit.Instance;

/// <summary>Where the image sits in the letterboxed model input (Ultralytics LetterBox, centred).</summary>
/// <param name="InputWidth">Model input width S_w.</param>
/// <param name="InputHeight">Model input height S_h.</param>
/// <param name="Gain">min(S_h / h, S_w / w).</param>
/// <param name="NewWidth">Resized image width round(w · gain).</param>
/// <param name="NewHeight">Resized image height round(h · gain).</param>
/// <param name="Left">Padding columns on the left.</param>
/// <param name="Top">Padding rows on the top.</param>
public readonly record struct YoloLetterbox(int InputWidth, int InputHeight, double Gain, int NewWidth, int NewHeight, int Left, int Top)
{
    /// <summary>The letterbox of a <paramref name="width"/> × <paramref name="height"/> image into the model input.</summary>
    public static YoloLetterbox Compute(int width, int height, int inputWidth, int inputHeight)
    {
        double r = Math.Min((double)inputHeight / height, (double)inputWidth / width);
        int nw = (int)Math.Round(width * r), nh = (int)Math.Round(height * r);
        if (nw < 1 || nh < 1)
            throw new SegKitException($"a {width}×{height} image letterboxed into the model's {inputWidth}×{inputHeight} input would be {nw}×{nh}: too thin");
        double dw = (inputWidth - nw) / 2.0, dh = (inputHeight - nh) / 2.0;
        return new YoloLetterbox(inputWidth, inputHeight, r, nw, nh, (int)Math.Round(dw - 0.1), (int)Math.Round(dh - 0.1));
    }

    /// <summary>
    /// The model input straight from the image: the letterboxed pixels (as <see cref="Apply"/>) as planar RGB float32
    /// [3, InputHeight, InputWidth] with value / 255, without building the padded image.
    /// </summary>
    public float[] ToTensor(RgbImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        RgbImage resized = image.Width == NewWidth && image.Height == NewHeight ? image : OpenCvResize.Linear(image, NewWidth, NewHeight);
        int plane = InputWidth * InputHeight;
        var tensor = new float[3L * plane];
        tensor.AsSpan().Fill(YoloSegRunner.PadValue / 255f);
        int rows = Math.Min(NewHeight, InputHeight - Top), cols = Math.Min(NewWidth, InputWidth - Left);
        int inW = InputWidth, left = Left, top = Top;
        byte[] src = resized.Data;
        int stride = resized.Stride;
        Parallel.For(0, (rows + 31) / 32, block =>
        {
            for (int y = block * 32; y < Math.Min(rows, block * 32 + 32); y++)
            {
                int s = y * stride, d = (top + y) * inW + left;
                for (int x = 0; x < cols; x++, s += 3, d++)
                {
                    tensor[d] = src[s] / 255f;
                    tensor[plane + d] = src[s + 1] / 255f;
                    tensor[2 * plane + d] = src[s + 2] / 255f;
                }
            }
        });
        return tensor;
    }

    /// <summary>The letterboxed image: cv2-exact bilinear resize, 114 padding.</summary>
    public RgbImage Apply(RgbImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        RgbImage resized = image.Width == NewWidth && image.Height == NewHeight ? image : OpenCvResize.Linear(image, NewWidth, NewHeight);
        var canvas = new RgbImage(InputWidth, InputHeight);
        canvas.Data.AsSpan().Fill(YoloSegRunner.PadValue);
        int rows = Math.Min(NewHeight, InputHeight - Top), cols = Math.Min(NewWidth, InputWidth - Left);
        for (int y = 0; y < rows; y++)
            resized.Data.AsSpan(y * resized.Stride, cols * 3).CopyTo(canvas.Data.AsSpan((Top + y) * canvas.Stride + Left * 3));
        return canvas;
    }
}

/// <summary>Runs an Ultralytics segmentation export.</summary>
internal sealed class YoloSegRunner : InstanceRunner
{
    /// <summary>Letterbox padding value.</summary>
    public const byte PadValue = 114;

    /// <summary>Ultralytics' class offset for batched NMS (max_wh).</summary>
    public const float MaxWh = 7680f;

    /// <summary>Ultralytics' cap on boxes entering NMS (max_nms).</summary>
    public const int MaxNms = 30000;

    private readonly bool _endToEnd;
    private readonly string _input;
    private readonly string _detName;
    private readonly string _protoName;
    private readonly int _inputWidth;
    private readonly int _inputHeight;
    private readonly IReadOnlyDictionary<int, string> _names;

    public YoloSegRunner(InferenceSession session, ModelSignature signature, string model, bool endToEnd) : base(session, model)
    {
        _endToEnd = endToEnd;
        if (signature.Inputs.Count != 1 || signature.Inputs[0] is not { ElementType: TensorElementType.Float, Shape.Length: 4 } input
            || input.Shape[1] is not (3 or -1) || input.Shape[0] is not (1 or -1))
            throw new ModelContractException(model, null,
                $"inputs {InstanceSegmenter.Describe(signature.Inputs)}; the YOLO-seg contract takes one float32 image [1,3,S,S]");
        _input = input.Name;
        var det = signature.Outputs.FirstOrDefault(o => o.ElementType == TensorElementType.Float && o.Shape.Length == 3);
        var protos = signature.Outputs.FirstOrDefault(o => o.ElementType == TensorElementType.Float && o.Shape.Length == 4);
        if (signature.Outputs.Count != 2 || det is null || protos is null)
            throw new ModelContractException(model, null,
                $"outputs {InstanceSegmenter.Describe(signature.Outputs)}; expected detections [1,4+nc+32,A] (or [1,K,38] end to end) and prototypes [1,32,S/4,S/4]");
        _detName = det.Name;
        _protoName = protos.Name;
        var meta = signature.CustomMetadata;
        (int iw, int ih) = ImageSizeFromMetadata(meta);
        _inputWidth = input.Shape[3] > 0 ? (int)input.Shape[3] : iw;
        _inputHeight = input.Shape[2] > 0 ? (int)input.Shape[2] : ih;
        _names = meta.TryGetValue("names", out var n) && YoloSegContract.TryParseNames(n) is { } parsed ? parsed : new Dictionary<int, string>();
        // A layout forced on the other kind of export read its rows as something else (264 invented classes, exit 0).
        long nm = protos.Shape[1] > 0 ? protos.Shape[1] : 32;
        string shape = det.ShapeText;
        if (endToEnd && det.Shape[2] > 0 && det.Shape[2] != 6 + nm)
            throw new ModelContractException(model, det.Name,
                $"detections {shape} are not end-to-end rows [1,K,{6 + nm}] (box, score, class, {nm} coefficients); a plain YOLO-seg export is read with --format yolo");
        if (!endToEnd && det.Shape[1] > 0 && _names.Count > 0 && det.Shape[1] - 4 - nm != _names.Count)
            throw new ModelContractException(model, det.Name,
                $"detections {shape} would hold {det.Shape[1] - 4 - nm} classes beside 4 box values and {nm} coefficients, but the model names " +
                $"{_names.Count}; an end-to-end export ([1,K,{6 + nm}]) is read with --format yolo-e2e");
    }

    public override ModelContractKind Kind => _endToEnd ? ModelContractKind.YoloSegEndToEnd : ModelContractKind.YoloSeg;

    public override IReadOnlyDictionary<int, string> ClassNames => _names;

    /// <summary>Ultralytics writes imgsz as "[640, 640]" (h, w) or "640"; 640 × 640 when absent.</summary>
    private static (int Width, int Height) ImageSizeFromMetadata(IReadOnlyDictionary<string, string> meta)
    {
        if (!meta.TryGetValue("imgsz", out var text)) return (640, 640);
        var parts = text.Trim('[', ']', '(', ')', ' ').Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var v = parts.Select(p => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out int x) ? x : 0).ToArray();
        return v.Length switch
        {
            1 when v[0] > 0 => (v[0], v[0]),
            2 when v[0] > 0 && v[1] > 0 => (v[1], v[0]),
            _ => (640, 640),
        };
    }

    public override List<InstanceDetection> Run(RgbImage image, RunSettings settings, StageTimings timings)
    {
        long t = Stopwatch.GetTimestamp();
        var box = YoloLetterbox.Compute(image.Width, image.Height, _inputWidth, _inputHeight);
        float[] input = box.ToTensor(image);
        timings.PreprocessMs = StageTimings.Since(t);

        t = Stopwatch.GetTimestamp();
        OrtOutputs outs;
        using (var tensor = OrtTensor.FromArray(input, [1, 3, _inputHeight, _inputWidth]))
            outs = Session.Run(new Dictionary<string, OrtTensor> { [_input] = tensor }, [_detName, _protoName]);
        timings.InferenceMs = StageTimings.Since(t);

        t = Stopwatch.GetTimestamp();
        var result = Postprocess(outs[_detName].AsFloat(), outs[_detName].Shape, outs[_protoName].AsFloat(), outs[_protoName].Shape,
            _endToEnd, box, image.Width, image.Height, settings, _names, Model);
        timings.PostprocessMs = StageTimings.Since(t);
        return result;
    }

    /// <summary>One kept detection before masks: box in input pixels, score, class, the row of its coefficients.</summary>
    private readonly record struct Candidate(BoxXyxy Box, float Score, int ClassId, int Anchor);

    /// <summary>
    /// Post-processing of the raw outputs: <paramref name="output0"/> with shape <paramref name="shape0"/>
    /// ([1,4+nc+nm,A], or [1,K,6+nm] end to end), prototypes <paramref name="output1"/> [1,nm,mh,mw].
    /// </summary>
    internal static List<InstanceDetection> Postprocess(float[] output0, ReadOnlySpan<long> shape0, float[] output1, ReadOnlySpan<long> shape1,
        bool endToEnd, YoloLetterbox letterbox, int width, int height, RunSettings settings, IReadOnlyDictionary<int, string> names, string model)
    {
        if (shape1.Length != 4 || shape1[0] != 1 || shape1[1] < 1)
            throw new ModelContractException(model, null, $"prototypes have shape {FormatShape(shape1)}; [1,nm,mh,mw] expected");
        int nm = (int)shape1[1], mh = (int)shape1[2], mw = (int)shape1[3];
        if (shape0.Length != 3 || shape0[0] != 1)
            throw new ModelContractException(model, null, $"detections have shape {FormatShape(shape0)}; [1,C,A] expected");
        var options = settings.Options;
        List<Candidate> kept;
        int coefStride, coefOffset; // coefficient k of a candidate at output0[Anchor·rowStride + coefOffset + k·coefStride]
        int rowStride;
        if (endToEnd)
        {
            int k = (int)shape0[1], cols = (int)shape0[2];
            if (cols != 6 + nm)
                throw new ModelContractException(model, null, $"end-to-end detections have shape {FormatShape(shape0)}; [1,K,{6 + nm}] expected");
            var cands = new List<Candidate>();
            for (int i = 0; i < k; i++)
            {
                int o = i * cols;
                float score = output0[o + 4];
                int cls = (int)output0[o + 5];
                if (score > options.ScoreThreshold && settings.Allows(cls))
                    cands.Add(new Candidate(new BoxXyxy(output0[o], output0[o + 1], output0[o + 2], output0[o + 3]), score, cls, i));
            }
            kept = cands.OrderByDescending(c => c.Score).Take(options.MaxDetections).ToList();
            rowStride = cols;
            coefOffset = 6;
            coefStride = 1;
        }
        else
        {
            int channels = (int)shape0[1], anchors = (int)shape0[2];
            int nc = channels - 4 - nm;
            if (nc < 1)
                throw new ModelContractException(model, null, $"detections have shape {FormatShape(shape0)}: {channels} channels leave no classes beside 4 box values and {nm} coefficients");
            kept = NonMaxSuppression(output0, nc, anchors, settings);
            rowStride = 1;
            coefOffset = (4 + nc) * anchors;
            coefStride = anchors;
        }

        // scale_boxes: remove the letterbox padding and scale to the image.
        double gain = Math.Min((double)letterbox.InputHeight / height, (double)letterbox.InputWidth / width);
        float padX = (int)Math.Round((letterbox.InputWidth - width * gain) / 2 - 0.1);
        float padY = (int)Math.Round((letterbox.InputHeight - height * gain) / 2 - 0.1);
        float g = (float)gain;
        // scale_masks: the letterbox in prototype space.
        double gm = Math.Min((double)mh / height, (double)mw / width);
        double pw = (mw - width * gm) / 2, ph = (mh - height * gm) / 2;
        int top = (int)Math.Round(ph - 0.1), left = (int)Math.Round(pw - 0.1);
        int bottom = mh - (int)Math.Round(ph + 0.1), right = mw - (int)Math.Round(pw + 0.1);
        var protoCrop = new ProtoCrop(output1, nm, mh, mw, top, left, Math.Max(1, bottom - top), Math.Max(1, right - left));
        float logitThreshold = (float)Math.Log(options.MaskThreshold / (1.0 - options.MaskThreshold));

        var detections = new InstanceDetection[kept.Count];
        Parallel.For(0, kept.Count, i =>
        {
            Candidate c = kept[i];
            var b = new BoxXyxy(
                Math.Clamp((c.Box.X1 - padX) / g, 0, width), Math.Clamp((c.Box.Y1 - padY) / g, 0, height),
                Math.Clamp((c.Box.X2 - padX) / g, 0, width), Math.Clamp((c.Box.Y2 - padY) / g, 0, height));
            Span<float> coef = stackalloc float[nm];
            int baseIndex = c.Anchor * rowStride + coefOffset;
            for (int k = 0; k < nm; k++) coef[k] = output0[baseIndex + k * coefStride];
            InstanceMask mask = protoCrop.Mask(coef, b, width, height, logitThreshold);
            detections[i] = new InstanceDetection(i + 1, c.ClassId, NameOf(names, c.ClassId), c.Score, b, mask);
        });
        return [.. detections];
    }

    /// <summary>Ultralytics' non_max_suppression for one image, single label per box.</summary>
    private static List<Candidate> NonMaxSuppression(float[] output0, int nc, int anchors, RunSettings settings)
    {
        var options = settings.Options;
        var best = new float[anchors];
        var bestClass = new int[anchors];
        best.AsSpan().Fill(float.NegativeInfinity);
        for (int c = 0; c < nc; c++)
        {
            ReadOnlySpan<float> row = output0.AsSpan((4 + c) * anchors, anchors);
            for (int a = 0; a < anchors; a++)
            {
                if (row[a] > best[a])
                {
                    best[a] = row[a];
                    bestClass[a] = c;
                }
            }
        }
        var cands = new List<Candidate>();
        for (int a = 0; a < anchors; a++)
        {
            if (!(best[a] > options.ScoreThreshold) || !settings.Allows(bestClass[a])) continue;
            float cx = output0[a], cy = output0[anchors + a], hw = output0[2 * anchors + a] / 2, hh = output0[3 * anchors + a] / 2;
            cands.Add(new Candidate(new BoxXyxy(cx - hw, cy - hh, cx + hw, cy + hh), best[a], bestClass[a], a));
        }
        if (cands.Count > MaxNms)
            cands = cands.OrderByDescending(c => c.Score).Take(MaxNms).ToList();
        var offsetBoxes = new BoxXyxy[cands.Count];
        var scores = new float[cands.Count];
        for (int i = 0; i < cands.Count; i++)
        {
            float off = cands[i].ClassId * MaxWh;
            BoxXyxy b = cands[i].Box;
            offsetBoxes[i] = new BoxXyxy(b.X1 + off, b.Y1 + off, b.X2 + off, b.Y2 + off);
            scores[i] = cands[i].Score;
        }
        int[] keep = Nms.Run(offsetBoxes, scores, options.NmsIou);
        return keep.Take(options.MaxDetections).Select(i => cands[i]).ToList();
    }

    /// <summary>
    /// The prototypes with the letterbox rows/columns dropped ([top, top + Rows) × [left, left + Cols) of mh × mw),
    /// and process_mask_native for one detection.
    /// </summary>
    private sealed class ProtoCrop(float[] protos, int nm, int mh, int mw, int top, int left, int rows, int cols)
    {
        public InstanceMask Mask(ReadOnlySpan<float> coef, BoxXyxy box, int width, int height, float logitThreshold)
        {
            // crop_mask keeps pixel x when x >= x1 and x < x2 (likewise y).
            int x0 = CeilClamp(box.X1, width), x1 = CeilClamp(box.X2, width);
            int y0 = CeilClamp(box.Y1, height), y1 = CeilClamp(box.Y2, height);
            if (x0 >= x1 || y0 >= y1) return InstanceMask.Empty(width, height);
            var (c0, c1) = MaskRaster.SourceSpan(cols, width, x0, x1 - x0);
            var (r0, r1) = MaskRaster.SourceSpan(rows, height, y0, y1 - y0);
            int sw = c1 - c0 + 1, sh = r1 - r0 + 1;
            var logits = new float[sw * sh];
            for (int k = 0; k < nm; k++)
            {
                float ck = coef[k];
                for (int r = 0; r < sh; r++)
                {
                    ReadOnlySpan<float> p = protos.AsSpan(((k * mh) + top + r0 + r) * mw + left + c0, sw);
                    Span<float> l = logits.AsSpan(r * sw, sw);
                    int x = 0;
                    if (Vector256.IsHardwareAccelerated)
                    {
                        var vc = Vector256.Create(ck);
                        for (; x <= sw - 8; x += 8)
                            (Vector256.Create(l.Slice(x, 8)) + vc * Vector256.Create(p.Slice(x, 8))).CopyTo(l.Slice(x, 8));
                    }
                    for (; x < sw; x++) l[x] += ck * p[x];
                }
            }
            BinaryMask crop = MaskRaster.ResampleThreshold(logits, sw, sh, c0, r0, cols, rows, width, height, x0, y0, x1 - x0, y1 - y0, logitThreshold);
            return new InstanceMask(width, height, x0, y0, crop);
        }

        private static int CeilClamp(float v, int max) => float.IsNaN(v) ? 0 : (int)Math.Clamp(MathF.Ceiling(v), 0, max);
    }
}
