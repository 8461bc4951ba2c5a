// Process-wide facts about the loaded ONNX Runtime and the settings that must precede its first use.

using SegKit.Onnx.Native;

namespace SegKit.Onnx;

/// <summary>Logging severity for ONNX Runtime's own log (written to stderr). Values are ORT's
/// <c>OrtLoggingLevel</c>.</summary>
public enum OrtLoggingLevel
{
    /// <summary>Everything.</summary>
    Verbose = 0,
    /// <summary>Informational and worse.</summary>
    Info = 1,
    /// <summary>Warnings and worse (ORT's default).</summary>
    Warning = 2,
    /// <summary>Errors and worse.</summary>
    Error = 3,
    /// <summary>Fatal errors only.</summary>
    Fatal = 4,
}

/// <summary>The ONNX Runtime loaded into this process. Reading <see cref="Version"/> or
/// <see cref="LibraryPath"/> loads the library (and throws <see cref="OrtLibraryNotFoundException"/>
/// when there is none); <see cref="LogLevel"/> does not.</summary>
public static class OrtRuntime
{
    /// <summary>Name of the environment variable that selects a libonnxruntime.so by full path.</summary>
    public const string LibraryPathVariable = OrtLibrary.PathVariable;

    /// <summary>The loaded ONNX Runtime's version string (OrtApiBase::GetVersionString), e.g. "1.30.0".</summary>
    public static string Version => OrtLibrary.Loaded.Version;

    /// <summary>Where the library was loaded from: a full path, or the bare name the OS loader resolved.</summary>
    public static string LibraryPath => OrtLibrary.Loaded.Path;

    /// <summary>
    /// The severity of ORT's log, applied when the process-wide ORT environment is created (by the first
    /// session). Default <see cref="OrtLoggingLevel.Warning"/>. Setting a different level after that
    /// throws <see cref="InvalidOperationException"/>, because ORT fixes it for the environment's life.
    /// </summary>
    public static OrtLoggingLevel LogLevel
    {
        get => OrtEnvironment.LogLevel;
        set => OrtEnvironment.LogLevel = value;
    }
}
