package io.paravm.transport.hazelcast;

import com.hazelcast.logging.AbstractLogger;
import com.hazelcast.logging.ILogger;
import com.hazelcast.logging.LogEvent;
import com.hazelcast.logging.LoggerFactory;
import org.slf4j.Logger;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/**
 * Hazelcast's logging, through SLF4J, with Hazelcast's own chatter turned down to DEBUG.
 *
 * <p>ParaVM says in its own words what a user needs (a rank lost, a worker refused, a join
 * that failed), so what Hazelcast says about its members, connections and partitions while a
 * job starts, ends, or loses a member only repeats it, in words that read like failures
 * ("Connection refused", "suspected to be dead", "Mastership ... is accepted"). SLF4J cannot
 * set a level, so this factory does: Hazelcast's INFO goes to DEBUG, its FINE and finer to
 * TRACE, and a WARNING or SEVERE goes to DEBUG when it is one of the known messages of a
 * member coming or going ({@link #isChatter}); any other WARNING is a WARN, any other
 * SEVERE an ERROR, under the Hazelcast logger's own name.
 *
 * <p>Hazelcast takes its logger factory from the system property
 * {@value #LOGGING_CLASS_PROPERTY}; {@link #install()} sets it to this class before the first
 * member starts, unless the user has chosen Hazelcast's logging already
 * ({@value #LOGGING_CLASS_PROPERTY} or {@value #LOGGING_TYPE_PROPERTY} set), which is then
 * left as it is.
 *
 * <pre>{@code
 * HazelcastLogging.install();                       // before Hazelcast.newHazelcastInstance(config)
 * // or, on the command line: -Dhazelcast.logging.class=io.paravm.transport.hazelcast.HazelcastLogging
 * }</pre>
 */
public final class HazelcastLogging implements LoggerFactory {

    /** The system property Hazelcast reads its logger factory's class from. */
    static final String LOGGING_CLASS_PROPERTY = "hazelcast.logging.class";
    /** The system property naming one of Hazelcast's own logging types (jdk, slf4j, log4j2, none, ...). */
    static final String LOGGING_TYPE_PROPERTY = "hazelcast.logging.type";

    /**
     * Parts of the WARNING and SEVERE messages Hazelcast logs while members join, leave or
     * die, each of which ParaVM reports itself (a lost rank) or which is no fault at all.
     */
    private static final List<String> CHATTER = List.of(
            // a member that left or died: its connection is reset or refused, then it is suspected and removed
            "Connection reset",
            "Connection refused",
            "Removing connection to endpoint",
            "is suspected to be dead",
            "Suspecting ",
            "because it has disconnected from some of the members",
            // the spawner (the master) gone: the oldest worker takes over the member list
            "Mastership ",
            "mastership claim",
            // a member joining while another does: member lists and partition tables cross
            "does not match expected",
            "startup is not completed yet",
            "unknown addresses are found in partition table",
            "Not Member!",
            "because node is already joined",
            "because node is not joined",
            // a JVM stalled for a moment (a loaded machine): Hazelcast resets its heartbeat clocks so as
            // not to suspect anyone, or handles a heartbeat late; a member that really is gone is lost
            "because of huge system clock jump",
            "could not acquire lock in time",
            // an answer to a member that has just left
            "Cannot send response",
            // the JVM ends while its member is up (System.exit, SIGTERM): Hazelcast's shutdown hook ends it
            "Terminating forcefully");

    private final Map<String, ILogger> loggers = new ConcurrentHashMap<>();

    /** Hazelcast makes one, from {@value #LOGGING_CLASS_PROPERTY}. */
    public HazelcastLogging() {
    }

    /**
     * Makes Hazelcast log through this class, unless the user chose Hazelcast's logging.
     * Call before a Hazelcast member starts.
     */
    static void install() {
        if (System.getProperty(LOGGING_CLASS_PROPERTY) == null && System.getProperty(LOGGING_TYPE_PROPERTY) == null) {
            System.setProperty(LOGGING_CLASS_PROPERTY, HazelcastLogging.class.getName());
        }
    }

    @Override
    public ILogger getLogger(String name) {
        return loggers.computeIfAbsent(name, n -> new QuietLogger(org.slf4j.LoggerFactory.getLogger(n)));
    }

    /**
     * Returns whether a WARNING or SEVERE message is Hazelcast's chatter about members coming
     * and going, logged at DEBUG.
     *
     * @param message what Hazelcast logs, or {@code null}
     * @return whether it is one of the known messages
     */
    static boolean isChatter(String message) {
        if (message == null) return false;
        for (String part : CHATTER) if (message.contains(part)) return true;
        return false;
    }

    /** One Hazelcast logger over one SLF4J logger of the same name. */
    private static final class QuietLogger extends AbstractLogger {

        private final Logger log;

        QuietLogger(Logger log) {
            this.log = log;
        }

        @Override
        public void log(Level level, String message) {
            log(level, message, null);
        }

        @Override
        public void log(Level level, String message, Throwable thrown) {
            int v = level.intValue();
            if (v >= Level.WARNING.intValue()) {
                if (isChatter(message) || thrown != null && isChatter(thrown.toString())) {
                    if (log.isDebugEnabled()) log.debug(message, thrown);
                } else if (v >= Level.SEVERE.intValue()) {
                    log.error(message, thrown);
                } else {
                    log.warn(message, thrown);
                }
            } else if (v >= Level.INFO.intValue()) {
                if (log.isDebugEnabled()) log.debug(message, thrown);
            } else if (log.isTraceEnabled()) {
                log.trace(message, thrown);
            }
        }

        @Override
        public void log(LogEvent event) {
            LogRecord r = event.getLogRecord();
            log(r.getLevel(), r.getMessage(), r.getThrown());
        }

        @Override
        public Level getLevel() {
            if (log.isTraceEnabled()) return Level.FINEST;
            if (log.isDebugEnabled()) return Level.INFO;
            if (log.isWarnEnabled()) return Level.WARNING;
            if (log.isErrorEnabled()) return Level.SEVERE;
            return Level.OFF;
        }

        @Override
        public boolean isLoggable(Level level) {
            int v = level.intValue();
            if (level == Level.OFF) return false;
            if (v >= Level.SEVERE.intValue()) return log.isErrorEnabled() || log.isDebugEnabled();
            if (v >= Level.WARNING.intValue()) return log.isWarnEnabled() || log.isDebugEnabled();
            if (v >= Level.INFO.intValue()) return log.isDebugEnabled();
            return log.isTraceEnabled();
        }
    }
}
