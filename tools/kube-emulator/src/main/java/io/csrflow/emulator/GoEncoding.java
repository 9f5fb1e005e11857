package io.csrflow.emulator;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Go's {@code encoding/base64} (standard alphabet, padding required) and {@code encoding/pem}
 * decoders, re-implemented for what the API server decides with them: a JSON {@code []byte} field
 * ({@code spec.request}, {@code status.certificate}) that is not base64 is a 400 naming the byte
 * where decoding stopped; {@code pem.Decode} skips text around blocks and blocks it cannot decode,
 * so a malformed block reads as no block at all.
 */
final class GoEncoding {
    private static final byte[] PEM_START = "\n-----BEGIN ".getBytes();
    private static final byte[] PEM_END = "\n-----END ".getBytes();
    private static final byte[] PEM_END_OF_LINE = "-----".getBytes();
    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    private static final int[] DECODE = new int[256];

    static {
        Arrays.fill(DECODE, -1);
        for (int i = 0; i < ALPHABET.length(); i++) {
            DECODE[ALPHABET.charAt(i)] = i;
        }
    }

    /** {@code base64.CorruptInputError}: the offset of the first byte Go could not decode. */
    static final class CorruptInput extends Exception {
        CorruptInput(long offset) {
            super("illegal base64 data at input byte " + offset);
        }
    }

    /** A decoded PEM block. */
    record PemBlock(String type, Map<String, String> headers, byte[] bytes) {
    }

    /** The first block {@code pem.Decode} finds, and what follows it. */
    record PemResult(PemBlock block, byte[] rest) {
    }

    private GoEncoding() {
    }

    /** {@code base64.StdEncoding.Decode}: newlines are skipped; padding is required. */
    static byte[] base64(byte[] src) throws CorruptInput {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int si = 0;
        while (true) {
            int[] quantum = new int[4];
            int length = 4;
            boolean end = false;
            for (int j = 0; j < 4; j++) {
                if (si == src.length) {
                    if (j == 0) {
                        return out.toByteArray();
                    }
                    throw new CorruptInput(si - j);
                }
                int in = src[si] & 0xff;
                si++;
                if (DECODE[in] >= 0) {
                    quantum[j] = DECODE[in];
                    continue;
                }
                if (in == '\n' || in == '\r') {
                    j--;
                    continue;
                }
                if (in != '=') {
                    throw new CorruptInput(si - 1);
                }
                if (j < 2) {
                    throw new CorruptInput(si - 1);
                }
                if (j == 2) {
                    while (si < src.length && (src[si] == '\n' || src[si] == '\r')) {
                        si++;
                    }
                    if (si == src.length) {
                        throw new CorruptInput(src.length);
                    }
                    if (src[si] != '=') {
                        throw new CorruptInput(si - 1);
                    }
                    si++;
                }
                while (si < src.length && (src[si] == '\n' || src[si] == '\r')) {
                    si++;
                }
                if (si < src.length) {
                    throw new CorruptInput(si);
                }
                length = j;
                end = true;
                break;
            }
            int value = quantum[0] << 18 | quantum[1] << 12 | quantum[2] << 6 | quantum[3];
            out.write(value >> 16);
            if (length > 2) {
                out.write(value >> 8);
            }
            if (length > 3) {
                out.write(value);
            }
            if (end) {
                return out.toByteArray();
            }
        }
    }

    /** {@code pem.Decode}: the first well-formed block, or a null block when there is none. */
    static PemResult pemDecode(byte[] data) {
        byte[] rest = data;
        while (true) {
            if (startsWith(rest, PEM_START, 1)) {
                rest = Arrays.copyOfRange(rest, PEM_START.length - 1, rest.length);
            } else {
                int at = indexOf(rest, PEM_START, 0);
                if (at < 0) {
                    return new PemResult(null, data);
                }
                rest = Arrays.copyOfRange(rest, at + PEM_START.length, rest.length);
            }
            byte[][] line = line(rest);
            byte[] typeLine = line[0];
            rest = line[1];
            if (!endsWith(typeLine, PEM_END_OF_LINE)) {
                continue;
            }
            typeLine = Arrays.copyOf(typeLine, typeLine.length - PEM_END_OF_LINE.length);
            Map<String, String> headers = new LinkedHashMap<>();
            boolean truncated = false;
            while (true) {
                if (rest.length == 0) {
                    truncated = true;
                    break;
                }
                byte[][] headerLine = line(rest);
                int colon = indexOf(headerLine[0], new byte[] {':'}, 0);
                if (colon < 0) {
                    break;
                }
                headers.put(new String(headerLine[0], 0, colon).trim(),
                        new String(headerLine[0], colon + 1, headerLine[0].length - colon - 1).trim());
                rest = headerLine[1];
            }
            if (truncated) {
                return new PemResult(null, data);
            }
            int endIndex;
            int endTrailerIndex;
            if (headers.isEmpty() && startsWith(rest, PEM_END, 1)) {
                endIndex = 0;
                endTrailerIndex = PEM_END.length - 1;
            } else {
                endIndex = indexOf(rest, PEM_END, 0);
                endTrailerIndex = endIndex + PEM_END.length;
            }
            if (endIndex < 0) {
                continue;
            }
            int trailerLength = typeLine.length + PEM_END_OF_LINE.length;
            if (rest.length - endTrailerIndex < trailerLength) {
                continue;
            }
            byte[] trailer = Arrays.copyOfRange(rest, endTrailerIndex, endTrailerIndex + trailerLength);
            byte[] restOfEndLine = Arrays.copyOfRange(rest, endTrailerIndex + trailerLength, rest.length);
            if (!startsWith(trailer, typeLine, 0) || !endsWith(trailer, PEM_END_OF_LINE)) {
                continue;
            }
            if (line(restOfEndLine)[0].length != 0) {
                continue;
            }
            byte[] base64 = withoutSpacesAndTabs(Arrays.copyOf(rest, endIndex));
            byte[] bytes;
            try {
                bytes = base64(base64);
            } catch (CorruptInput e) {
                continue;
            }
            byte[] after = line(Arrays.copyOfRange(rest, endIndex + PEM_END.length - 1, rest.length))[1];
            return new PemResult(new PemBlock(new String(typeLine), headers, bytes), after);
        }
    }

    /** {@code getLine}: the first line without its trailing spaces and tabs, and what follows it. */
    private static byte[][] line(byte[] data) {
        int i = indexOf(data, new byte[] {'\n'}, 0);
        int j;
        if (i < 0) {
            i = data.length;
            j = i;
        } else {
            j = i + 1;
            if (i > 0 && data[i - 1] == '\r') {
                i--;
            }
        }
        int end = i;
        while (end > 0 && (data[end - 1] == ' ' || data[end - 1] == '\t')) {
            end--;
        }
        return new byte[][] {Arrays.copyOf(data, end), Arrays.copyOfRange(data, j, data.length)};
    }

    private static byte[] withoutSpacesAndTabs(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte b : data) {
            if (b != ' ' && b != '\t') {
                out.write(b);
            }
        }
        return out.toByteArray();
    }

    /** Whether {@code data} starts with {@code prefix} from {@code prefix[from]} on. */
    private static boolean startsWith(byte[] data, byte[] prefix, int from) {
        int length = prefix.length - from;
        return data.length >= length && Arrays.equals(data, 0, length, prefix, from, prefix.length);
    }

    private static boolean endsWith(byte[] data, byte[] suffix) {
        return data.length >= suffix.length
                && Arrays.equals(data, data.length - suffix.length, data.length, suffix, 0, suffix.length);
    }

    private static int indexOf(byte[] data, byte[] needle, int from) {
        outer:
        for (int i = from; i <= data.length - needle.length; i++) {
            for (int k = 0; k < needle.length; k++) {
                if (data[i + k] != needle[k]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
