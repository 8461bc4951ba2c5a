// PNG decoding through libspng. Pixels are decoded in the PNG's own format (SPNG_FMT_PNG: packed
// sub-byte samples, host-endian 16-bit) and converted here, so the RGB result matches PIL 9.4's
// Image.open(p).convert("RGB") exactly:
//   gray 1/2/4-bit  -> scaled ×255/×85/×17 (PIL modes 1 and L;2/L;4)
//   gray 16-bit     -> min(v, 255): PIL opens it as mode I and I -> RGB clips, it does NOT take the high byte
//   RGB/RGBA/GA 16  -> high byte (PIL rawmodes RGB;16B, RGBA;16B, LA;16B)
//   alpha and tRNS  -> dropped (no compositing), palette lookup ignores tRNS
//   palette indices past the PLTE -> gray (i,i,i), PIL's default palette ramp
// Critical-chunk CRC errors fail (SPNG_CRC_ERROR), ancillary ones discard the chunk (libspng's default).
using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using SegKit.Imaging.Native;
using static SegKit.Imaging.Native.SpngNative;

namespace SegKit.Imaging;

/// <summary>PNG colour types (IHDR byte 9).</summary>
public enum PngColorType
{
    /// <summary>Grayscale, 1/2/4/8/16 bits.</summary>
    Gray = 0,
    /// <summary>Truecolour RGB, 8/16 bits.</summary>
    Rgb = 2,
    /// <summary>Palette indices, 1/2/4/8 bits.</summary>
    Indexed = 3,
    /// <summary>Grayscale + alpha, 8/16 bits.</summary>
    GrayAlpha = 4,
    /// <summary>RGB + alpha, 8/16 bits.</summary>
    Rgba = 6,
}

/// <summary>IHDR facts of a PNG.</summary>
public readonly record struct PngInfo(int Width, int Height, int BitDepth, PngColorType ColorType, bool Interlaced);

/// <summary>Decodes PNG with PIL parity, or reads palette indices / 16-bit values as stored. Thread-safe.</summary>
public static class PngDecoder
{
    private const string Expected = "PNG";

    /// <summary>Reads the PNG at <paramref name="path"/> into HWC RGB (PIL <c>convert("RGB")</c> semantics, see file header).</summary>
    /// <exception cref="ImageFormatException">Not a PNG, truncated or corrupt (e.g. CRC mismatch).</exception>
    /// <exception cref="ImageLimitExceededException">File size or pixel count over the limits.</exception>
    public static RgbImage DecodeRgb(string path, ImageDecoderOptions? options = null)
    {
        options ??= ImageDecoderOptions.Default;
        using var file = ImageFiles.ReadBounded(path, options);
        return DecodeRgb(file.Span, path, options);
    }

    /// <summary>Decodes PNG bytes into HWC RGB; <paramref name="sourceName"/> names the input in errors.</summary>
    public static RgbImage DecodeRgb(ReadOnlySpan<byte> png, string? sourceName = null, ImageDecoderOptions? options = null)
    {
        using var raw = RawPng.Decode(png, sourceName ?? JpegDecoder.MemorySource, options ?? ImageDecoderOptions.Default);
        var image = RgbImage.CreateUninitialized(raw.Width, raw.Height);
        raw.ToRgb(image.Data);
        return image;
    }

    /// <summary>
    /// Reads the PNG at <paramref name="path"/> into 8-bit straight RGBA: 16-bit samples reduced to their high
    /// byte, tRNS applied (a gray/RGB sample equal to the tRNS colour becomes transparent, palette alpha per entry).
    /// </summary>
    public static RgbaImage DecodeRgba(string path, ImageDecoderOptions? options = null)
    {
        options ??= ImageDecoderOptions.Default;
        using var file = ImageFiles.ReadBounded(path, options);
        return DecodeRgba(file.Span, path, options);
    }

    /// <summary>Decodes PNG bytes into 8-bit straight RGBA (see <see cref="DecodeRgba(string, ImageDecoderOptions?)"/>).</summary>
    public static RgbaImage DecodeRgba(ReadOnlySpan<byte> png, string? sourceName = null, ImageDecoderOptions? options = null)
    {
        using var raw = RawPng.Decode(png, sourceName ?? JpegDecoder.MemorySource, options ?? ImageDecoderOptions.Default);
        var image = new RgbaImage(raw.Width, raw.Height);
        raw.ToRgba(image.Data);
        return image;
    }

    /// <summary>
    /// Reads a palette PNG's indices without colour conversion (1/2/4-bit indices unpacked to one byte per pixel)
    /// and its palette (with tRNS alpha when present). Label maps (PASCAL VOC) are read this way.
    /// </summary>
    /// <exception cref="ImageFormatException">Not a PNG, corrupt, or not colour type 3 (indexed).</exception>
    public static IndexedImage ReadIndexed(string path, ImageDecoderOptions? options = null)
    {
        options ??= ImageDecoderOptions.Default;
        using var file = ImageFiles.ReadBounded(path, options);
        return ReadIndexed(file.Span, path, options);
    }

    /// <summary>Reads a palette PNG's indices and palette from bytes (see <see cref="ReadIndexed(string, ImageDecoderOptions?)"/>).</summary>
    public static IndexedImage ReadIndexed(ReadOnlySpan<byte> png, string? sourceName = null, ImageDecoderOptions? options = null)
    {
        string source = sourceName ?? JpegDecoder.MemorySource;
        using var raw = RawPng.Decode(png, source, options ?? ImageDecoderOptions.Default);
        if (raw.ColorType != PngColorType.Indexed)
            throw new ImageFormatException(source, "an indexed (palette) PNG", $"colour type is {raw.ColorType} ({raw.BitDepth}-bit)");
        var indices = new byte[raw.Width * raw.Height];
        raw.ToSamples(indices);
        return new IndexedImage(raw.Width, raw.Height, indices, raw.Palette!);
    }

    /// <summary>
    /// Reads a grayscale PNG's samples as stored, unscaled, as 16-bit values (a 16-bit PNG gives 0..65535, an
    /// 8-bit one 0..255). Instance/region id maps are read this way.
    /// </summary>
    /// <exception cref="ImageFormatException">Not a PNG, corrupt, or not colour type 0 (grayscale).</exception>
    public static Gray16Image ReadGray16(string path, ImageDecoderOptions? options = null)
    {
        options ??= ImageDecoderOptions.Default;
        using var file = ImageFiles.ReadBounded(path, options);
        return ReadGray16(file.Span, path, options);
    }

    /// <summary>Reads a grayscale PNG's samples as 16-bit values from bytes (see <see cref="ReadGray16(string, ImageDecoderOptions?)"/>).</summary>
    public static Gray16Image ReadGray16(ReadOnlySpan<byte> png, string? sourceName = null, ImageDecoderOptions? options = null)
    {
        string source = sourceName ?? JpegDecoder.MemorySource;
        using var raw = RawPng.Decode(png, source, options ?? ImageDecoderOptions.Default);
        if (raw.ColorType != PngColorType.Gray)
            throw new ImageFormatException(source, "a grayscale PNG", $"colour type is {raw.ColorType} ({raw.BitDepth}-bit)");
        var values = new ushort[raw.Width * raw.Height];
        raw.ToSamples(values);
        return new Gray16Image(raw.Width, raw.Height, values);
    }

    /// <summary>
    /// Reads a grayscale PNG of at most 8 bits per sample as stored, unscaled (a 4-bit PNG gives 0..15), e.g. a
    /// label map saved as plain gray.
    /// </summary>
    /// <exception cref="ImageFormatException">Not a PNG, corrupt, not grayscale, or 16-bit.</exception>
    public static GrayImage ReadGray8(string path, ImageDecoderOptions? options = null)
    {
        options ??= ImageDecoderOptions.Default;
        using var file = ImageFiles.ReadBounded(path, options);
        return ReadGray8(file.Span, path, options);
    }

    /// <summary>Reads an 8-bit (or less) grayscale PNG's samples from bytes (see <see cref="ReadGray8(string, ImageDecoderOptions?)"/>).</summary>
    public static GrayImage ReadGray8(ReadOnlySpan<byte> png, string? sourceName = null, ImageDecoderOptions? options = null)
    {
        string source = sourceName ?? JpegDecoder.MemorySource;
        using var raw = RawPng.Decode(png, source, options ?? ImageDecoderOptions.Default);
        if (raw.ColorType != PngColorType.Gray || raw.BitDepth > 8)
            throw new ImageFormatException(source, "a grayscale PNG of ≤ 8 bits", $"colour type is {raw.ColorType} ({raw.BitDepth}-bit)");
        var values = new byte[raw.Width * raw.Height];
        raw.ToSamples(values);
        return new GrayImage(raw.Width, raw.Height, values);
    }

    /// <summary>Reads the IHDR without decoding pixels.</summary>
    /// <exception cref="ImageFormatException">Not a PNG or the header is corrupt.</exception>
    public static PngInfo ReadInfo(ReadOnlySpan<byte> png, string? sourceName = null)
    {
        string source = sourceName ?? JpegDecoder.MemorySource;
        RawPng.CheckSignature(png, source);
        using var ctx = SpngContextHandle.Create(encoder: false);
        var ihdr = RawPng.ReadIhdr(ctx, png, source, ImageDecoderOptions.Default);
        return new PngInfo((int)ihdr.Width, (int)ihdr.Height, ihdr.BitDepth, (PngColorType)ihdr.ColorType, ihdr.InterlaceMethod != 0);
    }

    /// <summary>A decoded PNG in its own sample format, in a pooled buffer returned on dispose.</summary>
    private sealed class RawPng : IDisposable
    {
        public int Width, Height, BitDepth, Channels, RowBytes;
        public PngColorType ColorType;
        public byte[] Buffer = [];
        public ColorPalette? Palette;
        public bool HasTrns;
        public ushort TrnsGray, TrnsR, TrnsG, TrnsB;
        public byte[] TrnsAlpha = [];

        public void Dispose()
        {
            if (Buffer.Length > 0) ArrayPool<byte>.Shared.Return(Buffer);
            Buffer = [];
        }

        public static void CheckSignature(ReadOnlySpan<byte> png, string source)
        {
            if (png.Length == 0)
                throw new ImageFormatException(source, Expected, "empty input (0 bytes)");
            if (ImageFormatDetector.Detect(png) != ImageFileFormat.Png)
                throw new ImageFormatException(source, Expected, $"no PNG signature; detected {ImageFormatDetector.Detect(png)}");
        }

        public static unsafe SpngNative.Ihdr ReadIhdr(SpngContextHandle ctx, ReadOnlySpan<byte> png, string source, ImageDecoderOptions options)
        {
            // The caller keeps `png` pinned for the context's lifetime (libspng reads it lazily).
            nint c = ctx.DangerousGetHandle();
            uint sideLimit = (uint)Math.Min(options.MaxPixels, int.MaxValue);
            Check(spng_set_image_limits(c, sideLimit, sideLimit), source, png, options);
            // libspng requires chunk size ≤ cache size; the cache bounds decompressed ancillary data (zTXt, iCCP...).
            nuint chunkLimit = (nuint)Math.Min(options.MaxFileBytes, int.MaxValue);
            Check(spng_set_chunk_limits(c, chunkLimit, chunkLimit), source, png, options);
            Check(spng_set_crc_action(c, SPNG_CRC_ERROR, SPNG_CRC_DISCARD), source, png, options);
            fixed (byte* p = png)
                Check(spng_set_png_buffer(c, p, (nuint)png.Length), source, png, options);
            Check(spng_get_ihdr(c, out var ihdr), source, png, options);
            return ihdr;
        }

        public static unsafe RawPng Decode(ReadOnlySpan<byte> png, string source, ImageDecoderOptions options)
        {
            ImageFiles.CheckLength(png.Length, source, options);
            CheckSignature(png, source);
            using var ctx = SpngContextHandle.Create(encoder: false);
            nint c = ctx.DangerousGetHandle();
            fixed (byte* pinned = png)
            {
                var ihdr = ReadIhdr(ctx, png, source, options);
                ImageFiles.CheckPixels(ihdr.Width, ihdr.Height, source, options);
                var raw = new RawPng
                {
                    Width = (int)ihdr.Width,
                    Height = (int)ihdr.Height,
                    BitDepth = ihdr.BitDepth,
                    ColorType = (PngColorType)ihdr.ColorType,
                };
                raw.Channels = raw.ColorType switch
                {
                    PngColorType.Rgb => 3,
                    PngColorType.GrayAlpha => 2,
                    PngColorType.Rgba => 4,
                    _ => 1,
                };
                Check(spng_decoded_image_size(c, SPNG_FMT_PNG, out nuint size), source, png, options);
                if (size > (nuint)Array.MaxLength)
                    throw new ImageLimitExceededException(source, nameof(ImageDecoderOptions.MaxPixels), raw.Width * (long)raw.Height, options.MaxPixels, "decoded size");
                raw.RowBytes = (int)size / raw.Height;
                raw.Buffer = ArrayPool<byte>.Shared.Rent((int)size);
                try
                {
                    fixed (byte* dst = raw.Buffer)
                        Check(spng_decode_image(c, dst, size, SPNG_FMT_PNG, 0), source, png, options);
                    // libspng stops after the last row; reading on to IEND verifies the final IDAT's CRC.
                    // A missing IEND after complete image data is tolerated, as PIL tolerates it.
                    int tail = spng_decode_chunks(c);
                    if (tail != SPNG_IO_EOF && tail != SPNG_EOF)
                        Check(tail, source, png, options);
                    raw.ReadPaletteAndTransparency(c, source);
                }
                catch
                {
                    raw.Dispose();
                    throw;
                }
                return raw;
            }
        }

        private unsafe void ReadPaletteAndTransparency(nint c, string source)
        {
            SpngNative.Trns trns;
            if (spng_get_trns(c, &trns) == SPNG_OK)
            {
                HasTrns = true;
                TrnsGray = trns.Gray;
                TrnsR = trns.Red;
                TrnsG = trns.Green;
                TrnsB = trns.Blue;
                TrnsAlpha = new ReadOnlySpan<byte>(trns.Type3Alpha, (int)Math.Min(trns.NType3Entries, 256u)).ToArray();
            }
            if (ColorType != PngColorType.Indexed) return;
            SpngNative.Plte plte;
            if (spng_get_plte(c, &plte) != SPNG_OK || plte.NEntries == 0)
                throw new ImageFormatException(source, Expected, "indexed PNG without a PLTE chunk");
            int n = (int)Math.Min(plte.NEntries, 256u);
            Span<byte> rgb = stackalloc byte[n * 3];
            for (int i = 0; i < n; i++)
            {
                rgb[i * 3] = plte.Entries[i * 4];
                rgb[i * 3 + 1] = plte.Entries[i * 4 + 1];
                rgb[i * 3 + 2] = plte.Entries[i * 4 + 2];
            }
            Palette = new ColorPalette(rgb, TrnsAlpha.AsSpan(0, Math.Min(TrnsAlpha.Length, n)));
        }

        /// <summary>Sample i (x × channels + c) of row y, unscaled.</summary>
        private int Sample(ReadOnlySpan<byte> row, int i)
        {
            switch (BitDepth)
            {
                case 8: return row[i];
                case 16: return MemoryMarshal.Cast<byte, ushort>(row)[i];
                default:
                    int bit = i * BitDepth;
                    return (row[bit >> 3] >> (8 - BitDepth - (bit & 7))) & ((1 << BitDepth) - 1);
            }
        }

        private ReadOnlySpan<byte> Row(int y) => Buffer.AsSpan(y * RowBytes, RowBytes);

        /// <summary>8-bit value of a sample the way PIL's unpackers produce it for colour type / depth.</summary>
        private int To8(int v) => BitDepth switch
        {
            1 => v * 255,
            2 => v * 85,
            4 => v * 17,
            8 => v,
            _ => ColorType == PngColorType.Gray ? Math.Min(v, 255) : v >> 8,
        };

        public void ToRgb(Span<byte> rgb)
        {
            if (ColorType == PngColorType.Rgb && BitDepth == 8)
            {
                Buffer.AsSpan(0, Width * Height * 3).CopyTo(rgb);
                return;
            }
            Span<byte> lut = stackalloc byte[256 * 3];
            if (ColorType == PngColorType.Indexed) FillPaletteLut(lut);
            for (int y = 0; y < Height; y++)
            {
                var row = Row(y);
                var o = rgb.Slice(y * Width * 3, Width * 3);
                for (int x = 0; x < Width; x++)
                {
                    switch (ColorType)
                    {
                        case PngColorType.Gray:
                        case PngColorType.GrayAlpha:
                            o[x * 3] = o[x * 3 + 1] = o[x * 3 + 2] = (byte)To8(Sample(row, x * Channels));
                            break;
                        case PngColorType.Indexed:
                            lut.Slice(Sample(row, x) * 3, 3).CopyTo(o.Slice(x * 3, 3));
                            break;
                        default:
                            o[x * 3] = (byte)To8(Sample(row, x * Channels));
                            o[x * 3 + 1] = (byte)To8(Sample(row, x * Channels + 1));
                            o[x * 3 + 2] = (byte)To8(Sample(row, x * Channels + 2));
                            break;
                    }
                }
            }
        }

        public void ToRgba(Span<byte> rgba)
        {
            Span<byte> lut = stackalloc byte[256 * 3];
            Span<byte> alut = stackalloc byte[256];
            if (ColorType == PngColorType.Indexed)
            {
                FillPaletteLut(lut);
                alut.Fill(255);
                TrnsAlpha.AsSpan(0, Math.Min(TrnsAlpha.Length, 256)).CopyTo(alut);
            }
            for (int y = 0; y < Height; y++)
            {
                var row = Row(y);
                var o = rgba.Slice(y * Width * 4, Width * 4);
                for (int x = 0; x < Width; x++)
                {
                    int i = x * Channels;
                    switch (ColorType)
                    {
                        case PngColorType.Gray:
                        {
                            int v = Sample(row, i);
                            o[x * 4] = o[x * 4 + 1] = o[x * 4 + 2] = (byte)To8High(v);
                            o[x * 4 + 3] = (byte)(HasTrns && v == TrnsGray ? 0 : 255);
                            break;
                        }
                        case PngColorType.GrayAlpha:
                            o[x * 4] = o[x * 4 + 1] = o[x * 4 + 2] = (byte)To8High(Sample(row, i));
                            o[x * 4 + 3] = (byte)To8High(Sample(row, i + 1));
                            break;
                        case PngColorType.Indexed:
                        {
                            int p = Sample(row, x);
                            lut.Slice(p * 3, 3).CopyTo(o.Slice(x * 4, 3));
                            o[x * 4 + 3] = alut[p];
                            break;
                        }
                        case PngColorType.Rgb:
                        {
                            int r = Sample(row, i), g = Sample(row, i + 1), b = Sample(row, i + 2);
                            o[x * 4] = (byte)To8High(r);
                            o[x * 4 + 1] = (byte)To8High(g);
                            o[x * 4 + 2] = (byte)To8High(b);
                            o[x * 4 + 3] = (byte)(HasTrns && r == TrnsR && g == TrnsG && b == TrnsB ? 0 : 255);
                            break;
                        }
                        default:
                            for (int k = 0; k < 4; k++) o[x * 4 + k] = (byte)To8High(Sample(row, i + k));
                            break;
                    }
                }
            }
        }

        /// <summary>Like <see cref="To8"/> but 16-bit gray also takes the high byte (a proper 16 → 8 reduction).</summary>
        private int To8High(int v) => BitDepth == 16 ? v >> 8 : To8(v);

        public void ToSamples(Span<byte> dst)
        {
            for (int y = 0; y < Height; y++)
            {
                var row = Row(y);
                var o = dst.Slice(y * Width, Width);
                if (BitDepth == 8) { row[..Width].CopyTo(o); continue; }
                for (int x = 0; x < Width; x++) o[x] = (byte)Sample(row, x);
            }
        }

        public void ToSamples(Span<ushort> dst)
        {
            for (int y = 0; y < Height; y++)
            {
                var row = Row(y);
                var o = dst.Slice(y * Width, Width);
                if (BitDepth == 16) { MemoryMarshal.Cast<byte, ushort>(row)[..Width].CopyTo(o); continue; }
                for (int x = 0; x < Width; x++) o[x] = (ushort)Sample(row, x);
            }
        }

        private void FillPaletteLut(Span<byte> lut)
        {
            // PIL's palette starts as a gray ramp; PLTE overwrites its first entries.
            for (int i = 0; i < 256; i++) lut[i * 3] = lut[i * 3 + 1] = lut[i * 3 + 2] = (byte)i;
            Palette!.Rgb.Span.CopyTo(lut);
        }

        private static void Check(int rc, string source, ReadOnlySpan<byte> png, ImageDecoderOptions options)
        {
            if (rc == SPNG_OK) return;
            const int EUSER_WIDTH = 7, EUSER_HEIGHT = 8, ECHUNK_CRC = 18;
            if ((rc == EUSER_WIDTH || rc == EUSER_HEIGHT) && png.Length >= 24)
            {
                long w = BinaryPrimitives.ReadUInt32BigEndian(png[16..]), h = BinaryPrimitives.ReadUInt32BigEndian(png[20..]);
                throw new ImageLimitExceededException(source, nameof(ImageDecoderOptions.MaxPixels), w * h, options.MaxPixels, $"{w}×{h} pixels");
            }
            string what = rc switch
            {
                SPNG_IO_EOF or SPNG_EOF => "truncated PNG",
                ECHUNK_CRC => "corrupt PNG (chunk CRC mismatch)",
                _ => "corrupt PNG",
            };
            throw new ImageFormatException(source, Expected, $"{what}: libspng error {rc} ({ErrorText(rc)})");
        }
    }
}
