// Stable LSD radix sort of (ulong key, int payload) pairs, 16 bits per pass, skipping passes where every key
// shares the digit. Non-negative IEEE doubles sort like their bit patterns, so this orders edge weights exactly
// with ties kept in input order.
namespace SegKit.Classical;

internal static class RadixSort
{
    /// <summary>Sorts <paramref name="keys"/> ascending, permuting <paramref name="payload"/> alongside; stable. Returns the sorted arrays (which may be the scratch arrays).</summary>
    public static (ulong[] Keys, int[] Payload) Sort(ulong[] keys, int[] payload, int maxDegreeOfParallelism)
    {
        int n = keys.Length;
        const int Digits = 4, Buckets = 1 << 16;
        var counts = new int[Digits * Buckets];
        object gate = new();
        ParallelBands.For(n, maxDegreeOfParallelism, (start, end) =>
        {
            var local = new int[Digits * Buckets];
            for (int i = start; i < end; i++)
            {
                ulong k = keys[i];
                local[(int)(k & 0xFFFF)]++;
                local[Buckets + (int)((k >> 16) & 0xFFFF)]++;
                local[2 * Buckets + (int)((k >> 32) & 0xFFFF)]++;
                local[3 * Buckets + (int)(k >> 48)]++;
            }
            lock (gate)
            {
                for (int i = 0; i < local.Length; i++) counts[i] += local[i];
            }
        }, minBand: 1 << 16);

        ulong[] srcKeys = keys, dstKeys = null!;
        int[] srcPay = payload, dstPay = null!;
        for (int d = 0; d < Digits; d++)
        {
            Span<int> hist = counts.AsSpan(d * Buckets, Buckets);
            if (n == 0 || hist.Contains(n)) continue; // every key has the same digit: the pass would not move anything
            int offset = 0;
            for (int b = 0; b < Buckets; b++)
            {
                int c = hist[b];
                hist[b] = offset;
                offset += c;
            }
            dstKeys ??= GC.AllocateUninitializedArray<ulong>(n);
            dstPay ??= GC.AllocateUninitializedArray<int>(n);
            int shift = d * 16;
            for (int i = 0; i < n; i++)
            {
                ulong k = srcKeys[i];
                int pos = hist[(int)((k >> shift) & 0xFFFF)]++;
                dstKeys[pos] = k;
                dstPay[pos] = srcPay[i];
            }
            (srcKeys, dstKeys) = (dstKeys, srcKeys);
            (srcPay, dstPay) = (dstPay, srcPay);
        }
        return (srcKeys, srcPay);
    }
}
