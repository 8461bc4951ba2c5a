// P/Invoke declarations for the TurboJPEG API of libjpeg-turbo 2.1 (Debian libturbojpeg0,
// "libturbojpeg.so.0"). Signatures and constants follow /usr/include/turbojpeg.h. C `unsigned long`
// is CULong (64-bit on Linux x64). Errors are read back with tjGetErrorStr2/tjGetErrorCode and
// translated into SegKit exceptions by the callers (JpegDecoder/JpegEncoder), nowhere else.
using System.Runtime.InteropServices;

namespace SegKit.Imaging.Native;

internal static partial class TurboJpegNative
{
    private const string Lib = "libturbojpeg.so.0";

    // enum TJPF
    public const int TJPF_RGB = 0;
    public const int TJPF_GRAY = 6;
    public const int TJPF_CMYK = 11;

    // enum TJSAMP
    public const int TJSAMP_444 = 0;
    public const int TJSAMP_422 = 1;
    public const int TJSAMP_420 = 2;
    public const int TJSAMP_GRAY = 3;
    public const int TJSAMP_440 = 4;
    public const int TJSAMP_411 = 5;

    // enum TJCS
    public const int TJCS_RGB = 0;
    public const int TJCS_YCbCr = 1;
    public const int TJCS_GRAY = 2;
    public const int TJCS_CMYK = 3;
    public const int TJCS_YCCK = 4;

    // flags
    public const int TJFLAG_ACCURATEDCT = 4096;
    public const int TJFLAG_STOPONWARNING = 8192;
    public const int TJFLAG_LIMITSCANS = 32768;

    // enum TJERR
    public const int TJERR_WARNING = 0;
    public const int TJERR_FATAL = 1;

    [LibraryImport(Lib)]
    public static partial nint tjInitDecompress();

    [LibraryImport(Lib)]
    public static partial nint tjInitCompress();

    [LibraryImport(Lib)]
    public static partial int tjDestroy(nint handle);

    [LibraryImport(Lib)]
    public static unsafe partial int tjDecompressHeader3(nint handle, byte* jpegBuf, CULong jpegSize,
        out int width, out int height, out int jpegSubsamp, out int jpegColorspace);

    [LibraryImport(Lib)]
    public static unsafe partial int tjDecompress2(nint handle, byte* jpegBuf, CULong jpegSize, byte* dstBuf,
        int width, int pitch, int height, int pixelFormat, int flags);

    [LibraryImport(Lib)]
    public static unsafe partial int tjCompress2(nint handle, byte* srcBuf, int width, int pitch, int height,
        int pixelFormat, byte** jpegBuf, CULong* jpegSize, int jpegSubsamp, int jpegQual, int flags);

    [LibraryImport(Lib)]
    public static unsafe partial void tjFree(byte* buffer);

    [LibraryImport(Lib)]
    public static partial nint tjGetErrorStr2(nint handle);

    [LibraryImport(Lib)]
    public static partial int tjGetErrorCode(nint handle);

    /// <summary>The handle's last error message, or a placeholder when TurboJPEG gives none.</summary>
    public static string LastError(nint handle) =>
        Marshal.PtrToStringUTF8(tjGetErrorStr2(handle)) ?? "unknown TurboJPEG error";
}

/// <summary>Owns one TurboJPEG compressor or decompressor instance (tjDestroy on dispose).</summary>
internal sealed class TurboJpegHandle : SafeHandle
{
    private TurboJpegHandle(nint h) : base(0, ownsHandle: true) => SetHandle(h);

    public override bool IsInvalid => handle == 0;

    public static TurboJpegHandle CreateDecompressor() => Create(TurboJpegNative.tjInitDecompress(), "tjInitDecompress");

    public static TurboJpegHandle CreateCompressor() => Create(TurboJpegNative.tjInitCompress(), "tjInitCompress");

    private static TurboJpegHandle Create(nint h, string what)
    {
        if (h == 0)
            throw new InvalidOperationException($"{what} failed: {TurboJpegNative.LastError(0)}");
        return new TurboJpegHandle(h);
    }

    protected override bool ReleaseHandle() => TurboJpegNative.tjDestroy(handle) == 0;
}
