package io.csrflow.pki;

/**
 * Walks DER tag-length headers without recursion and reports whether constructed values nest
 * deeper than a limit, before any parser that recurses sees the bytes.
 */
final class DerDepth {
    private DerDepth() {
    }

    /** True if the bytes are one well-formed definite-length DER value nested at most {@code limit} deep. */
    static boolean within(byte[] der, int limit) {
        int[] ends = new int[limit + 1];
        int depth = 0;
        int pos = 0;
        ends[0] = der.length;
        while (pos < der.length) {
            while (depth > 0 && pos == ends[depth]) {
                depth--;
            }
            int tag = der[pos++] & 0xff;
            if ((tag & 0x1f) == 0x1f) {
                return false; // high tag numbers do not occur in CSRs
            }
            if (pos >= der.length) {
                return false;
            }
            int first = der[pos++] & 0xff;
            long length;
            if (first < 0x80) {
                length = first;
            } else {
                int octets = first & 0x7f;
                if (octets == 0 || octets > 4 || pos + octets > der.length) {
                    return false; // indefinite (BER) or absurd lengths
                }
                length = 0;
                for (int i = 0; i < octets; i++) {
                    length = (length << 8) | (der[pos++] & 0xff);
                }
            }
            if (pos + length > ends[depth]) {
                return false;
            }
            if ((tag & 0x20) != 0) {
                if (depth == limit) {
                    return false;
                }
                ends[++depth] = (int) (pos + length);
            } else {
                pos += (int) length;
            }
            while (depth > 0 && pos == ends[depth]) {
                depth--;
            }
        }
        return pos == der.length;
    }
}
