using System.CommandLine;
using System.CommandLine.Help;
using SegKit.Onnx;

namespace SegKit.Cli;

/// <summary>The segkit command line: one class per verb under Commands/, errors translated here once.</summary>
internal static class CliApp
{
    public static int Run(string[] args, TextWriter? stdout = null, TextWriter? stderr = null)
    {
        stdout ??= Console.Out;
        stderr ??= Console.Error;
        // A plain Command named "segkit" rather than RootCommand, whose name is the executable's: the ./segkit
        // wrapper runs SegKit.Cli.dll, and help should show the name users type.
        var root = new Command("segkit", "SegKit: image segmentation for .NET — classical, semantic, instance and promptable.")
        {
            new HelpOption(),
            new VersionOption(),
        };
        foreach (var command in Commands(stdout, stderr))
            root.Subcommands.Add(command);

        ParseResult parse;
        try
        {
            parse = root.Parse(args);
        }
        catch (InvalidOperationException e) when (e.Message.StartsWith("Cannot parse argument", StringComparison.Ordinal))
        {
            // A verb's validator read an option whose text is not of its type (--size abc, --threads 99999999999).
            stderr.WriteLine("segkit: " + PlainTypeNames(e.Message));
            stderr.WriteLine("Try 'segkit --help'.");
            return ExitCodes.UsageError;
        }
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
                stderr.WriteLine("segkit: " + error.Message);
            stderr.WriteLine("Try 'segkit --help'.");
            return ExitCodes.UsageError;
        }

        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cancel.Cancel(); };
        Console.CancelKeyPress += onCancel;
        try
        {
            return parse.Invoke(new InvocationConfiguration
            {
                Output = stdout,
                Error = stderr,
                EnableDefaultExceptionHandler = false,
            });
        }
        catch (Exception e)
        {
            return Report(e, stderr);
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    private static IEnumerable<Command> Commands(TextWriter stdout, TextWriter stderr) =>
    [
        InfoCommand.Create(stdout),
        SemanticCommand.Create(stdout, stderr),
        SegmentCommand.Create(stdout, stderr),
        InstanceCommand.Create(stdout, stderr),
        EvalCommand.Create(stdout, stderr),
        PredictCommand.Create(stdout, stderr),
        SamCommand.Create(stdout, stderr),
        EverythingCommand.Create(stdout, stderr),
    ];

    // "... as expected type 'System.Nullable`1[System.Int32]'." reads "... as expected type 'an integer (32-bit)'."
    private static string PlainTypeNames(string message) => message
        .Replace("System.Nullable`1[System.Int32]", "an integer (32-bit)").Replace("System.Int32", "an integer (32-bit)")
        .Replace("System.Nullable`1[System.Int64]", "an integer (64-bit)").Replace("System.Int64", "an integer (64-bit)")
        .Replace("System.Nullable`1[System.Single]", "a number").Replace("System.Single", "a number")
        .Replace("System.Nullable`1[System.Double]", "a number").Replace("System.Double", "a number");

    /// <summary>Turns an exception into one line on stderr and an exit code.</summary>
    internal static int Report(Exception e, TextWriter stderr)
    {
        switch (e)
        {
            case OperationCanceledException:
                stderr.WriteLine("segkit: cancelled");
                return ExitCodes.Cancelled;
            case OrtLibraryNotFoundException:
            case OrtExecutionProviderUnavailableException:
            case DllNotFoundException:
                stderr.WriteLine("segkit: " + e.Message);
                return ExitCodes.MissingDependency;
            case SegKitException:
            case OrtException:
            case OrtTensorMismatchException:
            case FileNotFoundException:
            case DirectoryNotFoundException:
            case UnauthorizedAccessException:
            case IOException:
                stderr.WriteLine("segkit: error: " + e.Message);
                return ExitCodes.InputError;
            default:
                stderr.WriteLine("segkit: internal error (please report): " + e);
                return ExitCodes.InternalError;
        }
    }
}
