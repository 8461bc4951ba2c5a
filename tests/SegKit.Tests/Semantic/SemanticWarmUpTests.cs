using SegKit.Semantic;

namespace SegKit.Tests.Semantic;

public class SemanticWarmUpTests
{
    // Load waits for the warm-up and rethrows its failure, so an argument a kernel rejects would fail every Load.
    [Fact]
    public void Run_CallsEveryStageWithArgumentsTheyAccept()
    {
        SemanticWarmUp.Run();
    }

    [Fact]
    public async Task Start_OneWarmUpPerProcess()
    {
        var first = SemanticWarmUp.Start();
        Assert.Same(first, SemanticWarmUp.Start());
        await first;
        Assert.True(first.IsCompletedSuccessfully);
    }
}
