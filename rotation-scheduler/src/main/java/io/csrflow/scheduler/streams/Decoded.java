package io.csrflow.scheduler.streams;

import io.csrflow.scheduler.inventory.Sighting;

/** An input record after decoding: a sighting, or the reason it goes to the dead-letter topic. */
record Decoded(Sighting sighting, byte[] original, String rejection) {

    static Decoded of(Sighting sighting) {
        return new Decoded(sighting, null, null);
    }

    static Decoded rejected(byte[] original, String reason) {
        return new Decoded(null, original, reason);
    }

    boolean isRejected() {
        return rejection != null;
    }
}
