package io.csrflow.fleet;

import java.util.Locale;

/**
 * Ways a simulated node's serving CSR can be wrong, so that the approver's denials show. Such a
 * node bootstraps its client certificate normally; its serving CSR is expected to be denied.
 */
enum Misbehaviour {
    NONE("well-behaved"),
    /** Asks for a SAN that is not one of its Node's addresses. */
    FOREIGN_SAN("asks for a SAN that is not its own"),
    /** Uses an RSA key of 1024 bits. */
    WEAK_KEY("uses a 1024-bit RSA key"),
    /** Asks for a serving certificate in another node's name. */
    IMPERSONATE("asks in another node's name");

    private final String description;

    Misbehaviour(String description) {
        this.description = description;
    }

    String description() {
        return description;
    }

    /** {@code foreign-san} → FOREIGN_SAN. */
    static Misbehaviour parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown misbehaviour '" + text
                    + "'; one of foreign-san, weak-key, impersonate");
        }
    }

    String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
