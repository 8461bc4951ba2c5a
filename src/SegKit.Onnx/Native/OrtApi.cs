// The slice of ONNX Runtime's C function table (struct OrtApi in onnxruntime_c_api.h) that SegKit uses.
// OrtApi is append-only across ORT 1.x releases, so a member's index never changes; each index below
// was checked against libonnxruntime 1.30.0 (tools/onnx/ort_api_check.c exercises every one of them).
// The table is read once, when the library is loaded, into unmanaged function pointers.

using System.Runtime.InteropServices;

namespace SegKit.Onnx.Native;

/// <summary>Function pointers taken by index from ORT's <c>OrtApi</c> table. Every call returns an
/// <c>OrtStatus*</c> (null on success) unless its signature ends in <c>void</c>; check it with
/// <see cref="OrtStatus.Check"/>.</summary>
internal sealed unsafe class OrtApi
{
    /// <summary>
    /// The API version asked of <c>OrtApiBase::GetApi</c>: ORT returns NULL for a version newer than
    /// the library's, so this is the oldest version that has every member used here (the newest of
    /// them, the CUDA V2 provider options, date from ORT 1.11; 16 = ORT 1.16 gives margin and is the
    /// oldest release we test against). Users may therefore point SEGKIT_ORT_LIBRARY at ORT >= 1.16.
    /// </summary>
    public const uint ApiVersion = 16;

    // Indices into struct OrtApi, in header order.
    private const int IdxCreateStatus = 0;
    private const int IdxGetErrorCode = 1;
    private const int IdxGetErrorMessage = 2;
    private const int IdxCreateEnv = 3;
    private const int IdxCreateSession = 7;
    private const int IdxCreateSessionFromArray = 8;
    private const int IdxRun = 9;
    private const int IdxCreateSessionOptions = 10;
    private const int IdxSetSessionGraphOptimizationLevel = 23;
    private const int IdxSetIntraOpNumThreads = 24;
    private const int IdxSetInterOpNumThreads = 25;
    private const int IdxSessionGetInputCount = 30;
    private const int IdxSessionGetOutputCount = 31;
    private const int IdxSessionGetInputTypeInfo = 33;
    private const int IdxSessionGetOutputTypeInfo = 34;
    private const int IdxSessionGetInputName = 36;
    private const int IdxSessionGetOutputName = 37;
    private const int IdxCreateTensorWithDataAsOrtValue = 49;
    private const int IdxGetTensorMutableData = 51;
    private const int IdxCastTypeInfoToTensorInfo = 55;
    private const int IdxGetOnnxTypeFromTypeInfo = 56;
    private const int IdxGetTensorElementType = 60;
    private const int IdxGetDimensionsCount = 61;
    private const int IdxGetDimensions = 62;
    private const int IdxGetSymbolicDimensions = 63;
    private const int IdxGetTensorShapeElementCount = 64;
    private const int IdxGetTensorTypeAndShape = 65;
    private const int IdxGetValueType = 67;
    private const int IdxCreateCpuMemoryInfo = 69;
    private const int IdxAllocatorFree = 76;
    private const int IdxGetAllocatorWithDefaultOptions = 78;
    private const int IdxReleaseEnv = 92;
    private const int IdxReleaseStatus = 93;
    private const int IdxReleaseMemoryInfo = 94;
    private const int IdxReleaseSession = 95;
    private const int IdxReleaseValue = 96;
    private const int IdxReleaseTypeInfo = 98;
    private const int IdxReleaseTensorTypeAndShapeInfo = 99;
    private const int IdxReleaseSessionOptions = 100;
    private const int IdxSessionGetModelMetadata = 111;
    private const int IdxModelMetadataGetProducerName = 112;
    private const int IdxModelMetadataGetGraphName = 113;
    private const int IdxModelMetadataGetDomain = 114;
    private const int IdxModelMetadataGetDescription = 115;
    private const int IdxModelMetadataLookupCustomMetadataMap = 116;
    private const int IdxModelMetadataGetVersion = 117;
    private const int IdxReleaseModelMetadata = 118;
    private const int IdxModelMetadataGetCustomMetadataMapKeys = 123;
    private const int IdxAddSessionConfigEntry = 130;
    private const int IdxModelMetadataGetGraphDescription = 158;
    private const int IdxSessionOptionsAppendExecutionProvider_CUDA_V2 = 204;
    private const int IdxCreateCUDAProviderOptions = 205;
    private const int IdxUpdateCUDAProviderOptions = 206;
    private const int IdxReleaseCUDAProviderOptions = 208;

    // Status
    public readonly delegate* unmanaged[Cdecl]<int, byte*, IntPtr> CreateStatus;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, int> GetErrorCode;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, byte*> GetErrorMessage;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, void> ReleaseStatus;

    // Environment, options, sessions
    public readonly delegate* unmanaged[Cdecl]<int, byte*, IntPtr*, IntPtr> CreateEnv;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, void> ReleaseEnv;
    public readonly delegate* unmanaged[Cdecl]<IntPtr*, IntPtr> CreateSessionOptions;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, int, IntPtr> SetSessionGraphOptimizationLevel;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, int, IntPtr> SetIntraOpNumThreads;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, int, IntPtr> SetInterOpNumThreads;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, void> ReleaseSessionOptions;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, byte*, byte*, IntPtr> AddSessionConfigEntry;
    public readonly delegate* unmanaged[Cdecl]<IntPtr*, IntPtr> CreateCUDAProviderOptions;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, byte**, byte**, nuint, IntPtr> UpdateCUDAProviderOptions;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, IntPtr, IntPtr> SessionOptionsAppendExecutionProvider_CUDA_V2;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, void> ReleaseCUDAProviderOptions;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, byte*, IntPtr, IntPtr*, IntPtr> CreateSession;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, void*, nuint, IntPtr, IntPtr*, IntPtr> CreateSessionFromArray;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, void> ReleaseSession;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, IntPtr, byte**, IntPtr*, nuint, byte**, nuint, IntPtr*, IntPtr> Run;

    // Introspection
    public readonly delegate* unmanaged[Cdecl]<IntPtr, nuint*, IntPtr> SessionGetInputCount;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, nuint*, IntPtr> SessionGetOutputCount;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, nuint, IntPtr, byte**, IntPtr> SessionGetInputName;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, nuint, IntPtr, byte**, IntPtr> SessionGetOutputName;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, nuint, IntPtr*, IntPtr> SessionGetInputTypeInfo;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, nuint, IntPtr*, IntPtr> SessionGetOutputTypeInfo;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, int*, IntPtr> GetOnnxTypeFromTypeInfo;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, IntPtr*, IntPtr> CastTypeInfoToTensorInfo;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, void> ReleaseTypeInfo;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, int*, IntPtr> GetTensorElementType;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, nuint*, IntPtr> GetDimensionsCount;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, long*, nuint, IntPtr> GetDimensions;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, byte**, nuint, IntPtr> GetSymbolicDimensions;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, nuint*, IntPtr> GetTensorShapeElementCount;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, void> ReleaseTensorTypeAndShapeInfo;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, IntPtr*, IntPtr> SessionGetModelMetadata;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, IntPtr, byte**, IntPtr> ModelMetadataGetProducerName;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, IntPtr, byte**, IntPtr> ModelMetadataGetGraphName;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, IntPtr, byte**, IntPtr> ModelMetadataGetDomain;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, IntPtr, byte**, IntPtr> ModelMetadataGetDescription;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, IntPtr, byte**, IntPtr> ModelMetadataGetGraphDescription;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, IntPtr, byte*, byte**, IntPtr> ModelMetadataLookupCustomMetadataMap;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, IntPtr, byte***, long*, IntPtr> ModelMetadataGetCustomMetadataMapKeys;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, long*, IntPtr> ModelMetadataGetVersion;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, void> ReleaseModelMetadata;

    // Values and memory
    public readonly delegate* unmanaged[Cdecl]<int, int, IntPtr*, IntPtr> CreateCpuMemoryInfo;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, void> ReleaseMemoryInfo;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, void*, nuint, long*, nuint, int, IntPtr*, IntPtr> CreateTensorWithDataAsOrtValue;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, int*, IntPtr> GetValueType;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, IntPtr*, IntPtr> GetTensorTypeAndShape;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, void**, IntPtr> GetTensorMutableData;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, void> ReleaseValue;
    public readonly delegate* unmanaged[Cdecl]<IntPtr*, IntPtr> GetAllocatorWithDefaultOptions;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, void*, IntPtr> AllocatorFree;

    /// <summary>Copies the used members out of the table at <paramref name="table"/> (a <c>const OrtApi*</c>).</summary>
    public OrtApi(IntPtr table)
    {
        var t = (IntPtr*)table;
        CreateStatus = (delegate* unmanaged[Cdecl]<int, byte*, IntPtr>)t[IdxCreateStatus];
        GetErrorCode = (delegate* unmanaged[Cdecl]<IntPtr, int>)t[IdxGetErrorCode];
        GetErrorMessage = (delegate* unmanaged[Cdecl]<IntPtr, byte*>)t[IdxGetErrorMessage];
        ReleaseStatus = (delegate* unmanaged[Cdecl]<IntPtr, void>)t[IdxReleaseStatus];

        CreateEnv = (delegate* unmanaged[Cdecl]<int, byte*, IntPtr*, IntPtr>)t[IdxCreateEnv];
        ReleaseEnv = (delegate* unmanaged[Cdecl]<IntPtr, void>)t[IdxReleaseEnv];
        CreateSessionOptions = (delegate* unmanaged[Cdecl]<IntPtr*, IntPtr>)t[IdxCreateSessionOptions];
        SetSessionGraphOptimizationLevel = (delegate* unmanaged[Cdecl]<IntPtr, int, IntPtr>)t[IdxSetSessionGraphOptimizationLevel];
        SetIntraOpNumThreads = (delegate* unmanaged[Cdecl]<IntPtr, int, IntPtr>)t[IdxSetIntraOpNumThreads];
        SetInterOpNumThreads = (delegate* unmanaged[Cdecl]<IntPtr, int, IntPtr>)t[IdxSetInterOpNumThreads];
        ReleaseSessionOptions = (delegate* unmanaged[Cdecl]<IntPtr, void>)t[IdxReleaseSessionOptions];
        AddSessionConfigEntry = (delegate* unmanaged[Cdecl]<IntPtr, byte*, byte*, IntPtr>)t[IdxAddSessionConfigEntry];
        CreateCUDAProviderOptions = (delegate* unmanaged[Cdecl]<IntPtr*, IntPtr>)t[IdxCreateCUDAProviderOptions];
        UpdateCUDAProviderOptions = (delegate* unmanaged[Cdecl]<IntPtr, byte**, byte**, nuint, IntPtr>)t[IdxUpdateCUDAProviderOptions];
        SessionOptionsAppendExecutionProvider_CUDA_V2 = (delegate* unmanaged[Cdecl]<IntPtr, IntPtr, IntPtr>)t[IdxSessionOptionsAppendExecutionProvider_CUDA_V2];
        ReleaseCUDAProviderOptions = (delegate* unmanaged[Cdecl]<IntPtr, void>)t[IdxReleaseCUDAProviderOptions];
        CreateSession = (delegate* unmanaged[Cdecl]<IntPtr, byte*, IntPtr, IntPtr*, IntPtr>)t[IdxCreateSession];
        CreateSessionFromArray = (delegate* unmanaged[Cdecl]<IntPtr, void*, nuint, IntPtr, IntPtr*, IntPtr>)t[IdxCreateSessionFromArray];
        ReleaseSession = (delegate* unmanaged[Cdecl]<IntPtr, void>)t[IdxReleaseSession];
        Run = (delegate* unmanaged[Cdecl]<IntPtr, IntPtr, byte**, IntPtr*, nuint, byte**, nuint, IntPtr*, IntPtr>)t[IdxRun];

        SessionGetInputCount = (delegate* unmanaged[Cdecl]<IntPtr, nuint*, IntPtr>)t[IdxSessionGetInputCount];
        SessionGetOutputCount = (delegate* unmanaged[Cdecl]<IntPtr, nuint*, IntPtr>)t[IdxSessionGetOutputCount];
        SessionGetInputName = (delegate* unmanaged[Cdecl]<IntPtr, nuint, IntPtr, byte**, IntPtr>)t[IdxSessionGetInputName];
        SessionGetOutputName = (delegate* unmanaged[Cdecl]<IntPtr, nuint, IntPtr, byte**, IntPtr>)t[IdxSessionGetOutputName];
        SessionGetInputTypeInfo = (delegate* unmanaged[Cdecl]<IntPtr, nuint, IntPtr*, IntPtr>)t[IdxSessionGetInputTypeInfo];
        SessionGetOutputTypeInfo = (delegate* unmanaged[Cdecl]<IntPtr, nuint, IntPtr*, IntPtr>)t[IdxSessionGetOutputTypeInfo];
        GetOnnxTypeFromTypeInfo = (delegate* unmanaged[Cdecl]<IntPtr, int*, IntPtr>)t[IdxGetOnnxTypeFromTypeInfo];
        CastTypeInfoToTensorInfo = (delegate* unmanaged[Cdecl]<IntPtr, IntPtr*, IntPtr>)t[IdxCastTypeInfoToTensorInfo];
        ReleaseTypeInfo = (delegate* unmanaged[Cdecl]<IntPtr, void>)t[IdxReleaseTypeInfo];
        GetTensorElementType = (delegate* unmanaged[Cdecl]<IntPtr, int*, IntPtr>)t[IdxGetTensorElementType];
        GetDimensionsCount = (delegate* unmanaged[Cdecl]<IntPtr, nuint*, IntPtr>)t[IdxGetDimensionsCount];
        GetDimensions = (delegate* unmanaged[Cdecl]<IntPtr, long*, nuint, IntPtr>)t[IdxGetDimensions];
        GetSymbolicDimensions = (delegate* unmanaged[Cdecl]<IntPtr, byte**, nuint, IntPtr>)t[IdxGetSymbolicDimensions];
        GetTensorShapeElementCount = (delegate* unmanaged[Cdecl]<IntPtr, nuint*, IntPtr>)t[IdxGetTensorShapeElementCount];
        ReleaseTensorTypeAndShapeInfo = (delegate* unmanaged[Cdecl]<IntPtr, void>)t[IdxReleaseTensorTypeAndShapeInfo];
        SessionGetModelMetadata = (delegate* unmanaged[Cdecl]<IntPtr, IntPtr*, IntPtr>)t[IdxSessionGetModelMetadata];
        ModelMetadataGetProducerName = (delegate* unmanaged[Cdecl]<IntPtr, IntPtr, byte**, IntPtr>)t[IdxModelMetadataGetProducerName];
        ModelMetadataGetGraphName = (delegate* unmanaged[Cdecl]<IntPtr, IntPtr, byte**, IntPtr>)t[IdxModelMetadataGetGraphName];
        ModelMetadataGetDomain = (delegate* unmanaged[Cdecl]<IntPtr, IntPtr, byte**, IntPtr>)t[IdxModelMetadataGetDomain];
        ModelMetadataGetDescription = (delegate* unmanaged[Cdecl]<IntPtr, IntPtr, byte**, IntPtr>)t[IdxModelMetadataGetDescription];
        ModelMetadataGetGraphDescription = (delegate* unmanaged[Cdecl]<IntPtr, IntPtr, byte**, IntPtr>)t[IdxModelMetadataGetGraphDescription];
        ModelMetadataLookupCustomMetadataMap = (delegate* unmanaged[Cdecl]<IntPtr, IntPtr, byte*, byte**, IntPtr>)t[IdxModelMetadataLookupCustomMetadataMap];
        ModelMetadataGetCustomMetadataMapKeys = (delegate* unmanaged[Cdecl]<IntPtr, IntPtr, byte***, long*, IntPtr>)t[IdxModelMetadataGetCustomMetadataMapKeys];
        ModelMetadataGetVersion = (delegate* unmanaged[Cdecl]<IntPtr, long*, IntPtr>)t[IdxModelMetadataGetVersion];
        ReleaseModelMetadata = (delegate* unmanaged[Cdecl]<IntPtr, void>)t[IdxReleaseModelMetadata];

        CreateCpuMemoryInfo = (delegate* unmanaged[Cdecl]<int, int, IntPtr*, IntPtr>)t[IdxCreateCpuMemoryInfo];
        ReleaseMemoryInfo = (delegate* unmanaged[Cdecl]<IntPtr, void>)t[IdxReleaseMemoryInfo];
        CreateTensorWithDataAsOrtValue = (delegate* unmanaged[Cdecl]<IntPtr, void*, nuint, long*, nuint, int, IntPtr*, IntPtr>)t[IdxCreateTensorWithDataAsOrtValue];
        GetValueType = (delegate* unmanaged[Cdecl]<IntPtr, int*, IntPtr>)t[IdxGetValueType];
        GetTensorTypeAndShape = (delegate* unmanaged[Cdecl]<IntPtr, IntPtr*, IntPtr>)t[IdxGetTensorTypeAndShape];
        GetTensorMutableData = (delegate* unmanaged[Cdecl]<IntPtr, void**, IntPtr>)t[IdxGetTensorMutableData];
        ReleaseValue = (delegate* unmanaged[Cdecl]<IntPtr, void>)t[IdxReleaseValue];
        GetAllocatorWithDefaultOptions = (delegate* unmanaged[Cdecl]<IntPtr*, IntPtr>)t[IdxGetAllocatorWithDefaultOptions];
        AllocatorFree = (delegate* unmanaged[Cdecl]<IntPtr, void*, IntPtr>)t[IdxAllocatorFree];
    }

    /// <summary>The process-wide table; the first use loads the library (<see cref="OrtLibrary"/>) and
    /// throws <see cref="OrtLibraryNotFoundException"/> when it cannot.</summary>
    public static OrtApi Instance => OrtLibrary.Loaded.Api;
}
