// Library option errors said as the command line's: the options throw ArgumentExceptions naming their property
// (PointsPerSide), and .NET appends " (Parameter 'X')" and "Actual value was ..." to the message.
namespace SegKit.Cli;

internal static class OptionErrors
{
    /// <summary>The exception's own sentence, without what .NET appends.</summary>
    public static string Text(ArgumentException e) => e.Message.Split(" (Parameter")[0].Split(Environment.NewLine)[0];

    /// <summary>The option a property is set by when the names match: PointsPerSide → --points-per-side.</summary>
    public static string OptionFor(string property) =>
        "--" + string.Concat(property.Select((c, i) => char.IsUpper(c) && i > 0 ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}
