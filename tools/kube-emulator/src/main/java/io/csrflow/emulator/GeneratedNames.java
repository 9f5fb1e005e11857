package io.csrflow.emulator;

import java.security.SecureRandom;

/**
 * Names from {@code metadata.generateName}, as the API server's {@code names.SimpleNameGenerator}
 * makes them: the base cut to 58 characters, then five random characters without vowels.
 */
final class GeneratedNames {
    private static final String ALPHABET = "bcdfghjklmnpqrstvwxz2456789";
    private static final SecureRandom RANDOM = new SecureRandom();

    private GeneratedNames() {
    }

    static String generate(String base) {
        StringBuilder b = new StringBuilder(base.length() > 58 ? base.substring(0, 58) : base);
        for (int i = 0; i < 5; i++) {
            b.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return b.toString();
    }
}
