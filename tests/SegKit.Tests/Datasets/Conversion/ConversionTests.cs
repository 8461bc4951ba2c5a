using SegKit.Datasets;
using SegKit.Datasets.Coco;
using SegKit.Datasets.Conversion;
using SegKit.Datasets.Voc;
using SegKit.Imaging;
using SegKit.Masks;
using SegKit.Tests.Datasets.Voc;
using SegKit.Tests.TestSupport;

namespace SegKit.Tests.Datasets.Conversion;

public class ConversionTests
{
    private static VocDataset Voc => VocDataset.Open(VocDatasetTests.FixtureRoot);

    [Fact]
    public void VocToCocoToVoc_RleThroughJson_LabelMapsIdentical()
    {
        CocoConversion conv = VocToCoco.Convert(Voc, "trainval");
        Assert.Empty(conv.Warnings);
        string json = Path.Combine(TestPaths.NewTempDir(), "instances.json");
        conv.Dataset.Save(json);
        CocoDataset coco = CocoDataset.Load(json, CocoReadOptions.Strict);

        IReadOnlyList<VocSample> samples = Voc.Samples("trainval");
        Assert.Equal(samples.Count, coco.Images.Count);
        for (int i = 0; i < samples.Count; i++)
        {
            CocoImage image = coco.Images[i];
            Assert.Equal(samples[i].Id + ".jpg", image.FileName);
            VocLabelMaps maps = CocoToVoc.Rasterize(image, coco.Annotations.Where(a => a.ImageId == image.Id));
            Assert.Equal(samples[i].ReadClassMap().Data, maps.ClassMap.Data);
            Assert.Equal(samples[i].ReadObjectMap().Data, maps.ObjectMap.Data);
        }
    }

    [Fact]
    public void VocToCocoToVoc_WrittenDataset_SameFilesContent()
    {
        CocoDataset coco = VocToCoco.Convert(Voc, "trainval").Dataset;
        string root = Path.Combine(TestPaths.NewTempDir(), "VOC2012");
        CocoToVoc.Write(coco, new VocDatasetWriter(root), "trainval", imageFolder: Path.Combine(Voc.Root, VocDataset.ImagesFolder));
        VocDataset back = VocDataset.Open(root);
        Assert.Equal(Voc.ReadIds("trainval"), back.ReadIds("trainval"));
        foreach (VocSample s in Voc.Samples("trainval"))
        {
            VocSample b = back.Sample(s.Id);
            Assert.Equal(s.ReadClassMap().Data, b.ReadClassMap().Data);
            Assert.Equal(s.ReadObjectMap().Data, b.ReadObjectMap().Data);
            Assert.Equal(File.ReadAllBytes(s.ImagePath), File.ReadAllBytes(b.ImagePath));
            // The XML's objects: same names and boxes as the original (the boxes come from the masks).
            VocAnnotation orig = s.ReadAnnotation(), made = b.ReadAnnotation();
            Assert.Equal(orig.Objects.Select(o => (o.Name, o.BndBox)), made.Objects.Select(o => (o.Name, o.BndBox)));
        }
    }

    [Fact]
    public void VocToCoco_Annotations_MatchObjectsOfTheMaps()
    {
        CocoDataset coco = VocToCoco.Convert(Voc, "trainval").Dataset;
        Assert.Equal(20, coco.Categories.Count);
        Assert.Equal(new CocoCategory(15, "person", null), coco.Categories[14]);
        int image = 0;
        foreach (VocSample s in Voc.Samples("trainval"))
        {
            image++;
            LabelMap cls = s.ReadClassMap(), obj = s.ReadObjectMap();
            VocAnnotation xml = s.ReadAnnotation();
            CocoAnnotation[] anns = coco.Annotations.Where(a => a.ImageId == image).ToArray();
            Assert.Equal(xml.Objects.Count, anns.Length);
            for (int k = 1; k <= anns.Length; k++)
            {
                CocoAnnotation a = anns[k - 1];
                Assert.Equal(LabelSet.Voc.Names[(int)a.CategoryId], xml.Objects[k - 1].Name);
                Assert.Equal(obj.Data.Count(v => v == k), a.Area);
                BinaryMask m = a.Segmentation!.Rle!.Decode();
                Assert.Equal(obj.ToMask((byte)k), m);
                VocBndBox box = xml.Objects[k - 1].BndBox;
                Assert.Equal(new CocoBoxXywh(box.XMin - 1, box.YMin - 1, box.XMax - box.XMin + 1, box.YMax - box.YMin + 1), a.Bbox);
                Assert.False(a.IsCrowd);
            }
            Assert.NotNull(coco.Images[image - 1].Extra);
        }
    }

    [Fact]
    public void VocToCoco_Polygons_CloseToTheMasks()
    {
        CocoDataset coco = VocToCoco.Convert(Voc, "trainval", new VocToCocoOptions { MaskFormat = CocoMaskFormat.Polygons }).Dataset;
        CocoDataset exact = VocToCoco.Convert(Voc, "trainval").Dataset;
        for (int i = 0; i < coco.Annotations.Count; i++)
        {
            CocoAnnotation p = coco.Annotations[i], r = exact.Annotations[i];
            CocoImage img = coco.Images[(int)p.ImageId - 1];
            Assert.Equal(CocoSegmentationKind.Polygons, p.Segmentation!.Kind);
            CocoRle poly = p.Segmentation.ToRle(img.Height, img.Width), mask = r.Segmentation!.Rle!;
            // Polygons through border pixel centres rasterize inside the mask, losing about half a pixel all round;
            // holes (the fixture's ring objects) are filled, as COCO polygons cannot carry them.
            bool hasHoles = MaskContours.Find(mask.Decode()).Contours.Any(c => c.IsHole);
            double inside = (double)CocoRle.Merge(poly, mask, intersect: true).Area() / poly.Area();
            if (!hasHoles) Assert.InRange(inside, 0.9, 1.0);
            Assert.InRange(CocoRle.Iou([poly], [mask], [false])[0, 0], 0.3, 1.0);
            Assert.Equal(r.Area, p.Area); // the area is the mask's, whatever the encoding
        }
    }

    [Fact]
    public void VocToCoco_NoIgnoreRegion_VoidNotRestored()
    {
        CocoDataset coco = VocToCoco.Convert(Voc, "val", new VocToCocoOptions { KeepIgnoreRegion = false }).Dataset;
        Assert.All(coco.Images, i => Assert.Null(i.Extra));
        VocLabelMaps maps = CocoToVoc.Rasterize(coco.Images[0], coco.Annotations.Where(a => a.ImageId == 1));
        Assert.DoesNotContain((byte)255, maps.ClassMap.Data);
    }

    [Fact]
    public void ImageAnnotations_MixedAndOrphanPixels_SplitPerClass()
    {
        // Object 1 spans classes 3 and 4; class 5 has no object; object 2 lies on background (dropped).
        var cls = new LabelMap(4, 2, [3, 3, 4, 5, 0, 0, 255, 5]);
        var obj = new LabelMap(4, 2, [1, 1, 1, 0, 2, 0, 255, 0]);
        long next = 10;
        var anns = VocToCoco.ImageAnnotations(cls, obj, 7, CocoMaskFormat.Rle, ref next, out long dropped);
        Assert.Equal(1, dropped);
        Assert.Equal([(10L, 3L, 2.0), (11, 4, 1), (12, 5, 2)], anns.Select(a => (a.Id, a.CategoryId, a.Area)));
        Assert.Equal(13, next);
        VocLabelMaps back = CocoToVoc.Rasterize(new CocoImage(7, 4, 2, null), anns);
        Assert.Equal(new byte[] { 3, 3, 4, 5, 0, 0, 0, 5 }, back.ClassMap.Data);
        Assert.Equal(new byte[] { 1, 1, 1, 0, 0, 0, 0, 0 }, back.ObjectMap.Data);
    }

    private static CocoAnnotation Box(long id, long cat, double x, double y, double w, double h, bool crowd = false) =>
        new(id, 1, cat, CocoSegmentation.FromRle(CocoRle.FromBboxXywh(new CocoBoxXywh(x, y, w, h), 6, 8), uncompressed: crowd), w * h, new CocoBoxXywh(x, y, w, h), crowd);

    [Fact]
    public void Rasterize_Overlap_VoidByDefaultLaterOnTopOnRequest()
    {
        var image = new CocoImage(1, 8, 6, null);
        CocoAnnotation[] anns = [Box(1, 2, 0, 0, 4, 4), Box(2, 3, 2, 2, 4, 4)];
        VocLabelMaps v = CocoToVoc.Rasterize(image, anns);
        Assert.Equal(2, v.ClassMap[0, 0]);
        Assert.Equal(255, v.ClassMap[3, 3]);
        Assert.Equal(255, v.ObjectMap[2, 2]);
        Assert.Equal(3, v.ClassMap[5, 5]);
        Assert.Equal(2, v.ObjectMap[5, 5]);
        VocLabelMaps top = CocoToVoc.Rasterize(image, anns, new CocoToVocOptions { Overlap = CocoOverlapHandling.LaterOnTop });
        Assert.Equal(3, top.ClassMap[3, 3]);
        Assert.Equal(2, top.ObjectMap[3, 3]);
    }

    [Fact]
    public void Rasterize_Crowd_VoidPaintOrSkip()
    {
        var image = new CocoImage(1, 8, 6, null);
        CocoAnnotation[] anns = [Box(1, 2, 0, 0, 2, 2), Box(2, 3, 4, 0, 2, 2, crowd: true)];
        Assert.Equal(255, CocoToVoc.Rasterize(image, anns).ClassMap[4, 0]);
        VocLabelMaps painted = CocoToVoc.Rasterize(image, anns, new CocoToVocOptions { Crowd = CocoCrowdHandling.Paint });
        Assert.Equal((3, 2), (painted.ClassMap[4, 0], painted.ObjectMap[4, 0]));
        Assert.Equal(0, CocoToVoc.Rasterize(image, anns, new CocoToVocOptions { Crowd = CocoCrowdHandling.Skip }).ClassMap[4, 0]);
    }

    [Fact]
    public void Rasterize_CocoCategoryIds_NeedAMap()
    {
        var image = new CocoImage(1, 8, 6, null);
        CocoAnnotation[] anns = [Box(1, 300, 0, 0, 2, 2), Box(2, 90, 4, 0, 2, 2)];
        Assert.Throws<SegKitException>(() => CocoToVoc.Rasterize(image, anns));
        var cats = new[] { new CocoCategory(90, "toothbrush", null), new CocoCategory(300, "x", null) };
        VocLabelMaps m = CocoToVoc.Rasterize(image, anns, new CocoToVocOptions { CategoryToClass = CocoToVoc.ClassesByOrder(cats) });
        Assert.Equal((2, 1), (m.ClassMap[0, 0], m.ClassMap[4, 0]));
    }

    [Fact]
    public void ClassesByName_CocoNames_MapToVoc()
    {
        var cats = new[]
        {
            new CocoCategory(1, "person", null), new CocoCategory(5, "airplane", null), new CocoCategory(4, "motorcycle", null),
            new CocoCategory(63, "couch", null), new CocoCategory(64, "potted plant", null), new CocoCategory(67, "dining table", null),
            new CocoCategory(72, "tv", null), new CocoCategory(90, "toothbrush", null),
        };
        var map = CocoToVoc.ClassesByName(cats, LabelSet.Voc);
        Assert.Equal(new Dictionary<long, byte> { [1] = 15, [5] = 1, [4] = 14, [63] = 18, [64] = 16, [67] = 11, [72] = 20 }, map);
    }

    [Fact]
    public void MaskFolder_LabelMaps_OneAnnotationPerClass()
    {
        CocoDataset coco = MaskFolderToCoco.Convert(Path.Combine(Voc.Root, VocDataset.ClassFolder),
            new MaskFolderOptions { ImageFolder = Path.Combine(Voc.Root, VocDataset.ImagesFolder) });
        Assert.Equal(6, coco.Images.Count);
        Assert.Equal(20, coco.Categories.Count);
        foreach (CocoImage img in coco.Images)
        {
            LabelMap cls = Voc.Sample(Path.GetFileNameWithoutExtension(img.FileName!)).ReadClassMap();
            Assert.True(File.Exists(Path.Combine(Voc.Root, VocDataset.ImagesFolder, img.FileName!)));
            var anns = coco.Annotations.Where(a => a.ImageId == img.Id).ToArray();
            Assert.Equal(cls.Data.Where(c => c is not 0 and not 255).Distinct().Order().Select(c => (long)c), anns.Select(a => a.CategoryId));
            foreach (CocoAnnotation a in anns) Assert.Equal(cls.ToMask((byte)a.CategoryId), a.Segmentation!.Rle!.Decode());
        }
    }

    [Fact]
    public void MaskFolder_InstanceMaps_OneAnnotationPerId()
    {
        CocoDataset coco = MaskFolderToCoco.Convert(Path.Combine(Voc.Root, VocDataset.ObjectFolder),
            new MaskFolderOptions { Layout = MaskFolderLayout.InstanceMaps, Category = new CocoCategory(7, "thing", null) });
        Assert.Equal([new CocoCategory(7, "thing", null)], coco.Categories);
        int objects = Voc.Samples("trainval").Sum(s => s.ReadAnnotation().Objects.Count);
        Assert.Equal(objects, coco.Annotations.Count);
        Assert.All(coco.Annotations, a => Assert.Equal(7, a.CategoryId));
    }

    [Fact]
    public void MaskFolder_BinaryMasksAndGray16_Converted()
    {
        string dir = TestPaths.NewTempDir();
        Directory.CreateDirectory(Path.Combine(dir, "img1"));
        var a = new GrayImage(5, 4);
        a.Data[0] = 255; a.Data[6] = 1;
        var b = new GrayImage(5, 4);
        b.Data[19] = 9;
        PngEncoder.Save(a, Path.Combine(dir, "img1", "0.png"));
        PngEncoder.Save(b, Path.Combine(dir, "img1", "1.png"));
        CocoDataset coco = MaskFolderToCoco.Convert(dir, new MaskFolderOptions { Layout = MaskFolderLayout.BinaryMasks });
        Assert.Equal(new CocoImage(1, 5, 4, "img1.jpg"), Assert.Single(coco.Images));
        Assert.Equal([2.0, 1.0], coco.Annotations.Select(x => x.Area));
        Assert.Equal(new CocoBoxXywh(4, 3, 1, 1), coco.Annotations[1].Bbox);

        string inst = TestPaths.NewTempDir();
        var ids = new Gray16Image(3, 2);
        ids.Data[0] = 300; ids.Data[1] = 300; ids.Data[5] = 255;
        PngEncoder.Save(ids, Path.Combine(inst, "x.png"));
        CocoDataset c2 = MaskFolderToCoco.Convert(inst, new MaskFolderOptions { Layout = MaskFolderLayout.InstanceMaps });
        Assert.Equal([1.0, 2.0], c2.Annotations.Select(x => x.Area)); // ids 255 and 300: 255 is an id in a 16-bit map
    }
}
