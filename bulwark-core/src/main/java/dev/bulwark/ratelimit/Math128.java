package dev.bulwark.ratelimit;

/**
 * Exact {@code floor(a × b / d)} for non-negative longs whose product may exceed 64 bits (a limit
 * of 2<sup>31</sup> times a window of a year in nanoseconds does). The common case, a product that
 * fits, is one multiplication and one division; otherwise a 128-by-64-bit division.
 */
final class Math128 {

    private Math128() {
    }

    /** {@code floor(a × b / d)}; requires {@code a, b >= 0}, {@code d > 0} and a result below 2<sup>63</sup>. */
    static long mulDivFloor(long a, long b, long d) {
        long hi = Math.multiplyHigh(a, b);
        long lo = a * b;
        if (hi == 0 && lo >= 0) {
            return lo / d;
        }
        return divide(hi, lo, d);
    }

    /**
     * {@code floor((a × b − s) / d)}; requires {@code a, b, s >= 0}, {@code a × b >= s}, {@code d > 0}
     * and a result below 2<sup>63</sup>.
     */
    static long mulSubDivFloor(long a, long b, long s, long d) {
        long hi = Math.multiplyHigh(a, b);
        long lo = a * b;
        if (Long.compareUnsigned(lo, s) < 0) {
            hi--;
        }
        lo -= s;
        if (hi == 0 && lo >= 0) {
            return lo / d;
        }
        return divide(hi, lo, d);
    }

    /** Whether {@code a × b >= c × d + s}, exactly; requires every argument {@code >= 0}. No division. */
    static boolean productAtLeast(long a, long b, long c, long d, long s) {
        long hi1 = Math.multiplyHigh(a, b);
        long lo1 = a * b;
        long hi2 = Math.multiplyHigh(c, d);
        long lo2 = c * d;
        long sum = lo2 + s;
        if (Long.compareUnsigned(sum, lo2) < 0) {
            hi2++;
        }
        if (hi1 != hi2) {
            return hi1 > hi2;
        }
        return Long.compareUnsigned(lo1, sum) >= 0;
    }

    /** The unsigned 128-bit {@code (hi, lo)} divided by {@code d}, by shift and subtract; requires {@code hi < d}. */
    private static long divide(long hi, long lo, long d) {
        long remainder = hi;
        long quotient = 0;
        for (int bit = 63; bit >= 0; bit--) {
            // remainder < d < 2^63, so shifting it left cannot overflow an unsigned 64-bit value
            remainder = (remainder << 1) | ((lo >>> bit) & 1);
            quotient <<= 1;
            if (Long.compareUnsigned(remainder, d) >= 0) {
                remainder -= d;
                quotient |= 1;
            }
        }
        return quotient;
    }
}
