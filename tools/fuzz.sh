#!/bin/sh
# Build every libFuzzer target (tests/fuzz/fuzz_*.c) with clang and run each for SECONDS
# (default 20) from its corpus folder. Used by CI for a short run; run longer by hand:
#   tools/fuzz.sh 600
set -eu
cd "$(dirname "$0")/.."
secs=${1:-20}
command -v clang >/dev/null 2>&1 || { echo "fuzz: clang not found, skipped"; exit 0; }
[ -f build/Makefile ] || sh tools/setup.sh --no-run
mkdir -p build-fuzz
if [ ! -f build-fuzz/Makefile ]; then
    (cd build-fuzz && ../configure -q CC=clang --enable-fuzz \
        CFLAGS="-O1 -g -fsanitize=fuzzer-no-link,address,undefined" \
        LDFLAGS="-fsanitize=address,undefined")
fi
(cd build-fuzz && make -j"$(nproc)" libcpsim.a fuzz-targets >/dev/null)
status=0
for bin in build-fuzz/tests/fuzz/fuzz_*; do
    [ -x "$bin" ] || continue
    name=$(basename "$bin")
    corpus=build-fuzz/corpus/$name
    mkdir -p "$corpus"
    seeds=tests/fuzz/seeds/$name
    [ -d "$seeds" ] && cp -n "$seeds"/* "$corpus"/ 2>/dev/null || true
    if "$bin" -max_total_time="$secs" -print_final_stats=1 "$corpus" >"build-fuzz/$name.log" 2>&1; then
        echo "fuzz: $name ok ($(grep -o 'stat::number_of_executed_units: *[0-9]*' "build-fuzz/$name.log" | awk '{print $2}') execs)"
    else
        echo "fuzz: $name FAILED, see build-fuzz/$name.log"; tail -30 "build-fuzz/$name.log"; status=1
    fi
done
exit $status
