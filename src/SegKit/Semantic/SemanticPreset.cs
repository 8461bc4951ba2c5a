// Presets: how pixels become a semantic model's input tensor and what its class ids mean.
//   torchvision: RGB / 255, ImageNet mean/std, shorter side 520, output `out`, VOC-21 labels
//   segformer:   RGB / 255, ImageNet mean/std, 512×512, output `logits`, ADE20K-150
//   unet:        RGB / 255 without mean/std, the model's static input size, its single output;
//                1 channel → background/foreground by sigmoid > 0.5, K channels → argmax
// Custom presets come from a small JSON file (see SemanticPreset.FromJson).
using System.Text.Json;
using SegKit.Datasets;
using SegKit.Imaging;

namespace SegKit.Semantic;

/// <summary>Channel order of the model's input tensor.</summary>
public enum ChannelOrder
{
    /// <summary>Red, green, blue (torchvision, Hugging Face).</summary>
    Rgb,
    /// <summary>Blue, green, red (OpenCV-trained models).</summary>
    Bgr,
}

/// <summary>
/// Preprocessing and labels for a semantic model: value = (pixel / <see cref="PixelDivisor"/> − mean[c]) / std[c],
/// planar [1,3,H,W] in <see cref="ChannelOrder"/>, after resizing by <see cref="Resize"/>.
/// </summary>
public sealed record SemanticPreset
{
    /// <summary>Preset name, e.g. "torchvision".</summary>
    public required string Name { get; init; }
    /// <summary>Per-channel mean in divided units (0..1 when the divisor is 255), in the tensor's channel order.</summary>
    public required float[] Mean { get; init; }
    /// <summary>Per-channel standard deviation in the same units.</summary>
    public required float[] Std { get; init; }
    /// <summary>Pixels (0..255) are divided by this first; 255 gives 0..1.</summary>
    public float PixelDivisor { get; init; } = 255f;
    /// <summary>Channel order of the input tensor.</summary>
    public ChannelOrder ChannelOrder { get; init; } = ChannelOrder.Rgb;
    /// <summary>How the image is resized before inference.</summary>
    public required ResizePolicy Resize { get; init; }
    /// <summary>The logits output's name; null for the model's only output.</summary>
    public string? OutputName { get; init; }
    /// <summary>Class names and colours; null means "class 0, class 1, ..." with <see cref="Palette"/> or the VOC colour map.</summary>
    public LabelSet? Labels { get; init; }
    /// <summary>
    /// Colours for a preset without <see cref="Labels"/>: 3 bytes (R, G, B) per class id, as many classes as the model
    /// has (two for a one-logit model); null for the VOC colour map. Ignored when <see cref="Labels"/> is set, whose
    /// palette is used.
    /// </summary>
    public byte[]? Palette { get; init; }

    private static readonly float[] s_imageNetMean = [0.485f, 0.456f, 0.406f];
    private static readonly float[] s_imageNetStd = [0.229f, 0.224f, 0.225f];

    /// <summary>torchvision FCN / DeepLabV3 / LRASPP: ImageNet mean/std, shorter side 520, output 'out', VOC labels.</summary>
    public static SemanticPreset Torchvision { get; } = new()
    {
        Name = "torchvision",
        Mean = s_imageNetMean,
        Std = s_imageNetStd,
        Resize = ResizePolicy.ShorterSide(520),
        OutputName = TorchvisionSemanticContract.OutputName,
        Labels = LabelSet.Voc,
    };

    /// <summary>SegFormer (Hugging Face export): ImageNet mean/std, 512×512, output 'logits' at 1/4 size, ADE20K labels.</summary>
    public static SemanticPreset SegFormer { get; } = new()
    {
        Name = "segformer",
        Mean = s_imageNetMean,
        Std = s_imageNetStd,
        Resize = ResizePolicy.Fixed(512, 512),
        OutputName = SegFormerContract.OutputName,
        Labels = LabelSet.Ade20k,
    };

    /// <summary>U-Net style: pixels / 255, no mean/std, the model's static input size, its single output.</summary>
    public static SemanticPreset UNet { get; } = new()
    {
        Name = "unet",
        Mean = [0f, 0f, 0f],
        Std = [1f, 1f, 1f],
        Resize = ResizePolicy.ModelInput,
        OutputName = null,
        Labels = null,
    };

    /// <summary>The built-in presets by name.</summary>
    public static IReadOnlyList<SemanticPreset> BuiltIn { get; } = [Torchvision, SegFormer, UNet];

    /// <summary>A built-in preset by name (case-insensitive), or a typed error listing the names.</summary>
    public static SemanticPreset FromName(string name) =>
        BuiltIn.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new SegKitException($"unknown preset '{name}'; built-in presets: {string.Join(", ", BuiltIn.Select(p => p.Name))} (or --preset-file FILE)");

    /// <summary>
    /// Reads a preset from JSON:
    /// <code>
    /// { "name": "my-model", "mean": [0.5,0.5,0.5], "std": [0.5,0.5,0.5], "pixel_divisor": 255,
    ///   "channel_order": "rgb" | "bgr",
    ///   "resize": "none" | "model" | {"shorter_side": 520} | {"fixed": [width, height]},
    ///   "output": "out",
    ///   "labels": "voc" | "ade20k" | "cityscapes" | ["background", "cat", ...],
    ///   "palette": [[0,0,0], [128,0,0], ...] }
    /// </code>
    /// Only "name", "mean", "std" are required; resize defaults to "model", labels to class numbers. A palette gives
    /// one colour per class: it replaces a label set's colours, and without labels it must hold as many colours as
    /// the model has classes (checked at load).
    /// Errors name the file and the field.
    /// </summary>
    public static SemanticPreset FromJson(string path)
    {
        string text;
        if (Directory.Exists(path))
            throw new SegKitException($"preset file {path}: is a folder; a JSON file is expected");
        try { text = File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SegKitException($"preset file {path}: cannot be read: {e.Message}", e);
        }
        try
        {
            using var doc = JsonDocument.Parse(text);
            return Parse(doc.RootElement, path);
        }
        catch (JsonException e)
        {
            throw new SegKitException($"preset file {path}: not valid JSON: {e.Message}", e);
        }
    }

    private static SemanticPreset Parse(JsonElement root, string path)
    {
        SegKitException Bad(string field, string expected) => new($"preset file {path}: '{field}' {expected}");
        if (root.ValueKind != JsonValueKind.Object) throw Bad("(root)", "must be a JSON object");

        string name = root.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : throw Bad("name", "is required (a string)");
        float[] Triple(string field)
        {
            if (!root.TryGetProperty(field, out var a) || a.ValueKind != JsonValueKind.Array || a.GetArrayLength() != 3)
                throw Bad(field, "is required: an array of 3 numbers");
            // A number beyond float's range reads as ±infinity: refused, as a NaN or infinite input tensor would follow.
            var v = a.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.Number && float.IsFinite(e.GetSingle()) ? e.GetSingle()
                : throw Bad(field, "must hold finite numbers (within float's range)")).ToArray();
            return v;
        }
        float[] mean = Triple("mean"), std = Triple("std");
        if (std.Any(s => !(s > 0))) throw Bad("std", "values must be > 0");

        float divisor = 255f;
        if (root.TryGetProperty("pixel_divisor", out var d))
        {
            if (d.ValueKind != JsonValueKind.Number || !(d.GetSingle() > 0) || !float.IsFinite(d.GetSingle()))
                throw Bad("pixel_divisor", "must be a finite number > 0");
            divisor = d.GetSingle();
        }
        // (v / pixel_divisor − mean) / std is monotonic in v: finite at 0 and 255, finite for every byte.
        for (int c = 0; c < 3; c++)
            foreach (float v in (ReadOnlySpan<float>)[0f, 255f])
                if (!float.IsFinite((v / divisor - mean[c]) / std[c]))
                    throw Bad("mean', 'std' and 'pixel_divisor", $"make channel {c}'s input value for pixel value {v} {(v / divisor - mean[c]) / std[c]}; finite values expected");
        var order = ChannelOrder.Rgb;
        if (root.TryGetProperty("channel_order", out var co))
        {
            order = (co.ValueKind == JsonValueKind.String ? co.GetString()!.ToLowerInvariant() : null) switch
            {
                "rgb" => ChannelOrder.Rgb,
                "bgr" => ChannelOrder.Bgr,
                _ => throw Bad("channel_order", "must be \"rgb\" or \"bgr\""),
            };
        }
        var resize = ResizePolicy.ModelInput;
        if (root.TryGetProperty("resize", out var r))
        {
            if (r.ValueKind == JsonValueKind.String)
            {
                resize = r.GetString() switch
                {
                    "none" => ResizePolicy.None,
                    "model" => ResizePolicy.ModelInput,
                    _ => throw Bad("resize", "must be \"none\", \"model\", {\"shorter_side\": N} or {\"fixed\": [W, H]}"),
                };
            }
            else if (r.ValueKind == JsonValueKind.Object && r.TryGetProperty("shorter_side", out var ss) && ss.ValueKind == JsonValueKind.Number && ss.TryGetInt32(out int s) && s >= 1)
            {
                resize = ResizePolicy.ShorterSide(s);
            }
            else if (r.ValueKind == JsonValueKind.Object && r.TryGetProperty("fixed", out var fx) && fx.ValueKind == JsonValueKind.Array
                     && fx.GetArrayLength() == 2 && fx[0].ValueKind == JsonValueKind.Number && fx[1].ValueKind == JsonValueKind.Number
                     && fx[0].TryGetInt32(out int w) && fx[1].TryGetInt32(out int h) && w >= 1 && h >= 1)
            {
                resize = ResizePolicy.Fixed(w, h);
            }
            else
            {
                throw Bad("resize", "must be \"none\", \"model\", {\"shorter_side\": N} or {\"fixed\": [W, H]}");
            }
        }
        string? output = null;
        if (root.TryGetProperty("output", out var o))
            output = o.ValueKind == JsonValueKind.String ? o.GetString() : throw Bad("output", "must be a tensor name (string)");

        byte[]? palette = null;
        if (root.TryGetProperty("palette", out var p))
        {
            if (p.ValueKind != JsonValueKind.Array || p.GetArrayLength() is 0 or > 256)
                throw Bad("palette", "must be an array of 1..256 [r,g,b] colours, one per class id");
            palette = new byte[3 * p.GetArrayLength()];
            int i = 0;
            foreach (var c in p.EnumerateArray())
            {
                if (c.ValueKind != JsonValueKind.Array || c.GetArrayLength() != 3 || c.EnumerateArray().Any(x => x.ValueKind != JsonValueKind.Number || !x.TryGetByte(out _)))
                    throw Bad("palette", $"entry {i} must be [r,g,b] with values 0..255");
                for (int k = 0; k < 3; k++) palette[3 * i + k] = c[k].GetByte();
                i++;
            }
        }
        LabelSet? labels = null;
        if (root.TryGetProperty("labels", out var l))
        {
            IReadOnlyList<string> names;
            string id;
            if (l.ValueKind == JsonValueKind.String)
            {
                var set = LabelSet.FromId(l.GetString()!) ?? throw Bad("labels", "names an unknown label set (voc, ade20k, cityscapes)");
                (names, id) = (set.Names, set.Id);
                palette ??= set.Palette.ToArray();
            }
            else if (l.ValueKind == JsonValueKind.Array)
            {
                names = l.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : throw Bad("labels", "must hold strings")).ToArray();
                if (names.Count is 0 or > 256) throw Bad("labels", $"has {names.Count} names; 1..256 expected");
                id = name;
                palette ??= ColorPalette.PascalVoc.Rgb[..(names.Count * 3)].ToArray();
            }
            else
            {
                throw Bad("labels", "must be a label-set id or an array of class names");
            }
            if (palette.Length != 3 * names.Count)
                throw Bad("palette", $"has {palette.Length / 3} colours but 'labels' has {names.Count} classes; one colour per class expected");
            labels = new LabelSet(id, names, palette);
            palette = null;
        }
        return new SemanticPreset
        {
            Name = name, Mean = mean, Std = std, PixelDivisor = divisor, ChannelOrder = order,
            Resize = resize, OutputName = output, Labels = labels, Palette = palette,
        };
    }
}
