// InferenceSession against the onnx_parity fixture: PyTorch parity on a real architecture, every
// supported dtype in and out, introspection and metadata, output subsets, bytes vs file, threads,
// disposal, and the typed errors at the boundary.

using SegKit.Onnx;
using SegKit.Tests.TestSupport;

namespace SegKit.Tests.Onnx;

public sealed class InferenceSessionTests(MultiDtypeSessionFixture fixture) : IClassFixture<MultiDtypeSessionFixture>
{
    private readonly InferenceSession _multi = fixture.Session;

    [Fact]
    public void Run_Resnet18SeededWeights_MatchesPyTorchWithin1e4()
    {
        var input = OnnxTestModels.Npy("resnet18_input");
        var expected = OnnxTestModels.Npy("resnet18_logits").As<float>("<f4");
        using var session = InferenceSession.FromFile(OnnxTestModels.Resnet18);
        using var x = OrtTensor.FromArray(input.As<float>("<f4"), input.Shape());

        var outputs = session.Run(new Dictionary<string, OrtTensor> { ["input"] = x });

        var logits = Assert.Single(outputs);
        Assert.Equal("logits", logits.Name);
        Assert.Equal(TensorElementType.Float, logits.ElementType);
        Assert.Equal([1L, 1000L], logits.Shape.ToArray());
        float[] actual = logits.AsFloat();
        Assert.Equal(expected.Length, actual.Length);
        float maxDiff = 0;
        for (int i = 0; i < actual.Length; i++)
            maxDiff = Math.Max(maxDiff, Math.Abs(actual[i] - expected[i]));
        Assert.True(maxDiff <= 1e-4f, $"max abs diff {maxDiff}");
        // The reference is not degenerate: logits of order 1, so 1e-4 is a real tolerance.
        Assert.True(expected.Max(Math.Abs) > 1f);
    }

    [Fact]
    public void Run_AllDtypes_EachOutputEqualsNumpyReference()
    {
        var inputs = OnnxTestModels.MultiDtypeInputs();
        try
        {
            var outputs = _multi.Run(inputs);

            Assert.Equal(["f_out", "f_dbl", "i64_out", "i32_out", "i32_as_i64", "u8_out", "b_out"], outputs.Select(o => o.Name));
            AssertOutput(outputs["f_out"], TensorElementType.Float, "multi_out_f_out", o => o.AsFloat(), n => n.As<float>("<f4"));
            AssertOutput(outputs["f_dbl"], TensorElementType.Double, "multi_out_f_dbl", o => o.AsDouble(), n => n.As<double>("<f8"));
            AssertOutput(outputs["i64_out"], TensorElementType.Int64, "multi_out_i64_out", o => o.AsInt64(), n => n.As<long>("<i8"));
            AssertOutput(outputs["i32_out"], TensorElementType.Int32, "multi_out_i32_out", o => o.AsInt32(), n => n.As<int>("<i4"));
            AssertOutput(outputs["i32_as_i64"], TensorElementType.Int64, "multi_out_i32_as_i64", o => o.AsInt64(), n => n.As<long>("<i8"));
            AssertOutput(outputs["u8_out"], TensorElementType.UInt8, "multi_out_u8_out", o => o.AsUInt8(), n => n.As<byte>("|u1"));
            AssertOutput(outputs["b_out"], TensorElementType.Bool, "multi_out_b_out", o => o.AsBool(), n => n.As<bool>("|b1"));
            // Spot values that only survive a correct 64-bit / signed / bool path.
            Assert.Equal(1_004_000_000_000L, outputs["i64_out"].AsInt64()[3]);
            Assert.Equal(-6_000_000, outputs["i32_out"].AsInt32()[3]);
            Assert.Equal([false, true, false], outputs["b_out"].AsBool());
        }
        finally
        {
            inputs.DisposeAll();
        }
    }

    private static void AssertOutput<T>(OrtOutput output, TensorElementType type, string reference,
        Func<OrtOutput, T[]> read, Func<Npy, T[]> readReference)
    {
        var npy = OnnxTestModels.Npy(reference);
        Assert.Equal(type, output.ElementType);
        Assert.Equal(npy.Shape(), output.Shape.ToArray());
        Assert.Equal(readReference(npy), read(output));
    }

    [Fact]
    public void Inputs_MultiDtypeModel_NamesTypesShapesAndSymbolicDims()
    {
        Assert.Equal(
            ["f: float32 [batch,3]", "i64: int64 [2,2]", "i32: int32 [4]", "u8: uint8 [2,3]", "b: bool [3]"],
            _multi.Inputs.Select(i => i.ToString()));
        var f = _multi.Inputs[0];
        Assert.Equal(TensorElementType.Float, f.ElementType);
        Assert.Equal([-1L, 3L], f.Shape);
        Assert.Equal(["batch", ""], f.SymbolicDims);
        Assert.Equal(TensorElementType.Bool, _multi.Inputs[4].ElementType);
    }

    [Fact]
    public void Outputs_MultiDtypeModel_NamesAndTypes()
    {
        Assert.Equal(
            ["f_out: float32 [batch,3]", "f_dbl: float64 [batch,3]", "i64_out: int64 [2,2]", "i32_out: int32 [4]",
             "i32_as_i64: int64 [4]", "u8_out: uint8 [2,3]", "b_out: bool [3]"],
            _multi.Outputs.Select(o => o.ToString()));
    }

    [Fact]
    public void Metadata_MultiDtypeModel_AllFieldsAndCustomMap()
    {
        var md = _multi.Metadata;
        Assert.Equal("segkit-fixtures", md.ProducerName);
        Assert.Equal("multi_dtype", md.GraphName);
        Assert.Equal("ai.segkit.test", md.Domain);
        Assert.Equal("multi-dtype test model", md.Description);
        Assert.Equal("graph description", md.GraphDescription);
        Assert.Equal(7, md.Version);
        Assert.Equal(2, md.CustomMetadata.Count);
        Assert.Equal("{0: 'person', 1: 'car'}", md.CustomMetadata["names"]);
        Assert.Equal("32", md.CustomMetadata["stride"]);
    }

    [Fact]
    public void Metadata_TorchExport_ProducerIsPytorchAndMapEmpty()
    {
        using var session = InferenceSession.FromFile(OnnxTestModels.Resnet18);
        Assert.Equal("pytorch", session.Metadata.ProducerName);
        Assert.Empty(session.Metadata.CustomMetadata);
        Assert.Equal("input: float32 [batch,3,224,224]", session.Inputs.Single().ToString());
    }

    [Fact]
    public void Run_OutputSubsetByName_ReturnsOnlyThoseInRequestedOrder()
    {
        var inputs = OnnxTestModels.MultiDtypeInputs();
        try
        {
            var outputs = _multi.Run(inputs, ["b_out", "i32_out"]);

            Assert.Equal(["b_out", "i32_out"], outputs.Select(o => o.Name));
            Assert.Equal(OnnxTestModels.Npy("multi_out_i32_out").As<int>("<i4"), outputs[1].AsInt32());
            Assert.Throws<KeyNotFoundException>(() => outputs["f_out"]);
        }
        finally
        {
            inputs.DisposeAll();
        }
    }

    [Fact]
    public void FromBytes_SameModelAsFile_SameIntrospectionAndOutputs()
    {
        using var fromBytes = InferenceSession.FromBytes(File.ReadAllBytes(OnnxTestModels.MultiDtype));
        var inputs = OnnxTestModels.MultiDtypeInputs();
        try
        {
            Assert.Equal(_multi.Inputs.Select(i => i.ToString()), fromBytes.Inputs.Select(i => i.ToString()));
            Assert.Equal(_multi.Outputs.Select(i => i.ToString()), fromBytes.Outputs.Select(i => i.ToString()));
            Assert.Equal(_multi.Metadata.CustomMetadata, fromBytes.Metadata.CustomMetadata);
            var a = _multi.Run(inputs);
            var b = fromBytes.Run(inputs);
            Assert.Equal(a["f_out"].AsFloat(), b["f_out"].AsFloat());
            Assert.Equal(a["i64_out"].AsInt64(), b["i64_out"].AsInt64());
            Assert.Equal("(bytes)", fromBytes.Source);
        }
        finally
        {
            inputs.DisposeAll();
        }
    }

    [Fact]
    public void Run_FourThreadsOneSession_EachMatchesSequentialResult()
    {
        const int threads = 4;
        var input = OnnxTestModels.Npy("resnet18_input");
        float[] baseInput = input.As<float>("<f4");
        using var session = InferenceSession.FromFile(OnnxTestModels.Resnet18, new SessionOptions { IntraOpThreads = 1 });
        // A different input per thread, so a run that read another thread's input would be caught.
        var inputs = Enumerable.Range(0, threads).Select(t => baseInput.Select(v => v * (1 + 0.25f * t)).ToArray()).ToArray();
        var sequential = inputs.Select(x => RunResnet(session, x, input.Shape())).ToArray();

        var concurrent = new float[threads][][];
        using var start = new Barrier(threads);
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            start.SignalAndWait();
            concurrent[t] = [RunResnet(session, inputs[t], input.Shape()), RunResnet(session, inputs[t], input.Shape())];
        })).ToArray();
        foreach (var w in workers) w.Start();
        foreach (var w in workers) w.Join();

        for (int t = 0; t < threads; t++)
        {
            Assert.Equal(sequential[t], concurrent[t][0]);
            Assert.Equal(sequential[t], concurrent[t][1]);
        }
        Assert.NotEqual(sequential[0], sequential[1]);
    }

    private static float[] RunResnet(InferenceSession session, float[] data, long[] shape)
    {
        using var x = OrtTensor.FromArray(data, shape);
        return session.Run(new Dictionary<string, OrtTensor> { ["input"] = x })[0].AsFloat();
    }

    [Fact]
    public void Dispose_Twice_IsHarmless()
    {
        var session = InferenceSession.FromFile(OnnxTestModels.MultiDtype);
        session.Dispose();
        session.Dispose();
    }

    [Fact]
    public void Run_AfterDispose_ThrowsObjectDisposed()
    {
        var session = InferenceSession.FromFile(OnnxTestModels.MultiDtype);
        var inputs = OnnxTestModels.MultiDtypeInputs();
        try
        {
            session.Dispose();
            Assert.Throws<ObjectDisposedException>(() => session.Run(inputs));
        }
        finally
        {
            inputs.DisposeAll();
        }
    }

    [Fact]
    public void Run_DisposedInputTensor_ThrowsObjectDisposed()
    {
        var inputs = OnnxTestModels.MultiDtypeInputs();
        try
        {
            inputs["u8"].Dispose();
            Assert.Throws<ObjectDisposedException>(() => _multi.Run(inputs));
        }
        finally
        {
            inputs.DisposeAll();
        }
    }

    [Fact]
    public void FromFile_TextFile_OrtExceptionNamingFile()
    {
        string dir = TestPaths.NewTempDir();
        string path = Path.Combine(dir, "not-a-model.onnx");
        File.WriteAllText(path, "this is a text file, not an ONNX protobuf\n");

        var e = Assert.Throws<OrtException>(() => InferenceSession.FromFile(path));

        Assert.Contains(path, e.Message);
        Assert.Equal(OrtErrorCode.InvalidProtobuf, e.Code);
        Assert.Contains("Protobuf parsing failed", e.NativeMessage);
    }

    // ORT said "ModelProto does not have a graph" for an empty file and "no such file" for a folder.
    [Fact]
    public void FromFile_EmptyFileOrFolder_SaidAsSuch()
    {
        string dir = TestPaths.NewTempDir();
        string empty = Path.Combine(dir, "empty.onnx");
        File.WriteAllBytes(empty, []);
        var e = Assert.Throws<OrtException>(() => InferenceSession.FromFile(empty));
        Assert.Equal(OrtErrorCode.NoModel, e.Code);
        Assert.Contains($"loading ONNX model '{empty}': ONNX Runtime error NoModel: the file is empty (0 bytes)", e.Message);
        Assert.Contains("is a folder", Assert.Throws<FileNotFoundException>(() => InferenceSession.FromFile(dir)).Message);
    }

    [Fact]
    public void FromFile_MissingFile_OrtExceptionNoSuchFile()
    {
        string path = Path.Combine(TestPaths.NewTempDir(), "absent.onnx");

        var e = Assert.Throws<OrtException>(() => InferenceSession.FromFile(path));

        Assert.Contains(path, e.Message);
        Assert.Equal(OrtErrorCode.NoSuchFile, e.Code);
    }

    [Fact]
    public void FromBytes_CorruptModel_OrtExceptionInvalidProtobuf()
    {
        // A valid model cut in half: the protobuf ends inside a field.
        byte[] model = File.ReadAllBytes(OnnxTestModels.MultiDtype);
        byte[] truncated = model[..(model.Length / 2)];

        var e = Assert.Throws<OrtException>(() => InferenceSession.FromBytes(truncated));

        Assert.Equal(OrtErrorCode.InvalidProtobuf, e.Code);
        Assert.False(string.IsNullOrEmpty(e.NativeMessage));
        Assert.Contains(e.NativeMessage, e.Message);
    }

    [Fact]
    public void Run_WrongShape_TypedErrorNamingTensorAndExpectedShape()
    {
        var inputs = OnnxTestModels.MultiDtypeInputs();
        try
        {
            inputs["i64"].Dispose();
            inputs["i64"] = OrtTensor.FromArray(new long[6], [2, 3]);

            var e = Assert.Throws<OrtTensorMismatchException>(() => _multi.Run(inputs));

            Assert.Equal("i64", e.TensorName);
            Assert.Contains("'i64'", e.Message);
            Assert.Contains("expected shape [2,2]", e.Message);
            Assert.Contains("given [2,3]", e.Message);
        }
        finally
        {
            inputs.DisposeAll();
        }
    }

    [Fact]
    public void Run_WrongRankOnSymbolicInput_TypedErrorShowsSymbolicShape()
    {
        var inputs = OnnxTestModels.MultiDtypeInputs();
        try
        {
            inputs["f"].Dispose();
            inputs["f"] = OrtTensor.FromArray(new float[6], [6]);

            var e = Assert.Throws<OrtTensorMismatchException>(() => _multi.Run(inputs));

            Assert.Equal("f", e.TensorName);
            Assert.Contains("expected shape [batch,3]", e.Message);
            Assert.Contains("given [6]", e.Message);
        }
        finally
        {
            inputs.DisposeAll();
        }
    }

    [Fact]
    public void Run_DynamicBatchOfFive_Accepted()
    {
        var inputs = OnnxTestModels.MultiDtypeInputs();
        try
        {
            float[] five = Enumerable.Range(0, 15).Select(i => (float)i).ToArray();
            inputs["f"].Dispose();
            inputs["f"] = OrtTensor.FromArray(five, [5, 3]);

            var fOut = _multi.Run(inputs, ["f_out"])["f_out"];

            Assert.Equal([5L, 3L], fOut.Shape.ToArray());
            Assert.Equal(five.Select(v => v * 2 + 0.5f), fOut.AsFloat());
        }
        finally
        {
            inputs.DisposeAll();
        }
    }

    [Fact]
    public void Run_WrongElementType_TypedErrorNamingBothTypes()
    {
        var inputs = OnnxTestModels.MultiDtypeInputs();
        try
        {
            inputs["i32"].Dispose();
            inputs["i32"] = OrtTensor.FromArray(new long[4], [4]);

            var e = Assert.Throws<OrtTensorMismatchException>(() => _multi.Run(inputs));

            Assert.Equal("i32", e.TensorName);
            Assert.Contains("expected int32 [4]", e.Message);
            Assert.Contains("given int64 [4]", e.Message);
        }
        finally
        {
            inputs.DisposeAll();
        }
    }

    [Fact]
    public void Run_UnknownInputName_TypedErrorListingModelInputs()
    {
        var inputs = OnnxTestModels.MultiDtypeInputs();
        try
        {
            inputs["nope"] = OrtTensor.FromArray(new float[1], [1]);

            var e = Assert.Throws<OrtTensorMismatchException>(() => _multi.Run(inputs));

            Assert.Equal("nope", e.TensorName);
            Assert.Contains("no input named 'nope'", e.Message);
            Assert.Contains("f: float32 [batch,3]", e.Message);
        }
        finally
        {
            inputs.DisposeAll();
        }
    }

    [Fact]
    public void Run_MissingInput_TypedErrorNamingIt()
    {
        var inputs = OnnxTestModels.MultiDtypeInputs();
        try
        {
            var b = inputs["b"];
            inputs.Remove("b");
            b.Dispose();

            var e = Assert.Throws<OrtTensorMismatchException>(() => _multi.Run(inputs));

            Assert.Equal("b", e.TensorName);
            Assert.Contains("input 'b' (bool [3]) is missing", e.Message);
        }
        finally
        {
            inputs.DisposeAll();
        }
    }

    [Fact]
    public void Run_UnknownOutputName_TypedError()
    {
        var inputs = OnnxTestModels.MultiDtypeInputs();
        try
        {
            var e = Assert.Throws<OrtTensorMismatchException>(() => _multi.Run(inputs, ["f_out", "missing_out"]));

            Assert.Equal("missing_out", e.TensorName);
            Assert.Contains("no output named 'missing_out'", e.Message);
        }
        finally
        {
            inputs.DisposeAll();
        }
    }

    [Fact]
    public void AsInt64_OnFloatOutput_TypedErrorNamingOutput()
    {
        var inputs = OnnxTestModels.MultiDtypeInputs();
        try
        {
            var fOut = _multi.Run(inputs, ["f_out"])[0];

            var e = Assert.Throws<OrtTensorMismatchException>(() => fOut.AsInt64());

            Assert.Equal("f_out", e.TensorName);
            Assert.Contains("is float32 [2,3]; it cannot be read as int64", e.Message);
        }
        finally
        {
            inputs.DisposeAll();
        }
    }

    [Fact]
    public void Run_CallerMemoryChangedBetweenRuns_SecondRunSeesNewValues()
    {
        // Proves the tensor reads the caller's buffer in place rather than a copy taken at creation.
        var inputs = OnnxTestModels.MultiDtypeInputs();
        try
        {
            int[] data = [1, 2, 3, 4];
            inputs["i32"].Dispose();
            inputs["i32"] = OrtTensor.FromArray(data, [4]);
            Assert.Equal([-3, -6, -9, -12], _multi.Run(inputs, ["i32_out"])[0].AsInt32());

            data[2] = 100;

            Assert.Equal([-3, -6, -300, -12], _multi.Run(inputs, ["i32_out"])[0].AsInt32());
        }
        finally
        {
            inputs.DisposeAll();
        }
    }

    // An output named in recycle is copied into the array given there when type and count match (every element
    // overwritten); otherwise into a fresh array, and the given one is left alone.
    [Fact]
    public void Run_IntoRecycledArrays_ReusedOnlyWhenTypeAndCountMatch()
    {
        var inputs = OnnxTestModels.MultiDtypeInputs();
        try
        {
            int[] want = _multi.Run(inputs, ["i32_out"])[0].AsInt32();
            int[] given = [7, 7, 7, 7];
            Assert.Equal(want.Length, given.Length);
            var into = _multi.Run(inputs, ["i32_out"], new Dictionary<string, Array> { ["i32_out"] = given })[0].AsInt32();
            Assert.Same(given, into);
            Assert.Equal(want, into);

            int[] wrongCount = [7, 7, 7];
            long[] wrongType = [7, 7, 7, 7];
            var a = _multi.Run(inputs, ["i32_out"], new Dictionary<string, Array> { ["i32_out"] = wrongCount })[0].AsInt32();
            var b = _multi.Run(inputs, ["i32_out"], new Dictionary<string, Array> { ["i32_out"] = wrongType })[0].AsInt32();
            Assert.NotSame(wrongCount, a);
            Assert.Equal(want, a);
            Assert.Equal(want, b);
            Assert.Equal([7, 7, 7], wrongCount);
            Assert.Equal([7L, 7, 7, 7], wrongType);
        }
        finally
        {
            inputs.DisposeAll();
        }
    }

    [Fact]
    public void FromFile_CudaRequested_ProviderUnavailableNamingLibrary()
    {
        var options = new SessionOptions { ExecutionProvider = ExecutionProvider.Cuda(0) };

        var e = Assert.Throws<OrtExecutionProviderUnavailableException>(() => InferenceSession.FromFile(OnnxTestModels.MultiDtype, options));

        Assert.Equal("CUDA", e.Provider);
        Assert.Equal(OrtRuntime.LibraryPath, e.LibraryPath);
        Assert.Contains("CUDA execution provider is not available in the loaded ONNX Runtime", e.Message);
        Assert.Contains(OrtRuntime.LibraryPath, e.Message);
        Assert.IsType<OrtException>(e.InnerException);
    }

    [Fact]
    public void FromFile_ExplicitCpuOptions_Runs()
    {
        var options = new SessionOptions
        {
            IntraOpThreads = 1,
            InterOpThreads = 1,
            GraphOptimization = GraphOptimizationLevel.Disabled,
            ExecutionProvider = ExecutionProvider.Cpu,
        };
        using var session = InferenceSession.FromFile(OnnxTestModels.MultiDtype, options);
        var inputs = OnnxTestModels.MultiDtypeInputs();
        try
        {
            Assert.Equal(OnnxTestModels.Npy("multi_out_u8_out").As<byte>("|u1"), session.Run(inputs, ["u8_out"])[0].AsUInt8());
        }
        finally
        {
            inputs.DisposeAll();
        }
    }
}
