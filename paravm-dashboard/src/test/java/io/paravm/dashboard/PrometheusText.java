package io.paravm.dashboard;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads Prometheus's text exposition format (0.0.4) strictly, as a check that {@code /metrics}
 * is what a Prometheus server accepts: every line is a {@code # HELP}, a {@code # TYPE} or a
 * sample {@code name{label="value",...} number}; anything else fails.
 */
public final class PrometheusText {

    private static final Pattern SAMPLE = Pattern.compile(
            "([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(?:[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\]|\\\\.)*\",?)*\\})? "
                    + "(-?[0-9.eE+-]+|NaN|[+-]Inf)( -?[0-9]+)?");
    private static final Pattern META = Pattern.compile("# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .*");

    private PrometheusText() {
    }

    /**
     * @return each sample's name and labels, as written, to its value
     * @throws IllegalArgumentException naming the first line that is not Prometheus text
     */
    public static Map<String, Double> parse(String text) {
        Map<String, Double> out = new LinkedHashMap<>();
        int n = 0;
        for (String line : text.split("\n")) {
            n++;
            if (line.isEmpty()) continue;
            if (line.startsWith("#")) {
                if (!META.matcher(line).matches()) throw new IllegalArgumentException("line " + n + ": " + line);
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            if (!m.matches()) throw new IllegalArgumentException("line " + n + " is not a sample: " + line);
            out.put(m.group(1) + (m.group(2) == null ? "" : m.group(2)), Double.parseDouble(m.group(3).replace("Inf", "Infinity")));
        }
        return out;
    }
}
