// Finds and loads libonnxruntime, reads OrtApiBase once and keeps the OrtApi table for the process.
// Search order: SEGKIT_ORT_LIBRARY (a full path; a user's official ORT package), then
// libonnxruntime.so.1 beside the SegKit.Onnx assembly (what tools/setup.sh installs and the build
// copies), then the OS loader's own search. The resolution is a pure function so tests can check it
// without disturbing the library already loaded into the test process.

using System.Runtime.InteropServices;

namespace SegKit.Onnx.Native;

/// <summary>The loaded ONNX Runtime: its path, version string and function table.</summary>
internal sealed unsafe class OrtLibrary
{
    /// <summary>Environment variable holding the full path of a libonnxruntime.so to use instead of the bundled one.</summary>
    public const string PathVariable = "SEGKIT_ORT_LIBRARY";

    /// <summary>The file name tools/setup.sh installs and the build copies next to the assembly.</summary>
    public const string BundledFileName = "libonnxruntime.so.1";

    /// <summary>What to do about a missing library, repeated in every "not found" message.</summary>
    public const string InstallHint =
        "run tools/setup.sh (installs onnxruntime-node@1.30.0's libonnxruntime.so.1 into native/linux-x64/), " +
        "or set " + PathVariable + " to the path of libonnxruntime.so from the official ONNX Runtime package";

    private static readonly Lazy<OrtLibrary> s_loaded = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);

    private OrtLibrary(string path, string version, OrtApi api)
    {
        Path = path;
        Version = version;
        Api = api;
    }

    /// <summary>The library loaded into this process (loads it on first use).</summary>
    public static OrtLibrary Loaded => s_loaded.Value;

    /// <summary>Whether the library has been loaded (without loading it).</summary>
    public static bool IsLoaded => s_loaded.IsValueCreated;

    /// <summary>The path (or bare name resolved by the OS loader) the library was loaded from.</summary>
    public string Path { get; }

    /// <summary>ORT's own version string, e.g. "1.30.0".</summary>
    public string Version { get; }

    public OrtApi Api { get; }

    /// <summary>One place to try loading from: a full path, or a bare file name for the OS loader's search.</summary>
    /// <param name="Location">A full path, or a bare file name.</param>
    /// <param name="IsExplicit">True for the path from <see cref="PathVariable"/>: a failure to load it is
    /// reported as such instead of falling back to another library the user did not ask for.</param>
    internal readonly record struct Candidate(string Location, bool IsExplicit);

    /// <summary>
    /// The places to try, in order. Pure: depends only on its arguments.
    /// </summary>
    /// <param name="variableValue">The value of <see cref="PathVariable"/>, or null/empty when unset.</param>
    /// <param name="baseDirectory">The folder holding the SegKit.Onnx assembly (AppContext.BaseDirectory).</param>
    /// <param name="fileExists">Test for a file's existence (File.Exists in production).</param>
    /// <exception cref="OrtLibraryNotFoundException">The variable is set but names no existing file.</exception>
    internal static IReadOnlyList<Candidate> ResolveCandidates(string? variableValue, string baseDirectory, Func<string, bool> fileExists)
    {
        if (!string.IsNullOrWhiteSpace(variableValue))
        {
            string explicitPath = System.IO.Path.GetFullPath(variableValue.Trim());
            if (!fileExists(explicitPath))
                throw new OrtLibraryNotFoundException(
                    $"{PathVariable} is set to '{explicitPath}', but no file exists there. Fix or unset it; otherwise {InstallHint}.",
                    [explicitPath]);
            // The user chose a library: never silently load a different one.
            return [new Candidate(explicitPath, IsExplicit: true)];
        }

        var candidates = new List<Candidate>(3);
        string bundled = System.IO.Path.Combine(baseDirectory, BundledFileName);
        if (fileExists(bundled))
            candidates.Add(new Candidate(bundled, IsExplicit: false));
        candidates.Add(new Candidate(BundledFileName, IsExplicit: false));
        candidates.Add(new Candidate("libonnxruntime.so", IsExplicit: false));
        return candidates;
    }

    /// <summary>The message for "nothing loaded", naming every place searched.</summary>
    internal static string NotFoundMessage(string baseDirectory, IEnumerable<string> tried) =>
        $"ONNX Runtime was not found. Looked for: {PathVariable} (unset), " +
        $"{System.IO.Path.Combine(baseDirectory, BundledFileName)}, and the system library search for " +
        $"{BundledFileName} / libonnxruntime.so (tried: {string.Join(", ", tried)}). To get it, {InstallHint}.";

    private static OrtLibrary Load()
    {
        string baseDirectory = AppContext.BaseDirectory;
        return LoadFrom(ResolveCandidates(Environment.GetEnvironmentVariable(PathVariable), baseDirectory, File.Exists), baseDirectory);
    }

    /// <summary>Loads the first candidate that the OS loader accepts and reads its OrtApi table.
    /// Separate from <see cref="Load"/> so tests can exercise the failure paths with other files;
    /// dlopen of an already-loaded library returns the same instance, so this never disturbs it.</summary>
    internal static OrtLibrary LoadFrom(IReadOnlyList<Candidate> candidates, string baseDirectory)
    {
        IntPtr handle = IntPtr.Zero;
        string? loadedFrom = null;
        foreach (var candidate in candidates)
        {
            if (candidate.IsExplicit)
            {
                try
                {
                    handle = NativeLibrary.Load(candidate.Location);
                }
                catch (DllNotFoundException e)
                {
                    // The file exists (checked above) but the loader refused it: wrong architecture,
                    // missing dependency... the loader's message says which.
                    throw new OrtLibraryNotFoundException(
                        $"{PathVariable} points at '{candidate.Location}', which exists but could not be loaded: {e.Message}",
                        [candidate.Location], e);
                }
            }
            else if (!NativeLibrary.TryLoad(candidate.Location, out handle))
            {
                continue;
            }
            loadedFrom = candidate.Location;
            break;
        }
        if (handle == IntPtr.Zero || loadedFrom is null)
            throw new OrtLibraryNotFoundException(
                NotFoundMessage(baseDirectory, candidates.Select(c => c.Location)),
                candidates.Select(c => c.Location).ToArray());

        if (!NativeLibrary.TryGetExport(handle, "OrtGetApiBase", out IntPtr getApiBase))
            throw new OrtLibraryNotFoundException(
                $"'{loadedFrom}' was loaded but exports no OrtGetApiBase: it is not ONNX Runtime. {InstallHint}.",
                [loadedFrom]);

        // struct OrtApiBase { const OrtApi* (*GetApi)(uint32_t version); const char* (*GetVersionString)(void); }
        var apiBase = ((delegate* unmanaged[Cdecl]<IntPtr>)getApiBase)();
        var getApi = (delegate* unmanaged[Cdecl]<uint, IntPtr>)((IntPtr*)apiBase)[0];
        var getVersionString = (delegate* unmanaged[Cdecl]<byte*>)((IntPtr*)apiBase)[1];
        string version = Marshal.PtrToStringUTF8((IntPtr)getVersionString()) ?? "?";

        IntPtr table = getApi(OrtApi.ApiVersion);
        if (table == IntPtr.Zero)
            throw new OrtLibraryNotFoundException(
                $"'{loadedFrom}' is ONNX Runtime {version}, which does not provide C API version {OrtApi.ApiVersion}; " +
                $"SegKit needs ONNX Runtime 1.{OrtApi.ApiVersion} or newer. {InstallHint}.",
                [loadedFrom]);

        // The library stays loaded for the life of the process: sessions and values point into it.
        return new OrtLibrary(loadedFrom, version, new OrtApi(table));
    }
}
