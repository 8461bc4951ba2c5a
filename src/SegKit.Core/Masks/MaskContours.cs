namespace SegKit.Masks;

/// <summary>An integer pixel position (pixel centre), x to the right, y down.</summary>
public readonly record struct PointInt(int X, int Y);

/// <summary>
/// One closed border of a mask: the centres of its border pixels in tracing order (every pixel, as OpenCV's
/// CHAIN_APPROX_NONE). An outer border belongs to one 8-connected component; a hole border separates that
/// component from a background region it encloses (4-connected background, as Suzuki–Abe defines it).
/// </summary>
public sealed class MaskContour
{
    internal MaskContour(PointInt[] points, bool isHole, int parent)
    {
        Points = points;
        IsHole = isHole;
        Parent = parent;
    }

    /// <summary>Border pixel centres, closed implicitly (the last point connects to the first).</summary>
    public IReadOnlyList<PointInt> Points { get; }

    /// <summary>True for a hole border, false for an outer border.</summary>
    public bool IsHole { get; }

    /// <summary>For a hole, the index of its component's outer border in <see cref="MaskContourSet.Contours"/>; −1 for outer borders.</summary>
    public int Parent { get; }

    /// <summary>Enclosed area by the shoelace formula over <see cref="Points"/> (as <c>cv2.contourArea</c>, unsigned), in pixels².</summary>
    public double Area => Math.Abs(SignedArea());

    /// <summary>Shoelace area with sign: positive when the points run clockwise on screen (y down).</summary>
    public double SignedArea()
    {
        double a = 0;
        int n = Points.Count;
        for (int i = 0; i < n; i++)
        {
            PointInt p = Points[i], q = Points[(i + 1) % n];
            a += (double)p.X * q.Y - (double)q.X * p.Y;
        }
        return a / 2;
    }

    /// <summary>The points as a flat x0, y0, x1, y1, ... list (COCO's polygon layout).</summary>
    public double[] ToFlatXy()
    {
        var r = new double[Points.Count * 2];
        for (int i = 0; i < Points.Count; i++) { r[2 * i] = Points[i].X; r[2 * i + 1] = Points[i].Y; }
        return r;
    }
}

/// <summary>The borders of a mask in a two-level hierarchy: outer borders and, under each, its holes.</summary>
public sealed class MaskContourSet
{
    private readonly List<int>[] _holes;

    internal MaskContourSet(int width, int height, List<MaskContour> contours)
    {
        Width = width;
        Height = height;
        Contours = contours;
        _holes = new List<int>[contours.Count];
        for (int i = 0; i < contours.Count; i++)
            if (contours[i].IsHole) (_holes[contours[i].Parent] ??= []).Add(i);
    }

    /// <summary>Width of the mask traced.</summary>
    public int Width { get; }

    /// <summary>Height of the mask traced.</summary>
    public int Height { get; }

    /// <summary>All borders in the order they were found (raster order of their first pixel).</summary>
    public IReadOnlyList<MaskContour> Contours { get; }

    /// <summary>Indices of the outer borders.</summary>
    public IEnumerable<int> Outers => Enumerable.Range(0, Contours.Count).Where(i => !Contours[i].IsHole);

    /// <summary>Indices of the holes of outer border <paramref name="outerIndex"/>.</summary>
    public IReadOnlyList<int> HolesOf(int outerIndex) => _holes[outerIndex] ?? (IReadOnlyList<int>)[];

    /// <summary>
    /// Rasterizes the borders back with COCO's polygon rasterizer (<see cref="CocoRle.FromPolygon"/>): the union of
    /// the outer polygons minus the union of the hole polygons. Polygons through pixel centres cover about half of
    /// each border pixel, so the result approximates the mask rather than reproducing it.
    /// </summary>
    public BinaryMask Rasterize()
    {
        var outer = new BinaryMask(Width, Height);
        var holes = new BinaryMask(Width, Height);
        foreach (MaskContour c in Contours)
        {
            BinaryMask m = CocoRle.FromPolygon(c.ToFlatXy(), Height, Width).Decode();
            if (c.IsHole) holes = holes.Or(m); else outer = outer.Or(m);
        }
        return outer.AndNot(holes);
    }
}

/// <summary>
/// Border following after Suzuki and Abe (1985) as OpenCV implements it for
/// <c>cv2.findContours(mask, RETR_CCOMP, CHAIN_APPROX_NONE)</c>: the same start pixels, tracing directions and
/// points per border, with coordinates at pixel centres. The image outside the mask counts as background.
/// </summary>
public static class MaskContours
{
    // OpenCV's chain code directions: 0 = +x, then counter-clockwise on screen (y down): 2 = up, 4 = −x, 6 = down.
    private static readonly PointInt[] s_codeDeltas =
        [new(1, 0), new(1, -1), new(0, -1), new(-1, -1), new(-1, 0), new(-1, 1), new(0, 1), new(1, 1)];

    private const sbyte Visited = 2;
    private const sbyte VisitedRightBound = unchecked((sbyte)(2 | 0x80));

    /// <summary>Finds the outer borders and hole borders of <paramref name="mask"/>.</summary>
    public static MaskContourSet Find(BinaryMask mask)
    {
        ArgumentNullException.ThrowIfNull(mask);
        int w = mask.Width, h = mask.Height;
        var contours = new List<MaskContour>();
        if (w == 0 || h == 0) return new MaskContourSet(w, h, contours);

        // One pixel of background around the mask, as OpenCV's copyMakeBorder.
        int step = w + 2;
        var img = new sbyte[step * (h + 2)];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                if (mask.DangerousGet(x, y)) img[(y + 1) * step + x + 1] = 1;

        int[] component = LabelComponents8(mask, out int componentCount);
        var outerOfComponent = new int[componentCount];
        Array.Fill(outerOfComponent, -1);

        Span<int> deltas = stackalloc int[16];
        int[] d8 = [1, -step + 1, -step, -step - 1, -1, step - 1, step, step + 1];
        for (int i = 0; i < 16; i++) deltas[i] = d8[i & 7];

        var points = new List<PointInt>();
        for (int y = 1; y <= h; y++)
        {
            int row = y * step;
            int prev = 0;
            for (int x = 1; x <= w; x++)
            {
                int p = img[row + x];
                if (p == prev) continue;
                bool isHole = false;
                if (!(prev == 0 && p == 1))
                {
                    // Not an outer border start; a hole border starts at a foreground pixel (not already closed to
                    // the right) followed by background.
                    if (p != 0 || prev < 1)
                    {
                        prev = p;
                        continue;
                    }
                    isHole = true;
                }
                int start = row + x - (isHole ? 1 : 0);
                points.Clear();
                Trace(img, start, new PointInt(x - (isHole ? 1 : 0) - 1, y - 1), isHole, deltas, points);
                int comp = component[(y - 1) * w + (x - (isHole ? 1 : 0) - 1)];
                int parent = -1;
                if (isHole) parent = outerOfComponent[comp];
                else outerOfComponent[comp] = contours.Count;
                contours.Add(new MaskContour(points.ToArray(), isHole, parent));
                // OpenCV resumes after the start with the (possibly re-marked) pixel value as "previous".
                prev = img[row + x];
            }
        }
        return new MaskContourSet(w, h, contours);
    }

    // icvFetchContour for 8-bit images, CHAIN_APPROX_NONE: every step writes the current point.
    private static void Trace(sbyte[] img, int i0, PointInt pt, bool isHole, ReadOnlySpan<int> deltas, List<PointInt> points)
    {
        int s, sEnd;
        sEnd = s = isHole ? 0 : 4;
        int i1;
        do
        {
            s = (s - 1) & 7;
            i1 = i0 + deltas[s];
        }
        while (img[i1] == 0 && s != sEnd);

        if (s == sEnd)
        {
            // A single-pixel component.
            img[i0] = VisitedRightBound;
            points.Add(pt);
            return;
        }

        int i3 = i0, i4 = 0;
        int x = pt.X, y = pt.Y;
        for (; ; )
        {
            sEnd = s;
            s = Math.Min(s, 15);
            while (s < 15)
            {
                i4 = i3 + deltas[++s];
                if (img[i4] != 0) break;
            }
            s &= 7;

            // The search passed direction 0: the pixel to the right is background, so this border closes there.
            if ((uint)(s - 1) < (uint)sEnd) img[i3] = VisitedRightBound;
            else if (img[i3] == 1) img[i3] = Visited;

            points.Add(new PointInt(x, y));
            x += s_codeDeltas[s].X;
            y += s_codeDeltas[s].Y;

            if (i4 == i0 && i3 == i1) break;
            i3 = i4;
            s = (s + 4) & 7;
        }
    }

    // 8-connected component ids of the foreground, row-major; background is −1.
    private static int[] LabelComponents8(BinaryMask mask, out int count)
    {
        int w = mask.Width, h = mask.Height;
        var label = new int[w * h];
        Array.Fill(label, -1);
        var stack = new Stack<int>();
        count = 0;
        for (int y = 0; y < h; y++)
        {
            for (int x = 0; x < w; x++)
            {
                if (label[y * w + x] >= 0 || !mask.DangerousGet(x, y)) continue;
                int id = count++;
                label[y * w + x] = id;
                stack.Push(y * w + x);
                while (stack.Count > 0)
                {
                    int q = stack.Pop();
                    int qx = q % w, qy = q / w;
                    for (int dy = -1; dy <= 1; dy++)
                    {
                        int ny = qy + dy;
                        if ((uint)ny >= (uint)h) continue;
                        for (int dx = -1; dx <= 1; dx++)
                        {
                            int nx = qx + dx;
                            if ((uint)nx >= (uint)w) continue;
                            int ni = ny * w + nx;
                            if (label[ni] >= 0 || !mask.DangerousGet(nx, ny)) continue;
                            label[ni] = id;
                            stack.Push(ni);
                        }
                    }
                }
            }
        }
        return label;
    }
}
