using SegKit.Datasets;
using SegKit.Imaging;
using SegKit.Imaging.Drawing;
using SegKit.Masks;
using SegKit.Semantic;

namespace SegKit.Tests.Semantic;

/// <summary>
/// The pictures of a semantic result, against the drawing primitives they are made of (each tested on its own in
/// Imaging/Drawing) and hand-computed legend rows: the label PNG's indices and palette, and the overlay's blend,
/// boundaries and legend, with the input left as it was.
/// </summary>
public sealed class SemanticPicturesTests
{
    // 400 wide (300 high unless given), VOC classes 0..14 in vertical stripes 40, 38, ..., 18 columns wide, then 16, 20 and 16, over a
    // patterned photo. Class k's pixel count is its stripe width × the height.
    private static (RgbImage Photo, SemanticResult Result, int[] Widths) Stripes(int height = 300)
    {
        int[] widths = [40, 38, 36, 34, 32, 30, 28, 26, 24, 22, 20, 18, 16, 20, 16];
        Assert.Equal(400, widths.Sum());
        var labels = new byte[400 * height];
        for (int y = 0; y < height; y++)
        {
            int x = 0;
            for (int k = 0; k < widths.Length; k++)
                for (int i = 0; i < widths[k]; i++, x++)
                    labels[y * 400 + x] = (byte)k;
        }
        var counts = new long[21];
        for (int k = 0; k < widths.Length; k++) counts[k] = widths[k] * (long)height;
        var photo = new RgbImage(400, height);
        for (int i = 0; i < photo.Data.Length; i++) photo.Data[i] = (byte)(i * 7 % 251);
        var result = new SemanticResult(new LabelMap(400, height, labels), LabelSet.Voc, counts, null, (400, height), null, null, new StageTimings());
        return (photo, result, widths);
    }

    [Fact]
    public void LabelImage_IndicesAreClassIdsAndPaletteIsTheLabelSetsThenVoc()
    {
        var (_, result, _) = Stripes();
        var image = SemanticPictures.LabelImage(result);
        Assert.Equal(result.Labels.Data, image.Indices);
        Assert.Equal(256, image.Palette.Count);
        Assert.Equal(LabelSet.Voc.Palette.ToArray(), image.Palette.Rgb[..63].ToArray());
        Assert.Equal([224, 224, 192], image.Palette.Rgb.Slice(255 * 3, 3).ToArray()); // VOC's "ignore" colour
    }

    // The default twelve rows: the eleven largest classes (largest first, ties by id), then "4 more" for the other
    // four together: classes 11 (18 columns), 12 (16), 13 (20) and 14 (16) hold 70 of 400 columns, 17.5 %. The
    // overlay is the photo with the classes blended at alpha, their boundaries in white and that legend pasted at
    // (0, 0) (thickness and font scale 1 at this size), pixel for pixel; the photo is not modified.
    [Fact]
    public void Overlay_BlendBoundariesAndLegendWithARowForTheClassesLeftOut()
    {
        var (photo, result, widths) = Stripes();
        byte[] before = (byte[])photo.Data.Clone();
        var overlay = SemanticPictures.Overlay(photo, result, alpha: 0.4f);
        Assert.Equal(before, photo.Data);
        var order = Enumerable.Range(0, widths.Length).OrderByDescending(k => widths[k]).ThenBy(k => k).ToList();
        Assert.Equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 13, 11, 12, 14], order);
        Assert.Equal(Expected(photo, result, [.. Rows(order.Take(11), widths), new LegendEntry("4 more 17.5%", RgbColor.White)]).Data, overlay.Data);

        // Room for all fifteen: no "more" row.
        Assert.Equal(Expected(photo, result, Rows(order, widths)).Data, SemanticPictures.Overlay(photo, result, alpha: 0.4f, maxLegendRows: 15).Data);
        // No legend with 0 rows; a negative count is refused.
        Assert.Equal(Expected(photo, result, []).Data, SemanticPictures.Overlay(photo, result, alpha: 0.4f, maxLegendRows: 0).Data);
        Assert.Throws<ArgumentOutOfRangeException>(() => SemanticPictures.Overlay(photo, result, maxLegendRows: -1));
    }

    // 100 pixels high: rows of 7 + 4 + 6 pixels below a 6-pixel margin, so (100 − 6) / 17 = 5 rows: the four largest
    // classes (40 + 38 + 36 + 34 of 400 columns) and "11 more 63%".
    [Fact]
    public void Overlay_ShortImage_LegendKeepsTheRowsThatFit()
    {
        var (photo, result, widths) = Stripes(height: 100);
        Assert.Equal(Expected(photo, result, [.. Rows([0, 1, 2, 3], widths), new LegendEntry("11 more 63%", RgbColor.White)]).Data,
            SemanticPictures.Overlay(photo, result, alpha: 0.4f).Data);
    }

    private static List<LegendEntry> Rows(IEnumerable<int> classes, int[] widths) =>
        classes.Select(k => new LegendEntry($"{LabelSet.Voc.Names[k]} {100.0 * widths[k] / 400:0.#}%", RgbColor.From(LabelSet.Voc.ColorOf(k)))).ToList();

    // The photo, blended at 0.4, white boundaries of thickness 1, then the legend of `rows` at font scale 1 (the
    // shorter side is under 800) pasted at (0, 0).
    private static RgbImage Expected(RgbImage photo, SemanticResult result, List<LegendEntry> rows)
    {
        var expected = photo.Clone();
        Draw.BlendLabels(expected, result.Labels, LabelSet.Voc, 0.4f);
        Draw.LabelBoundaries(expected, result.Labels, RgbColor.White, 1);
        if (rows.Count == 0) return expected;
        var legend = Legend.Render(rows, LegendOptions.Default with { Scale = 1 });
        for (int y = 0; y < legend.Height; y++)
            legend.GetRow(y).CopyTo(expected.GetRow(y));
        return expected;
    }

    // Drawn into a recycled overlay of the same size: the same pixels, in that instance. Another size, or the photo
    // itself, is not drawn into.
    [Fact]
    public void Overlay_Recycle_SamePixelsInTheGivenImage()
    {
        var (photo, result, _) = Stripes();
        var fresh = SemanticPictures.Overlay(photo, result);
        var old = new RgbImage(400, 300);
        Array.Fill(old.Data, (byte)77);
        var reused = SemanticPictures.Overlay(photo, result, recycle: old);
        Assert.Same(old, reused);
        Assert.Equal(fresh.Data, reused.Data);

        var other = new RgbImage(300, 400);
        var notReused = SemanticPictures.Overlay(photo, result, recycle: other);
        Assert.NotSame(other, notReused);
        Assert.Equal(fresh.Data, notReused.Data);
        Assert.All(other.Data, b => Assert.Equal(0, b));

        byte[] before = (byte[])photo.Data.Clone();
        var notThePhoto = SemanticPictures.Overlay(photo, result, recycle: photo);
        Assert.NotSame(photo, notThePhoto);
        Assert.Equal(before, photo.Data);
        Assert.Equal(fresh.Data, notThePhoto.Data);
    }

    // The standalone legend: every class present by default; with a row limit, the last row stands for the rest.
    [Fact]
    public void LegendImage_RowsOfTheClassesPresent()
    {
        var (_, result, widths) = Stripes();
        var order = Enumerable.Range(0, widths.Length).OrderByDescending(k => widths[k]).ThenBy(k => k).ToList();
        Assert.Equal(Legend.Render(Rows(order, widths)).Data, SemanticPictures.LegendImage(result).Data);
        var options = LegendOptions.Default with { Scale = 3, Padding = 2 };
        Assert.Equal(Legend.Render([.. Rows(order.Take(4), widths), new LegendEntry("11 more 63%", RgbColor.White)], options).Data,
            SemanticPictures.LegendImage(result, maxRows: 5, options).Data);
        Assert.Throws<ArgumentOutOfRangeException>(() => SemanticPictures.LegendImage(result, maxRows: 0));
    }

    [Fact]
    public void Overlay_ImageOfAnotherSize_NamesBothSizes()
    {
        var (_, result, _) = Stripes();
        var e = Assert.Throws<ArgumentException>(() => SemanticPictures.Overlay(new RgbImage(300, 400), result));
        Assert.Contains("300×400", e.Message);
        Assert.Contains("400×300", e.Message);
    }
}
