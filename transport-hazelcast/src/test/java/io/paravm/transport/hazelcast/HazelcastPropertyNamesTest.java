package io.paravm.transport.hazelcast;

import io.paravm.spi.PropertyNames;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every setting of HazelcastProperties is known, so that none is warned about as unknown. */
class HazelcastPropertyNamesTest {

    @Test
    void listsEveryPropertyOfHazelcastPropertiesAndIsFoundByServiceLoader() throws Exception {
        Set<String> constants = Stream.of(HazelcastProperties.class.getFields())
                .filter(f -> Modifier.isStatic(f.getModifiers()) && f.getName().endsWith("_PROP_NAME"))
                .map(HazelcastPropertyNamesTest::value).collect(Collectors.toSet());
        assertEquals(constants, new HazelcastPropertyNames().names());
        assertTrue(constants.stream().allMatch(n -> n.startsWith("paravm.hazelcast.")), constants.toString());
        assertTrue(ServiceLoader.load(PropertyNames.class).stream()
                .anyMatch(p -> p.type() == HazelcastPropertyNames.class), "found through META-INF/services");
    }

    private static String value(Field f) {
        try {
            return (String) f.get(null);
        } catch (IllegalAccessException e) {
            throw new AssertionError(e);
        }
    }
}
