using SegKit.Onnx;
using SegKit.Tests.TestSupport;

namespace SegKit.Tests.Onnx;

public sealed class MappedModelFileTests
{
    private static string WriteFile(int length)
    {
        string path = Path.Combine(TestPaths.NewTempDir(), "model.bin");
        File.WriteAllBytes(path, Enumerable.Range(0, length).Select(i => (byte)(i * 31 + 7)).ToArray());
        return path;
    }

    // Lengths around a page: the room starts inside the file's last page, at a page boundary, and past an empty file.
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4090)]
    [InlineData(4096)]
    [InlineData(12_345)]
    public void Open_FileBytesThenAppendedBytes_FileOnDiskUnchanged(int length)
    {
        string path = WriteFile(length);
        byte[] expected = File.ReadAllBytes(path);
        byte[] extra = Enumerable.Range(0, 100).Select(i => (byte)(255 - i)).ToArray();
        using (var mapped = MappedModelFile.Open(path, 150))
        {
            Assert.Equal(length, mapped.FileLength);
            Assert.Equal(expected, mapped.FileBytes.ToArray());
            Assert.True(mapped.TryAppend(extra));
            Assert.True(mapped.TryAppend(extra.AsSpan(0, 50)));
            Assert.False(mapped.TryAppend([1])); // 150 bytes of room are used
            Assert.Equal([.. expected, .. extra, .. extra.AsSpan(0, 50)], mapped.Contents.ToArray());
        }
        Assert.Equal(expected, File.ReadAllBytes(path)); // copy-on-write: the appended bytes never reach the file
    }

    [Fact]
    public void TryAppend_MoreThanTheRoom_FalseAndNothingWritten()
    {
        string path = WriteFile(5000);
        using var mapped = MappedModelFile.Open(path, 10);
        Assert.False(mapped.TryAppend(new byte[11]));
        Assert.Equal(5000, mapped.Contents.Length);
        Assert.True(mapped.TryAppend(new byte[10]));
    }

    [Fact]
    public void Dispose_Twice_ThenUse_ObjectDisposed()
    {
        var mapped = MappedModelFile.Open(WriteFile(100), 8);
        mapped.Dispose();
        mapped.Dispose();
        Assert.Throws<ObjectDisposedException>(() => mapped.FileBytes.Length);
    }

    [Fact]
    public void Open_MissingFile_FileNotFound()
    {
        string path = Path.Combine(TestPaths.NewTempDir(), "missing.onnx");
        var e = Assert.Throws<FileNotFoundException>(() => MappedModelFile.Open(path, 8));
        Assert.Contains("missing.onnx", e.Message);
    }
}
