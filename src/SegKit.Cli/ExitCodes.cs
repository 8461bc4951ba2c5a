namespace SegKit.Cli;

/// <summary>What the CLI's exit status means; the same for every verb.</summary>
internal static class ExitCodes
{
    /// <summary>Everything asked for was done.</summary>
    public const int Ok = 0;
    /// <summary>Bad input: an unreadable image, a model that fits no contract, an out-of-range prompt.</summary>
    public const int InputError = 1;
    /// <summary>The command line itself is wrong (unknown option, missing argument, invalid value).</summary>
    public const int UsageError = 2;
    /// <summary>A folder run finished but some inputs were reported and skipped.</summary>
    public const int PartialFailure = 3;
    /// <summary>A native dependency (ONNX Runtime, libjpeg-turbo, libspng) could not be loaded.</summary>
    public const int MissingDependency = 4;
    /// <summary>Interrupted (Ctrl+C).</summary>
    public const int Cancelled = 130;
    /// <summary>A bug in SegKit: the stack trace is printed.</summary>
    public const int InternalError = 70;
}
