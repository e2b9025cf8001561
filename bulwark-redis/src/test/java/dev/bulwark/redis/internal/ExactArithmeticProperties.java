package dev.bulwark.redis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.redis.support.RedisAvailability;
import dev.bulwark.redis.support.RequiresRedis;
import io.lettuce.core.RedisURI;
import java.math.BigInteger;
import java.time.Duration;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * exact.lua, run inside Redis, computes exactly what {@link BigInteger} computes, across the
 * magnitudes the scripts meet: from small numbers (the plain-double fast paths) past 2^53 (limbs)
 * to products of 2^86 and beyond, negative values included.
 */
@RequiresRedis
class ExactArithmeticProperties {

    private static ScriptExecutor executor;
    private static final LuaScript PROBE = LuaScript.of("exact_probe",
            LuaScript.fromResource(LimitScriptProtocol.class, "exact.lua").source()
                    + LuaScript.fromResource(ExactArithmeticProperties.class, "exact_probe.lua").source());

    @BeforeContainer
    static void connect() {
        if (RedisAvailability.isAvailable()) {
            executor = new ScriptExecutor(RedisURI.create(RedisAvailability.URI), null, Duration.ofSeconds(2),
                    Duration.ofSeconds(5));
        }
    }

    @AfterContainer
    static void close() {
        if (executor != null) {
            executor.close();
        }
    }

    private static List<Object> run(String op, BigInteger a, BigInteger b) {
        return executor.runSync(PROBE, "exact-probe", new String[] {op, a.toString(), b.toString()});
    }

    @Provide
    Arbitrary<BigInteger> values() {
        return Arbitraries.oneOf(
                Arbitraries.bigIntegers().between(BigInteger.valueOf(-1_000_000), BigInteger.valueOf(1_000_000)),
                Arbitraries.bigIntegers().between(BigInteger.TWO.pow(52).negate(), BigInteger.TWO.pow(52)),
                Arbitraries.bigIntegers().between(BigInteger.TWO.pow(53).subtract(BigInteger.TEN), BigInteger.TWO.pow(53).add(BigInteger.TEN)),
                Arbitraries.bigIntegers().between(BigInteger.TWO.pow(90).negate(), BigInteger.TWO.pow(90)));
    }

    @Provide
    Arbitrary<BigInteger> divisors() {
        return Arbitraries.oneOf(
                Arbitraries.bigIntegers().between(BigInteger.ONE, BigInteger.valueOf(1_000)),
                Arbitraries.bigIntegers().between(BigInteger.ONE, BigInteger.TWO.pow(31)),
                Arbitraries.bigIntegers().between(BigInteger.TWO.pow(50), BigInteger.TWO.pow(56)));
    }

    @Property(tries = 300)
    void addSubtractMultiplyAndCompareAreExact(@ForAll("values") BigInteger a, @ForAll("values") BigInteger b) {
        assertThat(run("add", a, b)).containsExactly(a.add(b).toString());
        assertThat(run("sub", a, b)).containsExactly(a.subtract(b).toString());
        assertThat(run("mul", a, b)).containsExactly(a.multiply(b).toString());
        assertThat(run("cmp", a, b)).containsExactly(Integer.toString(a.compareTo(b)));
    }

    @Property(tries = 300)
    void divisionFloorsAndTheRemainderIsNonNegative(@ForAll("values") BigInteger a, @ForAll("divisors") BigInteger b) {
        BigInteger[] qr = a.divideAndRemainder(b);
        if (qr[1].signum() < 0) {
            qr = new BigInteger[] {qr[0].subtract(BigInteger.ONE), qr[1].add(b)};
        }
        assertThat(run("divmod", a, b)).containsExactly(qr[0].toString(), qr[1].toString());
    }

    @Property(tries = 100)
    void decimalStringsRoundTrip(@ForAll("values") BigInteger a) {
        assertThat(run("roundtrip", a, BigInteger.ONE)).containsExactly(a.toString());
    }
}
