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
        if (!WantsJson(args)) return RunVerb(args, stdout, stderr);
        // --json: a run that fails before printing its document prints one saying why, so a script reading stdout
        // always gets JSON. The message is the error lines said on stderr (warnings and hints left out).
        var output = new WatchedWriter(stdout);
        var errors = new ErrorLines(stderr);
        int code = RunVerb(args, output, errors);
        if (code != ExitCodes.Ok && !output.Written)
            JsonOut.Print(stdout, w =>
            {
                w.WriteStartObject();
                w.WriteStartObject("error");
                w.WriteString("message", errors.Message);
                w.WriteNumber("exit_code", code);
                w.WriteEndObject();
                w.WriteEndObject();
            });
        return code;
    }

    // Whether --json is among the options (not after "--", where it would be a file name).
    private static bool WantsJson(string[] args)
    {
        foreach (string a in args)
        {
            if (a == "--") return false;
            if (a == "--json") return true;
        }
        return false;
    }

    private static int RunVerb(string[] args, TextWriter stdout, TextWriter stderr)
    {
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

    /// <summary>The writer <paramref name="stderr"/> passes text to (itself unless it is --json's error watcher): for telling a terminal.</summary>
    internal static TextWriter Underlying(TextWriter stderr) => stderr is ErrorLines e ? e.Inner : stderr;

    /// <summary>Passes text on and remembers whether any was written.</summary>
    private sealed class WatchedWriter(TextWriter inner) : TextWriter
    {
        public bool Written { get; private set; }
        public override System.Text.Encoding Encoding => inner.Encoding;
        public override void Write(char value) { Written = true; inner.Write(value); }
        public override void Write(string? value) { if (!string.IsNullOrEmpty(value)) Written = true; inner.Write(value); }
        public override void Write(char[] buffer, int index, int count) { if (count > 0) Written = true; inner.Write(buffer, index, count); }
        public override void Write(ReadOnlySpan<char> buffer) { if (!buffer.IsEmpty) Written = true; inner.Write(buffer); }
        public override void Flush() => inner.Flush();
    }

    /// <summary>
    /// Passes text on and keeps the error lines among it: those starting "segkit: " other than warnings and notes, without that
    /// prefix (and "error: "). Only the last <see cref="Kept"/> are kept; an internal error's stack trace is not.
    /// </summary>
    private sealed class ErrorLines(TextWriter inner) : TextWriter
    {
        private const int Kept = 20;

        public TextWriter Inner => inner;
        private readonly System.Text.StringBuilder _line = new();
        private readonly Queue<string> _errors = new();

        public override System.Text.Encoding Encoding => inner.Encoding;

        public string Message
        {
            get
            {
                EndLine();
                return _errors.Count == 0 ? "failed (see stderr)" : string.Join("; ", _errors);
            }
        }

        public override void Write(char value)
        {
            inner.Write(value);
            if (value == '\n') EndLine();
            else if (_line.Length < 4096) _line.Append(value);
        }

        public override void Write(string? value)
        {
            inner.Write(value);
            if (value is null) return;
            foreach (char c in value)
                if (c == '\n') EndLine();
                else if (_line.Length < 4096) _line.Append(c);
        }

        public override void Write(char[] buffer, int index, int count) => Write(new string(buffer, index, count));

        public override void Flush() => inner.Flush();

        private void EndLine()
        {
            string line = _line.ToString().TrimEnd('\r');
            _line.Clear();
            if (!line.StartsWith("segkit: ", StringComparison.Ordinal) || line.StartsWith("segkit: warning:", StringComparison.Ordinal) ||
                line.StartsWith("segkit: note:", StringComparison.Ordinal)) return;
            line = line["segkit: ".Length..];
            if (line.StartsWith("error: ", StringComparison.Ordinal)) line = line["error: ".Length..];
            _errors.Enqueue(line);
            if (_errors.Count > Kept) _errors.Dequeue();
        }
    }
}
