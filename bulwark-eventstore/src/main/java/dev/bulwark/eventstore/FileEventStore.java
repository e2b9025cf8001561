package dev.bulwark.eventstore;

import dev.bulwark.error.InfraError;
import dev.bulwark.error.InfraException;
import dev.bulwark.spi.ComponentStatus;
import dev.bulwark.telemetry.EventChannel;
import dev.bulwark.telemetry.EventType;
import dev.bulwark.telemetry.Telemetry;
import dev.bulwark.time.Clock;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * The embedded event store: an append-only log of segment files in one directory, needing no
 * service. docs/eventstore.md describes the format.
 *
 * <ul>
 *   <li><b>Framing.</b> Each record is {@code [length][CRC32C][payload]}; the checksum covers the
 *       length too. A segment rolls over at {@link Builder#segmentBytes} or {@link Builder#segmentDuration}.</li>
 *   <li><b>Durability.</b> {@link #append} writes the batch to the file before it returns, so a
 *       killed process loses nothing appended; the {@link FsyncPolicy} decides what a machine
 *       crash may lose.</li>
 *   <li><b>Recovery.</b> Opening scans the last segment: an incomplete record at its end (a write
 *       torn by a crash) is cut off and everything before it kept ({@code event_store.tail_truncated}).
 *       A damaged region elsewhere is reported ({@code event_store.corruption_detected}, 7405) and
 *       skipped up to the next valid record; the rest stays readable.</li>
 *   <li><b>Time index.</b> Each segment knows its first and last timestamps and keeps a sparse index
 *       of blocks (at most {@link Builder#indexEvery} records, a new one each second); a range query
 *       reads only the blocks that overlap it, merging them into time order.</li>
 *   <li><b>Retention.</b> Whole segments are deleted, oldest first, when all their records are older
 *       than {@link Builder#maxAge} or while the directory holds more than {@link Builder#maxTotalBytes}.
 *       The segment being written is never deleted.</li>
 * </ul>
 *
 * <p>One process writes a directory (it holds a lock on {@code .lock}, else 7407); any number may
 * open it {@linkplain #openReadOnly read-only} (the {@link Query} command line does). Thread-safe:
 * queries run concurrently with appends and see what was appended before they started.
 */
public final class FileEventStore implements EventStore {

    private static final System.Logger LOG = System.getLogger(FileEventStore.class.getName());
    static final String LOCK_FILE = ".lock";

    private final Path directory;
    private final boolean readOnly;
    private final long segmentBytes;
    private final Duration segmentDuration;
    private final FsyncPolicy fsync;
    private final Duration maxAge;
    private final long maxTotalBytes;
    private final int indexEvery;
    private final long blockSpanMillis;
    private final Clock clock;
    private final EventChannel corruptionChannel;
    private final EventChannel truncatedChannel;
    private final EventChannel retentionChannel;

    private final Object state = new Object();
    private final List<Segment> segments = new ArrayList<>();   // guarded by state, oldest first
    private final RecordCodec writeCodec = new RecordCodec();
    private ByteBuffer writeBuffer = ByteBuffer.allocate(256 * 1024);
    private FileChannel lockChannel;
    private FileLock lock;
    private long lastSyncNanos;
    private boolean dirty;
    private volatile boolean closed;

    private final AtomicLong fsyncs = new AtomicLong();
    private final AtomicLong corruptRegions = new AtomicLong();
    private final AtomicLong truncatedBytes = new AtomicLong();
    private final AtomicLong deletedSegments = new AtomicLong();
    private final AtomicLong batches = new AtomicLong();
    private final AtomicLong blocksRead = new AtomicLong();
    private final Set<String> reported = ConcurrentHashMap.newKeySet();

    private FileEventStore(Builder b) {
        this.directory = b.directory;
        this.readOnly = b.readOnly;
        this.segmentBytes = b.segmentBytes;
        this.segmentDuration = b.segmentDuration;
        this.fsync = b.fsync;
        this.maxAge = b.maxAge;
        this.maxTotalBytes = b.maxTotalBytes;
        this.indexEvery = b.indexEvery;
        this.blockSpanMillis = 1000;
        this.clock = b.clock;
        Telemetry telemetry = b.telemetry != null ? b.telemetry : Telemetry.create();
        this.corruptionChannel = channel(telemetry, EventStoreEvents.CORRUPTION_DETECTED);
        this.truncatedChannel = channel(telemetry, EventStoreEvents.TAIL_TRUNCATED);
        this.retentionChannel = channel(telemetry, EventStoreEvents.RETENTION_DELETED);
        this.lastSyncNanos = clock.nanoTime();
        try {
            open();
        } catch (IOException | RuntimeException e) {
            releaseQuietly();
            if (e instanceof InfraException infra) {
                throw infra;
            }
            throw fail(EventStoreErrorCode.STORE_OPEN_FAILED, "cannot open the event log in " + directory + ": " + e, e);
        }
    }

    /** A builder for a store in {@code directory} (created if missing). */
    public static Builder builder(Path directory) {
        return new Builder(directory);
    }

    /** Opens (or creates) a writable store in {@code directory} with the defaults. */
    public static FileEventStore open(Path directory) {
        return builder(directory).build();
    }

    /**
     * Opens {@code directory} for reading only, beside a process that may be writing it: no lock is
     * taken, nothing is repaired, an incomplete last record is simply not read.
     */
    public static FileEventStore openReadOnly(Path directory) {
        return builder(directory).readOnly().build();
    }

    private static EventChannel channel(Telemetry telemetry, EventType type) {
        telemetry.declare(List.of(type));
        return telemetry.channel(type);
    }

    @Override
    public String kind() {
        return "file";
    }

    /** The directory of the log. */
    public Path directory() {
        return directory;
    }

    // ---------------------------------------------------------------- opening and recovery

    private void open() throws IOException {
        if (readOnly) {
            if (!Files.isDirectory(directory)) {
                throw fail(EventStoreErrorCode.STORE_OPEN_FAILED, "no event log directory at " + directory, null);
            }
        } else {
            Files.createDirectories(directory);
            lockChannel = FileChannel.open(directory.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            try {
                lock = lockChannel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                throw fail(EventStoreErrorCode.STORE_LOCKED, "another writer holds " + directory.resolve(LOCK_FILE), null);
            }
        }
        List<Path> files;
        try (Stream<Path> list = Files.list(directory)) {
            files = list.filter(p -> p.getFileName().toString().matches("\\d{20}\\" + Segment.SUFFIX)).sorted().toList();
        }
        for (int i = 0; i < files.size(); i++) {
            boolean last = i == files.size() - 1;
            Segment s = load(files.get(i), last);
            if (s != null) {
                segments.add(s);
            }
        }
        if (!readOnly) {
            if (segments.isEmpty()) {
                segments.add(create(0));
            } else {
                Segment active = segments.get(segments.size() - 1);
                active.channel = FileChannel.open(active.path, StandardOpenOption.WRITE, StandardOpenOption.READ);
                Files.deleteIfExists(active.indexPath());
            }
        }
    }

    /** Loads a segment's index (from its sidecar or by scanning), repairing a torn tail of the last writable one. */
    private Segment load(Path file, boolean last) throws IOException {
        String name = file.getFileName().toString();
        long baseSeq = Long.parseLong(name.substring(0, name.length() - Segment.SUFFIX.length()));
        long size = Files.size(file);
        byte[] head = new byte[Segment.HEADER_SIZE];
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer hb = ByteBuffer.wrap(head);
            while (hb.hasRemaining() && ch.read(hb) >= 0) {
                // read the header
            }
        }
        long created;
        try {
            created = Segment.readHeader(head, baseSeq, file);
        } catch (IOException e) {
            if (last && size < Segment.HEADER_SIZE && !readOnly) {
                // created but never completed by a crashed writer: nothing in it
                Files.delete(file);
                report(truncatedChannel, file, 0, size, true);
                return null;
            }
            report(corruptionChannel, file, 0, size, false);
            if (!readOnly) {
                // kept for inspection, out of the way of the segment numbering
                Files.move(file, file.resolveSibling(file.getFileName() + ".damaged"),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                Files.deleteIfExists(file.resolveSibling(name.replace(Segment.SUFFIX, Segment.INDEX_SUFFIX)));
            }
            return null;
        }
        Segment s = new Segment(file, baseSeq, created);
        boolean writableLast = last && !readOnly;
        if (!writableLast && s.loadIndex(size)) {
            s.sealed = !last;
            return s;
        }
        if (size > Integer.MAX_VALUE) {
            throw new IOException(file + " is larger than a segment can be: " + size);
        }
        byte[] bytes = Files.readAllBytes(file);
        for (Segment.Damage d : s.scan(bytes, bytes.length, new RecordCodec(), indexEvery, blockSpanMillis)) {
            if (d.tail() && last) {
                if (!readOnly) {
                    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                        ch.truncate(d.offset());
                        ch.force(true);
                    }
                    truncatedBytes.addAndGet(d.length());
                    report(truncatedChannel, file, d.offset(), d.length(), true);
                }
                // read-only: the writer may be in the middle of that record; not damage
            } else {
                report(corruptionChannel, file, d.offset(), d.length(), false);
            }
        }
        s.length = Math.min(s.length, bytes.length);
        s.sealed = !last;
        if (!last && !readOnly) {
            s.writeIndex();
        }
        return s;
    }

    private void report(EventChannel channel, Path file, long offset, long length, boolean truncation) {
        if (!truncation) {
            if (!reported.add(file.getFileName() + "@" + offset)) {
                return;
            }
            corruptRegions.incrementAndGet();
            LOG.log(System.Logger.Level.WARNING, "event log {0}: damaged region of {1} bytes at offset {2} skipped (7405)",
                    file, length, offset);
        } else {
            LOG.log(System.Logger.Level.WARNING, "event log {0}: incomplete last record of {1} bytes at offset {2} cut off",
                    file, length, offset);
        }
        if (channel.isActive()) {
            channel.emit(Map.of(EventStoreEvents.BYTES_KEY, length), truncation
                    ? Map.of(EventStoreEvents.STORE, kind(), EventStoreEvents.SEGMENT, file.toString())
                    : Map.of(EventStoreEvents.STORE, kind(), EventStoreEvents.ERROR_CODE,
                    EventStoreErrorCode.STORE_CORRUPTED.code(), EventStoreEvents.SEGMENT, file.toString(),
                    EventStoreEvents.OFFSET, offset));
        }
    }

    private Segment create(long baseSeq) throws IOException {
        long now = clock.currentTimeMillis();
        Path file = directory.resolve(Segment.fileName(baseSeq));
        Segment s = new Segment(file, baseSeq, now);
        s.channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.READ);
        ByteBuffer header = Segment.header(baseSeq, now);
        while (header.hasRemaining()) {
            s.channel.write(header, Segment.HEADER_SIZE - header.remaining());
        }
        if (fsync.mode() != FsyncPolicy.Mode.NEVER) {
            s.channel.force(true);
            syncDirectory();
        }
        return s;
    }

    private void syncDirectory() {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // not every platform can sync a directory; the file's own sync still holds
        }
    }

    // ---------------------------------------------------------------- writing

    /**
     * Appends the batch to the active segment (rolling over first when the batch would take it past
     * {@link Builder#segmentBytes}, or it is older than {@link Builder#segmentDuration}: a batch is
     * never split across segments), syncing
     * as the {@link FsyncPolicy} says. A write that fails is cut off again, so the log never holds
     * half a batch that a retry would write twice.
     *
     * @throws InfraException 7401 on an I/O error, 7406 if closed or opened read-only
     */
    @Override
    public synchronized void append(List<StoredEvent> batch) {
        requireWritable();
        if (batch.isEmpty()) {
            return;
        }
        Segment active = active();
        long start = active.length;
        Segment.Mark mark = null;
        try {
            writeBuffer.clear();
            List<long[]> frames = new ArrayList<>(batch.size());
            for (StoredEvent e : batch) {
                int at = writeBuffer.position();
                writeBuffer = writeCodec.encode(e, writeBuffer);
                frames.add(new long[] {at, writeBuffer.position() - at, e.timestampMillis()});
            }
            if (active.records > 0 && (start + writeBuffer.position() > segmentBytes
                    || clock.currentTimeMillis() - active.createdMillis >= segmentDuration.toMillis())) {
                active = roll();
                start = active.length;
            }
            for (long[] f : frames) {
                f[0] += start;
            }
            synchronized (state) {
                mark = active.mark();
            }
            writeBuffer.flip();
            long pos = start;
            while (writeBuffer.hasRemaining()) {
                pos += active.channel.write(writeBuffer, pos);
            }
            synchronized (state) {
                for (long[] f : frames) {
                    active.addRecord(f[0], (int) f[1], f[2], indexEvery, blockSpanMillis);
                }
            }
            dirty = true;
            batches.incrementAndGet();
            if (fsync.mode() == FsyncPolicy.Mode.EVERY_BATCH) {
                sync(active);
            } else if (fsync.mode() == FsyncPolicy.Mode.INTERVAL) {
                syncIfDue(active);
            }
        } catch (IOException | RuntimeException e) {
            Segment failed = active;
            if (mark != null) {
                try {
                    failed.channel.truncate(start);
                } catch (IOException | RuntimeException ignored) {
                    // the next open cuts a torn tail anyway
                }
                synchronized (state) {
                    failed.reset(mark);
                }
            }
            throw fail(EventStoreErrorCode.STORE_UNAVAILABLE, "writing " + batch.size() + " events to " + failed.path
                    + " failed: " + e, e);
        }
    }

    private void sync(Segment s) throws IOException {
        s.channel.force(false);
        fsyncs.incrementAndGet();
        dirty = false;
        lastSyncNanos = clock.nanoTime();
    }

    private void syncIfDue(Segment s) throws IOException {
        if (dirty && clock.nanoTime() - lastSyncNanos >= fsync.interval().toNanos()) {
            sync(s);
        }
    }

    /** Seals the active segment (synced, indexed) and starts the next one. */
    private Segment roll() throws IOException {
        Segment old = active();
        if (fsync.mode() != FsyncPolicy.Mode.NEVER) {
            old.channel.force(false);
            fsyncs.incrementAndGet();
        }
        Segment next = create(old.baseSeq + old.records);
        synchronized (state) {
            old.closeBlock();
            old.sealed = true;
            segments.add(next);
        }
        old.writeIndex();
        old.channel.close();
        old.channel = null;
        dirty = false;
        applyRetention();
        return next;
    }

    /** Runs a due interval fsync and retention. */
    @Override
    public synchronized void maintain() {
        if (closed || readOnly) {
            return;
        }
        try {
            if (fsync.mode() == FsyncPolicy.Mode.INTERVAL) {
                syncIfDue(active());
            }
            Segment active = active();
            if (active.records > 0 && clock.currentTimeMillis() - active.createdMillis >= segmentDuration.toMillis()) {
                roll();
            }
            applyRetention();
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "event log upkeep in " + directory + " failed", e);
        }
    }

    /** Deletes the sealed segments that retention no longer keeps; returns how many. */
    public synchronized int applyRetention() {
        if (readOnly || closed) {
            return 0;
        }
        int deleted = 0;
        long now = clock.currentTimeMillis();
        while (true) {
            Segment oldest;
            String reason = null;
            synchronized (state) {
                if (segments.size() < 2) {
                    break;
                }
                oldest = segments.get(0);
                if (maxAge != null && oldest.maxTs < now - maxAge.toMillis()) {
                    reason = "age";
                } else if (maxTotalBytes > 0 && totalBytes() > maxTotalBytes) {
                    reason = "size";
                }
                if (reason == null) {
                    break;
                }
                segments.remove(0);
            }
            try {
                Files.deleteIfExists(oldest.path);
                Files.deleteIfExists(oldest.indexPath());
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "retention could not delete " + oldest.path, e);
            }
            deleted++;
            deletedSegments.incrementAndGet();
            if (retentionChannel.isActive()) {
                retentionChannel.emit(Map.of(EventStoreEvents.EVENTS, oldest.records, EventStoreEvents.BYTES_KEY, oldest.length),
                        Map.of(EventStoreEvents.STORE, kind(), EventStoreEvents.REASON, reason,
                                EventStoreEvents.UNIT, oldest.path.getFileName().toString()));
            }
        }
        return deleted;
    }

    private long totalBytes() {
        long total = 0;
        for (Segment s : segments) {
            total += s.length;
        }
        return total;
    }

    private Segment active() {
        synchronized (state) {
            return segments.get(segments.size() - 1);
        }
    }

    private void requireWritable() {
        if (closed) {
            throw fail(EventStoreErrorCode.STORE_CLOSED, "the event log in " + directory + " is closed", null);
        }
        if (readOnly) {
            throw fail(EventStoreErrorCode.STORE_CLOSED, "the event log in " + directory + " is open read-only", null);
        }
    }

    // ---------------------------------------------------------------- reading

    /**
     * The matching records in time order. The blocks of the time index that overlap the range are
     * read lazily and merged: a block is read only once every record before its first timestamp
     * has been returned. A damaged record met on the way is reported (7405) and skipped.
     */
    @Override
    public Stream<StoredEvent> query(EventQuery query) {
        Objects.requireNonNull(query, "query");
        if (closed) {
            throw fail(EventStoreErrorCode.STORE_CLOSED, "the event log in " + directory + " is closed", null);
        }
        List<Located> blocks = new ArrayList<>();
        synchronized (state) {
            for (Segment s : segments) {
                for (Segment.Block b : s.blocks(query.from(), query.to())) {
                    blocks.add(new Located(s.path, b));
                }
            }
        }
        blocks.sort(Comparator.comparingLong((Located l) -> l.block.minTs()).thenComparingLong(l -> l.block.firstSeq()));
        Merge merge = new Merge(blocks, query);
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(merge, Spliterator.ORDERED | Spliterator.NONNULL), false)
                .onClose(merge::close);
    }

    private record Located(Path path, Segment.Block block) {
    }

    private record Sequenced(StoredEvent event, long seq) {
    }

    /** The k-way merge of the blocks of a query, in (timestamp, sequence) order. */
    private final class Merge implements Iterator<StoredEvent> {
        private final List<Located> blocks;
        private final EventQuery query;
        private final PriorityQueue<Sequenced> ready = new PriorityQueue<>(
                Comparator.comparingLong((Sequenced s) -> s.event.timestampMillis()).thenComparingLong(Sequenced::seq));
        private final Map<Path, FileChannel> channels = new java.util.HashMap<>();
        private final RecordCodec codec = new RecordCodec();
        private byte[] buffer = new byte[64 * 1024];
        private int nextBlock;
        private long returned;
        private boolean done;

        Merge(List<Located> blocks, EventQuery query) {
            this.blocks = blocks;
            this.query = query;
        }

        @Override
        public boolean hasNext() {
            if (done) {
                return false;
            }
            if (returned >= query.limit()) {
                close();
                return false;
            }
            while (nextBlock < blocks.size()
                    && (ready.isEmpty() || blocks.get(nextBlock).block.minTs() <= ready.peek().event.timestampMillis())) {
                read(blocks.get(nextBlock++));
            }
            if (ready.isEmpty()) {
                close();
                return false;
            }
            return true;
        }

        @Override
        public StoredEvent next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            returned++;
            return ready.poll().event;
        }

        private void read(Located located) {
            Segment.Block block = located.block;
            blocksRead.incrementAndGet();
            FileChannel ch;
            try {
                ch = channels.get(located.path);
                if (ch == null) {
                    ch = FileChannel.open(located.path, StandardOpenOption.READ);
                    channels.put(located.path, ch);
                }
                if (buffer.length < block.length()) {
                    buffer = new byte[block.length()];
                }
                ByteBuffer bb = ByteBuffer.wrap(buffer, 0, block.length());
                long pos = block.offset();
                while (bb.hasRemaining()) {
                    int n = ch.read(bb, pos);
                    if (n < 0) {
                        break;
                    }
                    pos += n;
                }
                int limit = bb.position();
                int p = 0;
                long seq = block.firstSeq();
                while (p < limit) {
                    int n = codec.validFrame(buffer, p, limit);
                    if (n < 0) {
                        int next = Segment.resync(codec, buffer, p + 1, limit);
                        report(corruptionChannel, located.path, block.offset() + p, (next < 0 ? limit : next) - p, false);
                        if (next < 0) {
                            break;
                        }
                        p = next;
                        continue;
                    }
                    StoredEvent e = codec.decode(buffer, p);
                    if (query.matches(e)) {
                        ready.add(new Sequenced(e, seq));
                    }
                    seq++;
                    p += n;
                }
            } catch (NoSuchFileException gone) {
                // deleted by retention after the query started: its records are gone
            } catch (IOException e) {
                close();
                throw fail(EventStoreErrorCode.QUERY_FAILED, "reading " + located.path + " failed: " + e, e);
            }
        }

        void close() {
            done = true;
            ready.clear();
            for (FileChannel ch : channels.values()) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // closing anyway
                }
            }
            channels.clear();
        }
    }

    // ---------------------------------------------------------------- status and close

    /** A snapshot of the log: segments, size, records, time span, syncs, damage found, retention. */
    @Override
    public Status status() {
        synchronized (state) {
            long records = 0;
            long min = Long.MAX_VALUE;
            long max = Long.MIN_VALUE;
            for (Segment s : segments) {
                records += s.records;
                min = Math.min(min, s.minTs);
                max = Math.max(max, s.maxTs);
            }
            return new Status(directory, readOnly, segments.size(), totalBytes(), records,
                    records == 0 ? null : Instant.ofEpochMilli(min), records == 0 ? null : Instant.ofEpochMilli(max),
                    fsync, fsyncs.get(), corruptRegions.get(), truncatedBytes.get(), deletedSegments.get(), batches.get());
        }
    }

    /**
     * The status of a {@link FileEventStore}.
     *
     * @param directory       the log's directory
     * @param readOnly        opened read-only
     * @param segments        segment files
     * @param bytes           their total size
     * @param records         records they hold (an aggregate is one record)
     * @param oldest          the earliest timestamp kept, or null when empty
     * @param newest          the latest timestamp kept, or null when empty
     * @param fsync           the fsync policy
     * @param fsyncs          fsyncs done
     * @param corruptRegions  damaged regions found (at open and by queries) and skipped
     * @param truncatedBytes  bytes of torn tails cut off at open
     * @param deletedSegments segments deleted by retention
     * @param batches         batches appended
     */
    public record Status(Path directory, boolean readOnly, int segments, long bytes, long records, Instant oldest,
                         Instant newest, FsyncPolicy fsync, long fsyncs, long corruptRegions, long truncatedBytes,
                         long deletedSegments, long batches) implements ComponentStatus {
    }

    /** Syncs the active segment, writes its index and releases the directory lock. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (!readOnly) {
            Segment active = active();
            try {
                if (active.channel != null) {
                    active.channel.force(true);
                    fsyncs.incrementAndGet();
                    synchronized (state) {
                        active.closeBlock();
                    }
                    active.writeIndex();
                }
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "closing the event log in " + directory + " failed", e);
            }
        }
        releaseQuietly();
    }

    private void releaseQuietly() {
        synchronized (state) {
            for (Segment s : segments) {
                if (s.channel != null) {
                    try {
                        s.channel.close();
                    } catch (IOException ignored) {
                        // closing anyway
                    }
                    s.channel = null;
                }
            }
        }
        try {
            if (lock != null) {
                lock.release();
            }
            if (lockChannel != null) {
                lockChannel.close();
            }
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /** Blocks of the time index read by queries so far (tests check that a range query reads few). */
    long blocksRead() {
        return blocksRead.get();
    }

    static InfraException fail(EventStoreErrorCode code, String message, Throwable cause) {
        return InfraError.builder(code).message(message).cause(cause).build().toException();
    }

    @Override
    public String toString() {
        return "FileEventStore[" + directory + (readOnly ? ", read-only" : "") + ", fsync " + fsync + "]";
    }

    /** Builds a {@link FileEventStore}; not thread-safe. */
    public static final class Builder {
        private final Path directory;
        private boolean readOnly;
        private long segmentBytes = 64L * 1024 * 1024;
        private Duration segmentDuration = Duration.ofHours(1);
        private FsyncPolicy fsync = FsyncPolicy.every(Duration.ofSeconds(1));
        private Duration maxAge;
        private long maxTotalBytes;
        private int indexEvery = 512;
        private Clock clock = Clock.system();
        private Telemetry telemetry;

        private Builder(Path directory) {
            this.directory = Objects.requireNonNull(directory, "directory").toAbsolutePath();
        }

        /** Roll over to a new segment once the active one holds this many bytes (default 64 MiB, in [4 KiB, 1 GiB]). */
        public Builder segmentBytes(long bytes) {
            if (bytes < 4096 || bytes > (1L << 30)) {
                throw new IllegalArgumentException("segmentBytes must be in [4096, 2^30], was " + bytes);
            }
            this.segmentBytes = bytes;
            return this;
        }

        /** Roll over to a new segment once the active one is this old (default 1 h), so that age retention can delete whole segments. */
        public Builder segmentDuration(Duration duration) {
            this.segmentDuration = positive("segmentDuration", duration);
            return this;
        }

        /** When to force writes to the disk (default every second). */
        public Builder fsync(FsyncPolicy policy) {
            this.fsync = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /** Delete segments whose every record is older than this (default: keep). */
        public Builder maxAge(Duration age) {
            this.maxAge = positive("maxAge", age);
            return this;
        }

        /** Delete the oldest segments while all of them take more than this many bytes (default: no bound). */
        public Builder maxTotalBytes(long bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("maxTotalBytes must be positive, was " + bytes);
            }
            this.maxTotalBytes = bytes;
            return this;
        }

        /** The most records in one block of the time index (default 512, in [8, 65536]). */
        public Builder indexEvery(int records) {
            if (records < 8 || records > 65536) {
                throw new IllegalArgumentException("indexEvery must be in [8, 65536], was " + records);
            }
            this.indexEvery = records;
            return this;
        }

        /** The clock for segment ages, retention and fsync intervals (the module sets the infrastructure's). */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Where recovery, damage and retention events go (the module sets the infrastructure's). */
        public Builder telemetry(Telemetry telemetry) {
            this.telemetry = Objects.requireNonNull(telemetry, "telemetry");
            return this;
        }

        /** Open for reading only: no lock, no repair, no writes. */
        public Builder readOnly() {
            this.readOnly = true;
            return this;
        }

        /**
         * Opens the store, recovering it as described on {@link FileEventStore}.
         *
         * @throws InfraException 7407 if another writer holds the directory, 7408 if it cannot be opened
         */
        public FileEventStore build() {
            return new FileEventStore(this);
        }

        private static Duration positive(String name, Duration d) {
            Objects.requireNonNull(d, name);
            if (d.isZero() || d.isNegative()) {
                throw new IllegalArgumentException(name + " must be positive, was " + d);
            }
            return d;
        }
    }

}
