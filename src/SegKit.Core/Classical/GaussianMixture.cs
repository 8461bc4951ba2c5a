// The colour model of GrabCut (Rother, Kolmogorov, Blake, "GrabCut", SIGGRAPH 2004) as cv::grabCut's GMM class
// computes it (OpenCV 4.6, modules/imgproc/src/grabcut.cpp): full-covariance Gaussians in BGR order, weights
// n_i / n, 0.01 added to the diagonal of a covariance whose determinant is ≤ 1e-6, and densities without the
// (2π)^-3/2 factor (it cancels between the foreground and background terms of a cut).
namespace SegKit.Classical;

internal sealed class GaussianMixture
{
    private readonly int _k;
    private readonly double[] _coefs, _mean, _cov, _inverse, _det;
    private readonly double[] _sums, _prods;
    private readonly long[] _counts;
    private long _total;

    public GaussianMixture(int componentCount)
    {
        _k = componentCount;
        _coefs = new double[_k];
        _mean = new double[3 * _k];
        _cov = new double[9 * _k];
        _inverse = new double[9 * _k];
        _det = new double[_k];
        _sums = new double[3 * _k];
        _prods = new double[9 * _k];
        _counts = new long[_k];
    }

    public int ComponentCount => _k;

    public void BeginLearning()
    {
        Array.Clear(_sums);
        Array.Clear(_prods);
        Array.Clear(_counts);
        _total = 0;
    }

    public void AddSample(int ci, double c0, double c1, double c2)
    {
        int s = 3 * ci, p = 9 * ci;
        _sums[s] += c0; _sums[s + 1] += c1; _sums[s + 2] += c2;
        _prods[p] += c0 * c0; _prods[p + 1] += c0 * c1; _prods[p + 2] += c0 * c2;
        _prods[p + 3] += c1 * c0; _prods[p + 4] += c1 * c1; _prods[p + 5] += c1 * c2;
        _prods[p + 6] += c2 * c0; _prods[p + 7] += c2 * c1; _prods[p + 8] += c2 * c2;
        _counts[ci]++;
        _total++;
    }

    public void EndLearning()
    {
        for (int ci = 0; ci < _k; ci++)
        {
            long n = _counts[ci];
            if (n == 0)
            {
                _coefs[ci] = 0;
                continue;
            }
            double invN = 1.0 / n;
            _coefs[ci] = (double)n / _total;
            int s = 3 * ci, p = 9 * ci;
            double m0 = _mean[s] = _sums[s] * invN;
            double m1 = _mean[s + 1] = _sums[s + 1] * invN;
            double m2 = _mean[s + 2] = _sums[s + 2] * invN;
            Span<double> c = _cov.AsSpan(p, 9);
            c[0] = _prods[p] * invN - m0 * m0; c[1] = _prods[p + 1] * invN - m0 * m1; c[2] = _prods[p + 2] * invN - m0 * m2;
            c[3] = _prods[p + 3] * invN - m1 * m0; c[4] = _prods[p + 4] * invN - m1 * m1; c[5] = _prods[p + 5] * invN - m1 * m2;
            c[6] = _prods[p + 6] * invN - m2 * m0; c[7] = _prods[p + 7] * invN - m2 * m1; c[8] = _prods[p + 8] * invN - m2 * m2;
            double det = Determinant(c);
            if (det <= 1e-6)
            {
                // White noise keeps a flat-coloured component invertible.
                c[0] += 0.01; c[4] += 0.01; c[8] += 0.01;
                det = Determinant(c);
            }
            _det[ci] = det;
            double inv = 1.0 / det;
            Span<double> ic = _inverse.AsSpan(p, 9);
            ic[0] = (c[4] * c[8] - c[5] * c[7]) * inv;
            ic[3] = -(c[3] * c[8] - c[5] * c[6]) * inv;
            ic[6] = (c[3] * c[7] - c[4] * c[6]) * inv;
            ic[1] = -(c[1] * c[8] - c[2] * c[7]) * inv;
            ic[4] = (c[0] * c[8] - c[2] * c[6]) * inv;
            ic[7] = -(c[0] * c[7] - c[1] * c[6]) * inv;
            ic[2] = (c[1] * c[5] - c[2] * c[4]) * inv;
            ic[5] = -(c[0] * c[5] - c[2] * c[3]) * inv;
            ic[8] = (c[0] * c[4] - c[1] * c[3]) * inv;
        }
    }

    private static double Determinant(ReadOnlySpan<double> c) =>
        c[0] * (c[4] * c[8] - c[5] * c[7]) - c[1] * (c[3] * c[8] - c[5] * c[6]) + c[2] * (c[3] * c[7] - c[4] * c[6]);

    /// <summary>Unweighted density of component <paramref name="ci"/> (without (2π)^-3/2), 0 for an empty component.</summary>
    public double Component(int ci, double c0, double c1, double c2)
    {
        if (_coefs[ci] <= 0) return 0;
        int s = 3 * ci;
        double d0 = c0 - _mean[s], d1 = c1 - _mean[s + 1], d2 = c2 - _mean[s + 2];
        ReadOnlySpan<double> ic = _inverse.AsSpan(9 * ci, 9);
        double mult = d0 * (d0 * ic[0] + d1 * ic[3] + d2 * ic[6])
                    + d1 * (d0 * ic[1] + d1 * ic[4] + d2 * ic[7])
                    + d2 * (d0 * ic[2] + d1 * ic[5] + d2 * ic[8]);
        return 1.0 / Math.Sqrt(_det[ci]) * Math.Exp(-0.5 * mult);
    }

    /// <summary>Mixture density Σ π_i N_i(colour).</summary>
    public double Density(double c0, double c1, double c2)
    {
        double res = 0;
        for (int ci = 0; ci < _k; ci++) res += _coefs[ci] * Component(ci, c0, c1, c2);
        return res;
    }

    /// <summary>The component with the highest unweighted density (the first one on ties).</summary>
    public int MostLikelyComponent(double c0, double c1, double c2)
    {
        int best = 0;
        double max = 0;
        for (int ci = 0; ci < _k; ci++)
        {
            double p = Component(ci, c0, c1, c2);
            if (p > max)
            {
                best = ci;
                max = p;
            }
        }
        return best;
    }
}
