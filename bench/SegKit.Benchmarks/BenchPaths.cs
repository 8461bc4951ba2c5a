namespace SegKit.Benchmarks;

/// <summary>Where benchmarks find ../shared photos and the fixture cache (models exported by tools/fixtures).</summary>
internal static class BenchPaths
{
    public static string RepoRoot { get; } = Find();

    public static string SharedImage(string name) => Path.Combine(RepoRoot, "..", "shared", "images", name);

    /// <summary>A fixture file; run the tests once (tools/test.sh) or the fixture script to create it.</summary>
    public static string Fixture(string fixture, string file)
    {
        string path = Path.Combine(RepoRoot, ".cache", "fixtures", fixture, file);
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path} is missing: run /usr/bin/python3 tools/fixtures/{fixture}.py --out .cache/fixtures/{fixture} (or tools/test.sh) first", path);
        return path;
    }

    private static string Find()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "SegKit.sln"))) return d.FullName;
        for (var d = new DirectoryInfo(Directory.GetCurrentDirectory()); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "SegKit.sln"))) return d.FullName;
        throw new InvalidOperationException("SegKit.sln not found above " + AppContext.BaseDirectory);
    }
}
