using System.Collections.Concurrent;
using System.Diagnostics;

namespace SegKit.Tests.TestSupport;

/// <summary>
/// Runs a fixture script from <c>tools/fixtures/</c> with Debian's /usr/bin/python3 (torch, torchvision,
/// PIL, onnx...) once, caching its outputs under <c>.cache/fixtures/&lt;name&gt;/</c>.
/// A script is run as <c>/usr/bin/python3 tools/fixtures/&lt;name&gt;.py --out &lt;dir&gt;</c> and must write
/// <c>&lt;dir&gt;/DONE</c> last, so an interrupted run is redone rather than half-used.
/// When the reference stack is missing the test fails with a message saying how to install it:
/// CI installs it (tools/setup.sh), so a parity test never passes by not running.
/// </summary>
public static class Fixtures
{
    /// <summary>The interpreter that owns Debian's python3-torch and friends.</summary>
    public const string Python = "/usr/bin/python3";

    private static readonly ConcurrentDictionary<string, Lazy<string>> s_done = new();

    /// <summary>Ensures the fixture <paramref name="name"/> exists and returns its output folder.</summary>
    public static string Ensure(string name) =>
        s_done.GetOrAdd(name, n => new Lazy<string>(() => Build(n))).Value;

    /// <summary>A file inside fixture <paramref name="name"/>'s output folder (building the fixture if needed).</summary>
    public static string File(string name, string relativePath) => Path.Combine(Ensure(name), relativePath);

    private static string Build(string name)
    {
        string outDir = Path.Combine(TestPaths.FixtureCache, name);
        string doneMarker = Path.Combine(outDir, "DONE");
        string script = Path.Combine(TestPaths.RepoRoot, "tools", "fixtures", name + ".py");
        if (!System.IO.File.Exists(script))
            throw new FileNotFoundException("fixture script not found", script);

        // Rebuild when the script is newer than its outputs.
        if (System.IO.File.Exists(doneMarker) &&
            System.IO.File.GetLastWriteTimeUtc(doneMarker) >= System.IO.File.GetLastWriteTimeUtc(script))
            return outDir;

        Directory.CreateDirectory(TestPaths.FixtureCache);
        // Several test processes (or classes) may ask at once: one builds, the others wait on the lock file.
        using var lockFile = AcquireLock(Path.Combine(TestPaths.FixtureCache, name + ".lock"));
        if (System.IO.File.Exists(doneMarker) &&
            System.IO.File.GetLastWriteTimeUtc(doneMarker) >= System.IO.File.GetLastWriteTimeUtc(script))
            return outDir;

        if (!System.IO.File.Exists(Python))
            throw new InvalidOperationException(
                $"fixture '{name}' needs {Python} with Debian's python3-torch/torchvision/onnx/pil; run tools/setup.sh");

        if (Directory.Exists(outDir))
            Directory.Delete(outDir, recursive: true);
        Directory.CreateDirectory(outDir);

        var psi = new ProcessStartInfo(Python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = TestPaths.RepoRoot,
        };
        psi.ArgumentList.Add(script);
        psi.ArgumentList.Add("--out");
        psi.ArgumentList.Add(outDir);
        psi.Environment["PYTHONHASHSEED"] = "0";
        psi.Environment["OMP_NUM_THREADS"] = "2";
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        if (p.ExitCode != 0 || !System.IO.File.Exists(doneMarker))
            throw new InvalidOperationException(
                $"fixture script {script} failed (exit {p.ExitCode}); run tools/setup.sh if the reference stack is missing.\n" +
                stdout.Result + "\n" + stderr.Result);
        return outDir;
    }

    /// <summary>
    /// Runs <c>tools/fixtures/&lt;name&gt;.py</c> with <see cref="Python"/> and the given arguments (for reference
    /// computations on data a test produced, which cannot be cached like a fixture); throws with its output on failure.
    /// </summary>
    public static void RunScript(string name, params string[] arguments)
    {
        string script = Path.Combine(TestPaths.RepoRoot, "tools", "fixtures", name + ".py");
        if (!System.IO.File.Exists(Python))
            throw new InvalidOperationException($"script '{name}' needs {Python} with Debian's python3-torch; run tools/setup.sh");
        var psi = new ProcessStartInfo(Python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = TestPaths.RepoRoot,
        };
        psi.ArgumentList.Add(script);
        foreach (string a in arguments) psi.ArgumentList.Add(a);
        psi.Environment["PYTHONHASHSEED"] = "0";
        psi.Environment["OMP_NUM_THREADS"] = "2";
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"{script} failed (exit {p.ExitCode}):\n{stdout.Result}\n{stderr.Result}");
    }

    private static FileStream AcquireLock(string path)
    {
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException)
            {
                Thread.Sleep(200);
            }
        }
    }
}
