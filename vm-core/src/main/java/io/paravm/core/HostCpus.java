package io.paravm.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * How many CPUs this host gives the job: whether its ranks outnumber them decides how a
 * spawner waits after an empty ring ({@link DoorbellWait}).
 *
 * <pre>{@code
 * boolean coresShared = size > HostCpus.count();
 * }</pre>
 */
final class HostCpus {

    /** Tests set this host's CPUs (0: read them). */
    static volatile int override;

    private HostCpus() {
    }

    /**
     * This host's cores for the job: its cgroup's CPUs ({@code cpuset.cpus.effective}, a
     * container's), else the CPUs online ({@code /sys/devices/system/cpu/online}); not only those
     * this process may run on ({@code mpirun} binds each rank to one core when the ranks fit), nor
     * fewer than those. Where neither file can be read, the CPUs this process may use. A CPU quota
     * ({@code cpu.max}) is not counted.
     */
    static int count() {
        if (override > 0) return override;
        int mine = Runtime.getRuntime().availableProcessors();
        for (String list : List.of("/sys/fs/cgroup/cpuset.cpus.effective", "/sys/devices/system/cpu/online")) {
            try {
                int n = inList(Files.readString(Path.of(list)));
                if (n > 0) return Math.max(mine, n);
            } catch (IOException | RuntimeException e) {
                // not this kernel's or cgroup's: the next
            }
        }
        return mine;
    }

    /** Counts the CPUs of a Linux CPU list such as {@code 0-3,5,7-8}. */
    static int inList(String list) {
        int n = 0;
        for (String part : list.trim().split(",")) {
            if (part.isEmpty()) continue;
            int dash = part.indexOf('-');
            n += dash < 0 ? 1 : Integer.parseInt(part.substring(dash + 1)) - Integer.parseInt(part.substring(0, dash)) + 1;
        }
        return n;
    }
}
