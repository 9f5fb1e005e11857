package io.csrflow.signer.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NamespaceSelectorTest {
    private static Map<String, String> labels(String text) {
        Map<String, String> labels = new HashMap<>();
        if (text != null) {
            for (String pair : text.split(";")) {
                String[] kv = pair.split(":", 2);
                labels.put(kv[0], kv.length > 1 ? kv[1] : "");
            }
        }
        return labels;
    }

    @ParameterizedTest(name = "{0} on {1}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
        ''                                  | -                      | true
        team=a                              | team:a                 | true
        team==a                             | team:b                 | false
        team!=a                             | -                      | true
        team!=a                             | team:a                 | false
        team in (a, b)                      | team:b                 | true
        team in (a,b)                       | -                      | false
        team notin (a,b)                    | -                      | true
        team notin (a,b)                    | team:a                 | false
        csrflow.io/trusted                  | csrflow.io/trusted:yes | true
        !csrflow.io/no-ca-bundle            | csrflow.io/no-ca-bundle:true | false
        !csrflow.io/no-ca-bundle            | team:a                 | true
        'team in (a,b),env=prod'            | team:a;env:prod        | true
        'team in (a,b),env=prod'            | team:a;env:dev         | false
        """)
    void matchesAsKubectlSelectorsDo(String selector, String labels, boolean matches) {
        assertEquals(matches, NamespaceSelector.parse(selector).matches(labels(labels)));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        team=a=b        | "team=a=b" is not a label selector requirement
        'team in (a b)' | "a b" is not a label value
        =a              | "=a" is not a label selector requirement
        """)
    void aSelectorThatDoesNotParseIsRefused(String selector, String message) {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> NamespaceSelector.parse(selector));
        assertTrue(refused.getMessage().contains(message), refused.getMessage());
    }
}
