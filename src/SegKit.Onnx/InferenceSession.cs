// An ONNX model loaded into ONNX Runtime: introspection (inputs, outputs, metadata) read once at load,
// and Run, which validates inputs against the model's declarations before handing caller memory to
// ORT and copies the outputs back into managed arrays. OrtApi::Run is thread-safe, so concurrent Run
// calls on one session are not serialised; a SafeHandle reference keeps the native session alive
// until every in-flight run has returned, even if Dispose is called meanwhile.

using System.Runtime.InteropServices;
using System.Text;
using SegKit.Onnx.Native;

namespace SegKit.Onnx;

/// <summary>
/// A loaded ONNX model. Create with <see cref="FromFile"/> or <see cref="FromBytes(ReadOnlySpan{byte}, SessionOptions?)"/>, inspect
/// <see cref="Inputs"/>, <see cref="Outputs"/> and <see cref="Metadata"/>, then call <see cref="Run(IReadOnlyDictionary{string, OrtTensor}, IReadOnlyList{string}?)"/>
/// (safe from several threads at once). Dispose to release the native session.
/// </summary>
public sealed unsafe class InferenceSession : IDisposable
{
    private readonly OrtSessionHandle _session;
    private readonly Dictionary<string, NodeInfo> _inputsByName;
    private readonly Dictionary<string, NodeInfo> _outputsByName;

    private InferenceSession(OrtSessionHandle session, string source)
    {
        _session = session;
        Source = source;
        Inputs = ReadNodes(session.DangerousGetHandle(), isInput: true);
        Outputs = ReadNodes(session.DangerousGetHandle(), isInput: false);
        Metadata = ReadMetadata(session.DangerousGetHandle());
        _inputsByName = Inputs.ToDictionary(n => n.Name);
        _outputsByName = Outputs.ToDictionary(n => n.Name);
    }

    /// <summary>The model file path, or "(bytes)" for a model loaded from memory.</summary>
    public string Source { get; }

    /// <summary>The model's inputs in declaration order (initializers excluded).</summary>
    public IReadOnlyList<NodeInfo> Inputs { get; }

    /// <summary>The model's outputs in declaration order.</summary>
    public IReadOnlyList<NodeInfo> Outputs { get; }

    /// <summary>Producer, graph name, version, description and the custom metadata map.</summary>
    public ModelMetadata Metadata { get; }

    /// <summary>Loads the ONNX model at <paramref name="path"/>.</summary>
    /// <param name="path">A .onnx file (relative paths are resolved against the current directory).</param>
    /// <param name="options">Threads, optimisation level, execution provider; null = <see cref="SessionOptions.Default"/>.</param>
    /// <exception cref="OrtException">ORT could not load the model (missing or empty file, not ONNX, invalid graph);
    /// the message names the file.</exception>
    /// <exception cref="FileNotFoundException">The path is a folder.</exception>
    /// <exception cref="OrtExecutionProviderUnavailableException">The requested provider is not in the loaded ORT.</exception>
    /// <exception cref="OrtLibraryNotFoundException">No ONNX Runtime library could be loaded.</exception>
    public static InferenceSession FromFile(string path, SessionOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string fullPath = Path.GetFullPath(path);
        // Said plainly: ORT reads a folder as a missing file, and an empty file as "ModelProto does not have a graph".
        if (Directory.Exists(fullPath))
            throw new FileNotFoundException($"model {fullPath} is a folder; an ONNX model file is expected", fullPath);
        if (File.Exists(fullPath))
            File.OpenHandle(fullPath).Dispose(); // an unreadable file: .NET's "Access to the path is denied", not ORT's "system error number 13"
        if (File.Exists(fullPath) && new FileInfo(fullPath).Length == 0)
            throw new OrtException(OrtErrorCode.NoModel, "the file is empty (0 bytes), not an ONNX model", $"loading ONNX model '{fullPath}'");
        var env = OrtEnvironment.Env;
        using var nativeOptions = CreateNativeOptions(options ?? SessionOptions.Default);
        // ORTCHAR_T is char (UTF-8) on Linux and macOS; this binding targets linux-x64.
        IntPtr utf8Path = Marshal.StringToCoTaskMemUTF8(fullPath);
        IntPtr session;
        try
        {
            OrtStatus.Check(OrtApi.Instance.CreateSession(env.DangerousGetHandle(), (byte*)utf8Path, nativeOptions.DangerousGetHandle(), &session),
                $"loading ONNX model '{fullPath}'");
        }
        finally
        {
            Marshal.FreeCoTaskMem(utf8Path);
        }
        return Wrap(session, fullPath);
    }

    /// <summary>Loads an ONNX model from its serialized bytes (the content of a .onnx file). ORT copies
    /// what it needs; <paramref name="model"/> may be reused once this returns.</summary>
    /// <param name="model">The serialized ModelProto.</param>
    /// <param name="options">Threads, optimisation level, execution provider; null = <see cref="SessionOptions.Default"/>.</param>
    /// <exception cref="OrtException">ORT could not load the model.</exception>
    /// <exception cref="OrtExecutionProviderUnavailableException">The requested provider is not in the loaded ORT.</exception>
    public static InferenceSession FromBytes(ReadOnlySpan<byte> model, SessionOptions? options = null) => FromBytes(model, options, null);

    /// <summary>As <see cref="FromBytes(ReadOnlySpan{byte}, SessionOptions?)"/>; <paramref name="source"/> names the
    /// model in errors and <see cref="Source"/> (e.g. the file the bytes were read and edited from).</summary>
    public static InferenceSession FromBytes(ReadOnlySpan<byte> model, SessionOptions? options, string? source)
    {
        if (model.IsEmpty)
            throw new ArgumentException("the model bytes are empty", nameof(model));
        var env = OrtEnvironment.Env;
        using var nativeOptions = CreateNativeOptions(options ?? SessionOptions.Default);
        IntPtr session;
        fixed (byte* p = model)
        {
            OrtStatus.Check(OrtApi.Instance.CreateSessionFromArray(env.DangerousGetHandle(), p, (nuint)model.Length, nativeOptions.DangerousGetHandle(), &session),
                source is null ? $"loading ONNX model from {model.Length} bytes" : $"loading ONNX model '{source}' ({model.Length} bytes)");
        }
        return Wrap(session, source ?? "(bytes)");
    }

    /// <summary>
    /// Runs the model. Inputs are checked against <see cref="Inputs"/> first (every input present, no
    /// unknown name, element type equal, rank equal, fixed dimensions equal; dynamic dimensions accept any size).
    /// </summary>
    /// <param name="inputs">Every model input by name. The tensors stay the caller's (not disposed here).</param>
    /// <param name="outputNames">The outputs to compute, in the order wanted; null = all, in model order.</param>
    /// <returns>The requested outputs, copied into managed arrays.</returns>
    /// <exception cref="OrtTensorMismatchException">An unknown, missing or mismatched input, or an unknown output name.</exception>
    /// <exception cref="OrtException">ORT failed while running.</exception>
    /// <exception cref="ObjectDisposedException">The session or an input tensor was disposed.</exception>
    public OrtOutputs Run(IReadOnlyDictionary<string, OrtTensor> inputs, IReadOnlyList<string>? outputNames = null) =>
        Run(inputs, outputNames, null);

    /// <summary>
    /// As <see cref="Run(IReadOnlyDictionary{string, OrtTensor}, IReadOnlyList{string}?)"/>, copying each output named in
    /// <paramref name="recycle"/> into the array given there when it has the output's element type and element count
    /// (the returned <see cref="OrtOutput"/> then holds that array); otherwise into a fresh array. The arrays are ones
    /// the caller is done with, such as an earlier run's outputs: a fresh array per run costs page faults.
    /// </summary>
    public OrtOutputs Run(IReadOnlyDictionary<string, OrtTensor> inputs, IReadOnlyList<string>? outputNames,
        IReadOnlyDictionary<string, Array>? recycle)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ObjectDisposedException.ThrowIf(_session.IsClosed, this);
        ValidateInputs(inputs);
        string[] outputs = outputNames?.ToArray() ?? Outputs.Select(o => o.Name).ToArray();
        ValidateOutputNames(outputs);

        int nIn = inputs.Count, nOut = outputs.Length;
        var inputHandles = new OrtValueHandle[nIn];
        var inputNames = new string[nIn];
        var addedRefs = new bool[nIn];
        bool sessionAdded = false;
        // Names for the C call live in one native block of NUL-terminated UTF-8 strings.
        IntPtr nameBlock = IntPtr.Zero;
        var outputValues = new IntPtr[nOut];
        try
        {
            _session.DangerousAddRef(ref sessionAdded);
            int i = 0;
            foreach (var (name, tensor) in inputs)
            {
                inputNames[i] = name;
                inputHandles[i] = tensor.Handle;
                inputHandles[i].DangerousAddRef(ref addedRefs[i]);
                i++;
            }

            var inputPtrs = stackalloc IntPtr[nIn];
            for (i = 0; i < nIn; i++)
                inputPtrs[i] = inputHandles[i].DangerousGetHandle();

            var namePtrs = new IntPtr[nIn + nOut];
            nameBlock = MarshalNames([.. inputNames, .. outputs], namePtrs);

            fixed (IntPtr* names = namePtrs)
            fixed (IntPtr* outs = outputValues)
            {
                OrtStatus.Check(OrtApi.Instance.Run(_session.DangerousGetHandle(), IntPtr.Zero,
                    (byte**)names, inputPtrs, (nuint)nIn, (byte**)(names + nIn), (nuint)nOut, outs),
                    $"running ONNX model '{Source}'");
            }

            var results = new OrtOutput[nOut];
            for (i = 0; i < nOut; i++)
            {
                // Take ownership before reading, so a failure part-way still releases every value.
                using var value = new OrtValueHandle(outputValues[i]);
                outputValues[i] = IntPtr.Zero;
                results[i] = CopyOut(outputs[i], value.DangerousGetHandle(), recycle is not null && recycle.TryGetValue(outputs[i], out var r) ? r : null);
            }
            return new OrtOutputs(results);
        }
        finally
        {
            foreach (IntPtr v in outputValues)
                if (v != IntPtr.Zero)
                    OrtApi.Instance.ReleaseValue(v);
            if (nameBlock != IntPtr.Zero)
                NativeMemory.Free((void*)nameBlock);
            for (int i = 0; i < nIn; i++)
                if (addedRefs[i])
                    inputHandles[i].DangerousRelease();
            if (sessionAdded)
                _session.DangerousRelease();
        }
    }

    /// <summary>Releases the native session (after any in-flight runs finish). Safe to call twice.</summary>
    public void Dispose() => _session.Dispose();

    /// <inheritdoc/>
    public override string ToString() =>
        $"InferenceSession({Source}; inputs: {string.Join("; ", Inputs)}; outputs: {string.Join("; ", Outputs)})";

    private static InferenceSession Wrap(IntPtr session, string source)
    {
        var handle = new OrtSessionHandle(session);
        try
        {
            return new InferenceSession(handle, source);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    private static OrtSessionOptionsHandle CreateNativeOptions(SessionOptions options)
    {
        var api = OrtApi.Instance;
        IntPtr raw;
        OrtStatus.Check(api.CreateSessionOptions(&raw), "creating session options");
        var handle = new OrtSessionOptionsHandle(raw);
        try
        {
            if (options.IntraOpThreads > 0)
                OrtStatus.Check(api.SetIntraOpNumThreads(raw, options.IntraOpThreads), "setting IntraOpThreads");
            if (options.InterOpThreads > 0)
                OrtStatus.Check(api.SetInterOpNumThreads(raw, options.InterOpThreads), "setting InterOpThreads");
            OrtStatus.Check(api.SetSessionGraphOptimizationLevel(raw, (int)options.GraphOptimization), "setting GraphOptimization");
            // ORT's intra-op threads otherwise keep spinning after Run returns and take the cores from the
            // caller's own post-processing (measured: SegKit's parallel upsample+argmax ran 2× slower).
            if (options.StopSpinningAfterRun)
                AddConfigEntry(raw, "session.force_spinning_stop", "1");
            if (options.ExecutionProvider.Kind == ExecutionProviderKind.Cuda)
                AppendCuda(raw, options.ExecutionProvider.DeviceId);
            return handle;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    private static void AddConfigEntry(IntPtr sessionOptions, string key, string value)
    {
        var api = OrtApi.Instance;
        fixed (byte* k = Encoding.UTF8.GetBytes(key + "\0"))
        fixed (byte* v = Encoding.UTF8.GetBytes(value + "\0"))
            OrtStatus.Check(api.AddSessionConfigEntry(sessionOptions, k, v), $"setting session config '{key}'");
    }

    private static void AppendCuda(IntPtr sessionOptions, int deviceId)
    {
        var api = OrtApi.Instance;
        try
        {
            IntPtr raw;
            OrtStatus.Check(api.CreateCUDAProviderOptions(&raw), "creating CUDA provider options");
            using var cuda = new OrtCudaProviderOptionsHandle(raw);
            IntPtr key = Marshal.StringToCoTaskMemUTF8("device_id");
            IntPtr value = Marshal.StringToCoTaskMemUTF8(deviceId.ToString(System.Globalization.CultureInfo.InvariantCulture));
            try
            {
                OrtStatus.Check(api.UpdateCUDAProviderOptions(raw, (byte**)&key, (byte**)&value, 1), "setting the CUDA device id");
            }
            finally
            {
                Marshal.FreeCoTaskMem(key);
                Marshal.FreeCoTaskMem(value);
            }
            OrtStatus.Check(api.SessionOptionsAppendExecutionProvider_CUDA_V2(sessionOptions, raw), "adding the CUDA execution provider");
        }
        catch (OrtException e)
        {
            // A CPU-only ORT (such as onnxruntime-node's) fails here because libonnxruntime_providers_cuda.so
            // is absent; say so plainly, keeping ORT's own reason.
            var lib = OrtLibrary.Loaded;
            throw new OrtExecutionProviderUnavailableException("CUDA", lib.Path,
                $"The CUDA execution provider is not available in the loaded ONNX Runtime ({lib.Path}, version {lib.Version}): " +
                $"{e.NativeMessage} Use a GPU build of ONNX Runtime (set {OrtLibrary.PathVariable}) or ExecutionProvider.Cpu.", e);
        }
    }

    private void ValidateInputs(IReadOnlyDictionary<string, OrtTensor> inputs)
    {
        foreach (var (name, tensor) in inputs)
        {
            ArgumentNullException.ThrowIfNull(tensor, $"inputs[\"{name}\"]");
            if (!_inputsByName.TryGetValue(name, out var declared))
                throw new OrtTensorMismatchException(name,
                    $"model '{Source}' has no input named '{name}'; its inputs are: {string.Join("; ", Inputs)}");
            if (tensor.ElementType != declared.ElementType)
                throw new OrtTensorMismatchException(name,
                    $"input '{name}': expected {declared.ElementType.ToDTypeName()} {declared.ShapeText}, given {tensor.ElementType.ToDTypeName()} {NodeInfo.FormatShape(tensor.Shape)}");
            if (!ShapeMatches(declared.Shape, tensor.Shape))
                throw new OrtTensorMismatchException(name,
                    $"input '{name}': expected shape {declared.ShapeText} ({declared.ElementType.ToDTypeName()}), given {NodeInfo.FormatShape(tensor.Shape)}");
        }
        foreach (var declared in Inputs)
        {
            if (!inputs.ContainsKey(declared.Name))
                throw new OrtTensorMismatchException(declared.Name,
                    $"input '{declared.Name}' ({declared.ElementType.ToDTypeName()} {declared.ShapeText}) is missing; model '{Source}' needs: {string.Join("; ", Inputs)}");
        }
    }

    private static bool ShapeMatches(long[] declared, ReadOnlySpan<long> given)
    {
        if (declared.Length != given.Length)
            return false;
        for (int i = 0; i < declared.Length; i++)
            if (declared[i] >= 0 && declared[i] != given[i])
                return false;
        return true;
    }

    private void ValidateOutputNames(string[] outputNames)
    {
        if (outputNames.Length == 0)
            throw new ArgumentException("at least one output must be requested", nameof(outputNames));
        var seen = new HashSet<string>();
        foreach (string name in outputNames)
        {
            if (name is null || !_outputsByName.ContainsKey(name))
                throw new OrtTensorMismatchException(name ?? "(null)",
                    $"model '{Source}' has no output named '{name}'; its outputs are: {string.Join("; ", Outputs)}");
            if (!seen.Add(name))
                throw new OrtTensorMismatchException(name, $"output '{name}' is requested twice");
        }
    }

    /// <summary>Writes <paramref name="names"/> as NUL-terminated UTF-8 into one NativeMemory block
    /// (returned; the caller frees it) and their addresses into <paramref name="pointers"/>.</summary>
    private static IntPtr MarshalNames(string[] names, IntPtr[] pointers)
    {
        int total = 0;
        foreach (string n in names)
            total += Encoding.UTF8.GetByteCount(n) + 1;
        byte* block = (byte*)NativeMemory.Alloc((nuint)total);
        var span = new Span<byte>(block, total);
        int offset = 0;
        for (int i = 0; i < names.Length; i++)
        {
            pointers[i] = (IntPtr)(block + offset);
            offset += Encoding.UTF8.GetBytes(names[i], span[offset..]);
            span[offset++] = 0;
        }
        return (IntPtr)block;
    }

    private static OrtOutput CopyOut(string name, IntPtr value, Array? reuse)
    {
        var api = OrtApi.Instance;
        int valueType;
        OrtStatus.Check(api.GetValueType(value, &valueType), $"reading output '{name}'");
        if (valueType != 1) // ONNX_TYPE_TENSOR
            throw new NotSupportedException($"output '{name}' is not a tensor (ONNXType {valueType}); only tensor outputs are supported");

        IntPtr rawInfo;
        OrtStatus.Check(api.GetTensorTypeAndShape(value, &rawInfo), $"reading output '{name}'");
        using var info = new OrtTensorTypeAndShapeInfoHandle(rawInfo);
        var (type, shape, _) = ReadTensorInfo(rawInfo, withSymbolic: false, name);
        long count = shape.Length == 0 ? 1 : TensorElementCount(shape);
        if (count > Array.MaxLength)
            throw new NotSupportedException($"output '{name}' has {count} elements, more than a managed array holds");

        void* data = null;
        if (count > 0)
            OrtStatus.Check(api.GetTensorMutableData(value, &data), $"reading output '{name}'");
        Array array = type switch
        {
            TensorElementType.Float => CopyArray<float>(data, count, reuse),
            TensorElementType.Double => CopyArray<double>(data, count, reuse),
            TensorElementType.Float16 => CopyArray<Half>(data, count, reuse),
            TensorElementType.Int64 => CopyArray<long>(data, count, reuse),
            TensorElementType.Int32 => CopyArray<int>(data, count, reuse),
            TensorElementType.Int16 => CopyArray<short>(data, count, reuse),
            TensorElementType.Int8 => CopyArray<sbyte>(data, count, reuse),
            TensorElementType.UInt8 => CopyArray<byte>(data, count, reuse),
            TensorElementType.UInt16 => CopyArray<ushort>(data, count, reuse),
            TensorElementType.UInt32 => CopyArray<uint>(data, count, reuse),
            TensorElementType.UInt64 => CopyArray<ulong>(data, count, reuse),
            TensorElementType.Bool => CopyArray<bool>(data, count, reuse),
            _ => throw new NotSupportedException($"output '{name}' has element type {type.ToDTypeName()}, which this binding does not read"),
        };
        return new OrtOutput(name, type, shape, array);
    }

    private static long TensorElementCount(long[] shape)
    {
        long c = 1;
        foreach (long d in shape)
            c = checked(c * d);
        return c;
    }

    private static T[] CopyArray<T>(void* data, long count, Array? reuse) where T : unmanaged
    {
        // Every element is overwritten by the copy, so skip the zeroing (34 MB for a 21-class 520×780 logit map).
        var array = reuse is T[] given && given.LongLength == count ? given : GC.AllocateUninitializedArray<T>((int)count);
        if (count > 0)
            new ReadOnlySpan<T>(data, (int)count).CopyTo(array);
        return array;
    }

    private static NodeInfo[] ReadNodes(IntPtr session, bool isInput)
    {
        var api = OrtApi.Instance;
        string what = isInput ? "input" : "output";
        nuint count;
        OrtStatus.Check(isInput ? api.SessionGetInputCount(session, &count) : api.SessionGetOutputCount(session, &count), $"counting model {what}s");
        var nodes = new NodeInfo[(int)count];
        for (nuint i = 0; i < count; i++)
        {
            byte* rawName;
            OrtStatus.Check(isInput
                ? api.SessionGetInputName(session, i, OrtAllocation.DefaultAllocator, &rawName)
                : api.SessionGetOutputName(session, i, OrtAllocation.DefaultAllocator, &rawName), $"reading model {what} {i}'s name");
            string name = OrtAllocation.TakeString(rawName);

            IntPtr rawTypeInfo;
            OrtStatus.Check(isInput
                ? api.SessionGetInputTypeInfo(session, i, &rawTypeInfo)
                : api.SessionGetOutputTypeInfo(session, i, &rawTypeInfo), $"reading model {what} '{name}'");
            using var typeInfo = new OrtTypeInfoHandle(rawTypeInfo);
            int onnxType;
            OrtStatus.Check(api.GetOnnxTypeFromTypeInfo(rawTypeInfo, &onnxType), $"reading model {what} '{name}'");
            if (onnxType != 1) // ONNX_TYPE_TENSOR; sequences and maps are listed without a shape
            {
                nodes[(int)i] = new NodeInfo(name, TensorElementType.Undefined, [], []);
                continue;
            }
            IntPtr tensorInfo; // owned by typeInfo
            OrtStatus.Check(api.CastTypeInfoToTensorInfo(rawTypeInfo, &tensorInfo), $"reading model {what} '{name}'");
            var (type, shape, symbolic) = ReadTensorInfo(tensorInfo, withSymbolic: true, name);
            nodes[(int)i] = new NodeInfo(name, type, shape, symbolic!);
        }
        return nodes;
    }

    private static (TensorElementType, long[], string[]?) ReadTensorInfo(IntPtr info, bool withSymbolic, string name)
    {
        var api = OrtApi.Instance;
        int type;
        OrtStatus.Check(api.GetTensorElementType(info, &type), $"reading tensor '{name}'");
        nuint rank;
        OrtStatus.Check(api.GetDimensionsCount(info, &rank), $"reading tensor '{name}'");
        var shape = new long[(int)rank];
        fixed (long* dims = shape)
            OrtStatus.Check(api.GetDimensions(info, dims, rank), $"reading tensor '{name}'");
        string[]? symbolic = null;
        if (withSymbolic)
        {
            // The strings belong to the type info; copy them before it is released.
            var ptrs = new IntPtr[(int)rank];
            fixed (IntPtr* p = ptrs)
                OrtStatus.Check(api.GetSymbolicDimensions(info, (byte**)p, rank), $"reading tensor '{name}'");
            symbolic = ptrs.Select(q => Marshal.PtrToStringUTF8(q) ?? "").ToArray();
        }
        return ((TensorElementType)type, shape, symbolic);
    }

    private static ModelMetadata ReadMetadata(IntPtr session)
    {
        var api = OrtApi.Instance;
        IntPtr alloc = OrtAllocation.DefaultAllocator;
        IntPtr raw;
        OrtStatus.Check(api.SessionGetModelMetadata(session, &raw), "reading model metadata");
        using var md = new OrtModelMetadataHandle(raw);
        IntPtr metadata = raw;

        string Get(delegate* unmanaged[Cdecl]<IntPtr, IntPtr, byte**, IntPtr> getter, string field)
        {
            byte* s;
            OrtStatus.Check(getter(metadata, alloc, &s), $"reading model metadata {field}");
            return OrtAllocation.TakeString(s);
        }

        string producer = Get(api.ModelMetadataGetProducerName, "producer name");
        string graph = Get(api.ModelMetadataGetGraphName, "graph name");
        string domain = Get(api.ModelMetadataGetDomain, "domain");
        string description = Get(api.ModelMetadataGetDescription, "description");
        string graphDescription = Get(api.ModelMetadataGetGraphDescription, "graph description");
        long version;
        OrtStatus.Check(api.ModelMetadataGetVersion(metadata, &version), "reading model metadata version");

        var custom = new Dictionary<string, string>();
        byte** keys;
        long nKeys;
        OrtStatus.Check(api.ModelMetadataGetCustomMetadataMapKeys(metadata, alloc, &keys, &nKeys), "reading custom metadata keys");
        // The key array and each key are separate allocations: each is freed exactly once, here,
        // even when a lookup fails part-way.
        using var keyArray = new OrtAllocation(keys);
        try
        {
            for (long k = 0; k < nKeys; k++)
            {
                string key = OrtAllocation.TakeString(keys[k]);
                keys[k] = null;
                IntPtr utf8Key = Marshal.StringToCoTaskMemUTF8(key);
                try
                {
                    byte* value;
                    OrtStatus.Check(api.ModelMetadataLookupCustomMetadataMap(metadata, alloc, (byte*)utf8Key, &value), $"reading custom metadata '{key}'");
                    custom[key] = OrtAllocation.TakeString(value);
                }
                finally
                {
                    Marshal.FreeCoTaskMem(utf8Key);
                }
            }
        }
        finally
        {
            for (long k = 0; k < nKeys; k++)
                if (keys[k] != null)
                    new OrtAllocation(keys[k]).Dispose();
        }
        return new ModelMetadata(producer, graph, domain, description, graphDescription, version, custom);
    }
}
