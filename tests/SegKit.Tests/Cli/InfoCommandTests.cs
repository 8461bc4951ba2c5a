using System.Text.Json;
using SegKit.Cli;
using SegKit.Tests.TestSupport;

namespace SegKit.Tests.Cli;

public class InfoCommandTests
{
    [Fact]
    public void Help_NamesTheProgramSegkitAndListsEveryVerb()
    {
        var (code, output, _) = CliRunner.Run("--help");
        Assert.Equal(0, code);
        Assert.Contains("segkit [command] [options]", output);
        Assert.DoesNotContain("SegKit.Cli", output);
        foreach (var verb in new[] { "info", "semantic", "segment", "instance", "eval", "predict", "sam", "everything" })
            Assert.Contains("  " + verb + " ", output);
        var (vcode, version, _) = CliRunner.Run("--version");
        Assert.Equal(0, vcode);
        Assert.Matches(@"^\d+\.\d+\.\d+", version.Trim());
    }

    [Fact]
    public void Info_Json_ListsTensorsSymbolicDimsAndCustomMetadata()
    {
        string model = Fixtures.File("onnx_parity", "multi_dtype.onnx");
        var (code, output, _) = CliRunner.Run("info", model, "--json");
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(output);
        var root = doc.RootElement;
        var inputs = root.GetProperty("inputs").EnumerateArray().ToList();
        var f = inputs.Single(i => i.GetProperty("name").GetString() == "f");
        Assert.Equal("float32", f.GetProperty("type").GetString());
        Assert.Equal("batch", f.GetProperty("shape")[0].GetString());
        Assert.Contains(inputs, i => i.GetProperty("type").GetString() == "bool");
        Assert.Contains(inputs, i => i.GetProperty("type").GetString() == "uint8");
        var custom = root.GetProperty("metadata").GetProperty("custom");
        Assert.True(custom.TryGetProperty("names", out _));
        Assert.Equal(JsonValueKind.Null, root.GetProperty("contract").ValueKind);
    }

    [Fact]
    public void Info_TorchvisionSegmentationExport_MatchesTorchvisionContract()
    {
        string model = Fixtures.File("semantic_reference", "lraspp_mobilenet_v3_large.onnx");
        var (code, output, _) = CliRunner.Run("info", model, "--json");
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(output);
        Assert.Equal("TorchvisionSemantic", doc.RootElement.GetProperty("contract").GetProperty("id").GetString());
        Assert.Equal("semantic", doc.RootElement.GetProperty("contract").GetProperty("task").GetString());
    }

    [Fact]
    public void Info_Text_ClassifierFitsNoContractAndSaysWhatEachExpects()
    {
        string model = Fixtures.File("onnx_parity", "resnet18.onnx");
        var (code, output, _) = CliRunner.Run("info", model);
        Assert.Equal(0, code);
        Assert.Contains("input: float32 [batch,3,224,224]", output);
        Assert.Contains("contract: none of SegKit's contracts", output);
        Assert.Contains("SamDecoder: inputs image_embeddings", output);
    }

    [Fact]
    public void Info_TextFileGivenAsModel_ExitsWithInputErrorNamingTheFile()
    {
        string dir = TestPaths.NewTempDir();
        string path = Path.Combine(dir, "model.onnx");
        File.WriteAllText(path, "this is not a model");
        var (code, _, err) = CliRunner.Run("info", path);
        Assert.Equal(1, code);
        Assert.Contains(path, err);
        Assert.Contains("Protobuf parsing failed", err);
    }

    [Fact]
    public void Info_MissingFile_ExitsWithInputError()
    {
        var (code, _, err) = CliRunner.Run("info", "/nonexistent/model.onnx");
        Assert.Equal(1, code);
        Assert.Contains("/nonexistent/model.onnx", err);
    }

    [Fact]
    public void Info_NoArgument_IsUsageError()
    {
        var (code, _, err) = CliRunner.Run("info");
        Assert.Equal(2, code);
        Assert.Contains("model", err);
    }
}
