// Lists the files under a folder the way a photo run wants them: every real folder once, symbolic links to folders
// followed but never into a folder already searched (a link loop would otherwise repeat the same photos until the
// path grows too long), hidden entries left out, and a sub-folder that cannot be read reported and skipped.
namespace SegKit;

/// <summary>Why <see cref="FolderWalk"/> left a sub-folder out.</summary>
public enum SkippedFolderReason
{
    /// <summary>It could not be listed (permission denied, I/O error); the run goes on without its files.</summary>
    Unreadable,

    /// <summary>A symbolic link to a folder that is searched already (a loop, or a second link to one folder).</summary>
    AlreadySearched,
}

/// <summary>A sub-folder <see cref="FolderWalk.Files(string, Func{string, bool}, string?)"/> did not search, and why, in a sentence.</summary>
/// <param name="Path">The folder as reached from the root (through links, if any).</param>
/// <param name="Reason">Why it was skipped.</param>
/// <param name="Message">A sentence naming the folder and the reason.</param>
public sealed record SkippedFolder(string Path, SkippedFolderReason Reason, string Message);

/// <summary>The files of a folder tree, with the folders that were skipped.</summary>
/// <param name="Files">Matching files, as paths from the root argument, sorted ordinally.</param>
/// <param name="Skipped">Sub-folders that were not searched, in the order met.</param>
public sealed record FolderListing(IReadOnlyList<string> Files, IReadOnlyList<SkippedFolder> Skipped);

/// <summary>Recursive listing of a folder's files (see <see cref="Files(string, Func{string, bool}, string?)"/>).</summary>
public static class FolderWalk
{
    // Linux's limit on links followed while resolving one path (ELOOP beyond it).
    private const int MaxLinkHops = 40;

    private static readonly EnumerationOptions s_oneLevel = new()
    {
        RecurseSubdirectories = false,
        AttributesToSkip = 0,
        IgnoreInaccessible = false,
        ReturnSpecialDirectories = false,
        MatchType = MatchType.Simple,
    };

    /// <summary>
    /// The files under <paramref name="root"/> (recursively) whose names satisfy <paramref name="include"/>. Names that
    /// start with a dot (files and folders) are left out. Real sub-folders are searched first; then symbolic links to
    /// folders, each only when the folder it resolves to (every link on the way resolved) has not been searched,
    /// so a loop or a second link to one folder gives its files once. A sub-folder that cannot be listed is skipped and
    /// reported in <see cref="FolderListing.Skipped"/>; so is <paramref name="exclude"/> when it lies inside, silently.
    /// </summary>
    /// <param name="root">The folder to search.</param>
    /// <param name="include">Chooses files by name (the file name without its folder).</param>
    /// <param name="exclude">A folder not to search (the output folder of a run), compared by its resolved path; null for none.</param>
    /// <exception cref="SegKitException">The root itself cannot be listed.</exception>
    public static FolderListing Files(string root, Func<string, bool> include, string? exclude = null) =>
        Files(root, include, exclude, ListOneLevel);

    /// <summary><see cref="Files(string, Func{string, bool}, string?)"/> with the one-level lister given (tests use it to fail a folder).</summary>
    internal static FolderListing Files(string root, Func<string, bool> include, string? exclude,
        Func<string, IEnumerable<FileSystemInfo>> list)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(include);
        string? excludeReal = exclude is { Length: > 0 } ? TryRealPath(exclude) : null;
        var files = new List<string>();
        var skipped = new List<SkippedFolder>();
        var searched = new HashSet<string>(StringComparer.Ordinal);
        string rootReal = TryRealPath(root) ?? Path.GetFullPath(root);
        searched.Add(rootReal);
        var links = new Queue<string>();

        FileSystemInfo[] entries;
        try
        {
            entries = list(root).ToArray();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SegKitException($"cannot read folder {root}: {e.Message}", e);
        }
        var pending = new Stack<(string Path, string Real, FileSystemInfo[] Entries)>();
        pending.Push((root, rootReal, entries));
        while (true)
        {
            while (pending.TryPop(out var folder))
            {
                foreach (var entry in folder.Entries)
                {
                    if (entry.Name.StartsWith('.')) continue;
                    string path = Path.Combine(folder.Path, entry.Name);
                    if (entry is FileInfo)
                    {
                        if (include(entry.Name)) files.Add(path);
                        continue;
                    }
                    if (entry.LinkTarget is not null)
                    {
                        links.Enqueue(path); // after every real folder, so a real folder wins over a link to it
                        continue;
                    }
                    Search(path, Path.Combine(folder.Real, entry.Name));
                }
            }
            if (!links.TryDequeue(out string? link)) break;
            string? target = TryRealPath(link);
            if (target is null)
            {
                skipped.Add(new SkippedFolder(link, SkippedFolderReason.Unreadable,
                    $"cannot resolve the folder link {link} (more than {MaxLinkHops} links on the way); its images are skipped"));
                continue;
            }
            Search(link, target);
        }
        files.Sort(StringComparer.Ordinal);
        return new FolderListing(files, skipped);

        void Search(string path, string real)
        {
            if (real == excludeReal) return;
            if (!searched.Add(real))
            {
                skipped.Add(new SkippedFolder(path, SkippedFolderReason.AlreadySearched,
                    $"{path} is the folder {real}, which is searched already (through a symbolic link); not searched again"));
                return;
            }
            if (TryList(path, list, skipped) is { } children) pending.Push((path, real, children));
        }
    }

    private static FileSystemInfo[] ListOneLevel(string dir) =>
        new DirectoryInfo(dir).EnumerateFileSystemInfos("*", s_oneLevel).ToArray();

    private static FileSystemInfo[]? TryList(string dir, Func<string, IEnumerable<FileSystemInfo>> list, List<SkippedFolder> skipped)
    {
        try
        {
            return list(dir).ToArray();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            skipped.Add(new SkippedFolder(dir, SkippedFolderReason.Unreadable, $"cannot read folder {dir} ({e.Message}); its images are skipped"));
            return null;
        }
    }

    private static string? TryRealPath(string path)
    {
        try
        {
            return RealPath(path);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// The absolute path of <paramref name="path"/> with every symbolic link resolved and <c>.</c>/<c>..</c> taken as the
    /// file system does (<c>..</c> after a link goes above the link's target, not above the link), like POSIX
    /// <c>realpath</c>; components that do not exist are kept as written.
    /// </summary>
    /// <exception cref="IOException">More than 40 links on the way (a loop).</exception>
    public static string RealPath(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string absolute = Path.IsPathRooted(path) ? path : Path.Combine(Environment.CurrentDirectory, path);
        string current = Path.GetPathRoot(absolute)!;
        var rest = new LinkedList<string>(Split(absolute[current.Length..]));
        int hops = 0;
        while (rest.First is { } first)
        {
            string part = first.Value;
            rest.RemoveFirst();
            if (part == ".") continue;
            if (part == "..")
            {
                current = Path.GetDirectoryName(current) ?? current;
                continue;
            }
            string next = Path.Combine(current, part);
            string? target = new FileInfo(next).LinkTarget;
            if (target is null)
            {
                current = next;
                continue;
            }
            if (++hops > MaxLinkHops)
                throw new IOException($"{path}: more than {MaxLinkHops} symbolic links on the way (a loop)");
            if (Path.IsPathRooted(target)) current = Path.GetPathRoot(target)!;
            var parts = Split(Path.IsPathRooted(target) ? target[Path.GetPathRoot(target)!.Length..] : target);
            for (int i = parts.Length - 1; i >= 0; i--) rest.AddFirst(parts[i]);
        }
        return current;
    }

    private static string[] Split(string relative) =>
        relative.Split([Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar], StringSplitOptions.RemoveEmptyEntries);
}
