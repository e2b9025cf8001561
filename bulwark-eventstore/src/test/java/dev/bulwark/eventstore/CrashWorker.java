package dev.bulwark.eventstore;

import dev.bulwark.telemetry.EventChannel;
import dev.bulwark.telemetry.EventType;
import dev.bulwark.telemetry.Telemetry;
import dev.bulwark.telemetry.Unit;
import dev.bulwark.time.Clock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The process {@link CrashTest} kills: records {@code crash.tick} events number 0, 1, 2... through
 * an {@link EventRecorder} into a file store, as fast as the recorder keeps up (it never lets the
 * queue fill, so nothing is dropped and the log must hold an unbroken prefix), and prints
 * {@code written N} whenever the recorder has written more. Runs until killed.
 *
 * <p>Arguments: the directory, the fsync policy ({@code every_batch}, {@code never} or an interval in ms).
 */
public final class CrashWorker {

    static final EventType TICK = EventType.builder("crash", "tick")
            .measurement("i", Unit.COUNT, "the tick's number")
            .tag("name", "the worker")
            .detail("check", "a value derived from the number, to check the record is intact")
            .build();

    private CrashWorker() {
    }

    static String check(long i) {
        return Long.toHexString(i * 0x9E3779B97F4A7C15L);
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        FsyncPolicy fsync = switch (args[1]) {
            case "every_batch" -> FsyncPolicy.everyBatch();
            case "never" -> FsyncPolicy.never();
            default -> FsyncPolicy.every(Duration.ofMillis(Long.parseLong(args[1])));
        };
        Telemetry telemetry = Telemetry.create();
        telemetry.declare(java.util.List.of(TICK));
        EventRecorder recorder = EventRecorder.builder()
                .fileStore(FileEventStore.builder(dir).fsync(fsync).segmentBytes(256 * 1024))
                .queueCapacity(4096).batchSize(256).flushInterval(Duration.ofMillis(2))
                .start(telemetry, Clock.system());
        EventChannel channel = telemetry.channel(TICK);
        System.out.println("ready");
        System.out.flush();
        long reported = -1;
        for (long i = 0; ; i++) {
            while (recorder.status().queued() > 2048) {
                Thread.onSpinWait();
            }
            channel.emit(Map.of("i", i), Map.of("name", "worker", "check", check(i)));
            if ((i & 63) == 0) {
                long written = recorder.status().written();
                if (written > reported) {
                    System.out.println("written " + written);
                    System.out.flush();
                    reported = written;
                }
            }
        }
    }
}
