package io.paravm.dashboard;

import com.sun.net.httpserver.HttpExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One page's server-sent-event stream, for {@link Dashboard}. An update is written on a writer
 * thread; one that comes while the last is still being written replaces any other waiting (the
 * page only needs the latest). A
 * write stuck past {@code stuckNanos} drops the page: its writer thread is interrupted,
 * which closes the connection (the server's socket channel is interruptible) and ends the
 * write. Closing the stream from the ticker instead would block the ticker too: the
 * response's last chunk is a write into the same full socket.
 *
 * <pre>{@code
 * PageStream s = new PageStream(exchange, writers, stuckNanos, pages::remove);
 * s.offer(update);   // written on a writer thread; the latest waiting update wins
 * s.end();           // at the dashboard's close: never waits on the page
 * }</pre>
 */
final class PageStream {
    private static final Logger LOG = LoggerFactory.getLogger(PageStream.class);

    private final HttpExchange exchange;
    private final OutputStream out;
    private final Executor writers;
    private final long stuckNanos;
    /** Told once the stream is to be forgotten (may be told twice). */
    private final Consumer<PageStream> gone;
    private byte[] next; // guarded by this
    private boolean writing; // guarded by this
    private long writingSince; // guarded by this
    private Thread writer; // guarded by this: the thread in drain(), while writing
    private boolean dropped; // guarded by this

    /**
     * @param exchange   the page's request, its response headers sent
     * @param writers    where writes run
     * @param stuckNanos how long a write may stay stuck before the page is dropped
     * @param gone       told when the stream is to be forgotten (the dashboard's list of pages)
     */
    PageStream(HttpExchange exchange, Executor writers, long stuckNanos, Consumer<PageStream> gone) {
        this.exchange = exchange;
        this.out = exchange.getResponseBody();
        this.writers = writers;
        this.stuckNanos = stuckNanos;
        this.gone = gone;
    }

    void offer(byte[] message) {
        synchronized (this) {
            if (dropped) return;
            next = message;
            if (writing) {
                if (System.nanoTime() - writingSince > stuckNanos) {
                    LOG.debug("a dashboard page took no update for {} ms; dropped", TimeUnit.NANOSECONDS.toMillis(stuckNanos));
                    gone.accept(this); // its place is free at once
                    end();
                }
                return;
            }
            writing = true;
            writingSince = System.nanoTime();
        }
        try {
            writers.execute(this::drain);
        } catch (RejectedExecutionException closing) {
            close();
        }
    }

    private void drain() {
        try {
            while (true) {
                byte[] m;
                synchronized (this) {
                    m = next;
                    next = null;
                    if (m == null || dropped) {
                        writing = false;
                        writer = null;
                        if (dropped) break;
                        return;
                    }
                    writer = Thread.currentThread();
                    writingSince = System.nanoTime();
                }
                try {
                    out.write(m);
                    out.flush();
                } catch (IOException e) {
                    synchronized (this) {
                        writing = false;
                        writer = null;
                    }
                    break; // the page went away, or was dropped
                }
            }
            close();
        } finally {
            Thread.interrupted(); // a drop's interrupt must not outlive this stream on a pooled thread
        }
    }

    /**
     * Ends the stream without waiting on its page: a write in progress is interrupted and
     * its writer closes the stream; otherwise it is closed here.
     */
    void end() {
        synchronized (this) {
            dropped = true;
            if (writing) {
                if (writer != null) writer.interrupt(); // else the drain about to start sees dropped
                return;
            }
        }
        close();
    }

    void close() {
        gone.accept(this);
        try {
            out.close();
        } catch (IOException e) {
            // it is gone already
        }
        exchange.close();
    }
}
