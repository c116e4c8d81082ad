#!/usr/bin/env bash
# Builds the libFuzzer targets with AddressSanitizer and runs each for a bounded time.
# Not part of CI (it is open-ended by nature); run it by hand after touching a parser:
#   Tests/Fuzz/run.sh [SECONDS_PER_TARGET]   (default 60)
# Each target is compiled from the parser's own source files plus its entry point, so a
# fuzz build never depends on how SwiftPM builds the package. Findings land in
# .build-fuzz/<target>/ (crash-*, and the growing corpus).
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-60}
out=.build-fuzz
mkdir -p "$out"

build_and_run() {
    local name=$1; shift
    local dir=$out/$name
    mkdir -p "$dir/corpus"
    echo "== $name: building"
    swiftc -O -parse-as-library -sanitize=fuzzer,address -module-name "Fuzz${name//-/_}" "$@" -o "$dir/fuzzer"
    echo "== $name: fuzzing for ${seconds}s"
    (cd "$dir" && ./fuzzer -max_total_time="$seconds" -timeout=5 -max_len=4096 corpus "${seeds[@]}")
}

seeds=("$PWD/Tests/Fuzz/seeds/json")
build_and_run json-reader Sources/HostctlJSON/*.swift Tests/Fuzz/JSONReaderFuzz.swift
seeds=()
build_and_run launch-values Sources/HostctlLaunch/CommandLineArgsSplitter.swift Sources/HostctlLaunch/VariableExpander.swift Tests/Fuzz/LaunchValuesFuzz.swift
seeds=("$PWD/Tests/Fuzz/seeds/http1")
build_and_run http1-request-parser Sources/HostctlCore/*.swift Sources/HostctlHTTP1/*.swift Tests/Fuzz/HTTP1BodyDecoding.swift Tests/Fuzz/HTTP1RequestParserFuzz.swift
build_and_run http1-chunked-decoder Sources/HostctlCore/*.swift Sources/HostctlHTTP1/*.swift Tests/Fuzz/HTTP1BodyDecoding.swift Tests/Fuzz/HTTP1ChunkedDecoderFuzz.swift
seeds=("$PWD/Tests/Fuzz/seeds/http1-response")
build_and_run http1-response-parser Sources/HostctlCore/*.swift Sources/HostctlHTTP1/*.swift Tests/Fuzz/HTTP1ResponseParserFuzz.swift
