package io.csrflow.events;

/** A required field of an event is absent; {@link EventCodec} turns it into an {@link EventFormatException}. */
public final class MissingFieldException extends IllegalArgumentException {
    private final String field;

    MissingFieldException(String field) {
        super("missing required field '" + field + "'");
        this.field = field;
    }

    public String field() {
        return field;
    }
}
