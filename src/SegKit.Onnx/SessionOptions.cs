// How a session is built: threads, graph optimisation, execution provider. Validated when set.

namespace SegKit.Onnx;

/// <summary>ORT's graph optimisation levels (<c>GraphOptimizationLevel</c>; values are ORT's).</summary>
public enum GraphOptimizationLevel
{
    /// <summary>No graph optimisations.</summary>
    Disabled = 0,
    /// <summary>Semantics-preserving rewrites such as constant folding.</summary>
    Basic = 1,
    /// <summary>Basic plus node fusions.</summary>
    Extended = 2,
    /// <summary>Everything, including layout optimisations (ORT's default).</summary>
    All = 99,
}

/// <summary>Which hardware a session runs on.</summary>
public enum ExecutionProviderKind
{
    /// <summary>ORT's CPU provider (always available).</summary>
    Cpu,
    /// <summary>NVIDIA CUDA; needs a GPU build of ONNX Runtime.</summary>
    Cuda,
}

/// <summary>An execution provider choice: <see cref="Cpu"/> or <see cref="Cuda"/>(device id).</summary>
public sealed record ExecutionProvider
{
    private ExecutionProvider(ExecutionProviderKind kind, int deviceId)
    {
        Kind = kind;
        DeviceId = deviceId;
    }

    /// <summary>The provider.</summary>
    public ExecutionProviderKind Kind { get; }

    /// <summary>The GPU ordinal for <see cref="ExecutionProviderKind.Cuda"/>; 0 for CPU.</summary>
    public int DeviceId { get; }

    /// <summary>ORT's CPU provider.</summary>
    public static ExecutionProvider Cpu { get; } = new(ExecutionProviderKind.Cpu, 0);

    /// <summary>CUDA on GPU <paramref name="deviceId"/> (0-based). Sessions fall back to CPU for nodes CUDA lacks.</summary>
    public static ExecutionProvider Cuda(int deviceId = 0) =>
        deviceId >= 0 ? new(ExecutionProviderKind.Cuda, deviceId)
                      : throw new ArgumentOutOfRangeException(nameof(deviceId), deviceId, "CUDA device id must be >= 0");

    /// <inheritdoc/>
    public override string ToString() => Kind == ExecutionProviderKind.Cuda ? $"Cuda(device {DeviceId})" : "Cpu";
}

/// <summary>Options for <see cref="InferenceSession"/>. Immutable once built; use <see cref="Default"/>
/// or an object initializer, e.g. <c>new SessionOptions { IntraOpThreads = 4 }</c>.</summary>
public sealed class SessionOptions
{
    private readonly int _intraOpThreads;
    private readonly int _interOpThreads;
    private readonly GraphOptimizationLevel _graphOptimization = GraphOptimizationLevel.All;
    private readonly ExecutionProvider _executionProvider = ExecutionProvider.Cpu;

    /// <summary>CPU, ORT's default thread counts, all graph optimisations.</summary>
    public static SessionOptions Default { get; } = new();

    /// <summary>Threads used inside one operator; 0 = ORT's default (one per physical core).</summary>
    public int IntraOpThreads
    {
        get => _intraOpThreads;
        init => _intraOpThreads = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(IntraOpThreads), value, "must be >= 0 (0 = ORT default)");
    }

    /// <summary>Threads used to run independent operators in parallel; 0 = ORT's default.
    /// Only matters when ORT runs the graph in parallel mode.</summary>
    public int InterOpThreads
    {
        get => _interOpThreads;
        init => _interOpThreads = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(InterOpThreads), value, "must be >= 0 (0 = ORT default)");
    }

    /// <summary>Graph optimisation level; default <see cref="GraphOptimizationLevel.All"/>.</summary>
    public GraphOptimizationLevel GraphOptimization
    {
        get => _graphOptimization;
        init => _graphOptimization = Enum.IsDefined(value) ? value : throw new ArgumentOutOfRangeException(nameof(GraphOptimization), value, "not a GraphOptimizationLevel");
    }

    /// <summary>Whether ORT's intra-op threads stop spinning as soon as <c>Run</c> returns (ORT's
    /// <c>session.force_spinning_stop</c>); default true, so the caller's own work after a run gets the
    /// cores. Spinning inside a run is unaffected.</summary>
    public bool StopSpinningAfterRun { get; init; } = true;

    /// <summary>Where the session runs; default <see cref="ExecutionProvider.Cpu"/>.</summary>
    public ExecutionProvider ExecutionProvider
    {
        get => _executionProvider;
        init => _executionProvider = value ?? throw new ArgumentNullException(nameof(ExecutionProvider));
    }
}
