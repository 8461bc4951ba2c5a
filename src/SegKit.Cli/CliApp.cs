using System.CommandLine;
using System.CommandLine.Help;
using System.Runtime.InteropServices;
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
                stderr.WriteLine("segkit: " + PlainTypeNames(error.Message));
            stderr.WriteLine("Try 'segkit --help'.");
            return ExitCodes.UsageError;
        }

        // Ctrl+C / SIGTERM cancel the verb's token: folder runs stop between images, SAM's generator between batches.
        // Work that does not watch it (one long classical segmentation) is given GracePeriod, then the process ends:
        // with System.CommandLine's own handling, `segment --sigma 1e6` ignored SIGTERM for a quarter of an hour.
        using var cancel = new CancellationTokenSource();
        int finished = 0;
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            bool again = cancel.IsCancellationRequested;
            cancel.Cancel();
            if (again) Exit(); // a second signal: now
            else _ = Task.Delay(GracePeriod).ContinueWith(_ => Exit(), TaskScheduler.Default);
        }
        void Exit()
        {
            if (Volatile.Read(ref finished) != 0) return;
            stderr.WriteLine("segkit: cancelled in the middle of an image; its outputs were not written (a hidden .tmp file may remain)");
            stderr.Flush();
            Environment.Exit(ExitCodes.Cancelled);
        }
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        try
        {
            return parse.InvokeAsync(new InvocationConfiguration
            {
                Output = stdout,
                Error = stderr,
                EnableDefaultExceptionHandler = false,
                ProcessTerminationTimeout = null, // handled above
            }, cancel.Token).GetAwaiter().GetResult();
        }
        catch (Exception e)
        {
            return Report(e, stderr);
        }
        finally
        {
            Volatile.Write(ref finished, 1);
        }
    }

    /// <summary>How long a cancelled verb may take to stop before the process exits anyway.</summary>
    private static readonly TimeSpan GracePeriod = TimeSpan.FromSeconds(5);

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
        .Replace("System.Nullable`1[System.Double]", "a number").Replace("System.Double", "a number")
        .Replace("System.IO.FileInfo", "a file path").Replace("System.IO.DirectoryInfo", "a folder path");

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
