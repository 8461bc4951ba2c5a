// The single status -> exception translation, driven by statuses ORT itself creates, plus the
// environment's log level and the options' validation.

using SegKit.Onnx;
using SegKit.Onnx.Native;

namespace SegKit.Tests.Onnx;

public sealed class OrtStatusTests
{
    [Fact]
    public void Check_OrtCreatedStatus_OrtExceptionCarriesCodeAndMessage()
    {
        IntPtr status = OrtStatus.Create(OrtErrorCode.InvalidGraph, "graph has a cycle: é");

        var e = Assert.Throws<OrtException>(() => OrtStatus.Check(status, "testing"));

        Assert.Equal(OrtErrorCode.InvalidGraph, e.Code);
        Assert.Equal("graph has a cycle: é", e.NativeMessage);
        Assert.Equal("testing: ONNX Runtime error InvalidGraph: graph has a cycle: é", e.Message);
    }

    [Fact]
    public void Check_NullStatus_DoesNothing()
    {
        OrtStatus.Check(IntPtr.Zero, "success");
    }

    [Fact]
    public void LogLevel_ChangedAfterEnvironmentCreated_ThrowsInvalidOperation()
    {
        using var session = InferenceSession.FromFile(OnnxTestModels.MultiDtype); // creates the environment
        var current = OrtRuntime.LogLevel;
        var other = current == OrtLoggingLevel.Error ? OrtLoggingLevel.Fatal : OrtLoggingLevel.Error;

        OrtRuntime.LogLevel = current; // re-stating the level is allowed
        var e = Assert.Throws<InvalidOperationException>(() => OrtRuntime.LogLevel = other);

        Assert.Contains("before the first session", e.Message);
        Assert.Equal(current, OrtRuntime.LogLevel);
    }

    [Fact]
    public void SessionOptions_NegativeThreads_ThrowsOutOfRange()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SessionOptions { IntraOpThreads = -1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new SessionOptions { InterOpThreads = -2 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new SessionOptions { GraphOptimization = (GraphOptimizationLevel)5 });
        Assert.Throws<ArgumentOutOfRangeException>(() => ExecutionProvider.Cuda(-1));
    }

    [Fact]
    public void SessionOptions_Default_CpuAllOptimisationsOrtThreadDefaults()
    {
        var d = SessionOptions.Default;

        Assert.Equal(ExecutionProvider.Cpu, d.ExecutionProvider);
        Assert.Equal(GraphOptimizationLevel.All, d.GraphOptimization);
        Assert.Equal(0, d.IntraOpThreads);
        Assert.Equal(0, d.InterOpThreads);
        Assert.Equal(ExecutionProvider.Cuda(1), ExecutionProvider.Cuda(1));
        Assert.Equal("Cuda(device 1)", ExecutionProvider.Cuda(1).ToString());
    }
}
