namespace SegKit.Tests.TestSupport;

/// <summary>Where tests find the repository, <c>../shared</c> and the fixture cache.</summary>
public static class TestPaths
{
    private static readonly Lazy<string> s_repoRoot = new(FindRepoRoot);

    /// <summary>The repository root (the folder holding SegKit.sln).</summary>
    public static string RepoRoot => s_repoRoot.Value;

    /// <summary><c>../shared</c> beside the repository root: real photos and reference outputs.</summary>
    public static string Shared => Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared"));

    /// <summary>A photo from <c>../shared/images</c> (truck.jpg, dog.jpg, groceries.jpg).</summary>
    public static string SharedImage(string name) => Path.Combine(Shared, "images", name);

    /// <summary>A file under <c>../shared/reference</c>.</summary>
    public static string SharedReference(params string[] parts) =>
        Path.Combine([Shared, "reference", .. parts]);

    /// <summary>The git-ignored cache where fixture scripts write exported models and reference outputs.</summary>
    public static string FixtureCache => Path.Combine(RepoRoot, ".cache", "fixtures");

    /// <summary>A fresh temporary folder, removed by the caller or left for the OS.</summary>
    public static string NewTempDir()
    {
        string dir = Path.Combine(Path.GetTempPath(), "segkit-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SegKit.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException("SegKit.sln not found above " + AppContext.BaseDirectory);
    }
}
