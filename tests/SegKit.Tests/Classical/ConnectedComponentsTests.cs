using SegKit.Classical;

namespace SegKit.Tests.Classical;

public sealed class ConnectedComponentsTests
{
    [Theory]
    [InlineData(Connectivity.Four, "skimage.c1")]
    [InlineData(Connectivity.Eight, "skimage.c2")]
    [InlineData(Connectivity.Four, "scipy.c1")]
    [InlineData(Connectivity.Eight, "scipy.c2")]
    public void Label_BinaryMask_IdenticalToReference(Connectivity connectivity, string reference)
    {
        var (w, h, mask) = ClassicalReference.Bytes("cc_binary.npy");
        var (_, _, expected) = ClassicalReference.Labels($"cc_binary.{reference}.npy");

        RegionMap map = ConnectedComponents.Label(mask, w, h, new ConnectedComponentsOptions { Connectivity = connectivity });

        Assert.Equal(expected, map.Labels);
        Assert.Equal(expected.Max() + 1, map.RegionCount);
    }

    [Theory]
    [InlineData(Connectivity.Four, "c1")]
    [InlineData(Connectivity.Eight, "c2")]
    public void Label_MultiValuedImage_IdenticalToSkimage(Connectivity connectivity, string suffix)
    {
        var (w, h, values) = ClassicalReference.Bytes("cc_multi.npy");
        var (_, _, expected) = ClassicalReference.Labels($"cc_multi.skimage.{suffix}.npy");

        RegionMap map = ConnectedComponents.Label(values, w, h, new ConnectedComponentsOptions { Connectivity = connectivity });

        Assert.Equal(expected, map.Labels);
    }

    [Fact]
    public void Label_NoBackground_NumbersFromZeroInRasterOrder()
    {
        int[] values =
        [
            5, 5, 7,
            7, 5, 7,
            7, 7, 7,
        ];

        RegionMap map = ConnectedComponents.Label(values, 3, 3,
            new ConnectedComponentsOptions { Connectivity = Connectivity.Four, Background = null });

        Assert.Equal(new[] { 0, 0, 1, 2, 0, 1, 2, 2, 1 }.Length, map.Labels.Length);
        // 7 at (0,1) is 4-connected to the right column through the bottom row: one component.
        Assert.Equal(new[] { 0, 0, 1, 1, 0, 1, 1, 1, 1 }, map.Labels);
        Assert.Equal(2, map.RegionCount);
    }

    [Fact]
    public void Label_DiagonalPixels_JoinOnlyWithEightConnectivity()
    {
        byte[] mask = [1, 0, 0, 1];

        Assert.Equal(3, ConnectedComponents.Label(mask, 2, 2, new ConnectedComponentsOptions { Connectivity = Connectivity.Four }).RegionCount);
        Assert.Equal(2, ConnectedComponents.Label(mask, 2, 2).RegionCount);
    }

    [Fact]
    public void Label_WrongLength_Throws()
    {
        Assert.Throws<ArgumentException>(() => ConnectedComponents.Label(new byte[5], 2, 2));
    }
}
