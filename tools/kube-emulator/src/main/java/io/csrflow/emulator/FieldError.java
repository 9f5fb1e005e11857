package io.csrflow.emulator;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;

/**
 * One validation error as apimachinery's {@code field.Error} carries it: the cause type that lands
 * in {@code Status.details.causes[].reason}, the field path, the bad value as Go prints it, and a
 * detail. {@link #body()} is {@code ErrorBody()} (the cause's message), {@link #toString()} is
 * {@code Error()} (the part of {@code Status.message} after "is invalid: ").
 *
 * @param reason the cause type, e.g. {@code FieldValueInvalid}
 * @param field  the field path, e.g. {@code spec.usages[1]}
 * @param value  the bad value already rendered as Go renders it, or null when the type shows none
 * @param detail the explanation, possibly empty
 */
record FieldError(String reason, String field, String value, String detail) {
    static final String REQUIRED = "FieldValueRequired";
    static final String INVALID = "FieldValueInvalid";
    static final String NOT_SUPPORTED = "FieldValueNotSupported";
    static final String DUPLICATE = "FieldValueDuplicate";
    static final String FORBIDDEN = "FieldValueForbidden";
    static final String TOO_LONG = "FieldValueTooLong";

    static FieldError required(String field, String detail) {
        return new FieldError(REQUIRED, field, null, detail);
    }

    static FieldError forbidden(String field, String detail) {
        return new FieldError(FORBIDDEN, field, null, detail);
    }

    static FieldError tooLong(String field, int maxBytes) {
        return new FieldError(TOO_LONG, field, null, "may not be more than " + maxBytes + (maxBytes == 1
                ? " byte" : " bytes"));
    }

    /** {@code field.Invalid} with a value rendered by {@link #quote}, {@link #json}, {@link #bytes} or a number. */
    static FieldError invalid(String field, String renderedValue, String detail) {
        return new FieldError(INVALID, field, renderedValue, detail);
    }

    static FieldError duplicate(String field, String renderedValue) {
        return new FieldError(DUPLICATE, field, renderedValue, "");
    }

    /** {@code field.NotSupported}: the supported values are listed quoted, in the order given. */
    static FieldError notSupported(String field, String renderedValue, List<String> supported) {
        String detail = supported.isEmpty() ? "" : "supported values: "
                + supported.stream().map(FieldError::quote).collect(Collectors.joining(", "));
        return new FieldError(NOT_SUPPORTED, field, renderedValue, detail);
    }

    /** The cause message: the type's label, the value where the type shows one, then the detail. */
    String body() {
        StringBuilder s = new StringBuilder(label(reason));
        if (value != null) {
            s.append(": ").append(value);
        }
        if (detail != null && !detail.isEmpty()) {
            s.append(": ").append(detail);
        }
        return s.toString();
    }

    @Override
    public String toString() {
        return field + ": " + body();
    }

    /**
     * Reads back an error written as {@code field: Label[: value][: detail]}, for callers that still
     * build messages as text. The value stays part of the detail; only the message matters then.
     */
    static FieldError parse(String text) {
        int colon = text.indexOf(": ");
        if (colon < 0) {
            return new FieldError(INVALID, "", null, text);
        }
        String field = text.substring(0, colon);
        String rest = text.substring(colon + 2);
        for (String reason : List.of(REQUIRED, INVALID, NOT_SUPPORTED, DUPLICATE, FORBIDDEN, TOO_LONG)) {
            String label = label(reason);
            if (rest.equals(label)) {
                return new FieldError(reason, field, null, "");
            }
            if (rest.startsWith(label + ": ")) {
                return new FieldError(reason, field, null, rest.substring(label.length() + 2));
            }
        }
        return new FieldError(INVALID, field, null, rest);
    }

    private static String label(String reason) {
        return switch (reason) {
            case REQUIRED -> "Required value";
            case INVALID -> "Invalid value";
            case NOT_SUPPORTED -> "Unsupported value";
            case DUPLICATE -> "Duplicate value";
            case FORBIDDEN -> "Forbidden";
            case TOO_LONG -> "Too long";
            default -> "<unknown error \"" + reason + "\">";
        };
    }

    /** A Go {@code string} value as {@code %q} prints it. */
    static String quote(String s) {
        StringBuilder out = new StringBuilder("\"");
        s.codePoints().forEach(c -> {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case 0x07 -> out.append("\\a");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case 0x0b -> out.append("\\v");
                default -> {
                    if (isGoPrintable(c)) {
                        out.appendCodePoint(c);
                    } else if (c < ' ' || c == 0x7f) {
                        out.append(String.format("\\x%02x", c));
                    } else if (c < 0x10000) {
                        out.append(String.format("\\u%04x", c));
                    } else {
                        out.append(String.format("\\U%08x", c));
                    }
                }
            }
        });
        return out.append('"').toString();
    }

    /**
     * A value of a named string type (a key usage, a condition type), which Go prints through
     * {@code json.Marshal}: HTML-safe escapes instead of {@code %q}'s.
     */
    static String json(String s) {
        StringBuilder out = new StringBuilder("\"");
        s.chars().forEach(c -> {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < ' ' || c == '<' || c == '>' || c == '&' || c == 0x2028 || c == 0x2029) {
                        out.append(String.format("\\u%04x", c));
                    } else {
                        out.append((char) c);
                    }
                }
            }
        });
        return out.append('"').toString();
    }

    /** A {@code []byte} value: JSON prints it as a base64 string, or {@code null} when nil. */
    static String bytes(byte[] value) {
        return value == null ? "null" : "\"" + Base64.getEncoder().encodeToString(value) + "\"";
    }

    /** {@code []byte} of text, for values that arrived as text. */
    static String bytes(String value) {
        return value == null ? "null" : bytes(value.getBytes(StandardCharsets.UTF_8));
    }

    /** Go's {@code unicode.IsPrint}: letters, marks, numbers, punctuation, symbols and the ASCII space. */
    private static boolean isGoPrintable(int c) {
        if (c == ' ') {
            return true;
        }
        return switch (Character.getType(c)) {
            case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER,
                    Character.MODIFIER_LETTER, Character.OTHER_LETTER, Character.NON_SPACING_MARK,
                    Character.ENCLOSING_MARK, Character.COMBINING_SPACING_MARK, Character.DECIMAL_DIGIT_NUMBER,
                    Character.LETTER_NUMBER, Character.OTHER_NUMBER, Character.CONNECTOR_PUNCTUATION,
                    Character.DASH_PUNCTUATION, Character.START_PUNCTUATION, Character.END_PUNCTUATION,
                    Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
                    Character.OTHER_PUNCTUATION, Character.MATH_SYMBOL, Character.CURRENCY_SYMBOL,
                    Character.MODIFIER_SYMBOL, Character.OTHER_SYMBOL -> true;
            default -> false;
        };
    }
}
