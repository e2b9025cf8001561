package dev.bulwark.eventstore;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * The binary form of one {@link StoredEvent} in a segment file, framed as
 * {@code [int length][int crc32c][payload]}, big-endian. The checksum covers the length bytes and
 * the payload, so a damaged length is caught as surely as a damaged payload.
 *
 * <pre>
 * payload := timestamp:int64 kind:int8 count:varint name:str component:nstr entity:nstr
 *            nMeasurements:varint (key:str type:int8 value:(zigzag varint | float64))*
 *            nMetadata:varint (key:str value:str)*
 * str     := length:varint utf8-bytes          nstr := 0 (null) | length+1:varint utf8-bytes
 * </pre>
 *
 * Not thread-safe: one instance per writer or reader.
 */
final class RecordCodec {

    /** Bytes of the frame before the payload: length and checksum. */
    static final int FRAME_HEADER = 8;
    /** The largest payload accepted; anything larger is damage. */
    static final int MAX_PAYLOAD = 1 << 20;
    /** Metadata values longer than this are cut (with a marker), so one event cannot make a huge record. */
    static final int MAX_VALUE_CHARS = 4096;

    private static final byte LONG = 0;
    private static final byte DOUBLE = 1;

    private final CRC32C crc = new CRC32C();

    /** Appends the framed record to {@code out}, growing it as needed; returns the buffer written to. */
    ByteBuffer encode(StoredEvent e, ByteBuffer out) {
        out = ensure(out, 64);
        int start = out.position();
        out.position(start + FRAME_HEADER);
        out.putLong(e.timestampMillis());
        out.put((byte) e.kind().ordinal());
        out = putVarLong(out, e.count());
        out = putString(out, e.name());
        out = putNullable(out, e.component());
        out = putNullable(out, e.entity());
        out = putVarLong(out, e.measurements().size());
        for (Map.Entry<String, Number> m : e.measurements().entrySet()) {
            out = putString(out, m.getKey());
            out = ensure(out, 11);
            Number v = m.getValue();
            if (v instanceof Long l) {
                out.put(LONG);
                out = putVarLong(out, (l << 1) ^ (l >> 63));
            } else {
                out.put(DOUBLE);
                out.putDouble(v.doubleValue());
            }
        }
        out = putVarLong(out, e.metadata().size());
        for (Map.Entry<String, String> m : e.metadata().entrySet()) {
            out = putString(out, m.getKey());
            String value = m.getValue();
            out = putString(out, value.length() > MAX_VALUE_CHARS ? value.substring(0, MAX_VALUE_CHARS) + "…" : value);
        }
        int end = out.position();
        int length = end - start - FRAME_HEADER;
        if (length > MAX_PAYLOAD) {
            throw new IllegalArgumentException("event " + e.name() + " encodes to " + length + " bytes, more than "
                    + MAX_PAYLOAD);
        }
        out.putInt(start, length);
        out.putInt(start + 4, checksum(out.array(), out.arrayOffset() + start, length));
        return out;
    }

    /** The checksum of a frame: over its 4 length bytes and its payload ({@code frame} points at the length). */
    int checksum(byte[] bytes, int frame, int payloadLength) {
        crc.reset();
        crc.update(bytes, frame, 4);
        crc.update(bytes, frame + FRAME_HEADER, payloadLength);
        return (int) crc.getValue();
    }

    /**
     * The length of the valid frame at {@code pos} of {@code bytes[0, limit)}, or -1 if there is none
     * there (incomplete, impossible length or checksum mismatch).
     */
    int validFrame(byte[] bytes, int pos, int limit) {
        if (limit - pos < FRAME_HEADER) {
            return -1;
        }
        int length = getInt(bytes, pos);
        if (length < 10 || length > MAX_PAYLOAD || (long) pos + FRAME_HEADER + length > limit) {
            return -1;
        }
        int stored = getInt(bytes, pos + 4);
        return checksum(bytes, pos, length) == stored ? FRAME_HEADER + length : -1;
    }

    /** Decodes the payload of the valid frame at {@code pos}. */
    StoredEvent decode(byte[] bytes, int pos) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        int length = in.getInt(pos);
        in.position(pos + FRAME_HEADER).limit(pos + FRAME_HEADER + length);
        long ts = in.getLong();
        StoredEvent.Kind kind = StoredEvent.Kind.values()[in.get()];
        long count = getVarLong(in);
        String name = getString(in);
        String component = getNullable(in);
        String entity = getNullable(in);
        int nm = (int) getVarLong(in);
        Map<String, Number> measurements = nm == 0 ? Map.of() : new LinkedHashMap<>();
        for (int i = 0; i < nm; i++) {
            String key = getString(in);
            byte type = in.get();
            if (type == LONG) {
                long z = getVarLong(in);
                measurements.put(key, (z >>> 1) ^ -(z & 1));
            } else {
                measurements.put(key, in.getDouble());
            }
        }
        int nd = (int) getVarLong(in);
        Map<String, String> metadata = nd == 0 ? Map.of() : new LinkedHashMap<>();
        for (int i = 0; i < nd; i++) {
            metadata.put(getString(in), getString(in));
        }
        return new StoredEvent(ts, name, kind, count, component, entity,
                nm == 0 ? measurements : Collections.unmodifiableMap(measurements),
                nd == 0 ? metadata : Collections.unmodifiableMap(metadata));
    }

    /** The timestamp of the valid frame at {@code pos}, without decoding the rest. */
    static long timestamp(byte[] bytes, int pos) {
        return ((long) getInt(bytes, pos + FRAME_HEADER) << 32) | (getInt(bytes, pos + FRAME_HEADER + 4) & 0xFFFFFFFFL);
    }

    static int getInt(byte[] b, int pos) {
        return (b[pos] << 24) | ((b[pos + 1] & 0xFF) << 16) | ((b[pos + 2] & 0xFF) << 8) | (b[pos + 3] & 0xFF);
    }

    static ByteBuffer ensure(ByteBuffer b, int more) {
        if (b.remaining() >= more) {
            return b;
        }
        ByteBuffer bigger = ByteBuffer.allocate(Math.max(b.capacity() * 2, b.position() + more + 1024));
        b.flip();
        bigger.put(b);
        return bigger;
    }

    private static ByteBuffer putVarLong(ByteBuffer out, long v) {
        out = ensure(out, 10);
        while ((v & ~0x7FL) != 0) {
            out.put((byte) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.put((byte) v);
        return out;
    }

    private static long getVarLong(ByteBuffer in) {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            byte b = in.get();
            v |= (long) (b & 0x7F) << shift;
            if (b >= 0) {
                return v;
            }
        }
        throw new IllegalStateException("varint longer than 10 bytes");
    }

    private static ByteBuffer putString(ByteBuffer out, String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        out = putVarLong(out, utf8.length);
        out = ensure(out, utf8.length);
        out.put(utf8);
        return out;
    }

    private static ByteBuffer putNullable(ByteBuffer out, String s) {
        if (s == null) {
            return putVarLong(out, 0);
        }
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        out = putVarLong(out, utf8.length + 1L);
        out = ensure(out, utf8.length);
        out.put(utf8);
        return out;
    }

    private static String getString(ByteBuffer in) {
        int n = (int) getVarLong(in);
        String s = new String(in.array(), in.arrayOffset() + in.position(), n, StandardCharsets.UTF_8);
        in.position(in.position() + n);
        return s;
    }

    private static String getNullable(ByteBuffer in) {
        int n = (int) getVarLong(in);
        if (n == 0) {
            return null;
        }
        String s = new String(in.array(), in.arrayOffset() + in.position(), n - 1, StandardCharsets.UTF_8);
        in.position(in.position() + n - 1);
        return s;
    }
}
