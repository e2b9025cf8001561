package dev.bulwark.benchmarks.redis;

/** One way of taking a rate-limit decision on Redis, measured by {@link RedisLimitBenchmark}. */
interface Contender extends AutoCloseable {

    /** The name in the result table. */
    String name();

    /** Takes one decision for {@code key}, waiting for it; returns whether it was allowed. */
    boolean decide(String key) throws Exception;

    @Override
    void close();
}
