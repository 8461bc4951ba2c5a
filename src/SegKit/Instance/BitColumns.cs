// Column-major bit layout of a packed mask (64×64 block transposes), for COCO RLE, whose runs go down columns.
using System.Numerics;
using SegKit.Masks;

namespace SegKit.Instance;

internal static class BitColumns
{
    /// <summary>
    /// The mask's columns as packed words: column x occupies words [x · W, x · W + W) with W = ceil(Height / 64),
    /// row y at bit (y % 64) of word y / 64; bits past Height are zero.
    /// </summary>
    public static ulong[] Of(BinaryMask mask, out int wordsPerColumn)
    {
        int w = mask.Width, h = mask.Height;
        wordsPerColumn = (h + 63) >> 6;
        var cols = new ulong[(long)w * wordsPerColumn];
        Span<ulong> block = stackalloc ulong[64];
        for (int by = 0; by < wordsPerColumn; by++)
        {
            for (int bx = 0; bx < mask.WordsPerRow; bx++)
            {
                for (int i = 0; i < 64; i++)
                {
                    int y = (by << 6) + i;
                    block[i] = y < h ? mask.GetRowWords(y)[bx] : 0;
                }
                Transpose64(block);
                int n = Math.Min(64, w - (bx << 6));
                for (int j = 0; j < n; j++)
                    cols[(long)((bx << 6) + j) * wordsPerColumn + by] = block[j];
            }
        }
        return cols;
    }

    /// <summary>
    /// Transposes a 64 × 64 bit matrix in place: on entry bit c of a[r] is element (r, c); on exit bit r of a[c] is.
    /// (Recursive block swap, Hacker's Delight 7-3.)
    /// </summary>
    public static void Transpose64(Span<ulong> a)
    {
        ulong m = 0x00000000FFFFFFFFUL;
        for (int j = 32; j != 0; j >>= 1, m ^= m << j)
        {
            for (int k = 0; k < 64; k = ((k | j) + 1) & ~j)
            {
                ulong t = ((a[k] >> j) ^ a[k | j]) & m;
                a[k | j] ^= t;
                a[k] ^= t << j;
            }
        }
    }

    /// <summary>Appends the first <paramref name="bits"/> bits of <paramref name="word"/> (LSB first) to a run-length encoder.</summary>
    public static void AppendRuns(ref RunEncoder enc, ulong word, int bits)
    {
        int pos = 0;
        while (pos < bits)
        {
            ulong rest = word >> pos;
            bool one = (rest & 1) != 0;
            int len = Math.Min(BitOperations.TrailingZeroCount(one ? ~rest : rest), bits - pos);
            enc.Add(one, len);
            pos += len;
        }
    }
}

/// <summary>COCO-style run lengths: alternating background/foreground runs, starting with background.</summary>
internal struct RunEncoder
{
    private readonly List<uint> _counts;
    private bool _current;
    private long _run;

    public RunEncoder() => _counts = [];

    public void Add(bool value, long n)
    {
        if (n == 0) return;
        if (value != _current)
        {
            _counts.Add(checked((uint)_run));
            _run = 0;
            _current = value;
        }
        _run += n;
    }

    public uint[] Finish()
    {
        _counts.Add(checked((uint)_run));
        return [.. _counts];
    }
}
