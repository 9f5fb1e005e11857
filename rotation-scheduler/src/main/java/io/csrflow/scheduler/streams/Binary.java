package io.csrflow.scheduler.streams;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;

/**
 * A compact, versioned binary form for state-store values and the repartition topic. A million
 * tracked certificates live in RocksDB and in changelog topics, so every byte counts, and JSON
 * parsing would dominate the scans behind the fleet view.
 */
final class Binary {
    private Binary() {
    }

    interface Writer {
        void write(Out out) throws IOException;
    }

    static byte[] encode(byte version, Writer writer) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(160);
        try (Out out = new Out(new DataOutputStream(bytes))) {
            out.data.writeByte(version);
            writer.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** A value written in any format version from {@code oldest} to {@code newest}; the reader is told which. */
    static <T> T decode(byte[] value, byte oldest, byte newest, String what, VersionedReader<T> reader) {
        try (In in = new In(new DataInputStream(new ByteArrayInputStream(value)))) {
            byte actual = in.data.readByte();
            if (actual < oldest || actual > newest) {
                throw new IllegalStateException(what + ": unknown format version " + actual);
            }
            return reader.read(actual, in);
        } catch (IOException e) {
            throw new IllegalStateException(what + ": truncated or corrupt value", e);
        }
    }

    interface VersionedReader<T> {
        T read(byte version, In in) throws IOException;
    }

    static final class Out implements AutoCloseable {
        final DataOutputStream data;

        Out(DataOutputStream data) {
            this.data = data;
        }

        Out string(String s) throws IOException {
            data.writeBoolean(s != null);
            if (s != null) {
                data.writeUTF(s);
            }
            return this;
        }

        Out instant(Instant i) throws IOException {
            data.writeBoolean(i != null);
            if (i != null) {
                data.writeLong(i.toEpochMilli());
            }
            return this;
        }

        Out integer(int v) throws IOException {
            data.writeInt(v);
            return this;
        }

        @Override
        public void close() throws IOException {
            data.close();
        }
    }

    static final class In implements AutoCloseable {
        final DataInputStream data;

        In(DataInputStream data) {
            this.data = data;
        }

        String string() throws IOException {
            return data.readBoolean() ? data.readUTF() : null;
        }

        Instant instant() throws IOException {
            return data.readBoolean() ? Instant.ofEpochMilli(data.readLong()) : null;
        }

        int integer() throws IOException {
            return data.readInt();
        }

        @Override
        public void close() throws IOException {
            data.close();
        }
    }
}
