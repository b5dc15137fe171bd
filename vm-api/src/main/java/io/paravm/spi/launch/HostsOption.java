package io.paravm.spi.launch;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A recipe's option naming the hosts to place ranks on, comma-separated ({@code --hosts node1,node2}),
 * read the same way by every recipe that has one.
 *
 * <pre>{@code
 * List<String> hosts = HostsOption.read(request, "--hosts");   // [] when not given: this machine
 * if (!hosts.isEmpty()) cmd.addAll(List.of("--host", String.join(",", hosts)));
 * }</pre>
 */
public final class HostsOption {

    private HostsOption() {
    }

    /**
     * @param request the launch request
     * @param option  the option's name, e.g. {@code --hosts}
     * @return the hosts named, trimmed, in order; empty when the option is not given
     * @throws LaunchException if the option is given but names no host
     */
    public static List<String> read(LaunchRequest request, String option) {
        Optional<String> given = request.option(option);
        if (given.isEmpty()) return List.of();
        List<String> hosts = Arrays.stream(given.get().split(",")).map(String::trim).filter(h -> !h.isEmpty()).toList();
        if (hosts.isEmpty()) {
            throw new LaunchException(option + " '" + given.get() + "' names no host; give host names separated "
                    + "by commas (" + option + " node1,node2), or leave it out to run on this machine");
        }
        return hosts;
    }
}
