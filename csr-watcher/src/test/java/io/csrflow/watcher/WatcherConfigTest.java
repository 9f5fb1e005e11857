package io.csrflow.watcher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import io.csrflow.events.EventType;
import io.smallrye.config.WithDefault;

/** The topics' defaults are the event contract's, which an annotation cannot name by calling it. */
class WatcherConfigTest {
    @Test
    void topicDefaultsAreTheContractsTopics() throws Exception {
        assertEquals(EventType.CSR_OBSERVED.defaultTopic(), defaultOf("observed"));
        assertEquals(EventType.POD_CERTIFICATE_OBSERVED.defaultTopic(), defaultOf("podCertificatesObserved"));
    }

    @Test
    void podCertificatesAreWatchedUnlessTurnedOff() throws Exception {
        assertEquals("true", WatcherConfig.PodCertificates.class.getMethod("enabled").getAnnotation(WithDefault.class)
                .value());
    }

    private static String defaultOf(String topic) throws NoSuchMethodException {
        return WatcherConfig.Topics.class.getMethod(topic).getAnnotation(WithDefault.class).value();
    }
}
