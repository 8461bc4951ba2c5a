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
        for (int y = 0; y < h; y++)
        {
            Span<ulong> row = edge.DangerousGetRowWords(y);
            Span<ulong> below = y + 1 < h ? edge.DangerousGetRowWords(y + 1) : default;
            int o = y * w;
            for (int x = 0; x < w; x++)
            {
                byte v = ids[o + x];
                if (x + 1 < w && ids[o + x + 1] != v)
                {
                    row[x >> 6] |= 1UL << (x & 63);
                    row[(x + 1) >> 6] |= 1UL << ((x + 1) & 63);
                }
                if (y + 1 < h && ids[o + w + x] != v)
                {
                    row[x >> 6] |= 1UL << (x & 63);
                    below[x >> 6] |= 1UL << (x & 63);
                }
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
            ReadOnlySpan<byte> lab = ids.AsSpan(y * w, w);
            for (int x = 0; x < w; x++)
                if (lab[x] == LabelMap.Ignore) row[x >> 6] &= ~(1UL << (x & 63));
        }
        return grown;
    }

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
