// Raised at the binding's boundary when a tensor does not match what the model or caller expects:
// unknown input/output name, missing input, wrong element type or shape, or reading an output as
// the wrong type. Checked before ORT is called so the message can name the tensor and both shapes.

namespace SegKit.Onnx;

/// <summary>A tensor passed to or read from a session does not match the model's declaration.
/// The message names the tensor and gives the expected and given type/shape.</summary>
public sealed class OrtTensorMismatchException : ArgumentException
{
    internal OrtTensorMismatchException(string tensorName, string message)
        : base(message)
    {
        TensorName = tensorName;
    }

    /// <summary>The input or output name concerned.</summary>
    public string TensorName { get; }
}
