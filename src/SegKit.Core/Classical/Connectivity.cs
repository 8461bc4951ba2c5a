// Pixel neighbourhoods, named as scikit-image's `connectivity` argument counts them
// (1 = orthogonal hops only, 2 = diagonals too).
namespace SegKit.Classical;

/// <summary>Which neighbours of a pixel are adjacent to it.</summary>
public enum Connectivity
{
    /// <summary>4-neighbourhood (skimage connectivity=1, scipy's default structure).</summary>
    Four = 1,

    /// <summary>8-neighbourhood (skimage connectivity=2, skimage.measure.label's default for 2-D).</summary>
    Eight = 2,
}
