// A WebSocket echo app and a load client for bench/proxy.py, in one small epoll program.
//
//   ws_echo_bench server            listens on 127.0.0.1:$PORT (as any app behind the front)
//                                   and echoes every message (RFC 6455: the handshake, then
//                                   frames; client frames are masked, its answers are not)
//   ws_echo_bench client PORT CONNECTIONS SECONDS [SIZE]
//                                   opens CONNECTIONS WebSocket connections to 127.0.0.1:PORT,
//                                   each sending a SIZE-byte binary message (default 32) and
//                                   waiting for its echo before the next; after a 1 s warm-up
//                                   counts the echoes for SECONDS; prints "MESSAGES_PER_SECOND
//                                   ECHOES" and exits 1 if any echo was wrong or a connection
//                                   failed.
//
// Built by bench/proxy.py: cc -O2 ws_echo_bench.c -lcrypto (SHA-1 for the handshake's accept
// key). Written for load, not for the protocol's corners: no fragmentation, no ping/pong, and
// messages under 64 KiB.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/sha.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { BUFFER = 1 << 17 };

typedef struct {
    int fd;
    int upgraded;
    size_t have;
    unsigned char in[BUFFER];
} Connection;

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static void die(const char *what) {
    perror(what);
    exit(2);
}

static int send_all(int fd, const void *bytes, size_t count) {
    const unsigned char *p = bytes;
    while (count > 0) {
        ssize_t sent = send(fd, p, count, MSG_NOSIGNAL);
        if (sent < 0 && errno == EINTR) continue;
        if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            // Rare with small messages: wait until it takes more.
            fd_set set;
            FD_ZERO(&set);
            FD_SET(fd, &set);
            select(fd + 1, NULL, &set, NULL, NULL);
            continue;
        }
        if (sent <= 0) return -1;
        p += sent;
        count -= (size_t)sent;
    }
    return 0;
}

static void base64(const unsigned char *in, size_t count, char *out) {
    static const char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t o = 0;
    for (size_t i = 0; i < count; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < count ? (uint32_t)in[i + 1] << 8 : 0) | (i + 2 < count ? in[i + 2] : 0);
        out[o++] = digits[v >> 18 & 63];
        out[o++] = digits[v >> 12 & 63];
        out[o++] = i + 1 < count ? digits[v >> 6 & 63] : '=';
        out[o++] = i + 2 < count ? digits[v & 63] : '=';
    }
    out[o] = 0;
}

/// A frame's header length and payload length, once `have` bytes hold the whole frame; 0 if not yet.
static size_t frame_size(const unsigned char *p, size_t have, size_t *header, size_t *payload) {
    if (have < 2) return 0;
    size_t length = p[1] & 0x7F, h = 2;
    if (length == 126) {
        if (have < 4) return 0;
        length = (size_t)p[2] << 8 | p[3];
        h = 4;
    } else if (length == 127) {
        return 0;  // not used here
    }
    if (p[1] & 0x80) h += 4;
    if (have < h + length) return 0;
    *header = h;
    *payload = length;
    return h + length;
}

static size_t write_frame_header(unsigned char *out, unsigned char opcode, size_t payload, int masked) {
    size_t h = 0;
    out[h++] = 0x80 | opcode;  // FIN
    if (payload < 126) {
        out[h++] = (unsigned char)payload | (masked ? 0x80 : 0);
    } else {
        out[h++] = 126 | (masked ? 0x80 : 0);
        out[h++] = (unsigned char)(payload >> 8);
        out[h++] = (unsigned char)payload;
    }
    return h;
}

// MARK: The app

static void serve_handshake(Connection *c) {
    unsigned char *end = memmem(c->in, c->have, "\r\n\r\n", 4);
    if (!end) return;
    size_t headLength = (size_t)(end - c->in) + 4;
    c->in[headLength - 1] = 0;
    const char *key = strcasestr((char *)c->in, "\nSec-WebSocket-Key:");
    if (!key) {
        const char *refusal = "HTTP/1.1 426 Upgrade Required\r\nContent-Length: 0\r\n\r\n";
        send_all(c->fd, refusal, strlen(refusal));
    } else {
        key += strlen("\nSec-WebSocket-Key:");
        while (*key == ' ') key++;
        char joined[128];
        size_t keyLength = strcspn(key, "\r\n");
        snprintf(joined, sizeof joined, "%.*s258EAFA5-E914-47DA-95CA-C5AB0DC85B11", (int)keyLength, key);
        unsigned char digest[SHA_DIGEST_LENGTH];
        SHA1((const unsigned char *)joined, strlen(joined), digest);
        char accept[64], response[256];
        base64(digest, sizeof digest, accept);
        int n = snprintf(response, sizeof response,
                         "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n", accept);
        send_all(c->fd, response, (size_t)n);
        c->upgraded = 1;
    }
    memmove(c->in, c->in + headLength, c->have - headLength);
    c->have -= headLength;
}

/// Echoes every whole frame received; false when the connection should close.
static int serve_frames(Connection *c) {
    static unsigned char out[BUFFER];
    size_t used = 0, written = 0, header, payload, size;
    while ((size = frame_size(c->in + used, c->have - used, &header, &payload)) > 0) {
        unsigned char *frame = c->in + used;
        if ((frame[0] & 0x0F) == 0x8) return 0;  // close
        unsigned char *mask = frame + header - 4;
        size_t h = write_frame_header(out + written, frame[0] & 0x0F, payload, 0);
        for (size_t i = 0; i < payload; i++) out[written + h + i] = frame[header + i] ^ mask[i & 3];
        written += h + payload;
        used += size;
        if (written > BUFFER - 70000) break;
    }
    if (written > 0 && send_all(c->fd, out, written) < 0) return 0;
    memmove(c->in, c->in + used, c->have - used);
    c->have -= used;
    return 1;
}

static int server(void) {
    const char *portText = getenv("PORT");
    if (!portText) {
        fprintf(stderr, "PORT is not set\n");
        return 2;
    }
    int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    int one = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(portText))};
    inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
    if (bind(listener, (struct sockaddr *)&address, sizeof address) < 0) die("bind");
    if (listen(listener, 1024) < 0) die("listen");
    printf("ws echo listening on 127.0.0.1:%s\n", portText);
    fflush(stdout);
    int epoll = epoll_create1(0);
    struct epoll_event event = {.events = EPOLLIN, .data.ptr = NULL};
    epoll_ctl(epoll, EPOLL_CTL_ADD, listener, &event);
    struct epoll_event events[256];
    for (;;) {
        int ready = epoll_wait(epoll, events, 256, -1);
        for (int i = 0; i < ready; i++) {
            Connection *c = events[i].data.ptr;
            if (!c) {
                int fd;
                while ((fd = accept4(listener, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
                    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    Connection *made = calloc(1, sizeof *made);
                    made->fd = fd;
                    struct epoll_event add = {.events = EPOLLIN, .data.ptr = made};
                    epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &add);
                }
                continue;
            }
            ssize_t count = recv(c->fd, c->in + c->have, BUFFER - c->have, 0);
            int keep = count > 0;
            if (keep) {
                c->have += (size_t)count;
                if (!c->upgraded) serve_handshake(c);
                if (c->upgraded) keep = serve_frames(c);
            } else if (count < 0 && (errno == EAGAIN || errno == EINTR)) {
                keep = 1;
            }
            if (!keep) {
                close(c->fd);
                free(c);
            }
        }
    }
}

// MARK: The load

static int client(int port, int connections, double seconds, size_t size) {
    int epoll = epoll_create1(0);
    Connection **all = calloc((size_t)connections, sizeof *all);
    unsigned char *message = malloc(size + 8);
    size_t h = write_frame_header(message, 0x2, size, 1);
    memcpy(message + h, "\x12\x34\x56\x78", 4);
    for (size_t i = 0; i < size; i++) message[h + 4 + i] = (unsigned char)('a' + i % 26) ^ message[h + (i & 3)];
    size_t frameLength = h + 4 + size;
    for (int i = 0; i < connections; i++) {
        Connection *c = calloc(1, sizeof *c);
        c->fd = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
        if (connect(c->fd, (struct sockaddr *)&address, sizeof address) < 0) die("connect");
        int one = 1;
        setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        const char *handshake = "GET /echo HTTP/1.1\r\nHost: bench\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                                "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n";
        send_all(c->fd, handshake, strlen(handshake));
        // The 101 head, read byte-wise blocking (once per connection).
        while (!(c->have >= 4 && memcmp(c->in + c->have - 4, "\r\n\r\n", 4) == 0)) {
            if (recv(c->fd, c->in + c->have, 1, 0) != 1) die("handshake");
            c->have++;
        }
        if (strncmp((char *)c->in, "HTTP/1.1 101", 12) != 0) {
            fprintf(stderr, "no 101: %.*s\n", (int)c->have, c->in);
            return 1;
        }
        c->have = 0;
        struct epoll_event add = {.events = EPOLLIN, .data.ptr = c};
        epoll_ctl(epoll, EPOLL_CTL_ADD, c->fd, &add);
        all[i] = c;
        send_all(c->fd, message, frameLength);
    }
    long echoes = 0, counted = 0;
    double start = now(), countFrom = start + 1, stop = countFrom + seconds;
    struct epoll_event events[256];
    int failed = 0;
    while (now() < stop && !failed) {
        int ready = epoll_wait(epoll, events, 256, 100);
        for (int i = 0; i < ready; i++) {
            Connection *c = events[i].data.ptr;
            ssize_t count = recv(c->fd, c->in + c->have, BUFFER - c->have, MSG_DONTWAIT);
            if (count <= 0) {
                if (count < 0 && errno == EAGAIN) continue;
                fprintf(stderr, "a connection ended\n");
                failed = 1;
                break;
            }
            c->have += (size_t)count;
            size_t header, payload, whole;
            while ((whole = frame_size(c->in, c->have, &header, &payload)) > 0) {
                if (payload != size || c->in[header] != 'a' || c->in[header + size - 1] != (unsigned char)('a' + (size - 1) % 26)) {
                    fprintf(stderr, "a wrong echo\n");
                    failed = 1;
                }
                memmove(c->in, c->in + whole, c->have - whole);
                c->have -= whole;
                echoes++;
                if (now() >= countFrom) counted++;
                send_all(c->fd, message, frameLength);
            }
        }
    }
    printf("%.0f %ld\n", counted / seconds, echoes);
    return failed;
}

int main(int argc, char **argv) {
    if (argc >= 2 && strcmp(argv[1], "server") == 0) return server();
    if (argc >= 5 && strcmp(argv[1], "client") == 0) {
        return client(atoi(argv[2]), atoi(argv[3]), atof(argv[4]), argc > 5 ? (size_t)atoi(argv[5]) : 32);
    }
    fprintf(stderr, "usage: ws_echo_bench server | client PORT CONNECTIONS SECONDS [SIZE]\n");
    return 2;
}
