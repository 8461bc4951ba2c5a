// The --out folder of every verb: checked and created the same way, with messages that name it.
namespace SegKit.Cli.Batch;

internal static class OutputFolder
{
    /// <summary>Refuses an empty --out and one that names a file (typed errors; nothing is created).</summary>
    public static void Check(string dir)
    {
        if (string.IsNullOrWhiteSpace(dir))
            throw new SegKitException("--out is empty; give an output folder (it is created when missing)");
        if (File.Exists(dir))
            throw new SegKitException($"output folder {dir} is a file; give --out a folder (it is created when missing)");
    }

    /// <summary><see cref="Check"/>, then creates the folder; one that cannot be created is named as such.</summary>
    public static void Create(string dir)
    {
        Check(dir);
        try
        {
            Directory.CreateDirectory(dir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SegKitException($"cannot create the output folder {dir}: {e.Message}", e);
        }
    }
}
