package dev.bulwark.dashboard;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The clients of {@code /bulwark/events}.
 *
 * <p><b>Never blocking an emitter.</b> {@link #publish} only offers a frame to each client's
 * bounded queue; each client has its own writer thread that takes frames from its queue and
 * writes them to the socket. A client whose queue is full (it reads slower than events come) is
 * dropped at once: its writer thread is interrupted, which closes its connection even in the
 * middle of a blocked write, and the thread ends. So a client that stops reading costs at most
 * one queue of memory and one thread until it is dropped, and nothing at all after.
 *
 * <p><b>Bounded.</b> At most {@code maxClients} clients at a time; one more is answered 503
 * (7506) by the caller of {@link #open}. When the queue has been empty for a heartbeat interval
 * the writer sends an {@code event: heartbeat} frame, so proxies keep the connection and the
 * client knows the server is alive.
 *
 * <p>Thread-safe.
 */
final class EventStream {

    private static final System.Logger LOG = System.getLogger(EventStream.class.getName());

    private final int maxClients;
    private final int queueCapacity;
    private final Duration heartbeat;
    private final CopyOnWriteArrayList<Client> clients = new CopyOnWriteArrayList<>();
    private final AtomicInteger threadNumber = new AtomicInteger();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong served = new AtomicLong();
    private volatile boolean closed;

    EventStream(int maxClients, int queueCapacity, Duration heartbeat) {
        this.maxClients = maxClients;
        this.queueCapacity = queueCapacity;
        this.heartbeat = heartbeat;
    }

    /**
     * Takes {@code exchange} as a client, sends it {@code backlog} first, then every published frame.
     *
     * @return false (and nothing is sent) when the stream has its maximum of clients or is closed
     */
    synchronized boolean open(HttpExchange exchange, List<String> backlog) {
        if (closed || clients.size() >= maxClients) {
            return false;
        }
        Client client = new Client(exchange, backlog);
        clients.add(client);
        served.incrementAndGet();
        Thread writer = new Thread(client, "bulwark-dashboard-sse-" + threadNumber.incrementAndGet());
        writer.setDaemon(true);
        client.writer = writer;
        writer.start();
        return true;
    }

    /** Offers {@code frame} to every client; drops those whose queue is full. Never blocks. */
    void publish(String frame) {
        for (Client client : clients) {
            if (!client.queue.offer(frame)) {
                drop(client, "its queue of " + queueCapacity + " frames is full");
            }
        }
    }

    int clients() {
        return clients.size();
    }

    long dropped() {
        return dropped.get();
    }

    long served() {
        return served.get();
    }

    private void drop(Client client, String why) {
        if (client.ended) {
            return;
        }
        if (clients.remove(client)) {
            dropped.incrementAndGet();
            LOG.log(System.Logger.Level.DEBUG, "dropping event stream client {0}: {1}", client, why);
        }
        client.end();
    }

    /** Ends every client and refuses new ones. */
    void close() {
        synchronized (this) {
            closed = true;
        }
        for (Client client : clients) {
            clients.remove(client);
            client.end();
        }
    }

    static String frame(String event, long id, String json) {
        StringBuilder sb = new StringBuilder(json.length() + 48);
        if (event != null) {
            sb.append("event: ").append(event).append('\n');
        }
        if (id >= 0) {
            sb.append("id: ").append(id).append('\n');
        }
        sb.append("data: ").append(json).append("\n\n");
        return sb.toString();
    }

    private final class Client implements Runnable {
        final HttpExchange exchange;
        final ArrayBlockingQueue<String> queue = new ArrayBlockingQueue<>(queueCapacity);
        final List<String> backlog;
        volatile Thread writer;
        volatile boolean ended;

        Client(HttpExchange exchange, List<String> backlog) {
            this.exchange = exchange;
            this.backlog = backlog;
        }

        void end() {
            ended = true;
            Thread t = writer;
            if (t != null) {
                t.interrupt();
            }
        }

        @Override
        public void run() {
            try {
                exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
                exchange.getResponseHeaders().set("Cache-Control", "no-store");
                exchange.getResponseHeaders().set("X-Accel-Buffering", "no");
                exchange.sendResponseHeaders(200, 0);
                OutputStream out = exchange.getResponseBody();
                write(out, "retry: 2000\n\n");
                for (String frame : backlog) {
                    write(out, frame);
                }
                long beat = 0;
                while (!ended && !closed) {
                    String frame = queue.poll(heartbeat.toNanos(), TimeUnit.NANOSECONDS);
                    if (frame == null) {
                        frame = "event: heartbeat\ndata: {\"beat\":" + (++beat) + ",\"t\":" + System.currentTimeMillis() + "}\n\n";
                    }
                    write(out, frame);
                }
            } catch (InterruptedException | IOException e) {
                // dropped, closed, or the client went away
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "event stream writer failed", e);
            } finally {
                ended = true;
                clients.remove(this);
                Thread.interrupted();   // a pending interrupt must not disturb the close
                try {
                    exchange.close();
                } catch (RuntimeException ignored) {
                    // the connection is gone already
                }
            }
        }

        private void write(OutputStream out, String frame) throws IOException {
            out.write(frame.getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        @Override
        public String toString() {
            return String.valueOf(exchange.getRemoteAddress());
        }
    }
}
