package io.csrflow.scheduler.streams;

import io.csrflow.scheduler.inventory.Sighting;

/**
 * An input record after decoding: a sighting, or the original bytes bound for the dead-letter topic
 * (the reason travels in the record's headers, see {@link DeadLetters}).
 */
record Decoded(Sighting sighting, byte[] original) {

    static Decoded of(Sighting sighting) {
        return new Decoded(sighting, null);
    }

    static Decoded rejected(byte[] original) {
        return new Decoded(null, original);
    }

    boolean isRejected() {
        return sighting == null;
    }
}
