using SegKit.Imaging;

namespace SegKit.Tests.Imaging;

public class ImageExceptionsTests
{
    [Fact]
    public void ImageLimitExceeded_CarriesLimitValueAndIsASegKitError()
    {
        string path = Path.Combine(Tests.TestSupport.TestPaths.NewTempDir(), "big.png");
        File.Copy(Tests.TestSupport.TestPaths.SharedImage("dog.jpg"), path);
        var e = Assert.Throws<ImageLimitExceededException>(() =>
            ImageDecoder.DecodeRgb(path, new ImageDecoderOptions { MaxPixels = 1000 }));
        Assert.Equal(1000, e.Limit);
        Assert.Equal(800L * 534, e.Value);
        Assert.IsAssignableFrom<SegKitException>(e);
        Assert.IsAssignableFrom<SegKitException>(new ImageFormatException("f", "PNG", "bad"));
    }
}
