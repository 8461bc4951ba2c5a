using SegKit.Datasets.Coco;
using SegKit.Masks;

namespace SegKit.Datasets.Conversion;

/// <summary>How converted masks are written into COCO annotations.</summary>
public enum CocoMaskFormat
{
    /// <summary>Compressed RLE: exact, pycocotools-identical.</summary>
    Rle,

    /// <summary>
    /// Polygons through the pixel centres of each outer border (OpenCV RETR_CCOMP borders): holes are lost and a
    /// polygon rasterizes to slightly less than the mask, as with every COCO polygon. Parts too small for a polygon
    /// (under 3 border points) are left out; a mask with no usable part is written as RLE instead.
    /// </summary>
    Polygons,
}

// Shared pieces of the conversions: class/object maps to per-label RLEs, RLEs to segmentations, annotations to maps.
internal static class MaskEncoding
{
    /// <summary>The RLE of the pixels of a row-major width × height map for which <paramref name="inside"/>(index) holds.</summary>
    public static CocoRle Rle(int width, int height, Func<int, bool> inside)
    {
        // Column-major scan, as COCO's RLE: runs alternate outside/inside, starting outside.
        var runs = new List<uint>();
        bool prev = false;
        uint count = 0;
        for (int x = 0; x < width; x++)
        {
            for (int y = 0, i = x; y < height; y++, i += width)
            {
                bool v = inside(i);
                if (v != prev) { runs.Add(count); count = 0; prev = v; }
                count++;
            }
        }
        runs.Add(count);
        return new CocoRle(height, width, runs.ToArray());
    }

    public static CocoSegmentation ToSegmentation(CocoRle rle, CocoMaskFormat format)
    {
        if (format == CocoMaskFormat.Rle) return CocoSegmentation.FromRle(rle);
        MaskContourSet set = MaskContours.Find(rle.Decode());
        var polys = set.Outers.Select(i => set.Contours[i]).Where(c => c.Points.Count >= 3).Select(c => c.ToFlatXy()).ToList();
        return polys.Count == 0 ? CocoSegmentation.FromRle(rle) : CocoSegmentation.FromPolygons(polys);
    }

    public static CocoAnnotation Annotation(long id, long imageId, long categoryId, CocoRle rle, CocoMaskFormat format, CocoExtras? extra = null) =>
        new(id, imageId, categoryId, ToSegmentation(rle, format), rle.Area(), rle.ToBboxXywh(), IsCrowd: false) { Extra = extra };

    /// <summary>Calls <paramref name="paint"/> with the row-major index of every foreground pixel of <paramref name="rle"/>.</summary>
    public static void ForEachPixel(CocoRle rle, Action<int> paint)
    {
        int h = rle.Height, w = rle.Width;
        long pos = 0;
        bool fg = false;
        foreach (uint run in rle.Counts)
        {
            if (fg)
            {
                for (long p = pos; p < pos + run; p++)
                {
                    int x = (int)(p / h), y = (int)(p % h);
                    paint(y * w + x);
                }
            }
            pos += run;
            fg = !fg;
        }
    }
}
