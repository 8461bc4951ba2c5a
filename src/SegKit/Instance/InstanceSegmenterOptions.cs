// Options of the instance segmenter, by name and validated (no runs of positional numbers).
using System.Globalization;
using SegKit.Models;

namespace SegKit.Instance;

/// <summary>Settings of an <see cref="InstanceSegmenter"/>. Every property is validated when set.</summary>
public sealed record InstanceSegmenterOptions
{
    private readonly float _scoreThreshold = 0.5f;
    private readonly float _maskThreshold = 0.5f;
    private readonly float _nmsIou = 0.7f;
    private readonly int _maxDetections = 100;
    private readonly int _threads;

    /// <summary>Score above 0.5, mask probability above 0.5, NMS IoU 0.7, at most 100 instances, all classes, contract detected.</summary>
    public static InstanceSegmenterOptions Default { get; } = new();

    /// <summary>
    /// Keep instances whose score is strictly greater than this (0..1). For YOLO models this is Ultralytics'
    /// <c>conf</c>, applied before NMS; Mask R-CNN graphs have applied their own threshold already (0.05 for
    /// torchvision's default), this one is applied on top.
    /// </summary>
    public float ScoreThreshold
    {
        get => _scoreThreshold;
        init => _scoreThreshold = InRange(value, 0, 1, nameof(ScoreThreshold));
    }

    /// <summary>A pixel belongs to an instance when its mask probability is strictly greater than this (0..1, exclusive).</summary>
    public float MaskThreshold
    {
        get => _maskThreshold;
        init => _maskThreshold = value > 0 && value < 1 ? value
            : throw new ArgumentOutOfRangeException(nameof(MaskThreshold), value, "mask threshold must be in (0, 1)");
    }

    /// <summary>
    /// IoU above which a lower-scoring box of the same class is suppressed (0..1). YOLO models only (Ultralytics'
    /// <c>iou</c>); Mask R-CNN graphs run their own NMS.
    /// </summary>
    public float NmsIou
    {
        get => _nmsIou;
        init => _nmsIou = InRange(value, 0, 1, nameof(NmsIou));
    }

    /// <summary>At most this many instances per image, the highest scores first (1..65535, so ids fit a 16-bit map).</summary>
    public int MaxDetections
    {
        get => _maxDetections;
        init => _maxDetections = value is >= 1 and <= ushort.MaxValue ? value
            : throw new ArgumentOutOfRangeException(nameof(MaxDetections), value, "max detections must be in 1..65535");
    }

    /// <summary>Only these classes (names or ids); null keeps every class.</summary>
    public ClassFilter? ClassFilter { get; init; }

    /// <summary>Use this contract instead of detecting it from the model (the model must still fit its tensors).</summary>
    public ModelContractKind? Format { get; init; }

    /// <summary>ONNX Runtime intra-op threads (0 = ORT's default).</summary>
    public int Threads
    {
        get => _threads;
        init => _threads = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(Threads), value, "threads must be ≥ 0");
    }

    private static float InRange(float v, float lo, float hi, string name) =>
        v >= lo && v <= hi ? v : throw new ArgumentOutOfRangeException(name, v, $"{name} must be in [{lo}, {hi}]");
}

/// <summary>
/// A set of classes to keep, given by name ("person") or by the model's class id ("0", 3). Names are matched
/// case-insensitively against the model's class names when the segmenter loads; an unknown name is an error.
/// </summary>
public sealed class ClassFilter
{
    /// <summary>Class names as given.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>Class ids as given.</summary>
    public IReadOnlyList<int> Ids { get; }

    private ClassFilter(IReadOnlyList<string> names, IReadOnlyList<int> ids)
    {
        if (names.Count + ids.Count == 0) throw new ArgumentException("a class filter needs at least one class");
        Names = names;
        Ids = ids;
    }

    /// <summary>Classes by name or id: entries that parse as integers are ids, the rest names.</summary>
    public static ClassFilter Of(params IEnumerable<string> namesOrIds)
    {
        ArgumentNullException.ThrowIfNull(namesOrIds);
        var names = new List<string>();
        var ids = new List<int>();
        foreach (string raw in namesOrIds)
        {
            string s = raw.Trim();
            if (s.Length == 0) continue;
            if (int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out int id)) ids.Add(id);
            else names.Add(s);
        }
        return new ClassFilter(names, ids);
    }

    /// <summary>Classes by id.</summary>
    public static ClassFilter OfIds(params IEnumerable<int> ids) => new([], ids.ToArray());

    /// <summary>A comma-separated list such as "person,car" or "0,2,5".</summary>
    public static ClassFilter Parse(string commaSeparated)
    {
        ArgumentNullException.ThrowIfNull(commaSeparated);
        return Of(commaSeparated.Split(','));
    }

    /// <summary>The allowed ids among <paramref name="classNames"/> (id → name); throws naming an unknown class.</summary>
    internal HashSet<int> Resolve(IReadOnlyDictionary<int, string> classNames, string model)
    {
        var allowed = new HashSet<int>(Ids);
        // An id the model does not have would filter out everything without a word (a model without names takes any).
        foreach (int id in Ids)
            if (classNames.Count > 0 && !classNames.ContainsKey(id))
                throw new SegKitException($"{model}: no class id {id}; the model's ids are {classNames.Keys.Min()}..{classNames.Keys.Max()}");
        foreach (string name in Names)
        {
            var hits = classNames.Where(kv => string.Equals(kv.Value, name, StringComparison.OrdinalIgnoreCase)).Select(kv => kv.Key).ToList();
            if (hits.Count == 0)
            {
                string known = string.Join(", ", classNames.OrderBy(kv => kv.Key).Select(kv => kv.Value).Where(n => n != "N/A").Distinct().Take(100));
                throw new SegKitException($"{model}: no class named '{name}'; the model's classes are: {known}");
            }
            allowed.UnionWith(hits);
        }
        return allowed;
    }

    /// <summary>"person, car, 3".</summary>
    public override string ToString() => string.Join(", ", Names.Concat(Ids.Select(i => i.ToString(CultureInfo.InvariantCulture))));
}
