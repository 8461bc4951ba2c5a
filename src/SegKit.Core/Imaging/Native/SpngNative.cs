// P/Invoke declarations for libspng 0.7 (Debian libspng0, "libspng.so.0"). Struct layouts, enum values
// and signatures follow /usr/include/spng.h. Error codes are turned into SegKit exceptions by
// PngDecoder/PngEncoder through spng_strerror, nowhere else.
using System.Runtime.InteropServices;

namespace SegKit.Imaging.Native;

internal static partial class SpngNative
{
    private const string Lib = "libspng.so.0";

    public const int SPNG_OK = 0;
    public const int SPNG_IO_EOF = -1;
    public const int SPNG_EOF = 68; // enum spng_errno: SPNG_EOF (checked against spng.h 0.7.3)
    public const int SPNG_CTX_ENCODER = 2;

    // enum spng_format
    public const int SPNG_FMT_PNG = 256;

    // enum spng_crc_action
    public const int SPNG_CRC_ERROR = 0;
    public const int SPNG_CRC_DISCARD = 1;

    // enum spng_option
    public const int SPNG_IMG_COMPRESSION_LEVEL = 2;
    public const int SPNG_IMG_COMPRESSION_STRATEGY = 5;
    public const int SPNG_ENCODE_TO_BUFFER = 12;

    // enum spng_encode_flags
    public const int SPNG_ENCODE_FINALIZE = 2;

    // enum spng_color_type
    public const byte ColorGray = 0;
    public const byte ColorRgb = 2;
    public const byte ColorIndexed = 3;
    public const byte ColorGrayAlpha = 4;
    public const byte ColorRgba = 6;

    [StructLayout(LayoutKind.Sequential)]
    public struct Ihdr
    {
        public uint Width;
        public uint Height;
        public byte BitDepth;
        public byte ColorType;
        public byte CompressionMethod;
        public byte FilterMethod;
        public byte InterlaceMethod;
    }

    /// <summary>struct spng_plte: n_entries then 256 × {red, green, blue, alpha(reserved)}.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public unsafe struct Plte
    {
        public uint NEntries;
        public fixed byte Entries[256 * 4];
    }

    [StructLayout(LayoutKind.Sequential)]
    public unsafe struct Trns
    {
        public ushort Gray;
        public ushort Red;
        public ushort Green;
        public ushort Blue;
        public uint NType3Entries;
        public fixed byte Type3Alpha[256];
    }

    [LibraryImport(Lib)]
    public static partial nint spng_ctx_new(int flags);

    [LibraryImport(Lib)]
    public static partial void spng_ctx_free(nint ctx);

    [LibraryImport(Lib)]
    public static unsafe partial int spng_set_png_buffer(nint ctx, byte* buf, nuint size);

    [LibraryImport(Lib)]
    public static partial int spng_set_image_limits(nint ctx, uint width, uint height);

    [LibraryImport(Lib)]
    public static partial int spng_set_chunk_limits(nint ctx, nuint chunkSize, nuint cacheSize);

    [LibraryImport(Lib)]
    public static partial int spng_set_crc_action(nint ctx, int critical, int ancillary);

    [LibraryImport(Lib)]
    public static partial int spng_set_option(nint ctx, int option, int value);

    [LibraryImport(Lib)]
    public static partial int spng_get_ihdr(nint ctx, out Ihdr ihdr);

    [LibraryImport(Lib)]
    public static unsafe partial int spng_get_plte(nint ctx, Plte* plte);

    [LibraryImport(Lib)]
    public static unsafe partial int spng_get_trns(nint ctx, Trns* trns);

    [LibraryImport(Lib)]
    public static partial int spng_decoded_image_size(nint ctx, int fmt, out nuint len);

    [LibraryImport(Lib)]
    public static unsafe partial int spng_decode_image(nint ctx, byte* output, nuint len, int fmt, int flags);

    [LibraryImport(Lib)]
    public static partial int spng_decode_chunks(nint ctx);

    [LibraryImport(Lib)]
    public static partial int spng_set_ihdr(nint ctx, in Ihdr ihdr);

    [LibraryImport(Lib)]
    public static unsafe partial int spng_set_plte(nint ctx, Plte* plte);

    [LibraryImport(Lib)]
    public static unsafe partial int spng_set_trns(nint ctx, Trns* trns);

    [LibraryImport(Lib)]
    public static unsafe partial int spng_encode_image(nint ctx, byte* img, nuint len, int fmt, int flags);

    [LibraryImport(Lib)]
    public static unsafe partial byte* spng_get_png_buffer(nint ctx, out nuint len, out int error);

    [LibraryImport(Lib)]
    public static partial nint spng_strerror(int err);

    public static string ErrorText(int err) => Marshal.PtrToStringUTF8(spng_strerror(err)) ?? $"libspng error {err}";
}

/// <summary>Owns one libspng context (spng_ctx_free on dispose).</summary>
internal sealed class SpngContextHandle : SafeHandle
{
    private SpngContextHandle(nint h) : base(0, ownsHandle: true) => SetHandle(h);

    public override bool IsInvalid => handle == 0;

    public static SpngContextHandle Create(bool encoder)
    {
        nint h = SpngNative.spng_ctx_new(encoder ? SpngNative.SPNG_CTX_ENCODER : 0);
        if (h == 0) throw new OutOfMemoryException("spng_ctx_new failed");
        return new SpngContextHandle(h);
    }

    protected override bool ReleaseHandle()
    {
        SpngNative.spng_ctx_free(handle);
        return true;
    }
}
