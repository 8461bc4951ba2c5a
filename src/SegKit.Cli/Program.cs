return SegKit.Cli.CliApp.Run(args);
