package io.csrflow.service;

import org.jboss.logging.MDC;

/**
 * Puts the CSR's name in the logging context ({@code csr}) while work on that CSR runs, so that
 * every line about it, from any class, can be found by name (a field of its own in JSON logs).
 */
public final class CsrLogContext {
    public static final String KEY = "csr";

    private CsrLogContext() {
    }

    public static void run(String csrName, Runnable work) {
        call(csrName, () -> {
            work.run();
            return null;
        });
    }

    public static <T> T call(String csrName, java.util.function.Supplier<T> work) {
        Object previous = MDC.get(KEY);
        MDC.put(KEY, csrName);
        try {
            return work.get();
        } finally {
            if (previous == null) {
                MDC.remove(KEY);
            } else {
                MDC.put(KEY, previous);
            }
        }
    }
}
