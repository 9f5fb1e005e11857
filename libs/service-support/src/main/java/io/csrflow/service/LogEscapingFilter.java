package io.csrflow.service;

import java.util.HexFormat;
import java.util.Map;
import java.util.logging.Filter;
import java.util.logging.LogRecord;

import org.jboss.logmanager.ExtLogRecord;
import org.jboss.logmanager.ExtLogRecord.FormatStyle;

import io.quarkus.logging.LoggingFilter;

/**
 * Keeps every log record on one line of a plain-text log. CSR names and other text from the
 * Kubernetes API reach log messages and the MDC ({@link CsrLogContext}); the API server does not
 * require a CSR name to be a DNS subdomain, so a name with CR or LF in it could otherwise forge
 * log lines. Control characters (C0, DEL, C1) and the Unicode line and paragraph separators are
 * written as escapes such as {@code \x0a} (U+2028 and U+2029 with a {@code u} and four digits).
 * Stack traces are left alone. Never drops a record.
 * Register it per handler, e.g. {@code quarkus.log.console.filter=csrflow-log-escaping}.
 */
@LoggingFilter(name = LogEscapingFilter.NAME)
public final class LogEscapingFilter implements Filter {
    public static final String NAME = "csrflow-log-escaping";

    private static final HexFormat HEX = HexFormat.of();

    @Override
    public boolean isLoggable(LogRecord record) {
        // JBoss LogManager hands its handlers ExtLogRecords only; nothing else reaches this filter.
        if (record instanceof ExtLogRecord ext) {
            escapeMessage(ext);
            escapeMdc(ext);
        }
        return true;
    }

    private static void escapeMessage(ExtLogRecord record) {
        // The parameters carry the hostile text, so escape the message as it will be printed.
        String message = record.getFormattedMessage();
        String escaped = escape(message);
        if (escaped != message) {
            record.setMessage(escaped, FormatStyle.NO_FORMAT);
            record.setParameters(null);
        }
    }

    private static void escapeMdc(ExtLogRecord record) {
        // The record's own copy of the MDC: the thread's MDC keeps the real name for later work.
        for (Map.Entry<String, String> entry : record.getMdcCopy().entrySet()) {
            String escaped = escape(entry.getValue());
            if (escaped != entry.getValue()) {
                record.putMdc(entry.getKey(), escaped);
            }
        }
    }

    /** The text with line-breaking characters escaped; the same instance if there are none. */
    static String escape(String text) {
        if (text == null) {
            return null;
        }
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!isControl(c)) {
                if (out != null) {
                    out.append(c);
                }
                continue;
            }
            if (out == null) {
                out = new StringBuilder(text.length() + 16).append(text, 0, i);
            }
            if (c <= 0xff) {
                out.append("\\x").append(HEX.toHexDigits((byte) c));
            } else {
                out.append("\\u").append(HEX.toHexDigits(c));
            }
        }
        return out == null ? text : out.toString();
    }

    private static boolean isControl(char c) {
        return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029';
    }
}
