using System.Text.Json;
using SegKit.Datasets;
using SegKit.Datasets.Voc;
using SegKit.Imaging;
using SegKit.Masks;
using SegKit.Tests.TestSupport;

namespace SegKit.Tests.Datasets.Voc;

/// <summary>Reads the synthetic VOC folder that tools/fixtures/voc_synthetic.py writes with PIL, and checks against what PIL reads.</summary>
public class VocDatasetTests
{
    internal static string FixtureRoot => Fixtures.Ensure("voc_synthetic");

    internal static string Expected(string file) => Path.Combine(FixtureRoot, "expected", file);

    internal static JsonElement ExpectedJson()
    {
        using JsonDocument d = JsonDocument.Parse(File.ReadAllBytes(Expected("annotations.json")));
        return d.RootElement.Clone();
    }

    /// <summary>A private copy of the fixture's VOC2012 folder that a test may damage.</summary>
    internal static string CopyOfDataset()
    {
        string dst = Path.Combine(TestPaths.NewTempDir(), "VOC2012");
        string src = Path.Combine(FixtureRoot, "VOC2012");
        foreach (string dir in Directory.GetDirectories(src, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(dir.Replace(src, dst));
        foreach (string file in Directory.GetFiles(src, "*", SearchOption.AllDirectories))
            File.Copy(file, file.Replace(src, dst));
        return dst;
    }

    [Fact]
    public void Open_DevkitFolder_DescendsIntoTheOneDataset()
    {
        VocDataset ds = VocDataset.Open(FixtureRoot);
        Assert.Equal(Path.Combine(FixtureRoot, "VOC2012"), ds.Root);
        Assert.Equal(["train", "trainval", "val"], ds.Splits);
        Assert.Same(LabelSet.Voc, ds.Labels);
    }

    [Fact]
    public void ReadIds_EverySplit_AsListed()
    {
        VocDataset ds = VocDataset.Open(FixtureRoot);
        JsonElement lists = ExpectedJson().GetProperty("lists");
        foreach (string split in ds.Splits)
            Assert.Equal(lists.GetProperty(split).EnumerateArray().Select(e => e.GetString()), ds.ReadIds(split));
    }

    [Fact]
    public void ReadClassAndObjectMaps_EverySample_EqualPil()
    {
        VocDataset ds = VocDataset.Open(FixtureRoot);
        IReadOnlyList<VocSample> samples = ds.Samples("trainval");
        Assert.Equal(6, samples.Count);
        foreach (VocSample s in samples)
        {
            Npy cls = Npy.Read(Expected(s.Id + "_class.npy")), obj = Npy.Read(Expected(s.Id + "_object.npy"));
            LabelMap c = s.ReadClassMap(), o = s.ReadObjectMap();
            Assert.Equal((cls.Shape[1], cls.Shape[0]), (c.Width, c.Height));
            Assert.Equal(cls.AsUInt8(), c.Data);
            Assert.Equal(obj.AsUInt8(), o.Data);
            Assert.Contains((byte)255, c.Data);
        }
    }

    [Fact]
    public void ReadImage_EverySample_EqualPil()
    {
        foreach (VocSample s in VocDataset.Open(FixtureRoot).Samples("trainval"))
        {
            Npy rgb = Npy.Read(Expected(s.Id + "_image.npy"));
            RgbImage img = s.ReadImage();
            Assert.Equal((rgb.Shape[1], rgb.Shape[0]), (img.Width, img.Height));
            Assert.Equal(rgb.AsUInt8(), img.Data);
        }
    }

    [Fact]
    public void ReadAnnotation_EverySample_EqualElementTree()
    {
        JsonElement expected = ExpectedJson().GetProperty("annotations");
        foreach (VocSample s in VocDataset.Open(FixtureRoot).Samples("trainval"))
        {
            JsonElement e = expected.GetProperty(s.Id);
            VocAnnotation a = s.ReadAnnotation();
            Assert.Equal((e.GetProperty("filename").GetString(), e.GetProperty("width").GetInt32(), e.GetProperty("height").GetInt32()), (a.FileName, a.Width, a.Height));
            Assert.True(a.Segmented);
            Assert.Equal("VOC2012", a.Folder);
            Assert.Equal(e.GetProperty("objects").EnumerateArray().Select(o => new VocObject(
                    o.GetProperty("name").GetString()!,
                    new VocBndBox(o.GetProperty("bndbox")[0].GetDouble(), o.GetProperty("bndbox")[1].GetDouble(), o.GetProperty("bndbox")[2].GetDouble(), o.GetProperty("bndbox")[3].GetDouble()),
                    o.GetProperty("difficult").GetInt32() == 1, o.GetProperty("truncated").GetInt32() == 1, false, o.GetProperty("pose").GetString())),
                a.Objects);
            Assert.Equal(a, VocAnnotation.Parse(a.ToXml()));
        }
    }

    [Fact]
    public void ObjectIndices_MatchXmlObjectsAndClassMap()
    {
        foreach (VocSample s in VocDataset.Open(FixtureRoot).Samples("trainval"))
        {
            VocAnnotation a = s.ReadAnnotation();
            LabelMap c = s.ReadClassMap(), o = s.ReadObjectMap();
            for (int k = 1; k <= a.Objects.Count; k++)
            {
                int cls = LabelSet.Voc.Names.ToList().IndexOf(a.Objects[k - 1].Name);
                var classesUnder = Enumerable.Range(0, o.Data.Length).Where(i => o.Data[i] == k).Select(i => (int)c.Data[i]).Distinct();
                Assert.Equal([cls], classesUnder);
            }
        }
    }

    [Fact]
    public void LabelMapFileRead_GrayPng_EqualPil()
    {
        LabelMap m = LabelMapFile.Read(Path.Combine(FixtureRoot, "gray_label.png"));
        Assert.Equal(Npy.Read(Path.Combine(FixtureRoot, "gray_label.npy")).AsUInt8(), m.Data);
    }

    [Fact]
    public void ReadClassMap_MissingFile_NamesFileAndList()
    {
        string root = CopyOfDataset();
        File.Delete(Path.Combine(root, "SegmentationClass", "2007_000063.png"));
        VocSample s = VocDataset.Open(root).Samples("train").Single(x => x.Id == "2007_000063");
        var e = Assert.Throws<VocDatasetException>(() => s.ReadClassMap());
        Assert.Equal(Path.Combine(root, "SegmentationClass", "2007_000063.png"), e.FilePath);
        Assert.Equal(Path.Combine(root, "ImageSets", "Segmentation", "train.txt"), e.ListFile);
        Assert.Contains("not found", e.Message);
        Assert.Contains("train.txt", e.Message);
    }

    [Fact]
    public void ReadObjectMap_TruncatedPng_UnreadableNamesFileAndList()
    {
        string root = CopyOfDataset();
        string path = Path.Combine(root, "SegmentationObject", "2007_000129.png");
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        VocSample s = VocDataset.Open(root).Samples("val").First();
        var e = Assert.Throws<VocDatasetException>(() => s.ReadObjectMap());
        Assert.Equal(path, e.FilePath);
        Assert.Contains("unreadable", e.Message);
        Assert.Contains("val.txt", e.Message);
        Assert.IsType<ImageFormatException>(e.InnerException);
    }

    [Fact]
    public void ReadImage_MissingJpeg_NamesFileAndList()
    {
        string root = CopyOfDataset();
        File.Delete(Path.Combine(root, "JPEGImages", "2007_000032.jpg"));
        var e = Assert.Throws<VocDatasetException>(() => VocDataset.Open(root).Samples("trainval")[0].ReadImage());
        Assert.EndsWith("2007_000032.jpg", e.FilePath);
        Assert.EndsWith("trainval.txt", e.ListFile);
    }

    [Fact]
    public void ReadAnnotation_BadXml_NamesFileAndList()
    {
        string root = CopyOfDataset();
        File.WriteAllText(Path.Combine(root, "Annotations", "2007_000039.xml"), "<annotation><size><width>3</width>");
        var e = Assert.Throws<VocDatasetException>(() => VocDataset.Open(root).Samples("train")[1].ReadAnnotation());
        Assert.Contains("not valid XML", e.Message);
        Assert.EndsWith("train.txt", e.ListFile);
        File.WriteAllText(Path.Combine(root, "Annotations", "2007_000039.xml"), "<annotation><size><width>3</width><height>x</height></size></annotation>");
        e = Assert.Throws<VocDatasetException>(() => VocDataset.Open(root).Samples("train")[1].ReadAnnotation());
        Assert.Contains("<height> is \"x\"", e.Message);
    }

    [Fact]
    public void ReadIds_MissingList_NamesListAndSplits()
    {
        var e = Assert.Throws<VocDatasetException>(() => VocDataset.Open(FixtureRoot).ReadIds("test"));
        Assert.EndsWith(Path.Combine("Segmentation", "test.txt"), e.FilePath);
        Assert.Contains("train, trainval, val", e.Message);
    }

    [Fact]
    public void Open_NotVoc_Throws()
    {
        Assert.Throws<VocDatasetException>(() => VocDataset.Open(TestPaths.NewTempDir()));
        Assert.Throws<VocDatasetException>(() => VocDataset.Open(Path.Combine(TestPaths.NewTempDir(), "nope")));
    }

    [Fact]
    public void Writer_CopyOfEverySample_ReadsBackIdentical()
    {
        VocDataset src = VocDataset.Open(FixtureRoot);
        string outRoot = Path.Combine(TestPaths.NewTempDir(), "VOC2012");
        var w = new VocDatasetWriter(outRoot);
        foreach (string split in new[] { "train", "val" })
            foreach (VocSample s in src.Samples(split))
            {
                w.CopyImage(s.Id, s.ImagePath);
                w.WriteClassMap(s.Id, s.ReadClassMap());
                w.WriteObjectMap(s.Id, s.ReadObjectMap());
                w.WriteAnnotation(s.Id, s.ReadAnnotation());
                w.AddToSplit(split, s.Id);
            }
        w.WriteImageSets();

        VocDataset back = VocDataset.Open(outRoot);
        Assert.Equal(src.Splits, back.Splits);
        foreach (string split in src.Splits) Assert.Equal(src.ReadIds(split), back.ReadIds(split));
        foreach (VocSample s in src.Samples("trainval"))
        {
            VocSample b = back.Sample(s.Id);
            Assert.Equal(s.ReadClassMap().Data, b.ReadClassMap().Data);
            Assert.Equal(s.ReadObjectMap().Data, b.ReadObjectMap().Data);
            Assert.Equal(s.ReadAnnotation(), b.ReadAnnotation());
            Assert.Equal(File.ReadAllBytes(s.ImagePath), File.ReadAllBytes(b.ImagePath));
            IndexedImage png = PngDecoder.ReadIndexed(b.ClassMapPath);
            Assert.True(png.Palette.Rgb.Span.SequenceEqual(ColorPalette.PascalVoc.Rgb.Span));
        }
    }

    [Fact]
    public void Writer_WriteImage_EncodesJpeg()
    {
        string root = TestPaths.NewTempDir();
        var img = new RgbImage(8, 6);
        img.Data.AsSpan().Fill(128);
        string path = new VocDatasetWriter(root).WriteImage("x", img);
        Assert.Equal(Path.Combine(root, "JPEGImages", "x.jpg"), path);
        Assert.Equal((8, 6), (VocDataset.Open(root).Sample("x").ReadImage().Width, 6));
    }

    [Fact]
    public void AllSamples_NoLists_FromClassMaps()
    {
        string root = TestPaths.NewTempDir();
        var w = new VocDatasetWriter(root);
        w.WriteClassMap("b", new LabelMap(2, 2));
        w.WriteClassMap("a", new LabelMap(2, 2));
        Assert.Equal(["a", "b"], VocDataset.Open(root).AllSamples().Select(s => s.Id));
    }

    [Fact]
    public void BndBox_ToBoxXyxy_ZeroBasedEdges()
    {
        var b = new VocBndBox(1, 2, 10, 20);
        Assert.Equal(new BoxXyxy(0, 1, 10, 20), b.ToBoxXyxy());
        Assert.Equal(b, VocBndBox.FromBoxXyxy(b.ToBoxXyxy()));
    }
}
