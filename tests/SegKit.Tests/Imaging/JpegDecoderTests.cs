// JPEG decoding against PIL 9.4: the three shared photos, grayscale and CMYK JPEGs, EXIF orientations.
using SegKit.Imaging;
using SegKit.Tests.TestSupport;

namespace SegKit.Tests.Imaging;

public sealed class JpegDecoderTests
{
    [Theory]
    [InlineData("truck")]
    [InlineData("dog")]
    [InlineData("groceries")]
    public void DecodeRgb_SharedPhoto_EqualsPilExactly(string name)
    {
        var image = JpegDecoder.DecodeRgb(TestPaths.SharedImage(name + ".jpg"));
        var (h, w, expected) = PilImages.ReadU8($"photos/{name}_rgb.npy");
        Assert.Equal((w, h), (image.Width, image.Height));
        PilImages.AssertBytesEqual(expected, image.Data, name);
    }

    // Decoding into a recycled image of the same size reuses its array and still gives PIL's pixels; an image
    // of another size is not used.
    [Fact]
    public void DecodeRgb_IntoRecycledImage_SameSizeReusedOtherSizeNot()
    {
        var (h, w, truck) = PilImages.ReadU8("photos/truck_rgb.npy");
        var recycled = new RgbImage(w, h);
        Array.Fill(recycled.Data, (byte)7);
        var image = ImageDecoder.DecodeRgb(TestPaths.SharedImage("truck.jpg"), null, recycled);
        Assert.Same(recycled, image);
        PilImages.AssertBytesEqual(truck, image.Data, "truck into a recycled image");

        var dog = ImageDecoder.DecodeRgb(TestPaths.SharedImage("dog.jpg"), null, recycled);
        Assert.NotSame(recycled, dog);
        var (dh, dw, expected) = PilImages.ReadU8("photos/dog_rgb.npy");
        Assert.Equal((dw, dh), (dog.Width, dog.Height));
        PilImages.AssertBytesEqual(expected, dog.Data, "dog");
        PilImages.AssertBytesEqual(truck, recycled.Data, "the recycled truck image, untouched by the dog");
    }

    [Fact]
    public void DecodeRgb_GrayscaleJpeg_EqualsPilConvertRgb()
    {
        var image = JpegDecoder.DecodeRgb(PilImages.PathOf("jpeg/gray.jpg"));
        var (h, w, expected) = PilImages.ReadU8("jpeg/gray_rgb.npy");
        Assert.Equal((w, h), (image.Width, image.Height));
        PilImages.AssertBytesEqual(expected, image.Data, "gray.jpg");
    }

    [Fact]
    public void DecodeRgb_AdobeCmykJpeg_EqualsPilConvertRgb()
    {
        byte[] bytes = File.ReadAllBytes(PilImages.PathOf("jpeg/cmyk.jpg"));
        Assert.Equal(JpegColorSpace.Cmyk, JpegDecoder.ReadInfo(bytes).ColorSpace);
        var image = JpegDecoder.DecodeRgb(bytes, "cmyk.jpg");
        var (h, w, expected) = PilImages.ReadU8("jpeg/cmyk_rgb.npy");
        Assert.Equal((w, h), (image.Width, image.Height));
        PilImages.AssertBytesEqual(expected, image.Data, "cmyk.jpg");
    }

    public static TheoryData<string> OrientationFiles()
    {
        var data = new TheoryData<string>();
        for (int o = 1; o <= 8; o++)
            foreach (var order in new[] { "II", "MM" })
                data.Add($"orient_{o}_{order}");
        return data;
    }

    [Theory]
    [MemberData(nameof(OrientationFiles))]
    public void DecodeRgb_ExifOrientation_EqualsPilExifTranspose(string stem)
    {
        byte[] bytes = File.ReadAllBytes(PilImages.PathOf($"jpeg/{stem}.jpg"));
        int orientation = int.Parse(stem.Split('_')[1]);
        Assert.Equal((ExifOrientation)orientation, JpegDecoder.ReadInfo(bytes).Orientation);
        var image = JpegDecoder.DecodeRgb(bytes, stem);
        var (h, w, expected) = PilImages.ReadU8($"jpeg/{stem}_rgb.npy");
        Assert.Equal((w, h), (image.Width, image.Height));
        PilImages.AssertBytesEqual(expected, image.Data, stem);
    }

    [Fact]
    public void DecodeRgb_ExifOrientationDisabled_KeepsStoredSize()
    {
        byte[] bytes = File.ReadAllBytes(PilImages.PathOf("jpeg/orient_6_II.jpg"));
        var image = JpegDecoder.DecodeRgb(bytes, "orient_6", new ImageDecoderOptions { ApplyExifOrientation = false });
        var stored = JpegDecoder.DecodeRgb(File.ReadAllBytes(PilImages.PathOf("jpeg/orient_1_II.jpg")));
        Assert.Equal((stored.Width, stored.Height), (image.Width, image.Height));
        Assert.Equal(stored.Data, image.Data);
    }

    // ReadDecodedSize must say what DecodeRgb returns, for each orientation the PIL fixtures hold, with and without it applied.
    [Theory]
    [MemberData(nameof(OrientationFiles))]
    public void ReadDecodedSize_ExifOrientation_IsTheDecodedSize(string stem)
    {
        string path = PilImages.PathOf($"jpeg/{stem}.jpg");
        var stored = new ImageDecoderOptions { ApplyExifOrientation = false };
        foreach (var options in new[] { ImageDecoderOptions.Default, stored })
        {
            var image = ImageDecoder.DecodeRgb(path, options);
            var size = ImageDecoder.ReadDecodedSize(path, options);
            Assert.Equal(new ImageSize(image.Width, image.Height), size.Size);
            Assert.Equal((ExifOrientation)int.Parse(stem.Split('_')[1]), size.Orientation);
            var storedImage = ImageDecoder.DecodeRgb(path, stored);
            Assert.Equal(new ImageSize(storedImage.Width, storedImage.Height), size.StoredSize);
        }
    }

    [Fact]
    public void ReadDecodedSize_PngAndNotAnImage_SizeOrTypedError()
    {
        string png = PilImages.PathOf("png/rgb8.png");
        var image = ImageDecoder.DecodeRgb(png);
        Assert.Equal(new DecodedImageSize(new ImageSize(image.Width, image.Height), new ImageSize(image.Width, image.Height), ExifOrientation.Normal),
            ImageDecoder.ReadDecodedSize(png));
        string text = Path.Combine(TestPaths.NewTempDir(), "notes.jpg");
        File.WriteAllText(text, "not an image");
        var e = Assert.Throws<ImageFormatException>(() => ImageDecoder.ReadDecodedSize(text));
        Assert.Contains(text, e.Message);
    }

    [Fact]
    public void ReadInfo_SharedPhoto_ReportsSizeAndSubsampling()
    {
        var info = JpegDecoder.ReadInfo(File.ReadAllBytes(TestPaths.SharedImage("truck.jpg")));
        Assert.Equal((1800, 1200), (info.Width, info.Height));
        Assert.Equal(JpegColorSpace.YCbCr, info.ColorSpace);
    }

    [Fact]
    public void DecodeRgb_ImageDecoderOnJpegBytes_DetectsByMagicNotExtension()
    {
        string dir = TestPaths.NewTempDir();
        string path = Path.Combine(dir, "photo.png"); // a JPEG with the wrong extension
        File.Copy(TestPaths.SharedImage("dog.jpg"), path);
        var viaDetector = ImageDecoder.DecodeRgb(path);
        var direct = JpegDecoder.DecodeRgb(TestPaths.SharedImage("dog.jpg"));
        Assert.Equal(direct.Data, viaDetector.Data);
        Assert.Equal(ImageFileFormat.Jpeg, ImageFormatDetector.DetectFile(path));
    }

    // libjpeg warns, and PIL 9.4 decodes the same pixels, for 5 stray bytes before the SOS marker and for a JFIF
    // revision it does not know (2.01). Their header was refused as corrupt; they now decode as the untouched file.
    [Theory]
    [InlineData("extraneous")]
    [InlineData("jfif201")]
    public void DecodeRgb_HeaderWarningsPilAccepts_SamePixelsAsTheCleanFile(string variant)
    {
        byte[] clean = File.ReadAllBytes(TestPaths.SharedImage("dog.jpg"));
        byte[] edited;
        if (variant == "extraneous")
        {
            // Walk the marker segments from SOI to SOS and put 5 bytes in front of SOS.
            int at = 2;
            while (!(clean[at] == 0xFF && clean[at + 1] == 0xDA))
                at += 2 + (clean[at + 2] << 8 | clean[at + 3]);
            edited = [.. clean[..at], 1, 2, 3, 4, 5, .. clean[at..]];
        }
        else
        {
            byte[] app0 = [0xFF, 0xE0, 0x00, 0x10, (byte)'J', (byte)'F', (byte)'I', (byte)'F', 0, 2, 1, 0, 0, 1, 0, 1, 0, 0];
            edited = [.. clean[..2], .. app0, .. clean[2..]];
        }
        var want = ImageDecoder.DecodeRgb(clean, "clean.jpg");
        var got = ImageDecoder.DecodeRgb(edited, variant + ".jpg");
        Assert.Equal((want.Width, want.Height), (got.Width, got.Height));
        Assert.Equal(want.Data, got.Data);
    }
}
