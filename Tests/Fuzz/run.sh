#!/usr/bin/env bash
# Builds the libFuzzer targets with AddressSanitizer and runs each for a bounded time.
# Not part of CI (it is open-ended by nature); run it by hand after touching a parser:
#   Tests/Fuzz/run.sh [SECONDS_PER_TARGET [TARGET]]   (default 60, every target)
#   RUNS=1000000 Tests/Fuzz/run.sh 0 hpack-decoder    (a number of runs instead of a time)
# Each target is compiled from the parser's own source files plus its entry point, so a
# fuzz build never depends on how SwiftPM builds the package. Findings land in
# .build-fuzz/<target>/ (crash-*, and the growing corpus).
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-60}
only=${2:-}  # one target's name, to run just that one
out=.build-fuzz
mkdir -p "$out"

build_and_run() {
    local name=$1; shift
    [[ -z $only || $name == "$only" ]] || return 0
    local dir=$out/$name
    mkdir -p "$dir/corpus"
    echo "== $name: building"
    swiftc -O -parse-as-library -sanitize=fuzzer,address -module-name "Fuzz${name//-/_}" "$@" -o "$dir/fuzzer"
    echo "== $name: fuzzing ($(limit))"
    (cd "$dir" && ./fuzzer $(limit) -timeout=5 -max_len=4096 corpus "${seeds[@]}")
}

# libFuzzer's stopping rule: RUNS runs when set, else SECONDS seconds.
limit() {
    if [[ -n ${RUNS:-} ]]; then echo "-runs=$RUNS"; else echo "-max_total_time=$seconds"; fi
}

# Fuzzers of code that spans several modules (and C targets) are built module by module,
# each instrumented, then linked with the entry point: build_modules_and_run NAME "MODULES"
# ENTRY… OpenSSL is the system's, uninstrumented, through its module map.
build_modules_and_run() {
    local name=$1; shift
    local module_list=$1; shift
    [[ -z $only || $name == "$only" ]] || return 0
    local dir=$out/$name
    local modules=$dir/modules
    mkdir -p "$dir/corpus" "$modules"
    echo "== $name: building"
    printf 'module CHostctlLinux {\n    header "%s"\n    export *\n}\n' "$PWD/Sources/CHostctlLinux/include/CHostctlLinux.h" > "$modules/module.modulemap"
    local objects=()
    for source in Sources/CHostctlLinux/*.c; do
        clang -c -O1 -fsanitize=fuzzer-no-link,address -I Sources/CHostctlLinux/include "$source" -o "$dir/CHostctlLinux-$(basename "$source" .c).o"
        objects+=("$dir/CHostctlLinux-$(basename "$source" .c).o")
    done
    for module in $module_list; do
        swiftc -O -wmo -parse-as-library -swift-version 6 -enable-upcoming-feature NonisolatedNonsendingByDefault \
            -sanitize=fuzzer,address -module-name "$module" -I "$modules" -I Sources/CHostctlOpenSSL -emit-module -emit-module-path "$modules/$module.swiftmodule" \
            -c $(find "Sources/$module" -name '*.swift' | sort) -o "$dir/$module.o"
        objects+=("$dir/$module.o")
    done
    swiftc -O -parse-as-library -swift-version 6 -sanitize=fuzzer,address -module-name "Fuzz${name//-/_}" -I "$modules" -I Sources/CHostctlOpenSSL \
        "$@" "${objects[@]}" -lssl -lcrypto -o "$dir/fuzzer"
    echo "== $name: fuzzing ($(limit))"
    (cd "$dir" && ./fuzzer $(limit) -timeout=5 -max_len=4096 corpus "${seeds[@]}")
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
seeds=("$PWD/Tests/Fuzz/seeds/http2-frames")
build_and_run http2-frame-parser Sources/HostctlCore/*.swift Sources/HostctlHPACK/*.swift Sources/HostctlHTTP2/*.swift Tests/Fuzz/HTTP2FrameParserFuzz.swift
seeds=("$PWD/Tests/Fuzz/seeds/hpack")
build_and_run hpack-decoder Sources/HostctlCore/*.swift Sources/HostctlHPACK/*.swift Tests/Fuzz/HPACKDecoderFuzz.swift
seeds=("$PWD/Tests/Fuzz/seeds/http2-connection")
build_and_run http2-connection Sources/HostctlCore/*.swift Sources/HostctlHPACK/*.swift Sources/HostctlHTTP2/*.swift Tests/Fuzz/HTTP2ConnectionFuzz.swift
seeds=("$PWD/Tests/Fuzz/seeds/http1" "$PWD/Tests/Fuzz/seeds/http2-server")
build_modules_and_run http-server-core "HostctlCore HostctlJSON HostctlSystem HostctlConfiguration HostctlLogging HostctlHTTP1 HostctlHPACK HostctlHTTP2 HostctlHosting HostctlServerCore" \
    Tests/Fuzz/HTTPServerCoreFuzz.swift
seeds=("$PWD/Tests/Fuzz/seeds/tls")
build_modules_and_run tls-server "HostctlCore HostctlSystem HostctlTLS" Tests/Fuzz/TLSServerFuzz.swift
build_modules_and_run tls-layer "HostctlCore HostctlSystem HostctlTLS" Tests/Fuzz/TLSLayerFuzz.swift
seeds=("$PWD/Tests/Fuzz/seeds/json")
build_modules_and_run configuration "HostctlCore HostctlJSON HostctlSystem HostctlConfiguration" Tests/Fuzz/ConfigurationFuzz.swift
seeds=()
build_and_run static-file-requests Sources/HostctlCore/*.swift \
    Sources/HostctlHosting/StaticFiles/ByteRanges.swift Sources/HostctlHosting/StaticFiles/StaticFilePath.swift \
    Sources/HostctlHosting/StaticFiles/ContentCodingChoice.swift Sources/HostctlHosting/StaticFiles/ContentTypeProvider.swift \
    Sources/HostctlHosting/StaticFiles/ContentTypeTable.swift Tests/Fuzz/StaticFileRequestFuzz.swift
