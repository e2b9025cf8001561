package dev.bulwark.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;

/** The 128-bit helpers agree with {@link BigInteger} arithmetic. */
class Math128Properties {

    private static BigInteger big(long v) {
        return BigInteger.valueOf(v);
    }

    @Property
    void mulDivFloorIsExact(@ForAll @LongRange(min = 0) long a, @ForAll @LongRange(min = 0) long b,
                            @ForAll @LongRange(min = 1) long d) {
        BigInteger expected = big(a).multiply(big(b)).divide(big(d));
        Assume.that(expected.bitLength() < 63);
        assertThat(Math128.mulDivFloor(a, b, d)).isEqualTo(expected.longValueExact());
    }

    @Property
    void mulSubDivFloorIsExact(@ForAll @LongRange(min = 0, max = Integer.MAX_VALUE) long a,
                               @ForAll @LongRange(min = 0) long b, @ForAll @LongRange(min = 0, max = Integer.MAX_VALUE) long s,
                               @ForAll @LongRange(min = 1) long d) {
        BigInteger product = big(a).multiply(big(b));
        Assume.that(product.compareTo(big(s)) >= 0);
        BigInteger expected = product.subtract(big(s)).divide(big(d));
        Assume.that(expected.bitLength() < 63);
        assertThat(Math128.mulSubDivFloor(a, b, s, d)).isEqualTo(expected.longValueExact());
    }

    @Property
    void productAtLeastComparesExactly(@ForAll @LongRange(min = 0) long a, @ForAll @LongRange(min = 0) long b,
                                       @ForAll @LongRange(min = 0) long c, @ForAll @LongRange(min = 0) long d,
                                       @ForAll @LongRange(min = 0, max = Integer.MAX_VALUE) long s) {
        boolean expected = big(a).multiply(big(b)).compareTo(big(c).multiply(big(d)).add(big(s))) >= 0;
        assertThat(Math128.productAtLeast(a, b, c, d, s)).isEqualTo(expected);
    }

    @Property
    void productAtLeastIsExactAtTheBoundary(@ForAll @LongRange(min = 1, max = Integer.MAX_VALUE) long a,
                                            @ForAll @LongRange(min = 1) long b) {
        assertThat(Math128.productAtLeast(a, b, a, b, 0)).isTrue();
        assertThat(Math128.productAtLeast(a, b, a, b, 1)).isFalse();
    }
}
