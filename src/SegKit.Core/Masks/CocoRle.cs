using System.Text;

namespace SegKit.Masks;

/// <summary>
/// A box in COCO's float64 (x, y, width, height) form, as pycocotools' <c>toBbox</c> and <c>bbIou</c> use it.
/// </summary>
public readonly record struct CocoBoxXywh(double X, double Y, double Width, double Height)
{
    /// <summary>Width × Height.</summary>
    public double Area => Width * Height;
}

/// <summary>
/// A COCO run-length encoded mask, bit-compatible with pycocotools (<c>common/maskApi.c</c>):
/// pixels are visited column-major (down each column, columns left to right), <see cref="Counts"/> alternate
/// background and foreground run lengths, and the first run counts background (it is 0 when the mask starts
/// with a foreground pixel). Every operation here (area, box, IoU, merge) works on the runs without decoding.
/// A mask may be 0 × w or h × 0; its counts are then <c>[0]</c>, as pycocotools encodes it.
/// </summary>
public sealed partial class CocoRle : IEquatable<CocoRle>
{
    private readonly uint[] _counts;

    /// <summary>Height in pixels (rows), COCO's <c>size[0]</c>.</summary>
    public int Height { get; }

    /// <summary>Width in pixels (columns), COCO's <c>size[1]</c>.</summary>
    public int Width { get; }

    /// <summary>Run lengths, background first, column-major.</summary>
    public ReadOnlySpan<uint> Counts => _counts;

    /// <summary>Builds an RLE from <paramref name="height"/>, <paramref name="width"/> and run lengths (copied), as COCO's uncompressed RLE <c>{size:[h,w], counts:[...]}</c>.</summary>
    public CocoRle(int height, int width, ReadOnlySpan<uint> counts)
        : this(height, width, counts.ToArray())
    {
    }

    private CocoRle(int height, int width, uint[] counts)
    {
        if (height < 0 || width < 0)
            throw new ArgumentOutOfRangeException(nameof(height), $"RLE size {height}×{width}: sides must be ≥ 0");
        Height = height;
        Width = width;
        _counts = counts;
    }

    /// <summary>Encodes <paramref name="mask"/> (pycocotools' <c>mask.encode</c>).</summary>
    public static CocoRle Encode(BinaryMask mask)
    {
        ArgumentNullException.ThrowIfNull(mask);
        int h = mask.Height, w = mask.Width;
        var runs = new List<uint>();
        bool p = false;
        uint c = 0;
        for (int x = 0; x < w; x++)
        {
            for (int y = 0; y < h; y++)
            {
                bool v = mask.DangerousGet(x, y);
                if (v != p) { runs.Add(c); c = 0; p = v; }
                c++;
            }
        }
        runs.Add(c);
        return new CocoRle(h, w, runs.ToArray());
    }

    /// <summary>
    /// Encodes column-major bytes (Fortran order, length height × width, as the masks pycocotools takes).
    /// Nonzero is foreground (pycocotools would start a new run at every change of byte value; masks are 0/1 there).
    /// </summary>
    public static CocoRle FromColumnMajor(ReadOnlySpan<byte> columnMajor, int height, int width)
    {
        CheckPixels(columnMajor.Length, height, width);
        var runs = new List<uint>();
        bool p = false;
        uint c = 0;
        foreach (byte b in columnMajor)
        {
            bool v = b != 0;
            if (v != p) { runs.Add(c); c = 0; p = v; }
            c++;
        }
        runs.Add(c);
        return new CocoRle(height, width, runs.ToArray());
    }

    /// <summary>Encodes row-major bytes (length height × width, the usual image layout); nonzero is foreground.</summary>
    public static CocoRle FromRowMajor(ReadOnlySpan<byte> rowMajor, int height, int width)
    {
        CheckPixels(rowMajor.Length, height, width);
        var runs = new List<uint>();
        bool p = false;
        uint c = 0;
        for (int x = 0; x < width; x++)
        {
            for (int y = 0; y < height; y++)
            {
                bool v = rowMajor[y * width + x] != 0;
                if (v != p) { runs.Add(c); c = 0; p = v; }
                c++;
            }
        }
        runs.Add(c);
        return new CocoRle(height, width, runs.ToArray());
    }

    /// <summary>Decodes to a mask (pycocotools' <c>mask.decode</c>). Throws when the runs do not sum to height × width.</summary>
    public BinaryMask Decode()
    {
        CheckRunSum();
        var m = new BinaryMask(Width, Height);
        long pos = 0;
        bool v = false;
        foreach (uint run in _counts)
        {
            if (v)
            {
                // A foreground run covers column-major positions [pos, pos + run); split it at column ends.
                long end = pos + run;
                while (pos < end)
                {
                    int x = (int)(pos / Height), y = (int)(pos % Height);
                    int n = (int)Math.Min(end - pos, Height - y);
                    for (int k = 0; k < n; k++) m.Set(x, y + k);
                    pos += n;
                }
            }
            else
            {
                pos += run;
            }
            v = !v;
        }
        return m;
    }

    /// <summary>Decodes to column-major bytes (Fortran order, 1 = foreground), as pycocotools returns them.</summary>
    public byte[] DecodeColumnMajor()
    {
        CheckRunSum();
        var r = new byte[(long)Height * Width];
        long pos = 0;
        bool v = false;
        foreach (uint run in _counts)
        {
            if (v) r.AsSpan((int)pos, (int)run).Fill(1);
            pos += run;
            v = !v;
        }
        return r;
    }

    /// <summary>Number of foreground pixels: the sum of the odd-indexed runs (<c>rleArea</c>).</summary>
    public long Area()
    {
        long a = 0;
        for (int j = 1; j < _counts.Length; j += 2) a += _counts[j];
        return a;
    }

    /// <summary>
    /// Bounding box as pycocotools' <c>rleToBbox</c> (<c>mask.toBbox</c>): float64 (x, y, width, height) of the
    /// foreground pixels in pixel-edge units; (0, 0, 0, 0) for an empty mask. Where the foreground spans more than
    /// one column, rleToBbox takes the full height when a run wraps from one column into the next, as here.
    /// </summary>
    public CocoBoxXywh ToBboxXywh()
    {
        uint h = (uint)Height;
        int m = _counts.Length / 2 * 2;
        if (m == 0 || h == 0) return default;
        uint xs = (uint)Width, ys = h, xe = 0, ye = 0, cc = 0, xp = 0;
        for (int j = 0; j < m; j++)
        {
            unchecked
            {
                cc += _counts[j];
                uint t = cc - (uint)(j % 2);
                uint y = t % h, x = (t - y) / h;
                if (j % 2 == 0) xp = x;
                else if (xp < x) { ys = 0; ye = h - 1; }
                xs = Math.Min(xs, x); xe = Math.Max(xe, x);
                ys = Math.Min(ys, y); ye = Math.Max(ye, y);
            }
        }
        return new CocoBoxXywh(xs, ys, unchecked(xe - xs + 1), unchecked(ye - ys + 1));
    }

    /// <summary>
    /// COCO's compressed counts string (pycocotools' <c>rleToString</c>): each count, minus the count two places
    /// before it from the fourth on, written LEB128-style in 5-bit groups with a continuation bit, as ASCII 48..111.
    /// </summary>
    public string ToCompressedString()
    {
        var sb = new StringBuilder(_counts.Length * 2);
        for (int i = 0; i < _counts.Length; i++)
        {
            long x = _counts[i];
            if (i > 2) x -= _counts[i - 2];
            bool more = true;
            while (more)
            {
                int c = (int)(x & 0x1f);
                x >>= 5;
                more = (c & 0x10) != 0 ? x != -1 : x != 0;
                if (more) c |= 0x20;
                sb.Append((char)(c + 48));
            }
        }
        return sb.ToString();
    }

    /// <summary>Parses COCO's compressed counts string (pycocotools' <c>rleFrString</c>) for an image of <paramref name="height"/> × <paramref name="width"/>.</summary>
    /// <exception cref="FormatException">A character outside '0'..'o', or a string that ends inside a number.</exception>
    public static CocoRle FromCompressedString(int height, int width, string counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        var cnts = new List<uint>(counts.Length);
        int p = 0;
        while (p < counts.Length)
        {
            long x = 0;
            int k = 0;
            bool more = true;
            while (more)
            {
                if (p >= counts.Length)
                    throw new FormatException($"COCO RLE string ends inside a number at position {p}: \"{Shorten(counts)}\"");
                int c = counts[p] - 48;
                if ((uint)c > 63)
                    throw new FormatException($"COCO RLE string has '{counts[p]}' at position {p}; characters '0'..'o' expected");
                x |= (long)(c & 0x1f) << (5 * k);
                more = (c & 0x20) != 0;
                p++;
                k++;
                if (!more && (c & 0x10) != 0) x |= -1L << (5 * k);
            }
            if (cnts.Count > 2) x += cnts[^2];
            cnts.Add(unchecked((uint)x));
        }
        return new CocoRle(height, width, cnts.ToArray());
    }

    /// <summary>
    /// IoU matrix [dt, gt] as pycocotools' <c>mask.iou(dt, gt, iscrowd)</c> (<c>rleIou</c>): for a crowd ground truth
    /// the denominator is the detection's area. Pairs whose bounding boxes do not overlap get 0 without looking at
    /// runs; pairs of different image sizes get −1. Empty lists give a matrix with a zero dimension.
    /// </summary>
    public static double[,] Iou(IReadOnlyList<CocoRle> dt, IReadOnlyList<CocoRle> gt, ReadOnlySpan<bool> isCrowd)
    {
        ArgumentNullException.ThrowIfNull(dt);
        ArgumentNullException.ThrowIfNull(gt);
        int m = dt.Count, n = gt.Count;
        if (isCrowd.Length != n && !(isCrowd.Length == 0))
            throw new ArgumentException($"{isCrowd.Length} crowd flags for {n} ground truths", nameof(isCrowd));
        var db = new CocoBoxXywh[m];
        var gb = new CocoBoxXywh[n];
        for (int d = 0; d < m; d++) db[d] = dt[d].ToBboxXywh();
        for (int g = 0; g < n; g++) gb[g] = gt[g].ToBboxXywh();
        double[,] o = BboxIou(db, gb, isCrowd);
        for (int g = 0; g < n; g++)
        {
            bool crowd = isCrowd.Length > 0 && isCrowd[g];
            for (int d = 0; d < m; d++)
            {
                if (!(o[d, g] > 0)) continue;
                CocoRle a = dt[d], b = gt[g];
                if (a.Height != b.Height || a.Width != b.Width) { o[d, g] = -1; continue; }
                (ulong inter, ulong union) = IntersectionUnion(a._counts, b._counts);
                if (inter == 0) union = 1;
                else if (crowd) union = (ulong)a.Area();
                o[d, g] = (double)inter / union;
            }
        }
        return o;
    }

    /// <summary>
    /// Box IoU matrix [dt, gt] as pycocotools' <c>bbIou</c> (float64 xywh): for a crowd ground truth the denominator
    /// is the detection's area; boxes that only touch give 0.
    /// </summary>
    public static double[,] BboxIou(ReadOnlySpan<CocoBoxXywh> dt, ReadOnlySpan<CocoBoxXywh> gt, ReadOnlySpan<bool> isCrowd)
    {
        int m = dt.Length, n = gt.Length;
        var o = new double[m, n];
        for (int g = 0; g < n; g++)
        {
            CocoBoxXywh G = gt[g];
            double ga = G.Width * G.Height;
            bool crowd = isCrowd.Length > 0 && isCrowd[g];
            for (int d = 0; d < m; d++)
            {
                CocoBoxXywh D = dt[d];
                double da = D.Width * D.Height;
                double w = Math.Min(D.Width + D.X, G.Width + G.X) - Math.Max(D.X, G.X);
                if (w <= 0) continue;
                double h = Math.Min(D.Height + D.Y, G.Height + G.Y) - Math.Max(D.Y, G.Y);
                if (h <= 0) continue;
                double i = w * h;
                double u = crowd ? da : da + ga - i;
                o[d, g] = i / u;
            }
        }
        return o;
    }

    /// <summary>
    /// Union (or, with <paramref name="intersect"/>, intersection) of RLEs of one size, as pycocotools'
    /// <c>mask.merge</c> (<c>rleMerge</c>), computed on runs. No RLEs give a 0 × 0 RLE with no counts; one gives itself.
    /// </summary>
    /// <exception cref="ArgumentException">The RLEs differ in size (pycocotools silently returns a 0 × 0 RLE).</exception>
    public static CocoRle Merge(IReadOnlyList<CocoRle> rles, bool intersect = false)
    {
        ArgumentNullException.ThrowIfNull(rles);
        if (rles.Count == 0) return new CocoRle(0, 0, Array.Empty<uint>());
        CocoRle first = rles[0];
        if (rles.Count == 1) return new CocoRle(first.Height, first.Width, (uint[])first._counts.Clone());
        int h = first.Height, w = first.Width;
        uint[] cnts = first._counts;
        for (int i = 1; i < rles.Count; i++)
        {
            CocoRle b = rles[i];
            if (b.Height != h || b.Width != w)
                throw new ArgumentException($"cannot merge RLEs of different sizes: {h}×{w} and {b.Height}×{b.Width}", nameof(rles));
            cnts = MergeRuns(cnts, b._counts, intersect);
        }
        return new CocoRle(h, w, cnts);
    }

    /// <summary>Merges two RLEs; see <see cref="Merge(IReadOnlyList{CocoRle}, bool)"/>.</summary>
    public static CocoRle Merge(CocoRle a, CocoRle b, bool intersect = false) => Merge([a, b], intersect);

    /// <inheritdoc/>
    public bool Equals(CocoRle? other) =>
        other is not null && other.Height == Height && other.Width == Width && _counts.AsSpan().SequenceEqual(other._counts);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as CocoRle);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hc = new HashCode();
        hc.Add(Height);
        hc.Add(Width);
        foreach (uint c in _counts) hc.Add(c);
        return hc.ToHashCode();
    }

    /// <inheritdoc/>
    public override string ToString() => $"CocoRle {Height}×{Width} \"{Shorten(ToCompressedString())}\"";

    // rleIou's inner loop: walk both run lists at once.
    private static (ulong Inter, ulong Union) IntersectionUnion(uint[] A, uint[] B)
    {
        ulong i = 0, u = 0;
        uint ca = A.Length > 0 ? A[0] : 0, cb = B.Length > 0 ? B[0] : 0;
        int ka = A.Length, kb = B.Length, a = 1, b = 1;
        bool va = false, vb = false;
        uint ct = 1;
        while (ct > 0)
        {
            uint c = Math.Min(ca, cb);
            if (va || vb) { u += c; if (va && vb) i += c; }
            ct = 0;
            ca -= c; if (ca == 0 && a < ka) { ca = A[a++]; va = !va; }
            ct += ca;
            cb -= c; if (cb == 0 && b < kb) { cb = B[b++]; vb = !vb; }
            ct += cb;
        }
        return (i, u);
    }

    // rleMerge's inner loop for one pair, kept step for step so its output runs match pycocotools exactly.
    private static uint[] MergeRuns(uint[] A, uint[] B, bool intersect)
    {
        var cnts = new List<uint>(A.Length + B.Length);
        uint ca = A.Length > 0 ? A[0] : 0, cb = B.Length > 0 ? B[0] : 0, cc = 0, ct = 1;
        bool v = false, va = false, vb = false;
        int a = 1, b = 1;
        while (ct > 0)
        {
            uint c = Math.Min(ca, cb);
            cc += c;
            ct = 0;
            ca -= c; if (ca == 0 && a < A.Length) { ca = A[a++]; va = !va; }
            ct += ca;
            cb -= c; if (cb == 0 && b < B.Length) { cb = B[b++]; vb = !vb; }
            ct += cb;
            bool vp = v;
            v = intersect ? va && vb : va || vb;
            if (v != vp || ct == 0) { cnts.Add(cc); cc = 0; }
        }
        return cnts.ToArray();
    }

    private void CheckRunSum()
    {
        long sum = 0;
        foreach (uint c in _counts) sum += c;
        if (sum != (long)Height * Width)
            throw new InvalidOperationException($"RLE runs sum to {sum}, not {Height}×{Width} = {(long)Height * Width}");
    }

    private static void CheckPixels(int length, int height, int width)
    {
        if (height < 0 || width < 0)
            throw new ArgumentOutOfRangeException(nameof(height), $"size {height}×{width}: sides must be ≥ 0");
        if (length != (long)height * width)
            throw new ArgumentException($"{length} bytes given; {height}×{width} = {(long)height * width} expected");
    }

    private static string Shorten(string s) => s.Length <= 40 ? s : s[..37] + "...";
}
