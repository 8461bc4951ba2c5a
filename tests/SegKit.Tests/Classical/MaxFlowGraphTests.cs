using SegKit.Classical;

namespace SegKit.Tests.Classical;

public sealed class MaxFlowGraphTests
{
    private sealed record RandomGraph(int N, double[] Source, double[] Sink, List<(int I, int J, double W, double R)> Edges);

    private static RandomGraph Make(int seed, int n, double density, bool integer)
    {
        var rng = new Random(seed);
        double Cap() => integer ? rng.Next(0, 8) : Math.Round(rng.NextDouble() * 10, 3);
        var source = new double[n];
        var sink = new double[n];
        for (int i = 0; i < n; i++)
        {
            if (rng.NextDouble() < 0.6) source[i] = Cap();
            if (rng.NextDouble() < 0.6) sink[i] = Cap();
        }
        var edges = new List<(int, int, double, double)>();
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
                if (rng.NextDouble() < density)
                    edges.Add(rng.NextDouble() < 0.5 ? (i, j, Cap(), Cap()) : (j, i, Cap(), 0.0));
        return new RandomGraph(n, source, sink, edges);
    }

    private static MaxFlowGraph Build(RandomGraph g)
    {
        var graph = new MaxFlowGraph();
        graph.AddNodes(g.N);
        for (int i = 0; i < g.N; i++) graph.AddTerminalWeights(i, g.Source[i], g.Sink[i]);
        foreach (var (i, j, w, r) in g.Edges) graph.AddEdge(i, j, w, r);
        return graph;
    }

    // Capacity of the cut whose source side is the bit set `sourceSide`.
    private static double CutValue(RandomGraph g, int sourceSide)
    {
        double c = 0;
        for (int i = 0; i < g.N; i++)
        {
            bool s = (sourceSide >> i & 1) != 0;
            c += s ? g.Sink[i] : g.Source[i];
        }
        foreach (var (i, j, w, r) in g.Edges)
        {
            bool si = (sourceSide >> i & 1) != 0, sj = (sourceSide >> j & 1) != 0;
            if (si && !sj) c += w;
            if (sj && !si) c += r;
        }
        return c;
    }

    public static TheoryData<int, int, double, bool> Cases()
    {
        var data = new TheoryData<int, int, double, bool>();
        for (int seed = 0; seed < 40; seed++)
            data.Add(seed, 2 + seed % 11, seed % 3 == 0 ? 0.25 : 0.6, seed % 2 == 0);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ComputeMaxFlow_RandomGraph_EqualsBruteForceMinCut(int seed, int n, double density, bool integer)
    {
        RandomGraph g = Make(seed, n, density, integer);
        MaxFlowGraph graph = Build(g);

        double flow = graph.ComputeMaxFlow();

        double best = double.MaxValue;
        for (int set = 0; set < 1 << n; set++) best = Math.Min(best, CutValue(g, set));
        Assert.Equal(best, flow, 1e-9);
        int ours = 0;
        for (int i = 0; i < n; i++) if (graph.InSourceSegment(i)) ours |= 1 << i;
        Assert.Equal(best, CutValue(g, ours), 1e-9);
    }

    [Theory]
    [InlineData(101, 12)]
    [InlineData(102, 12)]
    [InlineData(103, 10)]
    [InlineData(104, 9)]
    public void InSourceSegment_IntegerGraph_IsUnionOfAllMinimumSourceSets(int seed, int n)
    {
        RandomGraph g = Make(seed, n, 0.5, integer: true);
        MaxFlowGraph graph = Build(g);

        double flow = graph.ComputeMaxFlow();

        int union = 0;
        for (int set = 0; set < 1 << n; set++)
            if (CutValue(g, set) == flow) union |= set;
        for (int i = 0; i < n; i++)
            Assert.Equal((union >> i & 1) != 0, graph.InSourceSegment(i));
    }

    [Fact]
    public void ComputeMaxFlow_ChainWithBottleneck_FlowIsBottleneck()
    {
        var graph = new MaxFlowGraph();
        graph.AddNodes(4);
        graph.AddTerminalWeights(0, 10, 0);
        graph.AddTerminalWeights(3, 0, 10);
        graph.AddEdge(0, 1, 5, 0);
        graph.AddEdge(1, 2, 2, 0);
        graph.AddEdge(2, 3, 7, 0);

        Assert.Equal(2, graph.ComputeMaxFlow());
        Assert.True(graph.InSourceSegment(0));
        Assert.True(graph.InSourceSegment(1));
        Assert.False(graph.InSourceSegment(2));
        Assert.False(graph.InSourceSegment(3));
    }

    [Fact]
    public void AddEdge_NegativeCapacity_Throws()
    {
        var graph = new MaxFlowGraph();
        graph.AddNodes(2);
        Assert.Throws<ArgumentOutOfRangeException>(() => graph.AddEdge(0, 1, -1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => graph.AddTerminalWeights(2, 1, 1));
    }
}
