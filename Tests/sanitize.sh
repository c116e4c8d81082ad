#!/usr/bin/env bash
# Runs the whole test suite under AddressSanitizer and ThreadSanitizer, each in its own
# build folder so the normal build is untouched. Not part of CI (it doubles the build
# time); run it by hand before landing changes to concurrency or unsafe code:
#   Tests/sanitize.sh [address|thread]...   (default: both)
set -euo pipefail
cd "$(dirname "$0")/.."
sanitizers=("$@")
export LSAN_OPTIONS="suppressions=$PWD/Tests/lsan-suppressions.txt:print_suppressions=0"
((${#sanitizers[@]})) || sanitizers=(address thread)
for sanitizer in "${sanitizers[@]}"; do
    echo "== swift test --sanitize=$sanitizer"
    swift test --sanitize="$sanitizer" --scratch-path ".build-$sanitizer"
done
echo "== clean under: ${sanitizers[*]}"
