namespace SegKit.Datasets.Voc;

/// <summary>
/// A VOC dataset file that is missing or cannot be read: the message names the file, what was wrong and, when the file
/// was reached through an image list (<c>ImageSets/Segmentation/train.txt</c>...), that list.
/// </summary>
public sealed class VocDatasetException : SegKitException
{
    /// <summary>Creates the exception for <paramref name="filePath"/>, reached through <paramref name="listFile"/> when not null.</summary>
    public VocDatasetException(string filePath, string problem, string? listFile = null, Exception? inner = null)
        : base($"{filePath}: {problem}" + (listFile is null ? "" : $" (listed in {listFile})"), inner)
    {
        FilePath = filePath;
        ListFile = listFile;
    }

    /// <summary>The file that is missing or unreadable.</summary>
    public string FilePath { get; }

    /// <summary>The image list that referenced it, or null.</summary>
    public string? ListFile { get; }
}
