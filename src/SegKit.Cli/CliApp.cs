namespace SegKit.Cli;

internal static class CliApp
{
    public static int Run(string[] args)
    {
        Console.Error.WriteLine("segkit: no commands yet");
        return 2;
    }
}
