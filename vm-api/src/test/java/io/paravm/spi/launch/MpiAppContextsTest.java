package io.paravm.spi.launch;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** mpirun's ranks: one context, or rank 0 apart with its own options. */
class MpiAppContextsTest {

    private static final List<String> RANK = List.of("java", "-Xmx1g", "app.Main", "arg");

    @Test
    void withoutSpawnerOptionsEveryRankIsOneContext() {
        assertEquals(List.of("-np", "4", "java", "-Xmx1g", "app.Main", "arg"), MpiAppContexts.of(4, List.of(), RANK, 2, List.of()));
    }

    @Test
    void spawnerOptionsGoToTheFirstContextOnlyBeforeTheMainClass() {
        assertEquals(List.of("-np", "1", "java", "-Xmx1g", "-XX:TieredStopAtLevel=1", "app.Main", "arg",
                        ":", "-np", "3", "java", "-Xmx1g", "app.Main", "arg"),
                MpiAppContexts.of(4, List.of(), RANK, 2, List.of("-XX:TieredStopAtLevel=1")));
    }

    @Test
    void contextOptionsGoAfterEachContextsRankCount() {
        List<String> host = List.of("--host", "a,b");
        assertEquals(List.of("-np", "1", "--host", "a,b", "java", "-Xmx1g", "-Xint", "app.Main", "arg",
                        ":", "-np", "1", "--host", "a,b", "java", "-Xmx1g", "app.Main", "arg"),
                MpiAppContexts.of(2, host, RANK, 2, List.of("-Xint")));
        assertEquals(List.of("-np", "2", "--host", "a,b", "java", "-Xmx1g", "app.Main", "arg"),
                MpiAppContexts.of(2, host, RANK, 2, List.of()));
    }

    @Test
    void aJobOfTheSpawnerAloneIsOneContextWithItsOptions() {
        assertEquals(List.of("-np", "1", "java", "-Xmx1g", "-Xint", "app.Main", "arg"),
                MpiAppContexts.of(1, List.of(), RANK, 2, List.of("-Xint")));
    }
}
