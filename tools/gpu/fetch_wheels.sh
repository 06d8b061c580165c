#!/usr/bin/env bash
# Download the wheels listed in tools/gpu/wheels.txt into ./wheels (git-ignored), for
# Python 3.12 on x86_64 Linux, so that they can travel to a GPU machine without network.
set -euo pipefail
cd "$(dirname "$0")/../.."
mkdir -p wheels
python3 -m pip download --no-deps --only-binary=:all: --python-version 3.12 \
    --platform manylinux2014_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux_2_28_x86_64 \
    --implementation cp --dest wheels -r tools/gpu/wheels.txt
ls -1 wheels
