package dev.bulwark.eventstore;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * One segment file of a {@link FileEventStore} and its time index: the list of blocks (runs of
 * consecutive records with their first and last timestamps) plus the block still being filled.
 *
 * <p>File layout: a 28-byte header ({@code "BWEV"}, version, flags, base sequence, creation time,
 * CRC32C of the header) followed by framed records ({@link RecordCodec}). The index sidecar
 * ({@code <base>.idx}) is written when the segment is sealed; it is a cache, rebuilt by scanning
 * when it is missing, damaged or does not cover the file's length.
 *
 * <p>Mutable fields are guarded by the store's state lock.
 */
final class Segment {

    static final int MAGIC = 0x42574556;          // "BWEV"
    static final int INDEX_MAGIC = 0x42574958;    // "BWIX"
    static final short VERSION = 1;
    static final int HEADER_SIZE = 28;
    static final String SUFFIX = ".seg";
    static final String INDEX_SUFFIX = ".idx";

    /** A run of consecutive records: where it is, how long, its time range, its records. */
    record Block(long offset, int length, long minTs, long maxTs, int count, long firstSeq) {
        boolean overlaps(long from, long to) {
            return maxTs >= from && minTs < to;
        }
    }

    /** A damaged region found while scanning. */
    record Damage(long offset, long length, boolean tail) {
    }

    final Path path;
    final long baseSeq;
    final long createdMillis;

    final List<Block> blocks = new ArrayList<>();
    long length = HEADER_SIZE;
    long records;
    long minTs = Long.MAX_VALUE;
    long maxTs = Long.MIN_VALUE;
    boolean sealed;
    FileChannel channel;

    // the block being filled
    long openOffset = -1;
    int openLength;
    int openCount;
    long openMin;
    long openMax;
    long openFirstSeq;

    Segment(Path path, long baseSeq, long createdMillis) {
        this.path = path;
        this.baseSeq = baseSeq;
        this.createdMillis = createdMillis;
    }

    static String fileName(long baseSeq) {
        return String.format("%020d", baseSeq) + SUFFIX;
    }

    Path indexPath() {
        String name = path.getFileName().toString();
        return path.resolveSibling(name.substring(0, name.length() - SUFFIX.length()) + INDEX_SUFFIX);
    }

    static ByteBuffer header(long baseSeq, long createdMillis) {
        ByteBuffer b = ByteBuffer.allocate(HEADER_SIZE);
        b.putInt(MAGIC).putShort(VERSION).putShort((short) 0).putLong(baseSeq).putLong(createdMillis);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, 24);
        b.putInt((int) crc.getValue());
        return b.flip();
    }

    /** The creation time in a valid header, or throws if the header is not a valid segment header of {@code baseSeq}. */
    static long readHeader(byte[] head, long baseSeq, Path path) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(head);
        CRC32C crc = new CRC32C();
        crc.update(head, 0, 24);
        if (head.length < HEADER_SIZE || b.getInt(0) != MAGIC || b.getShort(4) != VERSION
                || b.getInt(24) != (int) crc.getValue() || b.getLong(8) != baseSeq) {
            throw new IOException(path + " has no valid segment header");
        }
        return b.getLong(16);
    }

    // ---------------------------------------------------------------- index upkeep (under the state lock)

    /** Adds a record at {@code offset} of {@code frameLength} bytes with timestamp {@code ts}. */
    void addRecord(long offset, int frameLength, long ts, int maxBlockRecords, long blockSpanMillis) {
        if (openOffset >= 0 && (openCount >= maxBlockRecords
                || (openCount >= 8 && (ts - openMin >= blockSpanMillis || openMax - ts >= blockSpanMillis))
                || openOffset + openLength != offset)) {
            closeBlock();
        }
        if (openOffset < 0) {
            openOffset = offset;
            openLength = 0;
            openCount = 0;
            openMin = ts;
            openMax = ts;
            openFirstSeq = baseSeq + records;
        }
        openLength += frameLength;
        openCount++;
        openMin = Math.min(openMin, ts);
        openMax = Math.max(openMax, ts);
        records++;
        minTs = Math.min(minTs, ts);
        maxTs = Math.max(maxTs, ts);
        length = offset + frameLength;
    }

    void closeBlock() {
        if (openOffset >= 0) {
            blocks.add(new Block(openOffset, openLength, openMin, openMax, openCount, openFirstSeq));
            openOffset = -1;
        }
    }

    /** The blocks overlapping [from, to), the open one included. */
    List<Block> blocks(long from, long to) {
        List<Block> out = new ArrayList<>();
        if (maxTs < from || minTs >= to) {
            return out;
        }
        for (Block b : blocks) {
            if (b.overlaps(from, to)) {
                out.add(b);
            }
        }
        if (openOffset >= 0) {
            Block open = new Block(openOffset, openLength, openMin, openMax, openCount, openFirstSeq);
            if (open.overlaps(from, to)) {
                out.add(open);
            }
        }
        return out;
    }

    /** The index state at one moment, to roll back a failed append. */
    record Mark(int blocks, long length, long records, long minTs, long maxTs, long openOffset, int openLength,
                int openCount, long openMin, long openMax, long openFirstSeq) {
    }

    Mark mark() {
        return new Mark(blocks.size(), length, records, minTs, maxTs, openOffset, openLength, openCount, openMin, openMax,
                openFirstSeq);
    }

    void reset(Mark m) {
        while (blocks.size() > m.blocks()) {
            blocks.remove(blocks.size() - 1);
        }
        length = m.length();
        records = m.records();
        minTs = m.minTs();
        maxTs = m.maxTs();
        openOffset = m.openOffset();
        openLength = m.openLength();
        openCount = m.openCount();
        openMin = m.openMin();
        openMax = m.openMax();
        openFirstSeq = m.openFirstSeq();
    }

    // ---------------------------------------------------------------- scanning

    /**
     * Rebuilds the index from the file's bytes: every valid frame is indexed; a damaged region is
     * skipped up to the next valid frame; damage that reaches the end of the file is the tail.
     */
    List<Damage> scan(byte[] bytes, int limit, RecordCodec codec, int maxBlockRecords, long blockSpanMillis) {
        List<Damage> damage = new ArrayList<>();
        int pos = HEADER_SIZE;
        while (pos < limit) {
            int n = codec.validFrame(bytes, pos, limit);
            if (n > 0) {
                addRecord(pos, n, RecordCodec.timestamp(bytes, pos), maxBlockRecords, blockSpanMillis);
                pos += n;
                continue;
            }
            closeBlock();
            int next = resync(codec, bytes, pos + 1, limit);
            if (next < 0) {
                damage.add(new Damage(pos, limit - pos, true));
                break;
            }
            damage.add(new Damage(pos, next - pos, false));
            pos = next;
        }
        closeBlock();
        return damage;
    }

    /** The first position at or after {@code from} where a valid frame starts, or -1. */
    static int resync(RecordCodec codec, byte[] bytes, int from, int limit) {
        for (int p = from; p <= limit - RecordCodec.FRAME_HEADER; p++) {
            if (codec.validFrame(bytes, p, limit) > 0) {
                return p;
            }
        }
        return -1;
    }

    // ---------------------------------------------------------------- index sidecar

    void writeIndex() throws IOException {
        closeBlock();
        ByteBuffer b = ByteBuffer.allocate(48 + blocks.size() * 40 + 4);
        b.putInt(INDEX_MAGIC).putShort(VERSION).putShort((short) 0).putLong(length).putLong(records)
                .putLong(minTs).putLong(maxTs).putInt(blocks.size()).putInt(0);
        for (Block block : blocks) {
            b.putLong(block.offset()).putInt(block.length()).putLong(block.minTs()).putLong(block.maxTs())
                    .putInt(block.count()).putLong(block.firstSeq());
        }
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue());
        b.flip();
        Path tmp = indexPath().resolveSibling(indexPath().getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
        Files.move(tmp, indexPath(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Loads the index sidecar if it is valid and covers exactly {@code fileLength} bytes; false otherwise. */
    boolean loadIndex(long fileLength) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(indexPath());
        } catch (IOException e) {
            return false;
        }
        if (bytes.length < 52) {
            return false;
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - 4);
        if (b.getInt(0) != INDEX_MAGIC || b.getShort(4) != VERSION || b.getInt(bytes.length - 4) != (int) crc.getValue()) {
            return false;
        }
        b.position(8);
        long len = b.getLong();
        if (len != fileLength) {
            return false;
        }
        long recs = b.getLong();
        long min = b.getLong();
        long max = b.getLong();
        int n = b.getInt();
        b.getInt();
        if (bytes.length != 48 + n * 40 + 4) {
            return false;
        }
        blocks.clear();
        for (int i = 0; i < n; i++) {
            blocks.add(new Block(b.getLong(), b.getInt(), b.getLong(), b.getLong(), b.getInt(), b.getLong()));
        }
        length = len;
        records = recs;
        minTs = min;
        maxTs = max;
        openOffset = -1;
        return true;
    }

    @Override
    public String toString() {
        return path.getFileName().toString();
    }
}
