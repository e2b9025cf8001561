package dev.bulwark.ratelimit;

import java.util.ArrayList;
import java.util.List;

/** Keys that land on one hash, for tests of probing, locking and flooding. */
final class CollidingStrings {

    private CollidingStrings() {
    }

    /** 2^n distinct strings of length 2n with the same {@code hashCode()} ("Aa" and "BB" collide). */
    static List<String> of(int n) {
        List<String> out = new ArrayList<>();
        for (int mask = 0; mask < 1 << n; mask++) {
            StringBuilder sb = new StringBuilder();
            for (int bit = 0; bit < n; bit++) {
                sb.append((mask & (1 << bit)) == 0 ? "Aa" : "BB");
            }
            out.add(sb.toString());
        }
        return out;
    }
}
