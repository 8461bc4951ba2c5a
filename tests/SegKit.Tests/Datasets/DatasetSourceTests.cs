using SegKit.Datasets;
using SegKit.Datasets.Coco;
using SegKit.Datasets.Voc;
using SegKit.Masks;
using SegKit.Tests.Datasets.Voc;
using SegKit.Tests.TestSupport;

namespace SegKit.Tests.Datasets;

public class DatasetSourceTests
{
    [Fact]
    public void Open_VocFolder_ValSplitWithGroundTruth()
    {
        DatasetSource src = DatasetSource.Open(VocDatasetTests.FixtureRoot);
        Assert.Equal(DatasetSourceKind.Voc, src.Kind);
        Assert.Equal(src.Voc!.ReadIds("val"), src.Images.Select(i => i.Id));
        Assert.All(src.Images, i => Assert.True(File.Exists(i.ImagePath) && File.Exists(i.ClassMapPath)));
        Assert.Equal(6, DatasetSource.Open(VocDatasetTests.FixtureRoot, new DatasetSourceOptions { Split = "trainval" }).Images.Count);
    }

    [Fact]
    public void Open_CocoJsonInCocoLayout_ImagesBesideAnnotations()
    {
        string root = TestPaths.NewTempDir();
        Directory.CreateDirectory(Path.Combine(root, "annotations"));
        Directory.CreateDirectory(Path.Combine(root, "val2017"));
        var coco = new CocoDataset([new CocoImage(139, 4, 3, "000000000139.jpg"), new CocoImage(285, 4, 3, "000000000285.jpg")], [new CocoCategory(1, "person", null)], []);
        string json = Path.Combine(root, "annotations", "instances_val2017.json");
        coco.Save(json);
        DatasetSource src = DatasetSource.Open(json);
        Assert.Equal(DatasetSourceKind.Coco, src.Kind);
        Assert.Equal([("000000000139", Path.Combine(root, "val2017", "000000000139.jpg"), (long?)139), ("000000000285", Path.Combine(root, "val2017", "000000000285.jpg"), 285)],
            src.Images.Select(i => (i.Id, i.ImagePath, i.CocoImageId)));
        Assert.Single(src.Coco!.Categories);
        Assert.Equal(Path.Combine(root, "x", "000000000139.jpg"),
            DatasetSource.Open(json, new DatasetSourceOptions { ImageRoot = Path.Combine(root, "x") }).Images[0].ImagePath);
    }

    [Fact]
    public void Open_PhotoFolder_SortedAndUnique()
    {
        string dir = TestPaths.NewTempDir();
        Directory.CreateDirectory(Path.Combine(dir, "sub"));
        File.WriteAllBytes(Path.Combine(dir, "b.jpg"), [1]);
        File.WriteAllBytes(Path.Combine(dir, "sub", "a.png"), [1]);
        File.WriteAllBytes(Path.Combine(dir, "notes.txt"), [1]);
        DatasetSource src = DatasetSource.Open(dir);
        Assert.Equal(DatasetSourceKind.ImageFolder, src.Kind);
        Assert.Equal(["b", "a"], src.Images.Select(i => i.Id));
        File.WriteAllBytes(Path.Combine(dir, "sub", "b.png"), [1]);
        Assert.Throws<SegKitException>(() => DatasetSource.Open(dir));
        Assert.Throws<FileNotFoundException>(() => DatasetSource.Open(Path.Combine(dir, "none")));
    }

    [Fact]
    public void Open_PhotoFolderWithLinkLoop_EachPhotoOnceAndTheLinkReported()
    {
        string dir = TestPaths.NewTempDir();
        Directory.CreateDirectory(Path.Combine(dir, "sub"));
        File.WriteAllBytes(Path.Combine(dir, "b.jpg"), [1]);
        File.WriteAllBytes(Path.Combine(dir, "sub", "a.png"), [1]);
        File.CreateSymbolicLink(Path.Combine(dir, "sub", "up"), "..");
        DatasetSource src = DatasetSource.Open(dir);
        Assert.Equal(["b", "a"], src.Images.Select(i => i.Id));
        var skip = Assert.Single(src.SkippedFolders);
        Assert.Equal((Path.Combine(dir, "sub", "up"), SkippedFolderReason.AlreadySearched), (skip.Path, skip.Reason));
    }

    [Fact]
    public void MergeResults_Parts_ConcatenatedInOrder()
    {
        string dir = TestPaths.NewTempDir();
        var a = new CocoResult(1, 1, 0.9, new CocoBoxXywh(0, 0, 1, 1), null);
        var b = new CocoResult(2, 3, 0.5, null, CocoSegmentation.FromRle(CocoRle.FromRowMajor([0, 1, 1, 1], 2, 2)));
        CocoResults.Save(Path.Combine(dir, "1.json"), [a]);
        CocoResults.Save(Path.Combine(dir, "2.json"), [b, a]);
        CocoResults.Save(Path.Combine(dir, "3.json"), []);
        string merged = Path.Combine(dir, "results.json");
        Assert.Equal(3, CocoResults.Merge([Path.Combine(dir, "1.json"), Path.Combine(dir, "2.json"), Path.Combine(dir, "3.json")], merged));
        Assert.Equal([a, b, a], CocoResults.Load(merged));
    }
}
