using System.Diagnostics;
using SegKit.Tests.TestSupport;

namespace SegKit.Tests;

public class FolderWalkTests
{
    private static bool IsJpeg(string name) => name.EndsWith(".jpg", StringComparison.Ordinal);

    private static string Tree(params string[] files)
    {
        string dir = TestPaths.NewTempDir();
        foreach (string f in files)
        {
            string path = Path.Combine(dir, f);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, "x");
        }
        return dir;
    }

    private static string Relative(string root, string path) => Path.GetRelativePath(root, path);

    // coreutils' realpath is the reference for resolving links; -m lets components be missing, as RealPath does.
    private static string? CoreutilsRealPath(string path, string mode = "-m")
    {
        var psi = new ProcessStartInfo("/usr/bin/realpath", [mode, path]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        string output = p.StandardOutput.ReadToEnd().TrimEnd('\n');
        p.StandardError.ReadToEnd();
        p.WaitForExit();
        return p.ExitCode == 0 ? output : null;
    }

    [Fact]
    public void RealPath_LinksAndDotDots_MatchCoreutilsRealpath()
    {
        string d = Tree("real/sub/photo.jpg");
        File.CreateSymbolicLink(Path.Combine(d, "abs"), Path.Combine(d, "real")); // absolute target
        File.CreateSymbolicLink(Path.Combine(d, "rel"), "real/sub");              // relative target
        File.CreateSymbolicLink(Path.Combine(d, "chain"), "rel");                 // a link to a link
        File.CreateSymbolicLink(Path.Combine(d, "real", "sub", "back"), "../.."); // a loop back to d
        string[] cases =
        [
            "abs/sub", "rel/..", "rel/../sub/photo.jpg", "chain/../..", "chain/./photo.jpg",
            "real/sub/back/abs/sub/back/rel", "missing/../real", "rel/missing/x", "abs//sub/", ".",
        ];
        foreach (string c in cases)
        {
            string path = Path.Combine(d, c);
            string? expected = CoreutilsRealPath(path);
            Assert.NotNull(expected);
            Assert.Equal(expected, FolderWalk.RealPath(path));
        }
        // ".." after a link goes above the link's target, not back to the folder holding the link.
        Assert.Equal(Path.Combine(d, "real"), FolderWalk.RealPath(Path.Combine(d, "rel", "..")));
    }

    [Fact]
    public void RealPath_LinkCycle_ThrowsIOExceptionAsRealpathFails()
    {
        string d = Tree();
        File.CreateSymbolicLink(Path.Combine(d, "l1"), "l2");
        File.CreateSymbolicLink(Path.Combine(d, "l2"), "l1");
        Assert.Null(CoreutilsRealPath(Path.Combine(d, "l1"), "-e")); // "Too many levels of symbolic links"
        var e = Assert.Throws<IOException>(() => FolderWalk.RealPath(Path.Combine(d, "l1")));
        Assert.Contains("more than 40 symbolic links", e.Message);
    }

    [Fact]
    public void Files_LinkLoop_ListsEachPhotoOnceAndReportsTheLink()
    {
        string d = Tree("a.jpg", "sub/b.jpg", "sub/deeper/c.jpg");
        File.CreateSymbolicLink(Path.Combine(d, "sub", "deeper", "loop"), "../..");
        // .NET's own recursive enumeration follows the loop and repeats the photos (why FolderWalk exists).
        Assert.True(Directory.EnumerateFiles(d, "*.jpg", SearchOption.AllDirectories).Take(10).Count() > 3);

        var listing = FolderWalk.Files(d, IsJpeg);

        Assert.Equal(["a.jpg", "sub/b.jpg", "sub/deeper/c.jpg"], listing.Files.Select(f => Relative(d, f)).ToArray());
        var skip = Assert.Single(listing.Skipped);
        Assert.Equal(SkippedFolderReason.AlreadySearched, skip.Reason);
        Assert.Equal(Path.Combine(d, "sub", "deeper", "loop"), skip.Path);
        Assert.Contains($"which is searched already", skip.Message);
    }

    [Fact]
    public void Files_LinkToRealFolderSortingFirst_RealFolderWins()
    {
        string d = Tree("photos/x.jpg");
        File.CreateSymbolicLink(Path.Combine(d, "a-link"), "photos");

        var listing = FolderWalk.Files(d, IsJpeg);

        Assert.Equal(["photos/x.jpg"], listing.Files.Select(f => Relative(d, f)).ToArray());
        Assert.Equal(Path.Combine(d, "a-link"), Assert.Single(listing.Skipped).Path);
    }

    [Fact]
    public void Files_LinkToFolderOutside_IsSearchedUnderTheLinksName()
    {
        string outside = Tree("y.jpg", "deep/z.jpg");
        string d = Tree("x.jpg");
        File.CreateSymbolicLink(Path.Combine(d, "ext"), outside);

        var listing = FolderWalk.Files(d, IsJpeg);

        Assert.Equal(["ext/deep/z.jpg", "ext/y.jpg", "x.jpg"], listing.Files.Select(f => Relative(d, f)).ToArray());
        Assert.Empty(listing.Skipped);
    }

    [Fact]
    public void Files_HiddenFilesAndFolders_LeftOut()
    {
        string d = Tree("x.jpg", ".y.jpg", ".thumbnails/x.jpg", "sub/.cache/z.jpg");
        Assert.Equal(["x.jpg"], FolderWalk.Files(d, IsJpeg).Files.Select(f => Relative(d, f)).ToArray());
    }

    [Fact]
    public void Files_ExcludedFolderGivenThroughALink_NotSearched()
    {
        string d = Tree("x.jpg", "out/x.overlay.jpg");
        string elsewhere = TestPaths.NewTempDir();
        string outLink = Path.Combine(elsewhere, "out-link");
        File.CreateSymbolicLink(outLink, Path.Combine(d, "out"));

        var listing = FolderWalk.Files(d, IsJpeg, exclude: outLink);

        Assert.Equal(["x.jpg"], listing.Files.Select(f => Relative(d, f)).ToArray());
        Assert.Empty(listing.Skipped);
    }

    [Fact]
    public void Files_UnreadableSubfolder_SkippedAndReportedTheRestListed()
    {
        // Tests run as root here, where chmod 000 does not stop a read: the lister is made to fail as the OS would.
        string d = Tree("a.jpg", "locked/b.jpg", "open/c.jpg");
        string locked = Path.Combine(d, "locked");
        IEnumerable<FileSystemInfo> List(string dir) => Path.GetFullPath(dir) == locked
            ? throw new UnauthorizedAccessException($"Access to the path '{dir}' is denied.")
            : new DirectoryInfo(dir).EnumerateFileSystemInfos();

        var listing = FolderWalk.Files(d, IsJpeg, null, List);

        Assert.Equal(["a.jpg", "open/c.jpg"], listing.Files.Select(f => Relative(d, f)).ToArray());
        var skip = Assert.Single(listing.Skipped);
        Assert.Equal(SkippedFolderReason.Unreadable, skip.Reason);
        Assert.Equal(locked, skip.Path);
        Assert.Equal($"cannot read folder {locked} (Access to the path '{locked}' is denied.); its images are skipped", skip.Message);
    }

    [Fact]
    public void Files_UnreadableRoot_TypedErrorNamingIt()
    {
        string d = Tree("a.jpg");
        var e = Assert.Throws<SegKitException>(() => FolderWalk.Files(d, IsJpeg, null, _ => throw new IOException("Input/output error")));
        Assert.Equal($"cannot read folder {d}: Input/output error", e.Message);
    }
}
