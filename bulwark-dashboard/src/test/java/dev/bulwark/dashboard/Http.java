package dev.bulwark.dashboard;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** Raw HTTP/1.1 over a socket, so that a test sends exactly the bytes it means (no client-side normalisation). */
final class Http {

    record Response(int status, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private Http() {
    }

    static Response request(InetSocketAddress address, String method, String rawPath, String... headerLines) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(address, 5_000);
            socket.setSoTimeout(10_000);
            StringBuilder req = new StringBuilder();
            req.append(method).append(' ').append(rawPath).append(" HTTP/1.1\r\n");
            req.append("Host: ").append(address.getHostString()).append(':').append(address.getPort()).append("\r\n");
            req.append("Connection: close\r\n");
            for (String h : headerLines) {
                req.append(h).append("\r\n");
            }
            if (method.equals("POST") || method.equals("PUT")) {
                req.append("Content-Length: 0\r\n");
            }
            req.append("\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(req.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return read(socket.getInputStream());
        }
    }

    static Response get(InetSocketAddress address, String rawPath) throws IOException {
        return request(address, "GET", rawPath);
    }

    /** Reads a response whose body has a Content-Length, is chunked, or ends with the connection. */
    static Response read(InputStream in) throws IOException {
        String statusLine = line(in);
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        String h;
        while (!(h = line(in)).isEmpty()) {
            int colon = h.indexOf(':');
            headers.put(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (headers.containsKey("content-length")) {
            body.write(in.readNBytes(Integer.parseInt(headers.get("content-length"))));
        } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            while (true) {
                int size = Integer.parseInt(line(in).trim(), 16);
                if (size == 0) {
                    line(in);
                    break;
                }
                body.write(in.readNBytes(size));
                line(in);
            }
        }
        return new Response(status, headers, body.toString(StandardCharsets.UTF_8));
    }

    static String line(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                break;
            }
            if (c != '\r') {
                b.append((char) c);
            }
        }
        if (c == -1 && b.length() == 0) {
            throw new IOException("connection closed");
        }
        return b.toString();
    }

    /** The body of a chunked response as a plain stream. */
    static InputStream dechunked(InputStream in) {
        return new InputStream() {
            private int left;
            private boolean done;

            @Override
            public int read() throws IOException {
                if (done) {
                    return -1;
                }
                if (left == 0) {
                    String size = line(in).trim();
                    if (size.isEmpty()) {
                        size = line(in).trim();
                    }
                    left = Integer.parseInt(size, 16);
                    if (left == 0) {
                        done = true;
                        return -1;
                    }
                }
                int c = in.read();
                if (c == -1) {
                    done = true;
                    return -1;
                }
                left--;
                if (left == 0) {
                    line(in);
                }
                return c;
            }
        };
    }

    /** An event-stream connection: the response headers, then one frame at a time. */
    static final class EventSource implements AutoCloseable {
        final Socket socket;
        final Response head;
        private final InputStream body;

        EventSource(InetSocketAddress address, int receiveBuffer) throws IOException {
            socket = new Socket();
            if (receiveBuffer > 0) {
                socket.setReceiveBufferSize(receiveBuffer);
            }
            socket.connect(address, 5_000);
            socket.setSoTimeout(10_000);
            String req = "GET /bulwark/events HTTP/1.1\r\nHost: " + address.getHostString() + "\r\nAccept: text/event-stream\r\n\r\n";
            socket.getOutputStream().write(req.getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = new java.io.BufferedInputStream(socket.getInputStream());
            String statusLine = line(in);
            int status = Integer.parseInt(statusLine.split(" ")[1]);
            Map<String, String> headers = new LinkedHashMap<>();
            String h;
            while (!(h = line(in)).isEmpty()) {
                int colon = h.indexOf(':');
                headers.put(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
            }
            String bodyText = "";
            InputStream b = in;
            if (status != 200) {
                if (headers.containsKey("content-length")) {
                    bodyText = new String(in.readNBytes(Integer.parseInt(headers.get("content-length"))), StandardCharsets.UTF_8);
                }
            } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
                b = dechunked(in);
            }
            head = new Response(status, headers, bodyText);
            body = b;
        }

        /** The next frame: its field lines ("event: tick", "id: 3", "data: {...}"), without the blank line. */
        java.util.List<String> next() throws IOException {
            java.util.List<String> lines = new java.util.ArrayList<>();
            while (true) {
                String l = line(body);
                if (l.isEmpty()) {
                    if (!lines.isEmpty()) {
                        return lines;
                    }
                    continue;
                }
                lines.add(l);
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
