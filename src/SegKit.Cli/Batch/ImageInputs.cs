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
    /// their image files, sorted by path (through <see cref="FolderWalk"/>: hidden names left out, each real folder
    /// searched once however many links lead to it, an unreadable sub-folder skipped with a warning). A missing path raises FileNotFoundException naming it. Two inputs
    /// whose outputs would share a name (same file stem) are refused before any work starts, and so is a list with no
    /// image at all (say, an empty folder).
    /// </summary>
    /// <param name="arguments">The image and folder arguments.</param>
    /// <param name="outputDir">The verb's --out folder, when it has one: it is not searched for images when it lies in an
    /// input folder (its outputs would be read as inputs by the next run), an input folder cannot be it, and an input
    /// in it that an output would overwrite (<c>&lt;stem&gt;.*</c> of another input) is refused.</param>
    /// <param name="stderr">Where skipped sub-folders are reported (<c>segkit: warning:</c> for an unreadable one,
    /// <c>segkit: note:</c> for a link to a folder searched already); null to say nothing.</param>
    public static IReadOnlyList<string> Expand(IEnumerable<string> arguments, string? outputDir = null, TextWriter? stderr = null)
    {
        var images = new List<string>();
        var given = arguments.ToList();
        string? outFull = string.IsNullOrWhiteSpace(outputDir) ? null : Path.TrimEndingDirectorySeparator(Path.GetFullPath(outputDir));
        foreach (string arg in given)
        {
            if (Directory.Exists(arg))
            {
                string dirFull = Path.TrimEndingDirectorySeparator(Path.GetFullPath(arg));
                if (outFull == dirFull || (outFull is not null && Directory.Exists(outFull) && SamePlace(outFull, dirFull)))
                    throw new SegKitException(
                        $"--out {outputDir} is the input folder {arg}: the next run would read its outputs as photos, and an output " +
                        "could overwrite a photo there; give --out another folder");
                var listing = FolderWalk.Files(arg, IsImagePath, outFull);
                foreach (var skip in listing.Skipped)
                    stderr?.WriteLine((skip.Reason == SkippedFolderReason.Unreadable ? "segkit: warning: " : "segkit: note: ") + skip.Message);
                images.AddRange(listing.Files);
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
        if (outFull is not null)
        {
            // Outputs are named <stem>.<suffix> in the output folder: an input there whose name starts with another
            // input's stem and a dot could be overwritten (dog.labels.png beside dog.jpg).
            var stems = images.Select(i => Path.GetFileNameWithoutExtension(i)).ToHashSet(StringComparer.Ordinal);
            foreach (string image in images)
            {
                if (Path.GetDirectoryName(Path.GetFullPath(image)) != outFull) continue;
                string name = Path.GetFileName(image);
                string? owner = stems.FirstOrDefault(s => s != Path.GetFileNameWithoutExtension(image) && name.StartsWith(s + ".", StringComparison.Ordinal));
                if (owner is not null)
                    throw new SegKitException(
                        $"input {image} is in the output folder {outputDir}, where the outputs of {owner}.* could overwrite it; " +
                        "give --out another folder");
            }
        }
        return images;
    }

    private static bool SamePlace(string a, string b)
    {
        try
        {
            return FolderWalk.RealPath(a) == FolderWalk.RealPath(b);
        }
        catch (IOException)
        {
            return false;
        }
    }
}
