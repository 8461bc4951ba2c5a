// Library discovery as a pure function (so the library already loaded in this process is never
// disturbed), the load failure paths with files that are not ONNX Runtime, and what was loaded.

using SegKit.Onnx;
using SegKit.Onnx.Native;
using SegKit.Tests.TestSupport;

namespace SegKit.Tests.Onnx;

public sealed class OrtLibraryTests
{
    private const string BaseDir = "/opt/app";

    [Fact]
    public void ResolveCandidates_VariableNamesMissingFile_ThrowsNotFoundWithPath()
    {
        const string missing = "/nowhere/libonnxruntime.so.1.99";

        var e = Assert.Throws<OrtLibraryNotFoundException>(() =>
            OrtLibrary.ResolveCandidates(missing, BaseDir, _ => false));

        Assert.Contains(missing, e.Message);
        Assert.Contains("SEGKIT_ORT_LIBRARY", e.Message);
        Assert.Contains("no file exists", e.Message);
        Assert.Contains("tools/setup.sh", e.Message);
        Assert.Equal([missing], e.Searched);
    }

    [Fact]
    public void ResolveCandidates_VariableNamesExistingFile_OnlyThatFileExplicit()
    {
        const string path = "/usr/local/ort/lib/libonnxruntime.so";

        var candidates = OrtLibrary.ResolveCandidates(path, BaseDir, p => p == path);

        var only = Assert.Single(candidates);
        Assert.Equal(path, only.Location);
        Assert.True(only.IsExplicit);
    }

    [Fact]
    public void ResolveCandidates_RelativeVariable_ResolvedToFullPath()
    {
        string expected = Path.GetFullPath("libs/libonnxruntime.so");

        var candidates = OrtLibrary.ResolveCandidates("libs/libonnxruntime.so", BaseDir, p => p == expected);

        Assert.Equal(expected, Assert.Single(candidates).Location);
    }

    [Fact]
    public void ResolveCandidates_UnsetWithBundledCopy_BundledFirstThenSystemNames()
    {
        var candidates = OrtLibrary.ResolveCandidates(null, BaseDir, p => p == "/opt/app/libonnxruntime.so.1");

        Assert.Equal(["/opt/app/libonnxruntime.so.1", "libonnxruntime.so.1", "libonnxruntime.so"], candidates.Select(c => c.Location));
        Assert.All(candidates, c => Assert.False(c.IsExplicit));
    }

    [Fact]
    public void ResolveCandidates_EmptyVariableNoBundledCopy_SystemNamesOnly()
    {
        var candidates = OrtLibrary.ResolveCandidates("  ", BaseDir, _ => false);

        Assert.Equal(["libonnxruntime.so.1", "libonnxruntime.so"], candidates.Select(c => c.Location));
    }

    [Fact]
    public void LoadFrom_NothingLoads_NotFoundSayingWhereAndHow()
    {
        var candidates = new[] { new OrtLibrary.Candidate("/nowhere/libonnxruntime-segkit-test.so.1", false) };

        var e = Assert.Throws<OrtLibraryNotFoundException>(() => OrtLibrary.LoadFrom(candidates, "/nowhere"));

        Assert.Contains("/nowhere/libonnxruntime.so.1", e.Message);
        Assert.Contains("run tools/setup.sh (installs onnxruntime-node@1.30.0's libonnxruntime.so.1 into native/linux-x64/)", e.Message);
        Assert.Contains("set SEGKIT_ORT_LIBRARY to the path of libonnxruntime.so from the official ONNX Runtime package", e.Message);
    }

    [Fact]
    public void LoadFrom_ExplicitFileNotALibrary_NotFoundWithLoaderReason()
    {
        string path = Path.Combine(TestPaths.NewTempDir(), "libonnxruntime.so");
        File.WriteAllText(path, "not an ELF file");

        var e = Assert.Throws<OrtLibraryNotFoundException>(() =>
            OrtLibrary.LoadFrom([new OrtLibrary.Candidate(path, true)], "/nowhere"));

        Assert.Contains(path, e.Message);
        Assert.Contains("could not be loaded", e.Message);
    }

    [Fact]
    public void LoadFrom_LibraryWithoutOrtGetApiBase_NotFoundSayingNotOnnxRuntime()
    {
        const string zlib = "/lib/x86_64-linux-gnu/libz.so.1";
        Assert.True(File.Exists(zlib), "test needs zlib at " + zlib);

        var e = Assert.Throws<OrtLibraryNotFoundException>(() =>
            OrtLibrary.LoadFrom([new OrtLibrary.Candidate(zlib, true)], "/nowhere"));

        Assert.Contains("exports no OrtGetApiBase", e.Message);
    }

    [Fact]
    public void Version_BundledLibrary_Is1_30_0()
    {
        // The test run uses the bundled copy unless someone points SEGKIT_ORT_LIBRARY elsewhere.
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable(OrtRuntime.LibraryPathVariable)))
        {
            Assert.Matches(@"^1\.\d+\.\d+", OrtRuntime.Version);
            return;
        }
        Assert.Equal("1.30.0", OrtRuntime.Version);
        Assert.Equal(Path.Combine(AppContext.BaseDirectory, "libonnxruntime.so.1"), OrtRuntime.LibraryPath);
    }
}
