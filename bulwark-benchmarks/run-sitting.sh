#!/usr/bin/env bash
# The compact reference sitting of the second wave (docs/benchmarks.md, "Second-wave sitting"):
# the hot paths with their peers at 1, 2, 4 and 8 threads, the pipeline, the shed, hedge, adaptive,
# metrics and pool overheads, and, when a jar of an earlier commit is given, the same rows of that
# jar interleaved with the current one (before/after in one sitting). About 30 minutes on 2 cores.
#   bulwark-benchmarks/run-sitting.sh [path/to/earlier/bulwark-benchmarks.jar]
set -euo pipefail
cd "$(dirname "$0")/.."
old=${1:-}
mvn -q -DskipTests clean package -pl bulwark-benchmarks -am
jar=bulwark-benchmarks/target/bulwark-benchmarks.jar
out=bulwark-benchmarks/target/bench
mkdir -p "$out"
jmh=(-f 1 -wi 2 -w 1s -i 4 -r 1s -prof gc)
ab='(pipeline\.PipelineBenchmark|circuit\.ClosedCallBenchmark|ratelimit\.HotKeyBenchmark)\.'

run() { local name=$1; shift; java -jar "$@" -rf json -rff "$out/$name.json" | tee "$out/$name.txt"; }

if [ -n "$old" ]; then run ab-before-1 "$old" "$ab" -t 1 "${jmh[@]}"; fi
run sitting-t1 "$jar" '(circuit\.(ClosedCall|OpenRejection)|ratelimit\.HotKey|pipeline\.|observability\.|pool\.)' -t 1 "${jmh[@]}"
if [ -n "$old" ]; then run ab-before-2 "$old" "$ab" -t 1 "${jmh[@]}"; fi
run sitting-t2 "$jar" '(circuit\.ClosedCall|ratelimit\.HotKey|pipeline\.PipelineBenchmark|pool\.)' -t 2 "${jmh[@]}"
for t in 4 8; do
  run sitting-t$t "$jar" '(ratelimit\.HotKeyBenchmark|circuit\.ClosedCallBenchmark)' -t $t "${jmh[@]}"
done
run sitting-health "$jar" 'health\.' -f 1 -wi 2 -w 2s -i 4 -r 2s
