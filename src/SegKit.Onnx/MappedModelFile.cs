// A model file mapped into memory, followed by zeroed room. SegKit parses the graph from the mapping, appends
// fields in the room and hands the whole to ORT, which copies what it keeps while it builds the session; nothing is
// read into a managed array first. Reading a 141 MB model into a fresh array cost 427-466 ms here, nearly all of
// it page faults on the new memory. The file's pages are mapped read-only from the page cache in one call
// (MAP_POPULATE; a writable private mapping would have copied every page); only the last one, where the room
// begins, is writable, as a private copy. The file itself is never modified.
// Linux only (SegKit's native libraries are linux-x64). Like any mapping, a file truncated by another process
// while it is mapped makes reads of the lost pages fault, so the mapping is kept only for the load.
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace SegKit.Onnx;

/// <summary>A file's bytes, mapped copy-on-write, followed by room for bytes appended in memory only.</summary>
internal sealed unsafe partial class MappedModelFile : IDisposable
{
    private const int ProtRead = 1, ProtWrite = 2;
    private const int MapPrivate = 0x02, MapFixed = 0x10, MapAnonymous = 0x20, MapPopulate = 0x8000;

    private byte* _base;
    private readonly nuint _mapLength;
    private readonly int _room;
    private int _appended;

    /// <summary>The file's length in bytes.</summary>
    public int FileLength { get; }

    private MappedModelFile(byte* b, nuint mapLength, int fileLength, int room)
    {
        _base = b;
        _mapLength = mapLength;
        FileLength = fileLength;
        _room = room;
    }

    /// <summary>Maps <paramref name="path"/> with <paramref name="room"/> bytes after it.</summary>
    /// <exception cref="IOException">The file is larger than a span can hold with the room, or the mapping failed (names the file and errno).</exception>
    public static MappedModelFile Open(string path, int room)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(room);
        using SafeFileHandle file = File.OpenHandle(path);
        long length = RandomAccess.GetLength(file);
        if (length > int.MaxValue - room)
            throw new IOException($"{path}: {length} bytes is too large to map with {room} bytes of room (at most {int.MaxValue - room})");
        nuint page = (nuint)Environment.SystemPageSize;
        nuint total = RoundUp((nuint)length + (nuint)room, page);
        // Anonymous zero pages for the whole span, then the file's pages over its start.
        void* b = mmap(null, total, ProtRead | ProtWrite, MapPrivate | MapAnonymous, -1, 0);
        if (b == (void*)-1)
            throw new IOException($"{path}: mapping {total} bytes failed (errno {Marshal.GetLastPInvokeError()})");
        if (length > 0)
        {
            nuint filePages = RoundUp((nuint)length, page);
            void* f = mmap(b, filePages, ProtRead, MapPrivate | MapFixed | MapPopulate, (int)file.DangerousGetHandle(), 0);
            // The last file page, where the room begins, takes writes (into a private copy of that page alone).
            if (f != b || mprotect((byte*)b + filePages - page, page, ProtRead | ProtWrite) != 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                munmap(b, total);
                throw new IOException($"{path}: mapping the file failed (errno {errno})");
            }
        }
        return new MappedModelFile((byte*)b, total, (int)length, room);
    }

    /// <summary>The file's bytes. Valid until <see cref="Dispose"/>.</summary>
    public ReadOnlySpan<byte> FileBytes => new(Base, FileLength);

    /// <summary>The file's bytes followed by what was appended. Valid until <see cref="Dispose"/>.</summary>
    public ReadOnlySpan<byte> Contents => new(Base, FileLength + _appended);

    /// <summary>Appends <paramref name="bytes"/> after the file's bytes (in memory); false, changing nothing, when the room is too small.</summary>
    public bool TryAppend(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > _room - _appended) return false;
        bytes.CopyTo(new Span<byte>(Base + FileLength + _appended, bytes.Length));
        _appended += bytes.Length;
        return true;
    }

    private byte* Base => _base != null ? _base : throw new ObjectDisposedException(nameof(MappedModelFile));

    /// <summary>Unmaps the file. Safe to call twice.</summary>
    public void Dispose()
    {
        if (_base == null) return;
        munmap(_base, _mapLength);
        _base = null;
    }

    private static nuint RoundUp(nuint n, nuint page) => (n + page - 1) / page * page;

    [LibraryImport("libc", SetLastError = true)]
    private static partial void* mmap(void* addr, nuint length, int prot, int flags, int fd, nint offset);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int munmap(void* addr, nuint length);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int mprotect(void* addr, nuint length, int prot);
}
