namespace SegKit.Models;

/// <summary>
/// A model does not fit the contract or preset it is used with. The message names the tensor, its
/// declared type and shape, and what was expected.
/// </summary>
public sealed class ModelContractException : SegKitException
{
    /// <summary>The model file (or "model" when loaded from bytes).</summary>
    public string Model { get; }

    /// <summary>The offending tensor, or null when the problem is the model as a whole.</summary>
    public string? TensorName { get; }

    /// <summary>Creates the exception; <paramref name="message"/> says what was found and what was expected.</summary>
    public ModelContractException(string model, string? tensorName, string message)
        : base($"{model}: {message}")
    {
        Model = model;
        TensorName = tensorName;
    }
}
