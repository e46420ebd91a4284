#!/bin/sh
# cpsim test suite: builds (after tools/setup.sh --no-run installs what is missing) and runs
# `make check` in build/, then again under AddressSanitizer + UndefinedBehaviorSanitizer in
# build-asan/. Ends with one line: "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
# Optional parts the tests exercise when present: OpenMPI (sweeps across ranks). Installed
# before the build so configure finds it.
if ! command -v mpicc >/dev/null 2>&1; then
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
    { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq libopenmpi-dev openmpi-bin; } \
        >/dev/null 2>&1 || true
fi
sh tools/setup.sh --no-run || { echo "0 passed, 1 failed"; exit 1; }

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0

(cd build && make -j"$(nproc)" check) >>"$log" 2>&1 || status=1

mkdir -p build-asan
if [ ! -f build-asan/Makefile ]; then
    (cd build-asan && ../configure -q --enable-werror \
        CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
        CXXFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
        LDFLAGS="-fsanitize=address,undefined") >>"$log" 2>&1 || status=1
fi
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS="suppressions=$(pwd)/../tools/lsan.supp" \
    make -j"$(nproc)" check) >>"$log" 2>&1 || status=1

# A short libFuzzer pass over every fuzz target (clang with its fuzzer runtime), each counted
# as one test. FUZZ_SECONDS=0 skips it.
secs=${FUZZ_SECONDS:-15}
if [ "$secs" -gt 0 ]; then
    if ! command -v clang >/dev/null 2>&1 || [ ! -f "$(clang -print-file-name=libclang_rt.fuzzer-x86_64.a)" ]; then
        SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq clang libclang-rt-14-dev >>"$log" 2>&1 || true
    fi
    sh tools/fuzz.sh "$secs" >"$log.fuzz" 2>&1; frc=$?
    sed -n 's/^fuzz: \(.*\) ok (\(.*\))$/PASS: fuzz \1 (\2)/p; s/^fuzz: \(.*\) FAILED.*/FAIL: fuzz \1/p' "$log.fuzz" >>"$log"
    grep -q "FAILED" "$log.fuzz" && cat "$log.fuzz"
    np=$(grep -c "^fuzz: .* ok" "$log.fuzz"); nf=$(grep -c "FAILED" "$log.fuzz")
    if [ "$frc" -ne 0 ] && [ "$nf" -eq 0 ]; then nf=1; echo "FAIL: fuzz build" >>"$log"; tail -20 "$log.fuzz"; fi
    echo "# PASS: $np" >>"$log"; echo "# FAIL: $nf" >>"$log"
    rm -f "$log.fuzz"
fi

# The performance gate: `bench all` against bench/baseline.json. Ratios measured within one
# run must not fall by half (a gross regression: this machine is shared and noisy, so the
# threshold is wide and a failing run is tried once more); deterministic counts must match.
# GATE=0 skips it.
if [ "${GATE:-1}" != 0 ]; then
    gate="FAIL"
    for try in 1 2; do
        if build/cpsim bench all --json >"$log.bench" 2>&1 &&
           build/cpsim bench compare bench/baseline.json "$log.bench" --threshold 50 >"$log.cmp" 2>&1; then
            gate="PASS"; break
        fi
    done
    [ "$gate" = PASS ] || cat "$log.cmp"
    echo "$gate: bench gate (bench/baseline.json, threshold 50%)" >>"$log"
    if [ "$gate" = PASS ]; then echo "# PASS: 1" >>"$log"; else echo "# FAIL: 1" >>"$log"; fi
    rm -f "$log.bench" "$log.cmp"
fi

grep -E '^(PASS|FAIL|ERROR|XPASS|SKIP):' "$log" | sed 's/^/  /'
for f in build/test-suite.log build-asan/test-suite.log; do
    [ -f "$f" ] && grep -q '^FAIL\|^ERROR' "$f" && cat "$f"
done
pass=$(grep -E '^# (PASS|XFAIL):' "$log" | awk '{s+=$3} END {print s+0}')
fail=$(grep -E '^# (FAIL|ERROR|XPASS):' "$log" | awk '{s+=$3} END {print s+0}')
skip=$(grep -E '^# SKIP:' "$log" | awk '{s+=$3} END {print s+0}')
if [ "$status" -ne 0 ] && [ "$fail" -eq 0 ]; then
    tail -50 "$log"
    fail=1
fi
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
