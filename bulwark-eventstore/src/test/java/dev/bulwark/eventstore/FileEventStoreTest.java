package dev.bulwark.eventstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.error.InfraException;
import dev.bulwark.telemetry.Telemetry;
import dev.bulwark.testkit.TelemetryCapture;
import dev.bulwark.time.ManualClock;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The file store's own promises: recovery, damage, the time index, retention, fsync, the lock. */
class FileEventStoreTest {

    static final long T0 = 1_735_689_600_000L;

    @TempDir
    Path dir;

    private final Telemetry telemetry = Telemetry.create();
    private final ManualClock clock = new ManualClock();
    private TelemetryCapture events;
    private final List<FileEventStore> opened = new ArrayList<>();

    @BeforeEach
    void capture() {
        events = TelemetryCapture.all(telemetry);
    }

    @AfterEach
    void closeAll() {
        opened.forEach(FileEventStore::close);
        events.close();
    }

    private FileEventStore open(FileEventStore.Builder b) {
        FileEventStore s = b.telemetry(telemetry).clock(clock).build();
        opened.add(s);
        return s;
    }

    private FileEventStore.Builder small() {
        return FileEventStore.builder(dir).segmentBytes(4096).indexEvery(8).fsync(FsyncPolicy.never());
    }

    static StoredEvent event(int i) {
        return StoredEvent.event(T0 + i, "foundation.infra.test.tick", "c" + (i % 3), null, Map.of("i", (long) i),
                Map.of("check", Integer.toHexString(Integer.hashCode(i) * 31 + 7)));
    }

    static List<StoredEvent> events(int from, int to) {
        List<StoredEvent> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            out.add(event(i));
        }
        return out;
    }

    private static List<StoredEvent> all(EventStore s) {
        return s.list(EventQuery.builder().unlimited().build());
    }

    private List<Path> segments() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".seg")).sorted().toList();
        }
    }

    private long named(String suffix) {
        return events.events().stream().filter(e -> e.name().toString().endsWith(suffix)).count();
    }

    // ---------------------------------------------------------------- recovery

    @Test
    void aTornLastRecordIsCutOffAndEverythingBeforeItKept() throws IOException {
        FileEventStore s = open(FileEventStore.builder(dir));
        s.append(events(0, 100));
        s.close();
        Path last = segments().get(segments().size() - 1);
        long goodLength = Files.size(last);
        // half of one more record, as a crash in the middle of a write leaves it
        java.nio.ByteBuffer b = new RecordCodec().encode(event(100), java.nio.ByteBuffer.allocate(256));
        byte[] half = java.util.Arrays.copyOf(b.array(), b.position() / 2);
        Files.write(last, half, java.nio.file.StandardOpenOption.APPEND);

        FileEventStore reopened = open(FileEventStore.builder(dir));

        assertThat(all(reopened)).containsExactlyElementsOf(events(0, 100));
        assertThat(Files.size(last)).isEqualTo(goodLength);
        assertThat(reopened.status().truncatedBytes()).isEqualTo(half.length);
        assertThat(reopened.status().corruptRegions()).isZero();
        assertThat(named("event_store.tail_truncated")).isEqualTo(1);
        reopened.append(events(100, 110));
        assertThat(all(reopened)).containsExactlyElementsOf(events(0, 110));
    }

    @Test
    void aZeroFilledTailIsCutOff() throws IOException {
        FileEventStore s = open(FileEventStore.builder(dir));
        s.append(events(0, 10));
        s.close();
        Path last = segments().get(0);
        Files.write(last, new byte[4096], java.nio.file.StandardOpenOption.APPEND);

        FileEventStore reopened = open(FileEventStore.builder(dir));

        assertThat(all(reopened)).containsExactlyElementsOf(events(0, 10));
        assertThat(reopened.status().truncatedBytes()).isEqualTo(4096);
    }

    @ParameterizedTest(name = "index sidecar kept: {0}")
    @ValueSource(booleans = {true, false})
    void aFlippedByteInASealedSegmentIsReportedAndOnlyItsRecordIsLost(boolean keepIndex) throws IOException {
        FileEventStore s = open(small());
        for (int i = 0; i < 300; i += 10) {
            s.append(events(i, i + 10));
        }
        s.close();
        List<Path> segs = segments();
        assertThat(segs).hasSizeGreaterThan(3);
        Path victim = segs.get(1);
        if (!keepIndex) {
            Files.delete(victim.resolveSibling(victim.getFileName().toString().replace(".seg", ".idx")));
        }
        long offset = Segment.HEADER_SIZE + 200;
        flip(victim, offset);

        FileEventStore reopened = open(small());
        List<StoredEvent> read = all(reopened);

        assertThat(read).hasSize(299);
        assertThat(events(0, 300)).containsAll(read);
        assertThat(reopened.status().corruptRegions()).isEqualTo(1);
        assertThat(events.events()).filteredOn(e -> e.name().toString().endsWith("event_store.corruption_detected"))
                .singleElement()
                .satisfies(e -> {
                    assertThat(e.metadata()).containsEntry("segment", victim.toString()).containsEntry("error_code", 7405);
                    assertThat(e.measurements().get("bytes").longValue()).isPositive();
                });
        // reported once, however often it is read
        all(reopened);
        assertThat(reopened.status().corruptRegions()).isEqualTo(1);
    }

    @Test
    void bytesCutOutOfTheMiddleOfASegmentAreReportedAndTheRestStaysReadable() throws IOException {
        FileEventStore s = open(small());
        for (int i = 0; i < 300; i += 10) {
            s.append(events(i, i + 10));
        }
        s.close();
        Path victim = segments().get(1);
        byte[] bytes = Files.readAllBytes(victim);
        int cutAt = Segment.HEADER_SIZE + 300;
        byte[] shorter = new byte[bytes.length - 10];
        System.arraycopy(bytes, 0, shorter, 0, cutAt);
        System.arraycopy(bytes, cutAt + 10, shorter, cutAt, bytes.length - cutAt - 10);
        Files.write(victim, shorter);

        FileEventStore reopened = open(small());
        List<StoredEvent> read = all(reopened);

        assertThat(read).hasSize(299);
        assertThat(events(0, 300)).containsAll(read);
        assertThat(reopened.status().corruptRegions()).isEqualTo(1);
    }

    @Test
    void damageInTheMiddleOfTheLastSegmentIsSkippedNotTruncated() throws IOException {
        FileEventStore s = open(FileEventStore.builder(dir));
        s.append(events(0, 50));
        s.close();
        Path last = segments().get(0);
        flip(last, Segment.HEADER_SIZE + 100);

        FileEventStore reopened = open(FileEventStore.builder(dir));

        assertThat(all(reopened)).hasSize(49);
        assertThat(reopened.status().truncatedBytes()).isZero();
        assertThat(reopened.status().corruptRegions()).isEqualTo(1);
        reopened.append(events(50, 60));
        assertThat(all(reopened)).hasSize(59).endsWith(event(59));
    }

    @Test
    void aFileWithoutAValidHeaderIsReportedAndSkipped() throws IOException {
        FileEventStore s = open(small());
        for (int i = 0; i < 300; i += 10) {
            s.append(events(i, i + 10));
        }
        s.close();
        Path victim = segments().get(0);
        flip(victim, 2);

        FileEventStore reopened = open(small());

        assertThat(reopened.status().corruptRegions()).isEqualTo(1);
        assertThat(all(reopened)).isNotEmpty().doesNotContain(event(0)).endsWith(event(299));
    }

    private static void flip(Path file, long offset) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(offset);
            int b = f.read();
            f.seek(offset);
            f.write(b ^ 0x5A);
        }
    }

    // ---------------------------------------------------------------- the lock and read-only access

    @Test
    void oneWriterPerDirectoryAndReadersBesideIt() {
        FileEventStore writer = open(FileEventStore.builder(dir));
        writer.append(events(0, 20));

        assertThatThrownBy(() -> FileEventStore.open(dir))
                .isInstanceOfSatisfying(InfraException.class, e -> assertThat(e.error().code()).isEqualTo(7407));
        try (FileEventStore reader = FileEventStore.openReadOnly(dir)) {
            assertThat(all(reader)).containsExactlyElementsOf(events(0, 20));
            assertThatThrownBy(() -> reader.append(events(20, 21)))
                    .isInstanceOfSatisfying(InfraException.class, e -> assertThat(e.error().code()).isEqualTo(7406));
        }
    }

    @Test
    void openingAMissingDirectoryReadOnlyFailsWithItsCode() {
        assertThatThrownBy(() -> FileEventStore.openReadOnly(dir.resolve("nothing-here")))
                .isInstanceOfSatisfying(InfraException.class, e -> assertThat(e.error().code()).isEqualTo(7408));
    }

    // ---------------------------------------------------------------- the time index

    @Test
    void aRangeQueryReadsOnlyTheBlocksThatOverlapIt() {
        FileEventStore s = open(FileEventStore.builder(dir).indexEvery(256).segmentBytes(1 << 20));
        for (int b = 0; b < 100; b++) {
            s.append(events(b * 1000, b * 1000 + 1000));
        }
        long before = s.blocksRead();

        List<StoredEvent> read = s.list(EventQuery.builder().betweenMillis(T0 + 50_000, T0 + 50_010).build());

        assertThat(read).containsExactlyElementsOf(events(50_000, 50_010));
        assertThat(s.blocksRead() - before).isLessThanOrEqualTo(2);
        assertThat(s.status().segments()).isGreaterThan(3);
    }

    // ---------------------------------------------------------------- retention

    @Test
    void retentionBySizeDeletesTheOldestWholeSegments() {
        FileEventStore s = open(small().maxTotalBytes(16 * 1024));
        for (int i = 0; i < 40; i++) {
            s.append(events(i * 25, i * 25 + 25));
        }
        FileEventStore.Status status = s.status();

        assertThat(status.bytes()).isLessThanOrEqualTo(16 * 1024 + 4096);
        assertThat(status.deletedSegments()).isPositive();
        List<StoredEvent> kept = all(s);
        assertThat(kept).endsWith(event(999));
        // what is kept is a suffix: whole segments went, oldest first
        int first = kept.get(0).measurements().get("i").intValue();
        assertThat(kept).containsExactlyElementsOf(events(first, 1000));
        assertThat(named("event_store.retention_deleted")).isEqualTo(status.deletedSegments());
    }

    @Test
    void retentionByAgeDeletesSegmentsWhoseEveryRecordIsTooOld() {
        FileEventStore s = open(FileEventStore.builder(dir).segmentDuration(Duration.ofMinutes(1))
                .maxAge(Duration.ofMinutes(10)).fsync(FsyncPolicy.never()));
        for (int minute = 0; minute < 30; minute++) {
            long now = clock.currentTimeMillis();
            s.append(List.of(StoredEvent.event(now, "foundation.infra.test.tick", "c", null, Map.of(), Map.of())));
            clock.advance(Duration.ofMinutes(1));
            s.maintain();
        }
        long cutoff = clock.currentTimeMillis() - Duration.ofMinutes(10).toMillis();
        List<StoredEvent> kept = all(s);

        assertThat(kept).isNotEmpty().allSatisfy(e -> assertThat(e.timestampMillis()).isGreaterThanOrEqualTo(cutoff - 60_000));
        assertThat(kept.size()).isBetween(9, 11);
        assertThat(s.status().deletedSegments()).isGreaterThanOrEqualTo(19);
    }

    // ---------------------------------------------------------------- fsync policies

    @Test
    void everyBatchForcesEachBatch() {
        FileEventStore s = open(FileEventStore.builder(dir).fsync(FsyncPolicy.everyBatch()));
        for (int i = 0; i < 5; i++) {
            s.append(events(i * 10, i * 10 + 10));
        }
        assertThat(s.status().fsyncs()).isEqualTo(5);
    }

    @Test
    void neverForcesOnlyOnClose() {
        FileEventStore s = open(FileEventStore.builder(dir).fsync(FsyncPolicy.never()));
        for (int i = 0; i < 5; i++) {
            s.append(events(i * 10, i * 10 + 10));
        }
        assertThat(s.status().fsyncs()).isZero();
    }

    @Test
    void anIntervalForcesOncePerIntervalOfTheClock() {
        FileEventStore s = open(FileEventStore.builder(dir).fsync(FsyncPolicy.every(Duration.ofMillis(500))));
        s.append(events(0, 10));
        s.append(events(10, 20));
        assertThat(s.status().fsyncs()).isZero();
        clock.advance(Duration.ofMillis(500));
        s.append(events(20, 30));
        assertThat(s.status().fsyncs()).isEqualTo(1);
        s.append(events(30, 40));
        clock.advance(Duration.ofMillis(500));
        s.maintain();
        assertThat(s.status().fsyncs()).isEqualTo(2);
        s.maintain();
        assertThat(s.status().fsyncs()).isEqualTo(2);
    }

    @Test
    void builderRefusesBadValuesNamingThem() {
        assertThatThrownBy(() -> FileEventStore.builder(dir).segmentBytes(10)).hasMessageContaining("segmentBytes").hasMessageContaining("10");
        assertThatThrownBy(() -> FileEventStore.builder(dir).maxAge(Duration.ZERO)).hasMessageContaining("maxAge");
        assertThatThrownBy(() -> FsyncPolicy.every(Duration.ofMillis(-1))).hasMessageContaining("-0.001");
        assertThatThrownBy(() -> EventQuery.builder().limit(0).build()).hasMessageContaining("limit must be >= 1, was 0");
        assertThatThrownBy(() -> EventQuery.builder().betweenMillis(5, 4).build()).hasMessageContaining("from=5 to=4");
    }
}
