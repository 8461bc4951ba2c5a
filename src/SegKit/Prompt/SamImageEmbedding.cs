// The SAM image embedding (what SamPredictor.set_image computes) with the geometry the decoder needs and
// the identity of the encoder that made it, so a batch job or a web page can compute it once, save it,
// and prompt it many times later.
//
// File format, version 2 (all little-endian):
//   "SKSAMEMB" (8 bytes) | u16 version | u16 header bytes that follow (h)
//   header (h bytes): i32 original width, i32 original height, i32 input width, i32 input height,
//     i32 long side, u8 element type (1 = float32), u8 rank, i32 × rank dims,
//     u16 n + n bytes UTF-8 encoder file name, u8 has-hash, 32 bytes encoder SHA-256 (zero when unknown),
//     u8 has-image-hash, 32 bytes SHA-256 of the image's RGB bytes (zero when unknown; not in version 1)
//   data: float32 × product(dims)
//   trailer: 32-byte SHA-256 of every byte before it
// Load checks every field and raises SamEmbeddingFileException naming the file and the failed check.
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using SegKit.Imaging;

namespace SegKit.Prompt;

/// <summary>Which encoder made an embedding: the model's file name and the SHA-256 of its bytes.</summary>
/// <param name="Name">The encoder's file name (no folder), or "" when unknown.</param>
/// <param name="Sha256">64 lowercase hex digits, or "" when unknown.</param>
public sealed record SamEncoderIdentity(string Name, string Sha256)
{
    /// <summary>An embedding whose encoder is not known (e.g. loaded from a NumPy file).</summary>
    public static SamEncoderIdentity Unknown { get; } = new("", "");

    /// <summary>True when the SHA-256 is known.</summary>
    public bool IsKnown => Sha256.Length == 64;

    /// <summary>The identity of the model file at <paramref name="path"/> (reads and hashes the whole file).</summary>
    public static SamEncoderIdentity OfFile(string path)
    {
        using var stream = File.OpenRead(path);
        return new SamEncoderIdentity(Path.GetFileName(path), Convert.ToHexStringLower(SHA256.HashData(stream)));
    }

    /// <inheritdoc/>
    public override string ToString() => IsKnown ? $"{Name} (sha256 {Sha256[..12]}…)" : "unknown encoder";
}

/// <summary>
/// A SAM image embedding, float32 in the encoder's output layout (e.g. [1,256,64,64]), with the original
/// image size, the size after <see cref="ResizeLongestSide"/> (the unpadded part of the encoder's input) and
/// the encoder's identity. Immutable; create with <see cref="Create"/>, <see cref="SamEncoder.Encode"/> or
/// <see cref="Load"/>.
/// </summary>
public sealed class SamImageEmbedding
{
    private const string Magic = "SKSAMEMB";
    /// <summary>The file-format version <see cref="Save"/> writes and the newest <see cref="Load"/> reads.</summary>
    public const int FormatVersion = 2;
    private const int HashBytes = 32;
    private const byte Float32Type = 1;
    private const int MaxSide = 1 << 20;

    private readonly float[] _data;
    private readonly int[] _shape;

    private SamImageEmbedding(float[] data, int[] shape, ImageSize originalSize, int longSide, SamEncoderIdentity encoder, string imageSha256 = "")
    {
        ImageSha256 = imageSha256;
        _data = data;
        _shape = shape;
        OriginalSize = originalSize;
        LongSide = longSide;
        InputSize = ResizeLongestSide.GetPreprocessShape(originalSize.Width, originalSize.Height, longSide);
        Encoder = encoder;
    }

    /// <summary>The image's size in pixels before any resizing (SAM's original_size, as width × height).</summary>
    public ImageSize OriginalSize { get; }

    /// <summary>The image's size after ResizeLongestSide, before padding (SAM's input_size).</summary>
    public ImageSize InputSize { get; }

    /// <summary>The encoder's input side (1024 for SAM and MobileSAM).</summary>
    public int LongSide { get; }

    /// <summary>The encoder that made the embedding.</summary>
    public SamEncoderIdentity Encoder { get; }

    /// <summary>The SHA-256 (64 lowercase hex digits) of the RGB bytes of the image it was computed from, or "" when
    /// unknown (made by <see cref="Create"/>, or read from a version-1 file). See <see cref="PixelsSha256"/>.</summary>
    public string ImageSha256 { get; }

    /// <summary>The SHA-256 of <paramref name="image"/>'s RGB bytes, as <see cref="ImageSha256"/> holds it: an embedding
    /// reused for another photo of the same size gives that photo the first one's masks.</summary>
    public static string PixelsSha256(RgbImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        return Convert.ToHexStringLower(SHA256.HashData(image.Data.AsSpan(0, image.Width * image.Height * 3)));
    }

    /// <summary>The embedding's dimensions, e.g. [1,256,64,64].</summary>
    public ReadOnlySpan<int> Shape => _shape;

    /// <summary>The embedding's values, C order.</summary>
    public ReadOnlySpan<float> Values => _data;

    /// <summary>The array behind <see cref="Values"/>, for feeding ORT without a copy. Never write to it.</summary>
    internal float[] DangerousData => _data;

    /// <summary>"[1,256,64,64]".</summary>
    public string ShapeText => "[" + string.Join(",", _shape) + "]";

    /// <summary>Builds an embedding from values (copied) computed elsewhere, e.g. segment-anything's <c>get_image_embedding()</c>.</summary>
    /// <param name="values">float32, C order, product(shape) of them.</param>
    /// <param name="shape">The encoder output's dimensions, e.g. [1,256,64,64].</param>
    /// <param name="originalSize">The image's size before resizing.</param>
    /// <param name="encoder">The encoder that made it; null = <see cref="SamEncoderIdentity.Unknown"/>.</param>
    /// <param name="longSide">The encoder's input side.</param>
    public static SamImageEmbedding Create(ReadOnlySpan<float> values, ReadOnlySpan<int> shape, ImageSize originalSize,
        SamEncoderIdentity? encoder = null, int longSide = ResizeLongestSide.LongSide1024)
    {
        if (shape.Length is < 1 or > 8)
            throw new ArgumentException($"embedding shape has rank {shape.Length}; 1..8 expected", nameof(shape));
        long count = 1;
        foreach (int d in shape)
        {
            if (d < 1) throw new ArgumentException($"embedding shape [{string.Join(",", shape.ToArray())}] has a dimension < 1", nameof(shape));
            count *= d;
        }
        if (count != values.Length)
            throw new ArgumentException($"{values.Length} values given; shape [{string.Join(",", shape.ToArray())}] needs {count}", nameof(values));
        if (originalSize.Width is < 1 or > MaxSide || originalSize.Height is < 1 or > MaxSide)
            throw new ArgumentOutOfRangeException(nameof(originalSize), $"image size {originalSize} must be 1..{MaxSide} per side");
        if (longSide is < 1 or > MaxSide)
            throw new ArgumentOutOfRangeException(nameof(longSide), $"long side {longSide} must be 1..{MaxSide}");
        return new SamImageEmbedding(values.ToArray(), shape.ToArray(), originalSize, longSide, encoder ?? SamEncoderIdentity.Unknown);
    }

    /// <summary>Takes ownership of <paramref name="values"/> (no copy): for runners that just allocated it.</summary>
    internal static SamImageEmbedding Wrap(float[] values, int[] shape, ImageSize originalSize, SamEncoderIdentity encoder, int longSide,
        string imageSha256 = "") =>
        new(values, shape, originalSize, longSide, encoder, imageSha256);

    /// <summary>Writes the embedding to <paramref name="path"/> (format version <see cref="FormatVersion"/>), atomically.</summary>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        byte[] name = Encoding.UTF8.GetBytes(Encoder.Name);
        if (name.Length > ushort.MaxValue) throw new ArgumentException("encoder name too long to store");
        int headerBytes = 4 * 5 + 1 + 1 + 4 * _shape.Length + 2 + name.Length + 1 + HashBytes + 1 + HashBytes;
        int prefix = Magic.Length + 2 + 2;
        long total = prefix + headerBytes + (long)_data.Length * 4 + HashBytes;
        if (total > Array.MaxLength) throw new InvalidOperationException($"embedding of {_data.Length} values is too large to save");
        var bytes = new byte[total];
        var span = bytes.AsSpan();
        Encoding.ASCII.GetBytes(Magic, span);
        int p = Magic.Length;
        BinaryPrimitives.WriteUInt16LittleEndian(span[p..], FormatVersion); p += 2;
        BinaryPrimitives.WriteUInt16LittleEndian(span[p..], (ushort)headerBytes); p += 2;
        foreach (int v in new[] { OriginalSize.Width, OriginalSize.Height, InputSize.Width, InputSize.Height, LongSide })
        {
            BinaryPrimitives.WriteInt32LittleEndian(span[p..], v); p += 4;
        }
        span[p++] = Float32Type;
        span[p++] = (byte)_shape.Length;
        foreach (int d in _shape)
        {
            BinaryPrimitives.WriteInt32LittleEndian(span[p..], d); p += 4;
        }
        BinaryPrimitives.WriteUInt16LittleEndian(span[p..], (ushort)name.Length); p += 2;
        name.CopyTo(span[p..]); p += name.Length;
        span[p++] = Encoder.IsKnown ? (byte)1 : (byte)0;
        if (Encoder.IsKnown) Convert.FromHexString(Encoder.Sha256).CopyTo(span[p..]);
        p += HashBytes;
        span[p++] = ImageSha256.Length == 64 ? (byte)1 : (byte)0;
        if (ImageSha256.Length == 64) Convert.FromHexString(ImageSha256).CopyTo(span[p..]);
        p += HashBytes;
        var dataBytes = span.Slice(p, _data.Length * 4);
        if (BitConverter.IsLittleEndian) MemoryMarshal.AsBytes(_data.AsSpan()).CopyTo(dataBytes);
        else for (int i = 0; i < _data.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(dataBytes[(i * 4)..], _data[i]);
        p += dataBytes.Length;
        SHA256.HashData(span[..p], span[p..]);
        AtomicFile.WriteAllBytes(path, bytes);
    }

    /// <summary>Reads an embedding written by <see cref="Save"/>, checking every field and the checksum.</summary>
    /// <exception cref="SamEmbeddingFileException">Not such a file, truncated, corrupt, or a newer version; the message says which.</exception>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    public static SamImageEmbedding Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Directory.Exists(path)) throw new FileNotFoundException($"embedding {path} is a folder; a .samemb file is expected", path);
        if (!File.Exists(path)) throw new FileNotFoundException($"embedding file not found: {path}", path);
        long length = new FileInfo(path).Length;
        if (length > Array.MaxLength) throw new SamEmbeddingFileException(path, $"{length} bytes is larger than any embedding");
        return Parse(File.ReadAllBytes(path), path);
    }

    /// <summary>Parses the bytes of an embedding file; <paramref name="source"/> names it in errors.</summary>
    public static SamImageEmbedding Parse(ReadOnlySpan<byte> bytes, string source)
    {
        int prefix = Magic.Length + 2 + 2;
        if (bytes.Length < prefix || Encoding.ASCII.GetString(bytes[..Magic.Length]) != Magic)
            throw new SamEmbeddingFileException(source, $"it does not start with \"{Magic}\"");
        int version = BinaryPrimitives.ReadUInt16LittleEndian(bytes[Magic.Length..]);
        if (version == 0) throw new SamEmbeddingFileException(source, "version 0 is not a valid version");
        if (version > FormatVersion)
            throw new SamEmbeddingFileException(source, $"version {version} is newer than this SegKit reads ({FormatVersion})");
        int headerBytes = BinaryPrimitives.ReadUInt16LittleEndian(bytes[(Magic.Length + 2)..]);
        if (bytes.Length < prefix + headerBytes + HashBytes)
            throw new SamEmbeddingFileException(source, $"truncated: {bytes.Length} bytes, the header alone needs {prefix + headerBytes + HashBytes}");
        var checksum = SHA256.HashData(bytes[..^HashBytes]);
        var header = bytes.Slice(prefix, headerBytes);
        int p = 0;
        int Need(int n)
        {
            if (p + n > headerBytes) throw new SamEmbeddingFileException(source, $"header of {headerBytes} bytes ends early");
            int at = p;
            p += n;
            return at;
        }
        int ReadI32(ReadOnlySpan<byte> h) => BinaryPrimitives.ReadInt32LittleEndian(h[Need(4)..]);
        int ow = ReadI32(header), oh = ReadI32(header), iw = ReadI32(header), ih = ReadI32(header), longSide = ReadI32(header);
        if (ow is < 1 or > MaxSide || oh is < 1 or > MaxSide)
            throw new SamEmbeddingFileException(source, $"original size {ow}×{oh} is not 1..{MaxSide} per side");
        if (longSide is < 1 or > MaxSide)
            throw new SamEmbeddingFileException(source, $"long side {longSide} is not 1..{MaxSide}");
        ImageSize expectedInput;
        try
        {
            expectedInput = ResizeLongestSide.GetPreprocessShape(ow, oh, longSide);
        }
        catch (SegKitException e)
        {
            throw new SamEmbeddingFileException(source, $"original size {ow}×{oh} has no SAM input frame: {e.Message}", e);
        }
        if (expectedInput != new ImageSize(iw, ih))
            throw new SamEmbeddingFileException(source, $"input size {iw}×{ih} does not follow from {ow}×{oh} and long side {longSide} ({expectedInput} expected)");
        byte type = header[Need(1)];
        if (type != Float32Type) throw new SamEmbeddingFileException(source, $"element type {type} is not float32 (1)");
        int rank = header[Need(1)];
        if (rank is < 1 or > 8) throw new SamEmbeddingFileException(source, $"rank {rank} is not 1..8");
        var shape = new int[rank];
        long count = 1;
        for (int i = 0; i < rank; i++)
        {
            shape[i] = ReadI32(header);
            if (shape[i] < 1) throw new SamEmbeddingFileException(source, $"dimension {i} is {shape[i]}");
            count *= shape[i];
            if (count > Array.MaxLength) throw new SamEmbeddingFileException(source, "the shape holds more values than an array can");
        }
        int nameLength = BinaryPrimitives.ReadUInt16LittleEndian(header[Need(2)..]);
        string name;
        try
        {
            name = new UTF8Encoding(false, true).GetString(header.Slice(Need(nameLength), nameLength));
        }
        catch (DecoderFallbackException e)
        {
            throw new SamEmbeddingFileException(source, "the encoder name is not UTF-8", e);
        }
        byte hasHash = header[Need(1)];
        if (hasHash > 1) throw new SamEmbeddingFileException(source, $"has-hash flag {hasHash} is not 0 or 1");
        string sha = hasHash == 1 ? Convert.ToHexStringLower(header.Slice(Need(HashBytes), HashBytes)) : "";
        if (hasHash == 0) Need(HashBytes);
        string imageSha = "";
        if (version >= 2)
        {
            byte hasImageHash = header[Need(1)];
            if (hasImageHash > 1) throw new SamEmbeddingFileException(source, $"has-image-hash flag {hasImageHash} is not 0 or 1");
            var imageHash = header.Slice(Need(HashBytes), HashBytes);
            if (hasImageHash == 1) imageSha = Convert.ToHexStringLower(imageHash);
        }
        if (p != header.Length) throw new SamEmbeddingFileException(source, $"header says {header.Length} bytes but its fields take {p}");
        long expectedLength = prefix + headerBytes + count * 4 + HashBytes;
        if (bytes.Length != expectedLength)
            throw new SamEmbeddingFileException(source, $"{bytes.Length} bytes; shape [{string.Join(",", shape)}] needs {expectedLength} (truncated or padded)");
        if (!checksum.AsSpan().SequenceEqual(bytes[^HashBytes..]))
            throw new SamEmbeddingFileException(source, "checksum mismatch (the file is corrupt)");
        var data = new float[count];
        var raw = bytes.Slice(prefix + headerBytes, (int)count * 4);
        if (BitConverter.IsLittleEndian) raw.CopyTo(MemoryMarshal.AsBytes(data.AsSpan()));
        else for (int i = 0; i < data.Length; i++) data[i] = BinaryPrimitives.ReadSingleLittleEndian(raw[(i * 4)..]);
        // NaN or infinite features make every mask empty with a score (a valid checksum only says the file is as written).
        if (!Numerics.VectorMath.AllFinite(data))
            throw new SamEmbeddingFileException(source, $"{data.Count(v => !float.IsFinite(v)):N0} of its {data.Length:N0} values are NaN or infinite");
        return new SamImageEmbedding(data, shape, new ImageSize(ow, oh), longSide, new SamEncoderIdentity(name, sha), imageSha);
    }

    /// <inheritdoc/>
    public override string ToString() => $"SAM embedding {ShapeText} of a {OriginalSize} image (input {InputSize}) from {Encoder}";
}
