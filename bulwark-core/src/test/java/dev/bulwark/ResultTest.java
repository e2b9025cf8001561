package dev.bulwark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.error.CoreErrorCode;
import dev.bulwark.error.InfraError;
import dev.bulwark.error.InfraException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResultTest {

    private static final InfraError LIMITED = InfraError.of(CoreErrorCode.RATE_LIMIT_EXCEEDED, "slow down");

    private final Result<Integer> ok = Result.ok(21);
    private final Result<Integer> err = Result.err(LIMITED);

    @Test
    void okAndErrAreDistinguished() {
        assertThat(ok.isOk()).isTrue();
        assertThat(ok.isErr()).isFalse();
        assertThat(err.isOk()).isFalse();
        assertThat(err.isErr()).isTrue();
        assertThat(ok.okValue()).contains(21);
        assertThat(ok.errValue()).isEmpty();
        assertThat(err.errValue()).contains(LIMITED);
        assertThat(err.okValue()).isEmpty();
    }

    @Test
    void mapTransformsOnlyOk() {
        assertThat(ok.map(v -> v * 2)).isEqualTo(Result.ok(42));
        assertThat(err.map(v -> v * 2)).isSameAs(err);
    }

    @Test
    void flatMapChainsOnlyOk() {
        assertThat(ok.flatMap(v -> Result.ok("v" + v))).isEqualTo(Result.ok("v21"));
        assertThat(ok.flatMap(v -> Result.<String>err(LIMITED))).isEqualTo(Result.err(LIMITED));
        assertThat(err.flatMap(v -> Result.ok("never"))).isSameAs(err);
    }

    @Test
    void mapErrorTransformsOnlyErr() {
        InfraError other = InfraError.of(CoreErrorCode.UNKNOWN, "other");
        assertThat(err.mapError(e -> other)).isEqualTo(Result.err(other));
        assertThat(ok.mapError(e -> other)).isSameAs(ok);
    }

    @Test
    void orElseVariantsReturnTheValueOrTheAlternative() {
        assertThat(ok.orElse(0)).isEqualTo(21);
        assertThat(err.orElse(0)).isEqualTo(0);
        assertThat(ok.orElseGet(() -> 0)).isEqualTo(21);
        assertThat(err.orElseGet(() -> 7)).isEqualTo(7);
        assertThat(err.recover(e -> e.code())).isEqualTo(6001);
        assertThat(ok.recover(e -> -1)).isEqualTo(21);
    }

    @Test
    void getOrThrowThrowsTheErrorAsInfraException() {
        assertThat(ok.getOrThrow()).isEqualTo(21);
        assertThatThrownBy(err::getOrThrow)
                .isInstanceOf(InfraException.class)
                .satisfies(t -> assertThat(((InfraException) t).error()).isSameAs(LIMITED));
    }

    @Test
    void ifOkAndIfErrRunTheMatchingSideOnly() {
        List<Object> seen = new ArrayList<>();
        ok.ifOk(seen::add).ifErr(seen::add);
        err.ifOk(seen::add).ifErr(e -> seen.add(e.code()));
        assertThat(seen).containsExactly(21, 6001);
    }

    @Test
    void foldCoversBothCases() {
        assertThat(ok.<String>fold(v -> "ok " + v, e -> "err " + e.code())).isEqualTo("ok 21");
        assertThat(err.<String>fold(v -> "ok " + v, e -> "err " + e.code())).isEqualTo("err 6001");
    }

    @Test
    void okMayHoldNullButErrNeedsAnError() {
        Result<String> nothing = Result.ok(null);
        assertThat(nothing.isOk()).isTrue();
        assertThat(nothing.okValue()).isEmpty();
        assertThat(nothing.orElse("x")).isNull();
        assertThatThrownBy(() -> Result.err(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("error");
    }

    @Test
    void patternMatchingWorksOnTheSealedCases() {
        String described = err instanceof Result.Err<Integer> e ? "err " + e.error().code() : "ok";
        assertThat(described).isEqualTo("err 6001");
        assertThat(ok instanceof Result.Ok<Integer> o && o.value() == 21).isTrue();
    }
}
