// The process-wide OrtEnv and the CPU OrtMemoryInfo shared by every session and input tensor.
// ORT allows one env per process in practice (it owns the logging manager and thread pools), so it is
// created lazily on first use with the log level set beforehand, and lives until the process exits.

using System.Runtime.InteropServices;

namespace SegKit.Onnx.Native;

internal static unsafe class OrtEnvironment
{
    private static readonly object s_gate = new();
    private static OrtLoggingLevel s_logLevel = OrtLoggingLevel.Warning;
    private static OrtEnvHandle? s_env;
    private static OrtMemoryInfoHandle? s_cpuMemory;

    /// <summary>The log level the env is (or will be) created with.</summary>
    public static OrtLoggingLevel LogLevel
    {
        get { lock (s_gate) return s_logLevel; }
        set
        {
            if (!Enum.IsDefined(value))
                throw new ArgumentOutOfRangeException(nameof(value), value, "not an ORT logging level");
            lock (s_gate)
            {
                if (s_env is not null && value != s_logLevel)
                    throw new InvalidOperationException(
                        $"the ONNX Runtime environment already exists with log level {s_logLevel}; set OrtRuntime.LogLevel before the first session is created");
                s_logLevel = value;
            }
        }
    }

    /// <summary>The shared env, created on first use.</summary>
    public static OrtEnvHandle Env
    {
        get
        {
            lock (s_gate)
            {
                if (s_env is null)
                {
                    IntPtr env;
                    IntPtr logId = Marshal.StringToCoTaskMemUTF8("SegKit");
                    try
                    {
                        OrtStatus.Check(OrtApi.Instance.CreateEnv((int)s_logLevel, (byte*)logId, &env), "creating the ONNX Runtime environment");
                    }
                    finally
                    {
                        Marshal.FreeCoTaskMem(logId);
                    }
                    s_env = new OrtEnvHandle(env);
                }
                return s_env;
            }
        }
    }

    /// <summary>Describes ordinary CPU memory (the caller memory input tensors are created over).</summary>
    public static OrtMemoryInfoHandle CpuMemory
    {
        get
        {
            lock (s_gate)
            {
                if (s_cpuMemory is null)
                {
                    IntPtr info;
                    // OrtArenaAllocator (1), OrtMemTypeDefault (0): the values ORT itself uses for CPU tensors.
                    OrtStatus.Check(OrtApi.Instance.CreateCpuMemoryInfo(1, 0, &info), "creating CPU memory info");
                    s_cpuMemory = new OrtMemoryInfoHandle(info);
                }
                return s_cpuMemory;
            }
        }
    }
}
