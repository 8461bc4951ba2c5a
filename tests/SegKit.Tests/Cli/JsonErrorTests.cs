using System.Text.Json;
using SegKit.Cli;
using SegKit.Tests.TestSupport;

namespace SegKit.Tests.Cli;

// With --json a failed run printed nothing on stdout, so a script parsing it got an empty document; now it gets
// {"error": {"message", "exit_code"}}, the message being what stderr said.
public class JsonErrorTests
{
    private static JsonElement Error(string stdout)
    {
        using JsonDocument doc = JsonDocument.Parse(stdout);
        Assert.Equal(["error"], doc.RootElement.EnumerateObject().Select(p => p.Name));
        return doc.RootElement.GetProperty("error").Clone();
    }

    [Fact]
    public void Json_ParseError_ErrorDocumentWithUsageCode()
    {
        var (code, stdout, err) = CliRunner.Run("segment", "x.jpg", "--json", "--scale", "abc");
        Assert.Equal(ExitCodes.UsageError, code);
        JsonElement e = Error(stdout);
        Assert.Equal(ExitCodes.UsageError, e.GetProperty("exit_code").GetInt32());
        Assert.Contains("Cannot parse argument 'abc' for option '--scale'", e.GetProperty("message").GetString());
        Assert.Contains("Cannot parse argument 'abc'", err); // stderr still says it
        Assert.DoesNotContain("Try 'segkit --help'", e.GetProperty("message").GetString());
    }

    [Fact]
    public void Json_OptionRefusedByTheVerb_ErrorDocument()
    {
        var (code, stdout, _) = CliRunner.Run("segment", "x.jpg", "--scale", "-3", "--json");
        Assert.Equal(ExitCodes.UsageError, code);
        Assert.StartsWith("--scale -3: Felzenszwalb scale must be", Error(stdout).GetProperty("message").GetString());
    }

    [Fact]
    public void Json_InputError_ErrorDocumentNamingTheFile()
    {
        var (code, stdout, err) = CliRunner.Run("eval", "coco", "--gt", "/nonexistent/gt.json", "--pred", "/nonexistent/dt.json", "--json");
        Assert.Equal(ExitCodes.InputError, code);
        JsonElement e = Error(stdout);
        Assert.Equal(ExitCodes.InputError, e.GetProperty("exit_code").GetInt32());
        Assert.Equal("ground truth not found: /nonexistent/gt.json", e.GetProperty("message").GetString());
        Assert.Contains("segkit: error: ground truth not found", err);
    }

    [Fact]
    public void Json_OneBadPhoto_TheVerbsOwnDocument()
    {
        string photo = Path.Combine(TestPaths.NewTempDir(), "bad.jpg");
        File.WriteAllBytes(photo, [0xFF, 0xD8, 0xFF]);
        var (code, stdout, _) = CliRunner.Run("segment", photo, "--out", TestPaths.NewTempDir(), "--json");
        // One unreadable photo: the verb's own document, which reports the failure, not an error document.
        Assert.Equal(ExitCodes.InputError, code);
        using JsonDocument doc = JsonDocument.Parse(stdout);
        Assert.False(doc.RootElement.TryGetProperty("error", out _));
    }

    [Fact]
    public void NoJson_NothingOnStdout()
    {
        var (code, stdout, _) = CliRunner.Run("eval", "coco", "--gt", "/nonexistent/gt.json", "--pred", "/nonexistent/dt.json");
        Assert.Equal(ExitCodes.InputError, code);
        Assert.Equal("", stdout);
        // After "--", --json is an input's name, not the option.
        var (code2, stdout2, _) = CliRunner.Run("segment", "--out", TestPaths.NewTempDir(), "--", "--json");
        Assert.Equal(ExitCodes.InputError, code2);
        Assert.Equal("", stdout2);
    }
}
