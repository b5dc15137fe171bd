package io.paravm.transport.hazelcast;

import com.hazelcast.cluster.Member;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

/**
 * Logs the frames this member drops, the first from each member as a warning.
 *
 * <p>Frames are dropped when they come from a member without a rank, under another's rank, or
 * out of turn in the handshake. Later drops from the same member are logged at debug, so an
 * impostor cannot flood the log.
 *
 * <pre>{@code
 * drops.dropped(publisher, from, "a frame from a member without a rank");
 * }</pre>
 */
final class DropLog {

    private static final Logger LOG = LoggerFactory.getLogger(DropLog.class);
    /** Members whose dropped frames are logged at WARN (the first one each); later drops are DEBUG. */
    private static final int MAX_MEMBERS_WARNED = 1024;

    private final LocalMember member;
    private final Set<Object> logged = new HashSet<>();     // guarded by member's lock

    DropLog(LocalMember member) {
        this.member = member;
    }

    /**
     * Logs one dropped frame.
     *
     * @param publisher the sending member's id, if known
     * @param from      the sending member as Hazelcast gave it, if known
     * @param what      what was dropped, e.g. {@code "a JOIN, which only the spawner takes"}
     */
    void dropped(UUID publisher, Member from, String what) {
        boolean first = member.locked(() -> logged.size() < MAX_MEMBERS_WARNED
                && logged.add(publisher == null ? String.valueOf(from) : publisher));
        String address = from == null ? "?" : String.valueOf(from.getAddress());
        if (first) {
            LOG.warn("rank {} dropped {} from member {} at {}: frames are taken only from members that proved they know "
                    + "the cluster's secret, under their own rank (further drops from it are logged at debug)",
                    member.rank(), what, publisher, address);
        } else {
            LOG.debug("rank {} dropped {} from member {} at {}", member.rank(), what, publisher, address);
        }
    }
}
