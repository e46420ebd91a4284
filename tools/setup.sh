#!/bin/sh
# cpsim set-up on Debian 12: install what is missing, build into build/, run the default
# scenario on the built-in engine (results and plots in results/flood-default-1/).
set -eu
cd "$(dirname "$0")/.."

PKGS="build-essential autoconf automake libtool pkg-config libsodium-dev libfyaml-dev \
libhdf5-dev hdf5-tools libgmp-dev gnuplot-nox \
libsimgrid-dev libns3-dev libgsl-dev libsqlite3-dev libxml2-dev"

missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    echo "setup: installing$missing"
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing
fi

[ -x configure ] && [ configure -nt configure.ac ] || autoreconf -fi
mkdir -p build
cd build
[ -f Makefile ] || ../configure --enable-werror
make -j"$(nproc)"
cd ..

if [ "${1:-}" != "--no-run" ]; then
    build/cpsim run scenarios/flood-default.yaml --out results/flood-default-1
    echo "setup: done. Results: results/flood-default-1/ (summary.json, run.h5, propagation.png)"
fi
