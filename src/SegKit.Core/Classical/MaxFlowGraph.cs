// Exact s-t maximum flow / minimum cut by Boykov & Kolmogorov, "An Experimental Comparison of Min-Cut/Max-Flow
// Algorithms for Energy Minimization in Vision", PAMI 2004: two search trees grown from the terminals, augmentation
// along the path where they meet, orphan adoption. The bookkeeping (timestamps, distance heuristic, paired residual
// edges i and i^1, terminal capacities folded into one signed residual per node) follows OpenCV's GCGraph, the
// implementation behind cv::grabCut. After the flow, a node is on the source side unless it can still reach the sink
// in the residual graph: the largest source set among minimum cuts (OpenCV also puts untouched nodes there).
namespace SegKit.Classical;

/// <summary>
/// A directed graph with source/sink terminal links for exact minimum s-t cuts (Boykov–Kolmogorov max-flow).
/// Capacities are non-negative doubles; build with <see cref="AddNodes"/>, <see cref="AddTerminalWeights"/> and
/// <see cref="AddEdge"/>, then call <see cref="ComputeMaxFlow"/> once and query <see cref="InSourceSegment"/>.
/// </summary>
public sealed class MaxFlowGraph
{
    private const int Terminal = -1, Orphan = -2;

    // Nodes.
    private int _nodeCount;
    private int[] _first = [];      // first incident edge, 0 = none
    private double[] _residual = []; // source capacity − sink capacity still unused (> 0 source side, < 0 sink side)
    // Edges, in pairs (e, e^1); indices 0 and 1 are unused so that 0 can mean "none".
    private int _edgeCount = 2;
    private int[] _dst = new int[2];
    private int[] _next = new int[2];
    private double[] _cap = new double[2];
    private double _flow;
    private byte[] _sinkSide = [];
    private bool _solved;

    /// <summary>Creates an empty graph with room for <paramref name="nodeCapacity"/> nodes and <paramref name="edgeCapacity"/> undirected edge pairs.</summary>
    public MaxFlowGraph(int nodeCapacity = 0, int edgeCapacity = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(nodeCapacity);
        ArgumentOutOfRangeException.ThrowIfNegative(edgeCapacity);
        _first = new int[nodeCapacity];
        _residual = new double[nodeCapacity];
        int e = 2 + 2 * edgeCapacity;
        _dst = new int[e];
        _next = new int[e];
        _cap = new double[e];
    }

    /// <summary>Number of nodes added so far.</summary>
    public int NodeCount => _nodeCount;

    /// <summary>Adds <paramref name="count"/> nodes and returns the index of the first; nodes are numbered 0, 1, 2… in order of addition.</summary>
    public int AddNodes(int count = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        CheckNotSolved();
        int first = _nodeCount;
        int needed = _nodeCount + count;
        if (needed > _first.Length)
        {
            int size = Math.Max(needed, Math.Min(Array.MaxLength, Math.Max(16, _first.Length * 2)));
            Array.Resize(ref _first, size);
            Array.Resize(ref _residual, size);
        }
        _nodeCount = needed;
        return first;
    }

    /// <summary>
    /// Adds capacity <paramref name="sourceWeight"/> on source → node and <paramref name="sinkWeight"/> on node → sink
    /// (both ≥ 0; repeated calls accumulate). The common part is pushed at once, as every s-t flow would.
    /// </summary>
    public void AddTerminalWeights(int node, double sourceWeight, double sinkWeight)
    {
        CheckNode(node);
        CheckCapacity(sourceWeight, nameof(sourceWeight));
        CheckCapacity(sinkWeight, nameof(sinkWeight));
        CheckNotSolved();
        double dw = _residual[node];
        if (dw > 0) sourceWeight += dw;
        else sinkWeight -= dw;
        _flow += Math.Min(sourceWeight, sinkWeight);
        _residual[node] = sourceWeight - sinkWeight;
    }

    /// <summary>Adds an edge i → j with capacity <paramref name="weight"/> and j → i with <paramref name="reverseWeight"/> (both ≥ 0, i ≠ j).</summary>
    public void AddEdge(int i, int j, double weight, double reverseWeight)
    {
        CheckNode(i);
        CheckNode(j);
        if (i == j) throw new ArgumentException($"self-loop on node {i}", nameof(j));
        CheckCapacity(weight, nameof(weight));
        CheckCapacity(reverseWeight, nameof(reverseWeight));
        CheckNotSolved();
        AddEdgeUnchecked(i, j, weight, reverseWeight);
    }

    // For callers that validated their own inputs (GrabCut's grid).
    internal void AddEdgeUnchecked(int i, int j, double weight, double reverseWeight)
    {
        if (_edgeCount + 2 > _dst.Length)
        {
            int size = (int)Math.Min(Array.MaxLength, Math.Max(16L, (long)_dst.Length * 2));
            Array.Resize(ref _dst, size);
            Array.Resize(ref _next, size);
            Array.Resize(ref _cap, size);
        }
        int e = _edgeCount;
        _dst[e] = j;
        _next[e] = _first[i];
        _cap[e] = weight;
        _first[i] = e;
        _dst[e + 1] = i;
        _next[e + 1] = _first[j];
        _cap[e + 1] = reverseWeight;
        _first[j] = e + 1;
        _edgeCount = e + 2;
    }

    // Empties the graph for reuse with `nodeCount` nodes, keeping its arrays (GrabCut rebuilds the same grid each round).
    internal void Reset(int nodeCount)
    {
        if (nodeCount > _first.Length)
        {
            _first = new int[nodeCount];
            _residual = new double[nodeCount];
        }
        else
        {
            Array.Clear(_first, 0, nodeCount);
            Array.Clear(_residual, 0, nodeCount);
        }
        _nodeCount = nodeCount;
        _edgeCount = 2;
        _flow = 0;
        _solved = false;
    }

    internal void SetTerminalWeightsUnchecked(int node, double sourceWeight, double sinkWeight)
    {
        _flow += Math.Min(sourceWeight, sinkWeight);
        _residual[node] = sourceWeight - sinkWeight;
    }

    /// <summary>Computes the maximum flow value (equal to the minimum cut capacity). May be called once per graph.</summary>
    public double ComputeMaxFlow()
    {
        CheckNotSolved();
        _solved = true;
        Solve();
        _sinkSide = MarkSinkSide();
        return _flow;
    }

    /// <summary>
    /// After <see cref="ComputeMaxFlow"/>: true when <paramref name="node"/> is on the source side of the minimum cut,
    /// i.e. it cannot reach the sink through unsaturated edges (the largest minimum-cut source set).
    /// </summary>
    public bool InSourceSegment(int node)
    {
        CheckNode(node);
        if (!_solved) throw new InvalidOperationException("call ComputeMaxFlow before asking for the cut");
        return _sinkSide[node] == 0;
    }

    private void CheckNode(int node)
    {
        if ((uint)node >= (uint)_nodeCount)
            throw new ArgumentOutOfRangeException(nameof(node), node, $"node index must be in [0, {_nodeCount})");
    }

    private static void CheckCapacity(double c, string name)
    {
        if (!(c >= 0) || double.IsPositiveInfinity(c))
            throw new ArgumentOutOfRangeException(name, c, "capacities must be finite and ≥ 0");
    }

    private void CheckNotSolved()
    {
        if (_solved) throw new InvalidOperationException("the flow has been computed; build a new graph");
    }

    private void Solve()
    {
        int n = _nodeCount;
        int[] first = _first, dst = _dst, nextEdge = _next;
        double[] cap = _cap, residual = _residual;
        var parent = new int[n];   // edge to the parent (child → parent), Terminal, Orphan, or 0 = free
        var nextActive = new int[n + 1];
        var ts = new int[n];
        var dist = new int[n];
        var tree = new byte[n];    // 0 source tree, 1 sink tree
        int nil = n;               // sentinel of the active queue
        var orphans = new Stack<int>();

        int head = nil, last = nil;
        nextActive[nil] = nil;
        for (int i = 0; i < n; i++)
        {
            nextActive[i] = -1;
            if (residual[i] != 0)
            {
                if (head == nil) head = i;
                else nextActive[last] = i;
                last = i;
                nextActive[i] = nil;
                dist[i] = 1;
                parent[i] = Terminal;
                tree[i] = residual[i] < 0 ? (byte)1 : (byte)0;
            }
        }
        int currentTs = 0;

        while (true)
        {
            int e0 = -1;
            // Grow both trees until an edge links them.
            while (head != nil)
            {
                int v = head;
                if (parent[v] != 0)
                {
                    int vt = tree[v];
                    for (int ei = first[v]; ei != 0; ei = nextEdge[ei])
                    {
                        if (cap[ei ^ vt] == 0) continue;
                        int u = dst[ei];
                        if (parent[u] == 0)
                        {
                            tree[u] = (byte)vt;
                            parent[u] = ei ^ 1;
                            ts[u] = ts[v];
                            dist[u] = dist[v] + 1;
                            if (nextActive[u] == -1)
                            {
                                nextActive[u] = nil;
                                nextActive[last] = u;
                                last = u;
                            }
                            continue;
                        }
                        if (tree[u] != vt)
                        {
                            e0 = ei ^ vt;
                            break;
                        }
                        if (dist[u] > dist[v] + 1 && ts[u] <= ts[v])
                        {
                            parent[u] = ei ^ 1;
                            ts[u] = ts[v];
                            dist[u] = dist[v] + 1;
                        }
                    }
                    if (e0 > 0) break;
                }
                head = nextActive[v];
                nextActive[v] = -1;
            }
            if (e0 <= 0) break;

            // Bottleneck along source root → e0 → sink root.
            double minWeight = cap[e0];
            for (int k = 1; k >= 0; k--)
            {
                int v = dst[e0 ^ k];
                int ei;
                while ((ei = parent[v]) >= 0)
                {
                    minWeight = Math.Min(minWeight, cap[ei ^ k]);
                    v = dst[ei];
                }
                minWeight = Math.Min(minWeight, Math.Abs(residual[v]));
            }

            // Augment and collect orphans.
            cap[e0] -= minWeight;
            cap[e0 ^ 1] += minWeight;
            _flow += minWeight;
            for (int k = 1; k >= 0; k--)
            {
                int v = dst[e0 ^ k];
                int ei;
                while ((ei = parent[v]) >= 0)
                {
                    cap[ei ^ (k ^ 1)] += minWeight;
                    if ((cap[ei ^ k] -= minWeight) == 0)
                    {
                        orphans.Push(v);
                        parent[v] = Orphan;
                    }
                    v = dst[ei];
                }
                residual[v] += minWeight * (1 - k * 2);
                if (residual[v] == 0)
                {
                    orphans.Push(v);
                    parent[v] = Orphan;
                }
            }

            // Adopt orphans or free them.
            currentTs++;
            while (orphans.Count > 0)
            {
                int v2 = orphans.Pop();
                int minDist = int.MaxValue;
                int best = 0;
                int vt = tree[v2];
                for (int ei = first[v2]; ei != 0; ei = nextEdge[ei])
                {
                    if (cap[ei ^ (vt ^ 1)] == 0) continue;
                    int u = dst[ei];
                    if (tree[u] != vt || parent[u] == 0) continue;
                    int d = 0;
                    while (true)
                    {
                        if (ts[u] == currentTs)
                        {
                            d += dist[u];
                            break;
                        }
                        int ej = parent[u];
                        d++;
                        if (ej < 0)
                        {
                            if (ej == Orphan) d = int.MaxValue - 1;
                            else
                            {
                                ts[u] = currentTs;
                                dist[u] = 1;
                            }
                            break;
                        }
                        u = dst[ej];
                    }
                    if (++d < int.MaxValue)
                    {
                        if (d < minDist)
                        {
                            minDist = d;
                            best = ei;
                        }
                        for (u = dst[ei]; ts[u] != currentTs; u = dst[parent[u]])
                        {
                            ts[u] = currentTs;
                            dist[u] = --d;
                        }
                    }
                }
                if ((parent[v2] = best) > 0)
                {
                    ts[v2] = currentTs;
                    dist[v2] = minDist;
                    continue;
                }
                ts[v2] = 0;
                for (int ei = first[v2]; ei != 0; ei = nextEdge[ei])
                {
                    int u = dst[ei];
                    int ej = parent[u];
                    if (tree[u] != vt || ej == 0) continue;
                    if (cap[ei ^ (vt ^ 1)] != 0 && nextActive[u] == -1)
                    {
                        nextActive[u] = nil;
                        if (head == nil) head = u;
                        else nextActive[last] = u;
                        last = u;
                    }
                    if (ej > 0 && dst[ej] == v2)
                    {
                        orphans.Push(u);
                        parent[u] = Orphan;
                    }
                }
            }
        }
    }

    // Nodes that can still send flow to the sink: breadth-first from every node with residual sink capacity,
    // walking edges backwards (u joins when u → v is unsaturated).
    private byte[] MarkSinkSide()
    {
        int n = _nodeCount;
        var sinkSide = new byte[n];
        var queue = new int[n];
        int qHead = 0, qTail = 0;
        for (int i = 0; i < n; i++)
        {
            if (_residual[i] < 0)
            {
                sinkSide[i] = 1;
                queue[qTail++] = i;
            }
        }
        while (qHead < qTail)
        {
            int v = queue[qHead++];
            for (int ei = _first[v]; ei != 0; ei = _next[ei])
            {
                int u = _dst[ei];
                if (sinkSide[u] != 0 || _cap[ei ^ 1] <= 0) continue;
                sinkSide[u] = 1;
                queue[qTail++] = u;
            }
        }
        return sinkSide;
    }
}
