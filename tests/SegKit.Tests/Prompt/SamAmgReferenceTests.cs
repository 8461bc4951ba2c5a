using System.Text.Json;
using SegKit.Masks;
using SegKit.Prompt;
using SegKit.Tests.TestSupport;

namespace SegKit.Tests.Prompt;

/// <summary>
/// Every amg.py helper against segment-anything's own algorithm run on the same numbers
/// (tools/fixtures/sam_reference.py → amg_reference.json, through the port in sam_amg_port.py).
/// </summary>
public sealed class SamAmgReferenceTests
{
    private static readonly Lazy<JsonElement> s_ref = new(() =>
        JsonDocument.Parse(File.ReadAllBytes(Fixtures.File("sam_reference", "amg_reference.json"))).RootElement);

    private static JsonElement Ref => s_ref.Value;

    private static BinaryMask[] Masks(string file)
    {
        var npy = Npy.Read(Fixtures.File("sam_reference", file));
        int n = npy.Shape[0], h = npy.Shape[1], w = npy.Shape[2];
        var bytes = npy.AsUInt8();
        return Enumerable.Range(0, n).Select(i => BinaryMask.FromBytes(bytes.AsSpan(i * h * w, h * w), w, h)).ToArray();
    }

    private static IntBoxXyxy Box(JsonElement e) => new(e[0].GetInt32(), e[1].GetInt32(), e[2].GetInt32(), e[3].GetInt32());

    [Fact]
    public void BuildPointGrid_SeveralSizes_EqualsNumpyLinspaceGrid()
    {
        foreach (var grid in Ref.GetProperty("point_grids").EnumerateObject())
        {
            var mine = SamAmg.BuildPointGrid(int.Parse(grid.Name));
            var expected = grid.Value.EnumerateArray().ToArray();
            Assert.Equal(expected.Length, mine.Length);
            for (int i = 0; i < mine.Length; i++)
            {
                Assert.Equal(expected[i][0].GetDouble(), mine[i].X);
                Assert.Equal(expected[i][1].GetDouble(), mine[i].Y);
            }
        }
    }

    [Fact]
    public void BuildAllLayerPointGrids_DownscaledLayers_EqualReference()
    {
        foreach (var c in Ref.GetProperty("all_layer_point_grids").EnumerateArray())
        {
            var mine = SamAmg.BuildAllLayerPointGrids(c.GetProperty("n_per_side").GetInt32(), c.GetProperty("n_layers").GetInt32(), c.GetProperty("scale").GetInt32());
            var grids = c.GetProperty("grids").EnumerateArray().ToArray();
            Assert.Equal(grids.Length, mine.Length);
            for (int l = 0; l < grids.Length; l++)
            {
                var g = grids[l].EnumerateArray().ToArray();
                Assert.Equal(g.Length, mine[l].Length);
                for (int i = 0; i < g.Length; i++)
                    Assert.Equal((g[i][0].GetDouble(), g[i][1].GetDouble()), mine[l][i]);
            }
        }
    }

    [Fact]
    public void GenerateCropBoxes_LayersAndOverlaps_EqualReference()
    {
        foreach (var c in Ref.GetProperty("crop_boxes").EnumerateArray())
        {
            var (boxes, layers) = SamAmg.GenerateCropBoxes(c.GetProperty("height").GetInt32(), c.GetProperty("width").GetInt32(),
                c.GetProperty("n_layers").GetInt32(), c.GetProperty("overlap_ratio").GetDouble());
            Assert.Equal(c.GetProperty("boxes").EnumerateArray().Select(Box), boxes);
            Assert.Equal(c.GetProperty("layer_idxs").EnumerateArray().Select(e => e.GetInt32()), layers);
        }
    }

    [Fact]
    public void CalculateStabilityScore_LogitsOnThresholds_EqualsTorch()
    {
        var npy = Npy.Read(Fixtures.File("sam_reference", "amg_stability_logits.npy"));
        float[] logits = npy.AsFloat32();
        int n = npy.Shape[0], h = npy.Shape[1], w = npy.Shape[2];
        foreach (var c in Ref.GetProperty("stability").EnumerateArray())
        {
            float t = c.GetProperty("mask_threshold").GetSingle(), o = c.GetProperty("offset").GetSingle();
            var scores = c.GetProperty("scores").EnumerateArray().ToArray();
            for (int i = 0; i < n; i++)
            {
                float mine = SamAmg.CalculateStabilityScore(logits.AsSpan(i * h * w, h * w), w, t, o);
                if (scores[i].ValueKind == JsonValueKind.Null) Assert.True(float.IsNaN(mine));
                else Assert.Equal(scores[i].GetSingle(), mine);
            }
        }
    }

    [Fact]
    public void BatchedMaskToBox_RandomAndEmptyMasks_EqualsReference()
    {
        var masks = Masks("amg_masks.npy");
        var expected = Ref.GetProperty("batched_mask_to_box").EnumerateArray().Select(Box).ToArray();
        Assert.Equal(expected, masks.Select(SamAmg.BatchedMaskToBox));
    }

    [Fact]
    public void MaskToRle_RandomAndEmptyMasks_EqualsMaskToRlePytorch()
    {
        var masks = Masks("amg_masks.npy");
        var expected = Ref.GetProperty("mask_to_rle").EnumerateArray().ToArray();
        for (int i = 0; i < masks.Length; i++)
            Assert.Equal(expected[i].EnumerateArray().Select(e => e.GetUInt32()), CocoRle.Encode(masks[i]).Counts.ToArray());
    }

    [Fact]
    public void IsBoxNearCropEdge_BoxesAroundACrop_EqualsReference()
    {
        var c = Ref.GetProperty("near_crop_edge");
        var crop = Box(c.GetProperty("crop_box"));
        var orig = Box(c.GetProperty("orig_box"));
        var boxes = c.GetProperty("boxes").EnumerateArray().Select(Box).ToArray();
        var near = c.GetProperty("near").EnumerateArray().Select(e => e.GetBoolean()).ToArray();
        var nearFull = c.GetProperty("near_full").EnumerateArray().Select(e => e.GetBoolean()).ToArray();
        for (int i = 0; i < boxes.Length; i++)
        {
            // The reference passes boxes in the crop's frame (image boxes minus the crop offset).
            var inCrop = new IntBoxXyxy(boxes[i].X0 - crop.X0, boxes[i].Y0 - crop.Y0, boxes[i].X1 - crop.X0, boxes[i].Y1 - crop.Y0);
            Assert.Equal(near[i], SamAmg.IsBoxNearCropEdge(inCrop, crop, orig));
            Assert.Equal(nearFull[i], SamAmg.IsBoxNearCropEdge(boxes[i], orig, orig));
        }
    }

    [Fact]
    public void Uncrop_BoxesPointsAndXywh_EqualReference()
    {
        var c = Ref.GetProperty("uncrop");
        var crop = Box(c.GetProperty("crop_box"));
        var boxes = c.GetProperty("boxes").EnumerateArray().Select(Box).ToArray();
        Assert.Equal(c.GetProperty("uncropped_boxes").EnumerateArray().Select(Box), boxes.Select(b => SamAmg.UncropBoxXyxy(b, crop)));
        var xywh = c.GetProperty("xywh").EnumerateArray().Select(e => new BoxXywh(e[0].GetSingle(), e[1].GetSingle(), e[2].GetSingle(), e[3].GetSingle()));
        Assert.Equal(xywh, boxes.Select(SamAmg.BoxXyxyToXywh));
        var points = c.GetProperty("points").EnumerateArray().Select(e => (e[0].GetDouble(), e[1].GetDouble())).ToArray();
        var expected = c.GetProperty("uncropped_points").EnumerateArray().Select(e => (e[0].GetDouble(), e[1].GetDouble()));
        Assert.Equal(expected, points.Select(p => SamAmg.UncropPoint(p, crop)));
    }

    [Fact]
    public void UncropMask_CropInsideImage_EqualsTorchPad()
    {
        var masks = Masks("amg_masks.npy");
        var padded = Masks("amg_uncrop_masks.npy");
        for (int i = 0; i < padded.Length; i++)
        {
            var small = new BinaryMask(12, 10);
            for (int y = 0; y < 10; y++) for (int x = 0; x < 12; x++) small[x, y] = masks[i][x, y];
            Assert.Equal(padded[i], SamAmg.UncropMask(small, new IntBoxXyxy(5, 3, 17, 13), 25, 20));
        }
        // A crop equal to the image returns the mask itself.
        Assert.Same(masks[0], SamAmg.UncropMask(masks[0], new IntBoxXyxy(0, 0, 31, 23), 31, 23));
    }

    [Fact]
    public void RemoveSmallRegions_HolesAndIslands_EqualsOpenCvComponents()
    {
        var masks = Masks("amg_regions_masks.npy");
        var results = Masks("amg_regions_results.npy");
        var cases = Ref.GetProperty("remove_small_regions").EnumerateArray().ToArray();
        Assert.Equal(results.Length, cases.Length);
        for (int i = 0; i < cases.Length; i++)
        {
            var c = cases[i];
            var mode = c.GetProperty("mode").GetString() == "holes" ? SamRegionMode.Holes : SamRegionMode.Islands;
            var mine = SamAmg.RemoveSmallRegions(masks[c.GetProperty("mask").GetInt32()], c.GetProperty("area_thresh").GetDouble(), mode, out bool changed);
            Assert.Equal(c.GetProperty("changed").GetBoolean(), changed);
            Assert.True(results[i].Equals(mine), $"case {i}: mask {c.GetProperty("mask").GetInt32()} {mode} < {c.GetProperty("area_thresh")}");
        }
    }
}
