#!/usr/bin/env bash
# Runs every SegKit test: installs what the tests need (tools/setup.sh --test), builds, runs xunit.
# Parity tests export their models with Debian's torch into .cache/fixtures/ on first use.
# Extra arguments go to `dotnet test` (e.g. --filter FullyQualifiedName~Masks).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
tools/setup.sh --test --quiet
dotnet build SegKit.sln -c Release -nologo -v q -clp:ErrorsOnly
# As the segkit launcher does: glibc's malloc asks for transparent huge pages, so the many ONNX Runtime sessions
# the tests create fault in less fresh memory (the suite took 112-123 s with it, 145-147 s without; two pairs).
case ":${GLIBC_TUNABLES:-}:" in
  *:glibc.malloc.hugetlb=*) ;;
  *) export GLIBC_TUNABLES="${GLIBC_TUNABLES:+$GLIBC_TUNABLES:}glibc.malloc.hugetlb=1" ;;
esac
log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
dotnet test tests/SegKit.Tests/SegKit.Tests.csproj -c Release --no-build -nologo "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e
# One closing line in the plain 'N passed, N failed' form, summed over test assemblies.
awk '
  /(Passed|Failed)!/ {
    for (i = 1; i <= NF; i++) {
      v = $(i + 1); gsub(/,/, "", v)
      if ($i == "Failed:") f += v; else if ($i == "Passed:") p += v; else if ($i == "Skipped:") s += v
    }
    seen = 1
  }
  END { if (seen) printf "tests: %d passed, %d failed, %d skipped\n", p, f, s; else print "tests: no test summary found" }
' "$log"
exit "$rc"
