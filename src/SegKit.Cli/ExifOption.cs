// The --ignore-exif-orientation option of the verbs that decode photos, and the decoder options it stands for.
using System.CommandLine;
using SegKit.Imaging;

namespace SegKit.Cli;

internal static class ExifOption
{
    public const string Name = "--ignore-exif-orientation";

    // The stored pixel frame, as PIL's Image.open(p).convert("RGB") gives it; the limits are Default's.
    private static readonly ImageDecoderOptions s_storedFrame = new() { ApplyExifOrientation = false };

    /// <summary>The option, for a verb to add to its command.</summary>
    public static Option<bool> Create() => new(Name)
    {
        Description = "Decode JPEGs in their stored pixel frame, ignoring the EXIF orientation tag, as PIL's Image.open().convert() " +
                      "(torchvision's reference pipeline) does; by default the tag is applied, so outputs match the photo as a viewer shows it.",
    };

    /// <summary>The decoder options of a run: <see cref="ImageDecoderOptions.Default"/> (orientation applied) unless the
    /// option is given.</summary>
    public static ImageDecoderOptions DecoderOptions(ParseResult parse, Option<bool> option) =>
        parse.GetValue(option) ? s_storedFrame : ImageDecoderOptions.Default;

    /// <summary>
    /// The line a folder run's settings (<see cref="Batch.BatchRunner.Settings"/>) get when the orientation is ignored, so
    /// that outputs made in the other frame are redone; empty by default, so folders made before the option stay done.
    /// </summary>
    public static string SettingsLine(ImageDecoderOptions decoding) => decoding.ApplyExifOrientation ? "" : "exif orientation: ignored\n";
}
