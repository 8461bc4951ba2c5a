namespace SegKit.Masks;

public sealed partial class CocoRle
{
    /// <summary>
    /// Rasterizes one polygon exactly as pycocotools' <c>frPyObjects</c> (<c>rleFrPoly</c>): the vertices are scaled
    /// by 5 and rounded, every edge is walked on that grid, and a pixel column x (centre at x) is filled between the
    /// points where the boundary crosses it. <paramref name="xy"/> is the flat list x0, y0, x1, y1, ... in pixel
    /// coordinates (an odd trailing value is ignored, as pycocotools does); the polygon closes itself.
    /// </summary>
    public static CocoRle FromPolygon(ReadOnlySpan<double> xy, int height, int width)
    {
        if (height < 0 || width < 0)
            throw new ArgumentOutOfRangeException(nameof(height), $"size {height}×{width}: sides must be ≥ 0");
        int k = xy.Length / 2;
        const double scale = 5;
        ulong h = (ulong)height, w = (ulong)width;

        // Upsample and get discrete points densely along the entire boundary.
        var x = new int[k + 1];
        var y = new int[k + 1];
        for (int j = 0; j < k; j++) x[j] = CInt(scale * xy[j * 2] + .5);
        for (int j = 0; j < k; j++) y[j] = CInt(scale * xy[j * 2 + 1] + .5);
        if (k > 0) { x[k] = x[0]; y[k] = y[0]; }
        long total = 0;
        for (int j = 0; j < k; j++) total += Math.Max(Math.Abs((long)x[j] - x[j + 1]), Math.Abs((long)y[j] - y[j + 1])) + 1;
        var u = new int[total];
        var v = new int[total];
        int m = 0;
        for (int j = 0; j < k; j++)
        {
            int xs = x[j], xe = x[j + 1], ys = y[j], ye = y[j + 1];
            int dx = Math.Abs(xe - xs), dy = Math.Abs(ys - ye);
            bool flip = (dx >= dy && xs > xe) || (dx < dy && ys > ye);
            if (flip) { (xs, xe) = (xe, xs); (ys, ye) = (ye, ys); }
            // A repeated vertex gives dx = dy = 0 and s = NaN, as in C.
            double s = dx >= dy ? (double)(ye - ys) / dx : (double)(xe - xs) / dy;
            if (dx >= dy)
            {
                for (int d = 0; d <= dx; d++)
                {
                    int t = flip ? dx - d : d;
                    u[m] = t + xs; v[m] = CInt(ys + s * t + .5); m++;
                }
            }
            else
            {
                for (int d = 0; d <= dy; d++)
                {
                    int t = flip ? dy - d : d;
                    v[m] = t + ys; u[m] = CInt(xs + s * t + .5); m++;
                }
            }
        }

        // Get points along the y-boundary and downsample.
        int n = m;
        m = 0;
        var bx = new int[Math.Max(n, 1)];
        var by = new int[Math.Max(n, 1)];
        // In C, w - 1 is unsigned: for w = 0 it is 2^64 - 1 and never rejects a column.
        double wm1 = w == 0 ? 18446744073709551615.0 : w - 1;
        for (int j = 1; j < n; j++)
        {
            if (u[j] == u[j - 1]) continue;
            double xd = u[j] < u[j - 1] ? u[j] : u[j] - 1;
            xd = (xd + .5) / scale - .5;
            if (Math.Floor(xd) != xd || xd < 0 || xd > wm1) continue;
            double yd = v[j] < v[j - 1] ? v[j] : v[j - 1];
            yd = (yd + .5) / scale - .5;
            if (yd < 0) yd = 0; else if (yd > h) yd = h;
            yd = Math.Ceiling(yd);
            bx[m] = (int)xd; by[m] = (int)yd; m++;
        }

        // Compute the RLE from the y-boundary points: sorted column-major positions, differenced.
        k = m;
        var a = new uint[k + 1];
        for (int j = 0; j < k; j++) a[j] = unchecked((uint)(bx[j] * (int)h + by[j]));
        a[k++] = unchecked((uint)(h * w));
        Array.Sort(a, 0, k);
        uint p = 0;
        for (int j = 0; j < k; j++) { uint t = a[j]; a[j] -= p; p = t; }
        var b = new uint[k];
        int jj = 0;
        m = 0;
        b[m++] = a[jj++];
        // Two boundary points at one position cancel: the run after them joins the run before.
        while (jj < k)
        {
            if (a[jj] > 0) b[m++] = a[jj++];
            else { jj++; if (jj < k) b[m - 1] += a[jj++]; }
        }
        return new CocoRle(height, width, b.AsSpan(0, m).ToArray());
    }

    /// <summary>
    /// Rasterizes an object given as several polygons (one COCO <c>segmentation</c> list) as pycocotools'
    /// <c>frPyObjects</c> followed by <c>merge</c>: the union of the parts.
    /// </summary>
    public static CocoRle FromPolygons(IReadOnlyList<double[]> polygons, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(polygons);
        var parts = new CocoRle[polygons.Count];
        for (int i = 0; i < parts.Length; i++) parts[i] = FromPolygon(polygons[i], height, width);
        return Merge(parts);
    }

    /// <summary>
    /// Rasterizes a box (x, y, width, height) as pycocotools' <c>frPyObjects</c> does for 4-number inputs
    /// (<c>rleFrBbox</c>: the polygon of its four corners).
    /// </summary>
    public static CocoRle FromBboxXywh(CocoBoxXywh box, int height, int width)
    {
        double xs = box.X, xe = xs + box.Width, ys = box.Y, ye = ys + box.Height;
        return FromPolygon([xs, ys, xs, ye, xe, ye, xe, ys], height, width);
    }

    // C's (int) cast of a double as x86-64 performs it (cvttsd2si): truncation toward zero, and the "integer
    // indefinite" value int.MinValue for NaN or out-of-range input. .NET saturates instead, hence this helper.
    private static int CInt(double d) =>
        double.IsNaN(d) || d >= 2147483648.0 || d <= -2147483649.0 ? int.MinValue : (int)d;
}
