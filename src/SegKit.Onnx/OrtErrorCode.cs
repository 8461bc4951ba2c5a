// Mirrors the C API's OrtErrorCode (onnxruntime_c_api.h); the numeric values are ORT's.

namespace SegKit.Onnx;

/// <summary>ONNX Runtime's error codes, as carried by <see cref="OrtException.Code"/>. Values equal
/// the C API's <c>OrtErrorCode</c>; later ORT versions may return codes not named here.</summary>
public enum OrtErrorCode
{
    /// <summary>ORT_OK (never carried by an exception).</summary>
    Ok = 0,
    /// <summary>ORT_FAIL: generic failure, e.g. a provider library that cannot be loaded.</summary>
    Fail = 1,
    /// <summary>ORT_INVALID_ARGUMENT: bad input name, type or shape, and similar.</summary>
    InvalidArgument = 2,
    /// <summary>ORT_NO_SUCHFILE: the model file does not exist.</summary>
    NoSuchFile = 3,
    /// <summary>ORT_NO_MODEL.</summary>
    NoModel = 4,
    /// <summary>ORT_ENGINE_ERROR.</summary>
    EngineError = 5,
    /// <summary>ORT_RUNTIME_EXCEPTION: a kernel failed while running.</summary>
    RuntimeException = 6,
    /// <summary>ORT_INVALID_PROTOBUF: the bytes are not an ONNX protobuf.</summary>
    InvalidProtobuf = 7,
    /// <summary>ORT_MODEL_LOADED.</summary>
    ModelLoaded = 8,
    /// <summary>ORT_NOT_IMPLEMENTED: e.g. an operator or type the build lacks.</summary>
    NotImplemented = 9,
    /// <summary>ORT_INVALID_GRAPH: the protobuf parsed but the graph is invalid.</summary>
    InvalidGraph = 10,
    /// <summary>ORT_EP_FAIL: an execution provider failed.</summary>
    EpFail = 11,
    /// <summary>ORT_MODEL_LOAD_CANCELED.</summary>
    ModelLoadCanceled = 12,
    /// <summary>ORT_MODEL_REQUIRES_COMPILATION.</summary>
    ModelRequiresCompilation = 13,
    /// <summary>ORT_NOT_FOUND.</summary>
    NotFound = 14,
}
