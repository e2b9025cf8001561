package dev.bulwark.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.Infrastructure;
import dev.bulwark.Protection;
import dev.bulwark.Result;
import dev.bulwark.error.CoreErrorCode;
import dev.bulwark.error.InfraError;
import dev.bulwark.memory.MemoryPressure;
import dev.bulwark.memory.MemoryReading;
import dev.bulwark.spi.Slot;
import dev.bulwark.telemetry.Events;
import dev.bulwark.testkit.TelemetryCapture;
import dev.bulwark.time.ManualClock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The shed stage at each memory level, for each criticality, sync and async, direct and named. */
class ShedStageTest {

    private final ManualClock clock = new ManualClock();
    private final AtomicReference<MemoryReading> heap = new AtomicReference<>(MemoryReading.ofOccupancy(0.30));
    private final Infrastructure infra = Infrastructure.builder().clock(clock).executor(Runnable::run)
            .memorySource(heap::get).build();
    private final AtomicInteger ran = new AtomicInteger();

    @AfterEach
    void tearDown() {
        infra.close();
    }

    private void pressure(double occupancy, MemoryPressure expected) {
        heap.set(MemoryReading.ofOccupancy(occupancy));
        assertThat(infra.memory().refresh()).isEqualTo(expected);
    }

    private String call() {
        ran.incrementAndGet();
        return "ok";
    }

    @ParameterizedTest(name = "{0}: critical {1}, default {2}, sheddable {3}")
    @CsvSource({
            "0.30, run, run, run",
            "0.85, run, run, shed",
            "0.95, run, shed, shed"})
    void eachLevelShedsByCriticality(double occupancy, String critical, String ordinary, String sheddable) {
        heap.set(MemoryReading.ofOccupancy(occupancy));
        infra.memory().refresh();
        Protection protection = Protection.builder().shed().build();
        infra.configureProtection("search", protection).getOrThrow();
        String[] expected = {critical, ordinary, sheddable};
        Criticality[] criticalities = {Criticality.CRITICAL, Criticality.DEFAULT, Criticality.SHEDDABLE};
        for (int i = 0; i < 3; i++) {
            Criticality c = criticalities[i];
            boolean runs = expected[i].equals("run");
            assertOutcome(infra.executeProtected(protection, "u", c, this::call), runs, c + " direct sync");
            assertOutcome(infra.executeProtected("search", "u", c, this::call), runs, c + " named sync");
            assertOutcome(infra.<String>executeProtectedAsync(protection, "u", c,
                    () -> CompletableFuture.completedFuture(call())).toCompletableFuture().join(), runs, c + " direct async");
            assertOutcome(infra.<String>executeProtectedAsync("search", "u", c,
                    () -> CompletableFuture.completedFuture(call())).toCompletableFuture().join(), runs, c + " named async");
            assertThat(ShedStage.sheds(infra.memory().level(), c)).isEqualTo(!runs);
        }
    }

    private void assertOutcome(Result<String> result, boolean runs, String what) {
        if (runs) {
            assertThat(result).as(what).isEqualTo(Result.ok("ok"));
        } else {
            assertThat(result.isErr()).as(what).isTrue();
            InfraError error = ((Result.Err<String>) result).error();
            assertThat(error.code()).as(what).isEqualTo(7201);
            assertThat(error.errorCode()).isEqualTo(CoreErrorCode.LOAD_SHED);
            assertThat(error.httpStatus()).isEqualTo(503);
            assertThat(error.isRejection()).isTrue();
            assertThat(error.toException().getStackTrace()).as("a rejection has no stack trace").isEmpty();
        }
    }

    @Test
    void callsWithoutACriticalityAreDefault() {
        Protection protection = Protection.builder().shed().build();
        pressure(0.85, MemoryPressure.ELEVATED);
        assertThat(infra.executeProtected(protection, this::call).isOk()).isTrue();
        pressure(0.95, MemoryPressure.CRITICAL);
        assertThat(infra.executeProtected(protection, this::call).isErr()).isTrue();
        assertThat(infra.executeProtected(protection, "u", Criticality.CRITICAL, this::call).isOk()).isTrue();
    }

    @Test
    void sheddingFollowsTheLevelAsItChanges() {
        Protection protection = Protection.builder().shed().build();
        for (double occupancy : new double[] {0.30, 0.85, 0.95, 0.86, 0.70}) {
            heap.set(MemoryReading.ofOccupancy(occupancy));
            infra.memory().refresh();
            boolean shed = infra.executeProtected(protection, "u", Criticality.SHEDDABLE, this::call).isErr();
            assertThat(shed).as("at %s", occupancy).isEqualTo(occupancy > 0.75);
        }
    }

    @Test
    void shedWorkTakesNoBulkheadPlaceAndIsNotRetried() {
        Protection protection = Protection.builder().shed().bulkhead(BulkheadConfig.of(1))
                .retry(RetryConfig.builder().maxAttempts(3).fixedBackoff(Duration.ofMillis(10)).build()).build();
        infra.configureProtection("bulk", protection).getOrThrow();
        pressure(0.95, MemoryPressure.CRITICAL);
        try (TelemetryCapture events = TelemetryCapture.all(infra.telemetry())) {
            for (int i = 0; i < 5; i++) {
                assertThat(infra.executeProtected("bulk", "u", this::call).isErr()).isTrue();
            }
            assertThat(ran).hasValue(0);
            assertThat(events.count(Events.RETRY_SCHEDULED)).isZero();
            assertThat(events.count(Events.OVERLOAD_SHED)).isEqualTo(5);
            assertThat(events.named(Events.OVERLOAD_SHED).get(0).metadata()).containsEntry("name", "bulk")
                    .containsEntry("level", "critical").containsEntry("criticality", "default");
            assertThat(events.undeclared()).isEmpty();
        }
        var status = infra.protectionStatus("bulk").getOrThrow();
        assertThat(status.stages().get(Slot.SHED.name())).isEqualTo(new ShedStage.Stats(MemoryPressure.CRITICAL, 0, 5));
        pressure(0.10, MemoryPressure.NORMAL);
        assertThat(infra.executeProtected("bulk", "u", this::call).isOk()).isTrue();
    }

    @Test
    void theStageSitsInTheShedSlotAndEqualsEveryOther() {
        Protection a = Protection.builder().shed().bulkhead(BulkheadConfig.of(2)).build();
        Protection b = Protection.builder().bulkhead(BulkheadConfig.of(2)).shed().build();
        assertThat(a).isEqualTo(b);
        assertThat(a.parts()).containsExactly("shed", "bulkhead");
        assertThat(new ShedStage().slot()).isEqualTo(Slot.SHED);
    }

    @Test
    void aNullCriticalityIsInvalidInput() {
        Protection protection = Protection.builder().shed().build();
        Result<String> result = infra.executeProtected(protection, "u", null, this::call);
        assertThat(((Result.Err<String>) result).error().code()).isEqualTo(3204);
        assertThat(((Result.Err<String>) result).error().message()).contains("criticality");
        infra.configureProtection("k", protection).getOrThrow();
        assertThat(((Result.Err<String>) infra.executeProtected("k", "u", null, this::call)).error().code()).isEqualTo(3204);
        assertThat(ran).hasValue(0);
    }
}
