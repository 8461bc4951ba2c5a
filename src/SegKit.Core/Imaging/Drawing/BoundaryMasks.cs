using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using SegKit.Masks;

namespace SegKit.Imaging.Drawing;

/// <summary>Bit-parallel 4-neighbour erosion / dilation on packed masks, for boundary drawing.</summary>
internal static class BoundaryMasks
{
    /// <summary>mask AND NOT erode4^thickness(mask): set pixels within city-block distance thickness of an unset pixel.</summary>
    public static BinaryMask Inner(BinaryMask mask, int thickness)
    {
        BinaryMask eroded = new(mask.Width, mask.Height), spare = new(mask.Width, mask.Height);
        Erode4(mask, eroded);
        for (int i = 1; i < thickness; i++)
        {
            Erode4(eroded, spare);
            (eroded, spare) = (spare, eroded);
        }
        return mask.AndNot(eroded);
    }

    /// <summary>Pixels with a differing 4-neighbour, dilated thickness − 1 times, ignore pixels removed.</summary>
    public static BinaryMask OfLabels(LabelMap labels, int thickness)
    {
        int w = labels.Width, h = labels.Height;
        var edge = new BinaryMask(w, h);
        byte[] ids = labels.Data;
        // Row y's edge pixels: x where x + 1 differs, x + 1 where x differs (H), and x where the row below or above
        // differs at x (D(y), D(y − 1)), 64 pixels a word, with vector compares where a whole word's bytes (and the
        // byte after them) lie in the row.
        for (int y = 0; y < h; y++)
        {
            Span<ulong> row = edge.DangerousGetRowWords(y);
            int o = y * w;
            ulong carry = 0; // bit 63 of the previous word's "right neighbour differs": pixel 64·i is an edge
            for (int i = 0, x = 0; x < w; i++, x += 64)
            {
                ulong right = DifferWord(ids, o + x, o + x + 1, Math.Min(64, w - 1 - x));
                ulong bits = right | right << 1 | carry;
                carry = right >> 63;
                if (y + 1 < h) bits |= DifferWord(ids, o + x, o + w + x, Math.Min(64, w - x));
                if (y > 0) bits |= DifferWord(ids, o - w + x, o + x, Math.Min(64, w - x));
                row[i] = bits & KeepMask(w - x);
            }
        }
        BinaryMask grown = edge, spare = new(w, h);
        for (int i = 1; i < thickness; i++)
        {
            Dilate4(grown, spare);
            (grown, spare) = (spare, grown);
        }
        for (int y = 0; y < h; y++)
        {
            Span<ulong> row = grown.DangerousGetRowWords(y);
            int o = y * w;
            for (int i = 0, x = 0; x < w; i++, x += 64)
                row[i] &= ~EqualWord(ids, o + x, LabelMap.Ignore, Math.Min(64, w - x));
        }
        return grown;
    }

    // Bits j < count: ids[a + j] != ids[b + j] (the rest 0).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong DifferWord(byte[] ids, int a, int b, int count)
    {
        if (count == 64 && Vector512.IsHardwareAccelerated && Math.Max(a, b) + 64 <= ids.Length)
            return ~Vector512.Equals(Vector512.Create<byte>(ids.AsSpan(a, 64)), Vector512.Create<byte>(ids.AsSpan(b, 64))).ExtractMostSignificantBits();
        ulong bits = 0;
        for (int j = 0; j < count; j++)
            if (ids[a + j] != ids[b + j]) bits |= 1UL << j;
        return bits;
    }

    // Bits j < count: ids[a + j] == value.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong EqualWord(byte[] ids, int a, byte value, int count)
    {
        if (count == 64 && Vector512.IsHardwareAccelerated)
            return Vector512.Equals(Vector512.Create<byte>(ids.AsSpan(a, 64)), Vector512.Create(value)).ExtractMostSignificantBits();
        ulong bits = 0;
        for (int j = 0; j < count; j++)
            if (ids[a + j] == value) bits |= 1UL << j;
        return bits;
    }

    // The bits of a row's word that hold pixels, `left` of them remaining in the row.
    private static ulong KeepMask(int left) => left >= 64 ? ulong.MaxValue : (1UL << left) - 1;

    /// <summary>dst = pixels of src whose four neighbours are all set (outside the mask is unset).</summary>
    public static void Erode4(BinaryMask src, BinaryMask dst)
    {
        int n = src.WordsPerRow;
        for (int y = 0; y < src.Height; y++)
        {
            ReadOnlySpan<ulong> cur = src.GetRowWords(y);
            ReadOnlySpan<ulong> up = y > 0 ? src.GetRowWords(y - 1) : default;
            ReadOnlySpan<ulong> down = y + 1 < src.Height ? src.GetRowWords(y + 1) : default;
            Span<ulong> d = dst.DangerousGetRowWords(y);
            for (int i = 0; i < n; i++)
            {
                ulong c = cur[i];
                if (c == 0 || up.IsEmpty || down.IsEmpty)
                {
                    d[i] = 0;
                    continue;
                }
                ulong left = c << 1 | (i > 0 ? cur[i - 1] >> 63 : 0);
                ulong right = c >> 1 | (i + 1 < n ? cur[i + 1] << 63 : 0);
                d[i] = c & left & right & up[i] & down[i];
            }
        }
    }

    /// <summary>dst = src plus every pixel with a set 4-neighbour.</summary>
    public static void Dilate4(BinaryMask src, BinaryMask dst)
    {
        int n = src.WordsPerRow, rem = src.Width & 63;
        ulong lastKeep = rem == 0 ? ulong.MaxValue : (1UL << rem) - 1;
        for (int y = 0; y < src.Height; y++)
        {
            ReadOnlySpan<ulong> cur = src.GetRowWords(y);
            ReadOnlySpan<ulong> up = y > 0 ? src.GetRowWords(y - 1) : default;
            ReadOnlySpan<ulong> down = y + 1 < src.Height ? src.GetRowWords(y + 1) : default;
            Span<ulong> d = dst.DangerousGetRowWords(y);
            for (int i = 0; i < n; i++)
            {
                ulong c = cur[i];
                ulong v = c | c << 1 | c >> 1;
                if (i > 0) v |= cur[i - 1] >> 63;
                if (i + 1 < n) v |= cur[i + 1] << 63;
                if (!up.IsEmpty) v |= up[i];
                if (!down.IsEmpty) v |= down[i];
                d[i] = i == n - 1 ? v & lastKeep : v;
            }
        }
    }
}
