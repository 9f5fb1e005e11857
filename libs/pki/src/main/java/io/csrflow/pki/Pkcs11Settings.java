package io.csrflow.pki;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where a CA key lives in a PKCS#11 token, for {@link Pkcs11CaLoader}.
 *
 * @param library the token's PKCS#11 module, e.g. {@code /usr/lib/softhsm/libsofthsm2.so}
 * @param slot which of the module's tokens
 * @param keyLabel the alias in SunPKCS11's KeyStore: the CKA_LABEL of the CA certificate stored on
 *        the token with the same CKA_ID as the private key (label both alike)
 * @param pinFile a file holding the user PIN, mounted from a Secret so that the PIN is not in the
 *        environment; trailing line breaks are ignored
 */
public record Pkcs11Settings(Path library, TokenSlot slot, String keyLabel, Path pinFile) {

    public Pkcs11Settings {
        Objects.requireNonNull(library, "library");
        Objects.requireNonNull(slot, "slot");
        Objects.requireNonNull(pinFile, "pinFile");
        if (keyLabel == null || keyLabel.isBlank()) {
            throw new IllegalArgumentException("a PKCS#11 key label is required");
        }
    }

    /**
     * Which token. By slot, not by token label: Java 17's SunPKCS11 has no configuration keyword
     * for a label, and no public API reads one.
     */
    public sealed interface TokenSlot permits SlotId, SlotListIndex {
    }

    /**
     * The slot ID the module reports ({@code softhsm2-util --show-slots}, {@code pkcs11-tool -L}).
     * Prefer it: SoftHSM derives it from the token's serial, so it stays put when tokens come and go.
     */
    public record SlotId(long id) implements TokenSlot {
        public SlotId {
            if (id < 0) {
                throw new IllegalArgumentException("a PKCS#11 slot ID is not negative: " + id);
            }
        }

        @Override
        public String toString() {
            return "slot " + id;
        }
    }

    /** The position in the module's slot list, as some HSM vendors document it. */
    public record SlotListIndex(int index) implements TokenSlot {
        public SlotListIndex {
            if (index < 0) {
                throw new IllegalArgumentException("a PKCS#11 slot list index is not negative: " + index);
            }
        }

        @Override
        public String toString() {
            return "slot list index " + index;
        }
    }
}
