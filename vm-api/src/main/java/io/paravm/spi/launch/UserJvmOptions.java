package io.paravm.spi.launch;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The JVM options a job's ranks get from the user: those given on the command line, then
 * those the JVM itself reads from {@code JAVA_TOOL_OPTIONS} and {@code JDK_JAVA_OPTIONS}. A
 * launcher reads them to leave alone what the user chose (the JIT, a class data archive).
 *
 * <pre>{@code
 * boolean ownJit = UserJvmOptions.of(System.getenv(), List.of("-Xmx1g")).stream()
 *         .anyMatch(o -> o.startsWith("-XX:TieredStopAtLevel"));
 * }</pre>
 */
public final class UserJvmOptions {

    private UserJvmOptions() {
    }

    /**
     * Returns the JVM options every rank gets from the user.
     *
     * @param env   the environment the ranks start in
     * @param given the JVM options given for every rank
     * @return {@code given}, then the environment's, split at white space
     */
    public static List<String> of(Map<String, String> env, List<String> given) {
        List<String> all = new ArrayList<>(given);
        for (String var : List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS")) {
            String value = env.getOrDefault(var, "").trim();
            if (!value.isEmpty()) all.addAll(List.of(value.split("\\s+")));
        }
        return all;
    }
}
