// COCO RLE encoding of a 1000×1000 mask (a filled ellipse with a hole, ~50% of rows crossing the object twice).
using BenchmarkDotNet.Attributes;
using SegKit.Masks;

namespace SegKit.Benchmarks.Masks;

[MemoryDiagnoser]
public class RleEncodeBenchmarks
{
    private const int Size = 1000;
    private BinaryMask _mask = null!;
    private byte[] _rowMajor = [];
    private CocoRle _rle = null!;

    [GlobalSetup]
    public void Setup()
    {
        _rowMajor = new byte[Size * Size];
        for (int y = 0; y < Size; y++)
            for (int x = 0; x < Size; x++)
            {
                double u = (x - 480) / 350.0, v = (y - 520) / 300.0, r = u * u + v * v;
                _rowMajor[y * Size + x] = (byte)(r <= 1 && r > 0.15 ? 1 : 0);
            }
        _mask = BinaryMask.FromBytes(_rowMajor, Size, Size);
        _rle = CocoRle.Encode(_mask);
    }

    [Benchmark(Baseline = true, Description = "CocoRle.Encode(BinaryMask 1000x1000)")]
    public CocoRle EncodeBinaryMask() => CocoRle.Encode(_mask);

    [Benchmark(Description = "CocoRle.FromRowMajor(bytes 1000x1000)")]
    public CocoRle EncodeRowMajorBytes() => CocoRle.FromRowMajor(_rowMajor, Size, Size);

    [Benchmark(Description = "ToCompressedString")]
    public string CompressedString() => _rle.ToCompressedString();

    [Benchmark(Description = "Decode to BinaryMask")]
    public BinaryMask Decode() => _rle.Decode();
}
