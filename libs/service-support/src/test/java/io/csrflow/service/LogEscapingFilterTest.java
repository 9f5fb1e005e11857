package io.csrflow.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.logging.Level;
import java.util.stream.Stream;

import org.jboss.logmanager.ExtLogRecord;
import org.jboss.logmanager.ExtLogRecord.FormatStyle;
import org.jboss.logmanager.formatters.PatternFormatter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class LogEscapingFilterTest {
    /** Like the services' plain-text console format: the CSR from the MDC, then the message. */
    private final PatternFormatter console = new PatternFormatter("INFO [%X{csr}] %s%n");
    private final LogEscapingFilter filter = new LogEscapingFilter();

    private static ExtLogRecord record(String message, FormatStyle style, Object... parameters) {
        ExtLogRecord record = new ExtLogRecord(Level.INFO, message, style, LogEscapingFilterTest.class.getName());
        record.setParameters(parameters);
        record.setMdc(Map.of());
        return record;
    }

    private String printed(ExtLogRecord record) {
        assertTrue(filter.isLoggable(record), "the filter escapes, it never drops a record");
        return console.format(record);
    }

    static Stream<Arguments> hostileMessages() {
        return Stream.of(
                Arguments.of("CRLF in a printf parameter",
                        record("denied %s: %s", FormatStyle.PRINTF, "evil\r\nERROR [x] forged", "not a node"),
                        "INFO [] denied evil\\x0d\\x0aERROR [x] forged: not a node\n"),
                Arguments.of("LF in a {0} parameter",
                        record("approved {0}", FormatStyle.MESSAGE_FORMAT, "evil\nINFO forged"),
                        "INFO [] approved evil\\x0aINFO forged\n"),
                Arguments.of("line and paragraph separators, next line, DEL, tab",
                        record("a\u2028b\u2029c\u0085d\u007fe\tf", FormatStyle.NO_FORMAT),
                        "INFO [] a\\u2028b\\u2029c\\x85d\\x7fe\\x09f\n"),
                Arguments.of("nothing to escape",
                        record("signed %s for C:\\ca, café", FormatStyle.PRINTF, "node-1"),
                        "INFO [] signed node-1 for C:\\ca, café\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileMessages")
    void messageStaysOneLineWithControlCharactersEscaped(String title, ExtLogRecord record, String expected) {
        assertEquals(expected, printed(record));
    }

    @Test
    void csrNameInTheLoggingContextStaysOnItsLine() {
        ExtLogRecord record = record("approving %s", FormatStyle.PRINTF, "node-csr");
        record.setMdc(Map.of(CsrLogContext.KEY, "evil\nERROR [other] forged"));
        assertEquals("INFO [evil\\x0aERROR [other] forged] approving node-csr\n", printed(record));
    }
}
