#!/usr/bin/env bash
# OpenSSL's memory per idle TLS server connection (issue 13), counted with OpenSSL's own
# allocator hooks: builds bench/tls-memory/main.swift against the HostctlTLS sources
# (release, as the servers run) and runs it.
#   bench/tls_memory.sh [CONNECTIONS]   (default 1000; a few seconds)
set -euo pipefail
cd "$(dirname "$0")/.."
out=.build-bench/tls-memory
mkdir -p "$out/modules"
printf 'module CHostctlLinux {\n    header "%s"\n    export *\n}\n' "$PWD/Sources/CHostctlLinux/include/CHostctlLinux.h" > "$out/modules/module.modulemap"
clang -c -O2 -I Sources/CHostctlLinux/include Sources/CHostctlLinux/shim.c -o "$out/CHostctlLinux.o"
objects=("$out/CHostctlLinux.o")
for module in HostctlCore HostctlSystem HostctlTLS; do
    swiftc -O -wmo -parse-as-library -swift-version 6 -module-name "$module" -I "$out/modules" -I Sources/CHostctlOpenSSL \
        -emit-module -emit-module-path "$out/modules/$module.swiftmodule" \
        -c $(find "Sources/$module" -name '*.swift' | sort) -o "$out/$module.o"
    objects+=("$out/$module.o")
done
swiftc -O -swift-version 6 -module-name TLSMemory -I "$out/modules" -I Sources/CHostctlOpenSSL \
    bench/tls-memory/main.swift "${objects[@]}" -lssl -lcrypto -o "$out/tls-memory"
"$out/tls-memory" "${1:-1000}"
