#!/usr/bin/env bash
# Runs every benchmark recorded in docs/benchmarks.md, one suite after another, on a quiet machine.
# Output (text and JMH JSON) goes to bulwark-benchmarks/target/bench/. About 35 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -DskipTests clean package -pl bulwark-benchmarks -am
jar=bulwark-benchmarks/target/bulwark-benchmarks.jar
out=bulwark-benchmarks/target/bench
mkdir -p "$out"
jmh=(-f 1 -wi 3 -w 1s -i 5 -r 1s -prof gc)

java -jar "$jar" '(telemetry|circuit|ratelimit|pipeline|observability)\.' -t 1 "${jmh[@]}" -rf json -rff "$out/jmh-t1.json" | tee "$out/jmh-t1.txt"
java -jar "$jar" '(circuit|ratelimit|pipeline)\.' -t 2 "${jmh[@]}" -rf json -rff "$out/jmh-t2.json" | tee "$out/jmh-t2.txt"
# contended paths: the hot key and the closed breaker at 4 and 8 threads too (1 and 2 are above), and
# the mechanisms behind them (both variants of each in one run) at 1, 2, 4 and 8
for t in 4 8; do
  java -jar "$jar" '(ratelimit\.HotKeyBenchmark|circuit\.ClosedCallBenchmark)' -t $t "${jmh[@]}" -rf json -rff "$out/jmh-t$t.json" | tee "$out/jmh-t$t.txt"
done
for t in 1 2 4 8; do
  java -jar "$jar" 'contention\.' -t $t -f 1 -wi 3 -w 500ms -i 8 -r 500ms -rf json -rff "$out/jmh-contention-t$t.json" | tee "$out/jmh-contention-t$t.txt"
done
java -jar "$jar" 'health\.' -f 1 -wi 3 -w 2s -i 5 -r 2s -rf json -rff "$out/jmh-health.json" | tee "$out/jmh-health.txt"
java -Xms3g -Xmx3g -XX:+UseParallelGC -cp "$jar" dev.bulwark.benchmarks.ratelimit.HeapPerKey 1000000 | tee "$out/heap-per-key.txt"
java -cp "$jar" dev.bulwark.benchmarks.redis.RedisLimitBenchmark seconds=3 warmup=1 | tee "$out/redis.txt"
java -jar "$jar" 'eventstore\.' -t 1 "${jmh[@]}" -rf json -rff "$out/jmh-eventstore.json" | tee "$out/jmh-eventstore.txt"
java -cp "$jar" dev.bulwark.benchmarks.eventstore.EventStoreThroughput seconds=3 rounds=300 | tee "$out/eventstore.txt"
# Redis Cluster against one server: the test cluster is started for it when missing (and stopped after)
cluster=bulwark-redis/src/test/cluster/cluster.sh
started=false
if ! "$cluster" status >/dev/null 2>&1; then "$cluster" start; started=true; fi
java -cp "$jar" dev.bulwark.benchmarks.redis.RedisClusterBenchmark seconds=3 warmup=1 | tee "$out/redis-cluster.txt"
if $started; then "$cluster" stop; fi
