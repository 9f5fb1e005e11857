package io.csrflow.scheduler.streams;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;

import org.apache.kafka.common.utils.Bytes;

/**
 * Keys of the deadline index: 8 bytes of big-endian epoch milliseconds, then the identity. Stores
 * order keys as unsigned bytes, so these sort by time (instants before 1970 are clamped to 0; no
 * certificate deadline lies there), and a range up to "now" is exactly what is due.
 */
final class DueKey {
    private DueKey() {
    }

    static Bytes of(Instant at, String identity) {
        byte[] id = identity.getBytes(StandardCharsets.UTF_8);
        return Bytes.wrap(ByteBuffer.allocate(Long.BYTES + id.length).putLong(millis(at)).put(id).array());
    }

    /** The smallest key after every entry due at or before {@code at}. */
    static Bytes after(Instant at) {
        return Bytes.wrap(ByteBuffer.allocate(Long.BYTES).putLong(millis(at) + 1).array());
    }

    static Bytes first() {
        return Bytes.wrap(new byte[Long.BYTES]);
    }

    static Instant time(Bytes key) {
        return Instant.ofEpochMilli(ByteBuffer.wrap(key.get()).getLong());
    }

    static String identity(Bytes key) {
        byte[] k = key.get();
        return new String(Arrays.copyOfRange(k, Long.BYTES, k.length), StandardCharsets.UTF_8);
    }

    private static long millis(Instant at) {
        return Math.max(0, at.toEpochMilli());
    }
}
