using System.Text.Json;
using SegKit.Cli;
using SegKit.Cli.Batch;
using SegKit.Tests.TestSupport;

namespace SegKit.Tests.Cli;

public class BatchRunnerTests
{
    private static string MakeImages(params string[] names)
    {
        string dir = TestPaths.NewTempDir();
        foreach (var n in names)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(dir, n))!);
            File.WriteAllText(Path.Combine(dir, n), "x");
        }
        return dir;
    }

    [Fact]
    public void Expand_Folder_GivesImagesSortedRecursiveSkippingOthers()
    {
        string dir = MakeImages("b.jpg", "a.PNG", "notes.txt", "sub/c.jpeg", ".hidden.jpg");
        var images = ImageInputs.Expand([dir]);
        Assert.Equal(["a.PNG", "b.jpg", "c.jpeg"], images.Select(p => Path.GetFileName(p)!).ToArray());
    }

    [Fact]
    public void Expand_FolderWithLinkLoop_ListsEachImageOnceAndNotesTheLink()
    {
        string dir = MakeImages("a.jpg", "sub/b.png");
        File.CreateSymbolicLink(Path.Combine(dir, "sub", "loop"), "..");
        var stderr = new StringWriter();

        var images = ImageInputs.Expand([dir], stderr: stderr);

        Assert.Equal([Path.Combine(dir, "a.jpg"), Path.Combine(dir, "sub", "b.png")], images);
        Assert.Equal($"segkit: note: {Path.Combine(dir, "sub", "loop")} is the folder {dir}, which is searched already " +
            "(through a symbolic link); not searched again" + Environment.NewLine, stderr.ToString());
    }

    [Fact]
    public void Expand_OutGivenAsALinkToTheInputFolder_Refused()
    {
        string dir = MakeImages("a.jpg");
        string link = Path.Combine(TestPaths.NewTempDir(), "out");
        File.CreateSymbolicLink(link, dir);
        var e = Assert.Throws<SegKitException>(() => ImageInputs.Expand([dir], link));
        Assert.Contains($"--out {link} is the input folder {dir}", e.Message);
    }

    [Fact]
    public void Expand_SameStemTwice_RefusedBeforeWork()
    {
        string dir = MakeImages("x/dog.jpg", "y/dog.png");
        var e = Assert.Throws<SegKitException>(() => ImageInputs.Expand([dir]));
        Assert.Contains("'dog.*'", e.Message);
    }

    [Fact]
    public void Expand_FolderWithoutImages_RefusedNamingIt()
    {
        string dir = MakeImages("notes.txt", ".hidden.jpg");
        var e = Assert.Throws<SegKitException>(() => ImageInputs.Expand([dir]));
        Assert.Contains($"no images in {dir}", e.Message);
    }

    [Fact]
    public void Expand_MissingPath_NamesIt()
    {
        var e = Assert.Throws<FileNotFoundException>(() => ImageInputs.Expand(["/no/such/thing.jpg"]));
        Assert.Contains("/no/such/thing.jpg", e.Message);
    }

    [Fact]
    public void Run_DoneSkippedAndFailed_ReportsEachAndExits3()
    {
        string input = MakeImages("a.jpg", "b.jpg", "c.jpg");
        string output = TestPaths.NewTempDir();
        File.WriteAllText(Path.Combine(output, "b.json"), "{}"); // b is already done
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var processed = new List<string>();
        int code = new BatchRunner(stdout, stderr).Run(ImageInputs.Expand([input]), output, force: false, json: true,
            (image, stem, outDir) =>
            {
                processed.Add(stem);
                if (stem == "c") throw new SegKitException($"{image}: not an image");
                File.WriteAllText(Path.Combine(outDir, stem + ".json"), "{}");
                return (w => w.WriteNumber("regions", 7), "7 regions");
            }, CancellationToken.None);

        Assert.Equal(ExitCodes.PartialFailure, code);
        Assert.Equal(["a", "c"], processed);
        using var doc = JsonDocument.Parse(stdout.ToString());
        var imgs = doc.RootElement.GetProperty("images").EnumerateArray().ToList();
        Assert.Equal("done", imgs[0].GetProperty("status").GetString());
        Assert.Equal(7, imgs[0].GetProperty("regions").GetInt32());
        Assert.Equal("skipped", imgs[1].GetProperty("status").GetString());
        Assert.Equal("failed", imgs[2].GetProperty("status").GetString());
        Assert.Contains("not an image", imgs[2].GetProperty("error").GetString());
        var summary = doc.RootElement.GetProperty("summary");
        Assert.Equal((1, 1, 1), (summary.GetProperty("done").GetInt32(), summary.GetProperty("skipped").GetInt32(), summary.GetProperty("failed").GetInt32()));
        Assert.Contains("failed: ", stderr.ToString());
    }

    [Fact]
    public void Run_Force_RedoesDoneImages()
    {
        string input = MakeImages("a.jpg");
        string output = TestPaths.NewTempDir();
        File.WriteAllText(Path.Combine(output, "a.json"), "{}");
        int calls = 0;
        int code = new BatchRunner(new StringWriter(), new StringWriter()).Run(ImageInputs.Expand([input]), output, force: true, json: false,
            (_, _, _) => { calls++; return (_ => { }, "ok"); }, CancellationToken.None);
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Equal(1, calls);
    }

    // --out naming an existing file: a typed error naming it before any image is processed (and the file untouched).
    [Fact]
    public void Run_OutIsAFile_RefusedNamingIt()
    {
        string input = MakeImages("a.jpg");
        string file = Path.Combine(TestPaths.NewTempDir(), "out");
        File.WriteAllText(file, "keep");
        int calls = 0;
        var e = Assert.Throws<SegKitException>(() => new BatchRunner(new StringWriter(), new StringWriter()).Run(ImageInputs.Expand([input]), file,
            force: false, json: false, (_, _, _) => { calls++; return (_ => { }, "ok"); }, CancellationToken.None));
        Assert.Contains(file, e.Message);
        Assert.Contains("is a file", e.Message);
        Assert.Equal(0, calls);
        Assert.Equal("keep", File.ReadAllText(file));
    }

    // An output folder that cannot be created (under a file) is named as that, not as a missing file.
    [Fact]
    public void Run_OutFolderCannotBeCreated_NamesIt()
    {
        string input = MakeImages("a.jpg");
        string file = Path.Combine(TestPaths.NewTempDir(), "plain");
        File.WriteAllText(file, "x");
        string under = Path.Combine(file, "out");
        var e = Assert.Throws<SegKitException>(() => new BatchRunner(new StringWriter(), new StringWriter()).Run(ImageInputs.Expand([input]), under,
            force: false, json: false, (_, _, _) => (_ => { }, "ok"), CancellationToken.None));
        Assert.Contains($"cannot create the output folder {under}", e.Message);
    }
}
