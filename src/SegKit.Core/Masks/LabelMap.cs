namespace SegKit.Masks;

/// <summary>
/// A width × height map of 8-bit class ids, row-major (the layout of a VOC label PNG);
/// <see cref="Ignore"/> (255) marks pixels that carry no label (borders, "void").
/// </summary>
public sealed class LabelMap
{
    /// <summary>The class id meaning "no label": 255, as PASCAL VOC and torchvision's references use it.</summary>
    public const byte Ignore = 255;

    /// <summary>Width in pixels (≥ 1).</summary>
    public int Width { get; }

    /// <summary>Height in pixels (≥ 1).</summary>
    public int Height { get; }

    /// <summary>Class ids, row-major, length Width × Height.</summary>
    public byte[] Data { get; }

    /// <summary>Allocates a map of class 0.</summary>
    public LabelMap(int width, int height)
        : this(width, height, new byte[CheckedLength(width, height)])
    {
    }

    /// <summary>Wraps <paramref name="data"/> (row-major, length width × height) without copying; the map takes ownership.</summary>
    public LabelMap(int width, int height, byte[] data)
    {
        long n = CheckedLength(width, height);
        ArgumentNullException.ThrowIfNull(data);
        if (data.LongLength != n)
            throw new ArgumentException($"label data has {data.LongLength} bytes; {width}×{height} = {n} expected", nameof(data));
        Width = width;
        Height = height;
        Data = data;
    }

    /// <summary>Class id at (x, y).</summary>
    public byte this[int x, int y]
    {
        get
        {
            CheckXY(x, y);
            return Data[y * Width + x];
        }
        set
        {
            CheckXY(x, y);
            Data[y * Width + x] = value;
        }
    }

    /// <summary>Row <paramref name="y"/> as Width class ids.</summary>
    public Span<byte> GetRow(int y)
    {
        if ((uint)y >= (uint)Height) throw new ArgumentOutOfRangeException(nameof(y));
        return Data.AsSpan(y * Width, Width);
    }

    /// <summary>Pixel counts per class id, indexed 0..255 (index 255 counts ignored pixels).</summary>
    public long[] ClassPixelCounts()
    {
        var counts = new long[256];
        foreach (byte b in Data) counts[b]++;
        return counts;
    }

    /// <summary>The pixels of class <paramref name="classId"/> as a mask.</summary>
    public BinaryMask ToMask(byte classId)
    {
        var m = new BinaryMask(Width, Height);
        for (int y = 0; y < Height; y++)
        {
            ReadOnlySpan<byte> row = Data.AsSpan(y * Width, Width);
            for (int x = 0; x < Width; x++)
                if (row[x] == classId) m.Set(x, y);
        }
        return m;
    }

    /// <summary>A deep copy.</summary>
    public LabelMap Clone() => new(Width, Height, (byte[])Data.Clone());

    private void CheckXY(int x, int y)
    {
        if ((uint)x >= (uint)Width || (uint)y >= (uint)Height)
            throw new ArgumentOutOfRangeException(nameof(x), $"pixel ({x},{y}) outside {Width}×{Height} label map");
    }

    private static long CheckedLength(int width, int height)
    {
        if (width < 1 || height < 1)
            throw new ArgumentOutOfRangeException(nameof(width), $"label map size {width}×{height}: both sides must be ≥ 1");
        long n = (long)width * height;
        if (n > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(width), $"label map size {width}×{height} is too large");
        return n;
    }
}
