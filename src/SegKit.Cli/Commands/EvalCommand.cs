// segkit eval semantic|coco: scores predictions against ground truth with the reference tools' numbers.
using System.CommandLine;

namespace SegKit.Cli;

internal static class EvalCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr) =>
        new("eval", "Score predictions against ground truth: 'semantic' (label maps: mIoU, as torchvision) or 'coco' (COCO AP, as pycocotools).")
        {
            EvalSemanticCommand.Create(stdout, stderr),
            EvalCocoCommand.Create(stdout, stderr),
        };
}
