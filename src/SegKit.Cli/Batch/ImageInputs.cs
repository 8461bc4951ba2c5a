// Turns the image arguments of a verb (files and folders) into the list of images to process.
namespace SegKit.Cli.Batch;

/// <summary>Expands files and folders into image paths (.jpg, .jpeg, .png; folders searched recursively).</summary>
internal static class ImageInputs
{
    private static readonly string[] s_extensions = [".jpg", ".jpeg", ".png"];

    /// <summary>True when <paramref name="path"/> has an image extension SegKit reads.</summary>
    public static bool IsImagePath(string path) =>
        s_extensions.Contains(Path.GetExtension(path), StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Files are taken as given (whatever their extension: the decoder checks the content); folders give
    /// their image files, sorted by path. A missing path raises FileNotFoundException naming it. Two inputs
    /// whose outputs would share a name (same file stem) are refused before any work starts, and so is a list with no
    /// image at all (say, an empty folder).
    /// </summary>
    public static IReadOnlyList<string> Expand(IEnumerable<string> arguments)
    {
        var images = new List<string>();
        var given = arguments.ToList();
        foreach (string arg in given)
        {
            if (Directory.Exists(arg))
            {
                images.AddRange(Directory.EnumerateFiles(arg, "*", SearchOption.AllDirectories)
                    .Where(IsImagePath)
                    .Where(f => !Path.GetFileName(f).StartsWith('.'))
                    .Order(StringComparer.Ordinal));
            }
            else if (File.Exists(arg))
            {
                images.Add(arg);
            }
            else
            {
                throw new FileNotFoundException($"no such image or folder: {arg}", arg);
            }
        }
        if (images.Count == 0)
            throw new SegKitException(
                $"no images in {string.Join(", ", given)} (folders are searched recursively for .jpg, .jpeg and .png files)");
        var clash = images.GroupBy(i => Path.GetFileNameWithoutExtension(i), StringComparer.Ordinal)
            .FirstOrDefault(g => g.Count() > 1);
        if (clash is not null)
        {
            throw new SegKitException(
                $"inputs {string.Join(" and ", clash.Take(2))} would write outputs with the same name '{clash.Key}.*'; " +
                "rename one or run them with separate --out folders");
        }
        return images;
    }
}
