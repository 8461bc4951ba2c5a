using SegKit.Cli;

namespace SegKit.Tests.TestSupport;

/// <summary>Runs the segkit CLI in-process and captures what it prints.</summary>
public static class CliRunner
{
    /// <summary>Runs <c>segkit args...</c>; returns the exit code, stdout and stderr.</summary>
    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = CliApp.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
