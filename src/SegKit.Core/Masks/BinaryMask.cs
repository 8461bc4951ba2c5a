using System.Numerics;

namespace SegKit.Masks;

/// <summary>
/// A width × height binary mask stored bit-packed, row-major: each row is
/// <see cref="WordsPerRow"/> <see cref="ulong"/> words, pixel x of a row at bit (x % 64) of word x / 64.
/// Bits past <see cref="Width"/> in a row's last word are always zero, so popcounts over whole words are exact.
/// A mask may be empty in either direction (width or height 0), as COCO RLEs may.
/// </summary>
public sealed class BinaryMask : IEquatable<BinaryMask>
{
    private readonly ulong[] _bits;

    /// <summary>Width in pixels (≥ 0).</summary>
    public int Width { get; }

    /// <summary>Height in pixels (≥ 0).</summary>
    public int Height { get; }

    /// <summary>Number of 64-bit words per row: ceil(Width / 64).</summary>
    public int WordsPerRow { get; }

    /// <summary>Allocates an all-false mask of <paramref name="width"/> × <paramref name="height"/>.</summary>
    public BinaryMask(int width, int height)
    {
        if (width < 0 || height < 0)
            throw new ArgumentOutOfRangeException(nameof(width), $"mask size {width}×{height}: sides must be ≥ 0");
        Width = width;
        Height = height;
        WordsPerRow = (width + 63) >> 6;
        long words = (long)WordsPerRow * height;
        if (words > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(width), $"mask size {width}×{height} is too large");
        _bits = new ulong[words];
    }

    /// <summary>Number of pixels, Width × Height.</summary>
    public long PixelCount => (long)Width * Height;

    /// <summary>Pixel (x, y); x in [0, Width), y in [0, Height).</summary>
    public bool this[int x, int y]
    {
        get => Get(x, y);
        set => Set(x, y, value);
    }

    /// <summary>Pixel (x, y); throws when out of range.</summary>
    public bool Get(int x, int y)
    {
        CheckXY(x, y);
        return (_bits[y * WordsPerRow + (x >> 6)] >> (x & 63) & 1UL) != 0;
    }

    /// <summary>Sets pixel (x, y) to <paramref name="value"/>; throws when out of range.</summary>
    public void Set(int x, int y, bool value = true)
    {
        CheckXY(x, y);
        ref ulong w = ref _bits[y * WordsPerRow + (x >> 6)];
        ulong bit = 1UL << (x & 63);
        w = value ? w | bit : w & ~bit;
    }

    /// <summary>Pixel (x, y) without range checks; the caller guarantees 0 ≤ x &lt; Width, 0 ≤ y &lt; Height.</summary>
    internal bool DangerousGet(int x, int y) => (_bits[y * WordsPerRow + (x >> 6)] >> (x & 63) & 1UL) != 0;

    /// <summary>The packed words of row <paramref name="y"/> (<see cref="WordsPerRow"/> words, unused high bits zero).</summary>
    public ReadOnlySpan<ulong> GetRowWords(int y)
    {
        if ((uint)y >= (uint)Height) throw new ArgumentOutOfRangeException(nameof(y));
        return _bits.AsSpan(y * WordsPerRow, WordsPerRow);
    }

    /// <summary>
    /// The writable packed words of row <paramref name="y"/> without a range check. The caller keeps the
    /// bits past <see cref="Width"/> in the last word zero (popcounts and equality rely on it).
    /// </summary>
    internal Span<ulong> DangerousGetRowWords(int y) => _bits.AsSpan(y * WordsPerRow, WordsPerRow);

    /// <summary>Sets pixels [x0, x1) of row y to true.</summary>
    public void SetRun(int y, int x0, int x1)
    {
        if ((uint)y >= (uint)Height) throw new ArgumentOutOfRangeException(nameof(y));
        if (x0 < 0 || x1 > Width || x0 > x1) throw new ArgumentOutOfRangeException(nameof(x0), $"run [{x0},{x1}) outside 0..{Width}");
        Span<ulong> row = _bits.AsSpan(y * WordsPerRow, WordsPerRow);
        while (x0 < x1)
        {
            int w = x0 >> 6, b = x0 & 63;
            int n = Math.Min(64 - b, x1 - x0);
            ulong m = n == 64 ? ulong.MaxValue : ((1UL << n) - 1) << b;
            row[w] |= m;
            x0 += n;
        }
    }

    /// <summary>
    /// Sets the pixels of row <paramref name="y"/> whose bits are set in <paramref name="words"/> (the row's packed
    /// layout: <see cref="WordsPerRow"/> words, pixel x at bit x % 64 of word x / 64; bits past Width are ignored).
    /// </summary>
    public void OrRowWords(int y, ReadOnlySpan<ulong> words)
    {
        if ((uint)y >= (uint)Height) throw new ArgumentOutOfRangeException(nameof(y));
        if (words.Length != WordsPerRow) throw new ArgumentException($"{words.Length} words given; a row has {WordsPerRow}", nameof(words));
        Span<ulong> row = _bits.AsSpan(y * WordsPerRow, WordsPerRow);
        for (int w = 0; w < row.Length; w++) row[w] |= words[w];
        int rem = Width & 63;
        if (rem != 0) row[^1] &= (1UL << rem) - 1;
    }

    /// <summary>Number of true pixels (popcount).</summary>
    public long Area()
    {
        long n = 0;
        foreach (ulong w in _bits) n += BitOperations.PopCount(w);
        return n;
    }

    /// <summary>True when no pixel is set.</summary>
    public bool IsEmpty => Array.TrueForAll(_bits, w => w == 0);

    /// <summary>
    /// Tight bounding box of the true pixels in pixel-edge coordinates: X1 = min x, X2 = max x + 1
    /// (so Width = number of columns). Null when the mask is empty.
    /// </summary>
    public BoxXyxy? BoundingBox()
    {
        int minX = int.MaxValue, maxX = -1, minY = -1, maxY = -1;
        for (int y = 0; y < Height; y++)
        {
            ReadOnlySpan<ulong> row = _bits.AsSpan(y * WordsPerRow, WordsPerRow);
            int first = -1, last = -1;
            for (int w = 0; w < row.Length; w++)
            {
                if (row[w] == 0) continue;
                if (first < 0) first = (w << 6) + BitOperations.TrailingZeroCount(row[w]);
                last = (w << 6) + 63 - BitOperations.LeadingZeroCount(row[w]);
            }
            if (first < 0) continue;
            if (minY < 0) minY = y;
            maxY = y;
            minX = Math.Min(minX, first);
            maxX = Math.Max(maxX, last);
        }
        return minY < 0 ? null : new BoxXyxy(minX, minY, maxX + 1, maxY + 1);
    }

    /// <summary>Number of pixels true in both masks (same size required).</summary>
    public long IntersectionCount(BinaryMask other)
    {
        CheckSameSize(other);
        long n = 0;
        for (int i = 0; i < _bits.Length; i++) n += BitOperations.PopCount(_bits[i] & other._bits[i]);
        return n;
    }

    /// <summary>Number of pixels true in either mask (same size required).</summary>
    public long UnionCount(BinaryMask other)
    {
        CheckSameSize(other);
        long n = 0;
        for (int i = 0; i < _bits.Length; i++) n += BitOperations.PopCount(_bits[i] | other._bits[i]);
        return n;
    }

    /// <summary>Intersection over union with <paramref name="other"/>; 0 when both are empty.</summary>
    public double Iou(BinaryMask other)
    {
        long u = UnionCount(other);
        return u == 0 ? 0 : (double)IntersectionCount(other) / u;
    }

    /// <summary>A new mask, this AND other.</summary>
    public BinaryMask And(BinaryMask other) => Combine(other, static (a, b) => a & b);

    /// <summary>A new mask, this OR other.</summary>
    public BinaryMask Or(BinaryMask other) => Combine(other, static (a, b) => a | b);

    /// <summary>A new mask, this AND NOT other.</summary>
    public BinaryMask AndNot(BinaryMask other) => Combine(other, static (a, b) => a & ~b);

    /// <summary>A new mask with every pixel inverted.</summary>
    public BinaryMask Not()
    {
        var r = new BinaryMask(Width, Height);
        for (int i = 0; i < _bits.Length; i++) r._bits[i] = ~_bits[i];
        r.ClearPadding();
        return r;
    }

    /// <summary>A deep copy.</summary>
    public BinaryMask Clone()
    {
        var r = new BinaryMask(Width, Height);
        _bits.CopyTo(r._bits, 0);
        return r;
    }

    /// <summary>Builds a mask from row-major bytes (length width × height); nonzero is true.</summary>
    public static BinaryMask FromBytes(ReadOnlySpan<byte> rowMajor, int width, int height)
    {
        var m = new BinaryMask(width, height);
        CheckLength(rowMajor.Length, m, nameof(rowMajor));
        for (int y = 0; y < height; y++)
        {
            ReadOnlySpan<byte> src = rowMajor.Slice(y * width, width);
            Span<ulong> row = m._bits.AsSpan(y * m.WordsPerRow, m.WordsPerRow);
            for (int x = 0; x < width; x++)
                if (src[x] != 0) row[x >> 6] |= 1UL << (x & 63);
        }
        return m;
    }

    /// <summary>Builds a mask from row-major booleans (length width × height).</summary>
    public static BinaryMask FromBools(ReadOnlySpan<bool> rowMajor, int width, int height)
    {
        var m = new BinaryMask(width, height);
        CheckLength(rowMajor.Length, m, nameof(rowMajor));
        for (int y = 0; y < height; y++)
        {
            ReadOnlySpan<bool> src = rowMajor.Slice(y * width, width);
            Span<ulong> row = m._bits.AsSpan(y * m.WordsPerRow, m.WordsPerRow);
            for (int x = 0; x < width; x++)
                if (src[x]) row[x >> 6] |= 1UL << (x & 63);
        }
        return m;
    }

    /// <summary>
    /// Builds a mask from row-major values (length width × height): a pixel is true where value &gt; <paramref name="threshold"/>
    /// (strictly, so logits use 0 and probabilities 0.5). NaN is false.
    /// </summary>
    public static BinaryMask FromThreshold(ReadOnlySpan<float> rowMajor, int width, int height, float threshold)
    {
        var m = new BinaryMask(width, height);
        CheckLength(rowMajor.Length, m, nameof(rowMajor));
        for (int y = 0; y < height; y++)
        {
            ReadOnlySpan<float> src = rowMajor.Slice(y * width, width);
            Span<ulong> row = m._bits.AsSpan(y * m.WordsPerRow, m.WordsPerRow);
            for (int x = 0; x < width; x++)
                if (src[x] > threshold) row[x >> 6] |= 1UL << (x & 63);
        }
        return m;
    }

    /// <summary>Row-major bytes, 1 for true and 0 for false (length Width × Height).</summary>
    public byte[] ToBytes()
    {
        var r = new byte[PixelCount];
        for (int y = 0; y < Height; y++)
            for (int x = 0; x < Width; x++)
                r[y * Width + x] = DangerousGet(x, y) ? (byte)1 : (byte)0;
        return r;
    }

    /// <summary>Column-major (Fortran order, as pycocotools' masks) bytes, 1 for true (length Width × Height).</summary>
    public byte[] ToColumnMajorBytes()
    {
        var r = new byte[PixelCount];
        for (int y = 0; y < Height; y++)
            for (int x = 0; x < Width; x++)
                r[(long)x * Height + y] = DangerousGet(x, y) ? (byte)1 : (byte)0;
        return r;
    }

    /// <inheritdoc/>
    public bool Equals(BinaryMask? other) =>
        other is not null && other.Width == Width && other.Height == Height && _bits.AsSpan().SequenceEqual(other._bits);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as BinaryMask);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var h = new HashCode();
        h.Add(Width);
        h.Add(Height);
        foreach (ulong w in _bits) h.Add(w);
        return h.ToHashCode();
    }

    /// <inheritdoc/>
    public override string ToString() => $"BinaryMask {Width}×{Height}, area {Area()}";

    private BinaryMask Combine(BinaryMask other, Func<ulong, ulong, ulong> op)
    {
        CheckSameSize(other);
        var r = new BinaryMask(Width, Height);
        for (int i = 0; i < _bits.Length; i++) r._bits[i] = op(_bits[i], other._bits[i]);
        r.ClearPadding();
        return r;
    }

    private void ClearPadding()
    {
        int rem = Width & 63;
        if (rem == 0) return;
        ulong keep = (1UL << rem) - 1;
        for (int y = 0; y < Height; y++) _bits[y * WordsPerRow + WordsPerRow - 1] &= keep;
    }

    private void CheckXY(int x, int y)
    {
        if ((uint)x >= (uint)Width || (uint)y >= (uint)Height)
            throw new ArgumentOutOfRangeException(nameof(x), $"pixel ({x},{y}) outside {Width}×{Height} mask");
    }

    private void CheckSameSize(BinaryMask other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Width != Width || other.Height != Height)
            throw new ArgumentException($"mask sizes differ: {Width}×{Height} vs {other.Width}×{other.Height}", nameof(other));
    }

    private static void CheckLength(int length, BinaryMask m, string name)
    {
        if (length != m.PixelCount)
            throw new ArgumentException($"{length} values given; {m.Width}×{m.Height} = {m.PixelCount} expected", name);
    }
}
