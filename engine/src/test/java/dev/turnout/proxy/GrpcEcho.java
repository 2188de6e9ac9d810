package dev.turnout.proxy;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.ForwardingServerCall;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real grpc-java server of a small echo service, its methods described by hand with a byte[]
 * marshaller (no protoc, no protobuf). Every answer starts with the server's name, so a test sees which
 * backend a call reached. {@code Unary}: {@code status:N:text} fails with status N; {@code hang} never
 * answers (counted in {@link #cancelled} when the caller gives up); anything else comes back as {@code
 * name:} and the request. {@code ServerStream}: a count n gives n messages. {@code ClientStream}: the
 * number of messages and bytes. {@code Bidi}: each message echoed. Metadata {@code x-echo} comes back
 * in the headers, and a trailer {@code x-trailer: name} ends every call.
 */
final class GrpcEcho implements AutoCloseable {
  static final MethodDescriptor.Marshaller<byte[]> BYTES =
      new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
          return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
          try {
            return stream.readAllBytes();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      };

  static final MethodDescriptor<byte[], byte[]> UNARY = method("Unary", MethodDescriptor.MethodType.UNARY);
  static final MethodDescriptor<byte[], byte[]> SERVER_STREAM =
      method("ServerStream", MethodDescriptor.MethodType.SERVER_STREAMING);
  static final MethodDescriptor<byte[], byte[]> CLIENT_STREAM =
      method("ClientStream", MethodDescriptor.MethodType.CLIENT_STREAMING);
  static final MethodDescriptor<byte[], byte[]> BIDI = method("Bidi", MethodDescriptor.MethodType.BIDI_STREAMING);
  /** Each message echoed byte for byte, no name in front (for large messages). */
  static final MethodDescriptor<byte[], byte[]> BIDI_BYTES = method("BidiBytes", MethodDescriptor.MethodType.BIDI_STREAMING);
  static final Metadata.Key<String> ECHO = Metadata.Key.of("x-echo", Metadata.ASCII_STRING_MARSHALLER);
  static final Metadata.Key<String> TRAILER = Metadata.Key.of("x-trailer", Metadata.ASCII_STRING_MARSHALLER);
  static final Metadata.Key<String> L5D_ERR = Metadata.Key.of("l5d-err", Metadata.ASCII_STRING_MARSHALLER);
  static final Metadata.Key<String> DST_SERVICE = Metadata.Key.of("l5d-dst-service", Metadata.ASCII_STRING_MARSHALLER);
  static final Metadata.Key<String> L5D_DTAB = Metadata.Key.of("l5d-dtab", Metadata.ASCII_STRING_MARSHALLER);

  final String name;
  final Server server;
  final AtomicInteger calls = new AtomicInteger();
  final AtomicInteger cancelled = new AtomicInteger();
  /** The l5d-dst-service each call came with, last one wins. */
  volatile String lastDstService;
  /** Every header the last call came with. */
  volatile Metadata lastHeaders;
  /** The x-echo metadata each call came with, last one wins. */
  volatile String lastEcho;
  /** What the last ClientStream call counted when its caller half-closed: "messages:bytes". */
  volatile String lastCounted;
  /** Messages every Bidi call received, over all calls. */
  final AtomicInteger bidiMessages = new AtomicInteger();

  private static MethodDescriptor<byte[], byte[]> method(String name, MethodDescriptor.MethodType type) {
    return MethodDescriptor.<byte[], byte[]>newBuilder()
        .setType(type)
        .setFullMethodName("test.Echo/" + name)
        .setRequestMarshaller(BYTES)
        .setResponseMarshaller(BYTES)
        .build();
  }

  GrpcEcho(String name) throws IOException {
    this(name, null, null);
  }

  /** A server speaking TLS with {@code cert} and {@code key} (ALPN h2) when they are given. */
  GrpcEcho(String name, java.io.File cert, java.io.File key) throws IOException {
    this(name, cert, key, 0);
  }

  /** A plaintext server that lets each connection have at most {@code maxCallsPerConnection} calls at once. */
  static GrpcEcho limited(String name, int maxCallsPerConnection) throws IOException {
    return new GrpcEcho(name, null, null, maxCallsPerConnection);
  }

  private GrpcEcho(String name, java.io.File cert, java.io.File key, int maxCallsPerConnection) throws IOException {
    this.name = name;
    ServerServiceDefinition service =
        ServerServiceDefinition.builder("test.Echo")
            .addMethod(UNARY, ServerCalls.asyncUnaryCall(this::unary))
            .addMethod(SERVER_STREAM, ServerCalls.asyncServerStreamingCall(this::serverStream))
            .addMethod(CLIENT_STREAM, ServerCalls.asyncClientStreamingCall(this::clientStream))
            .addMethod(BIDI, ServerCalls.asyncBidiStreamingCall(this::bidi))
            .addMethod(BIDI_BYTES, ServerCalls.asyncBidiStreamingCall(this::bidiBytes))
            .build();
    NettyServerBuilder b = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0));
    if (cert != null) {
      b.useTransportSecurity(cert, key);
    }
    if (maxCallsPerConnection > 0) {
      // announced as SETTINGS_MAX_CONCURRENT_STREAMS; a stream past it is refused (RST_STREAM REFUSED_STREAM)
      b.maxConcurrentCallsPerConnection(maxCallsPerConnection);
    }
    server =
        b.maxInboundMessageSize(16 * 1024 * 1024)
            .addService(ServerInterceptors.intercept(service, new Headers()))
            .build()
            .start();
  }

  int port() {
    return server.getPort();
  }

  /** A plaintext (h2c prior knowledge) channel to {@code port}, naming {@code authority}. */
  static ManagedChannel channel(int port, String authority) {
    return NettyChannelBuilder.forAddress("127.0.0.1", port)
        .usePlaintext()
        .overrideAuthority(authority)
        .maxInboundMessageSize(16 * 1024 * 1024)
        .build();
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  static CallOptions within(long millis) {
    return CallOptions.DEFAULT.withDeadlineAfter(millis, TimeUnit.MILLISECONDS);
  }

  private void unary(byte[] request, StreamObserver<byte[]> out) {
    calls.incrementAndGet();
    String r = request.length < 256 ? text(request) : "";
    if (r.startsWith("status:")) {
      String[] p = r.split(":", 3);
      out.onError(Status.fromCodeValue(Integer.parseInt(p[1])).withDescription(p[2]).asRuntimeException());
      return;
    }
    if (r.equals("hang")) {
      io.grpc.Context.current().addListener(c -> cancelled.incrementAndGet(), Runnable::run);
      return;
    }
    byte[] prefix = bytes(name + ":");
    byte[] answer = new byte[prefix.length + request.length];
    System.arraycopy(prefix, 0, answer, 0, prefix.length);
    System.arraycopy(request, 0, answer, prefix.length, request.length);
    out.onNext(answer);
    out.onCompleted();
  }

  private void serverStream(byte[] request, StreamObserver<byte[]> out) {
    calls.incrementAndGet();
    int n = Integer.parseInt(text(request));
    for (int i = 0; i < n; i++) {
      out.onNext(bytes(name + ":" + i));
    }
    out.onCompleted();
  }

  private StreamObserver<byte[]> clientStream(StreamObserver<byte[]> out) {
    calls.incrementAndGet();
    return new StreamObserver<>() {
      int count;
      long total;

      @Override
      public void onNext(byte[] value) {
        count++;
        total += value.length;
      }

      @Override
      public void onError(Throwable t) {
        cancelled.incrementAndGet();
      }

      @Override
      public void onCompleted() {
        lastCounted = count + ":" + total;
        out.onNext(bytes(name + ":" + count + ":" + total));
        out.onCompleted();
      }
    };
  }

  private StreamObserver<byte[]> bidi(StreamObserver<byte[]> out) {
    calls.incrementAndGet();
    return new StreamObserver<>() {
      @Override
      public void onNext(byte[] value) {
        bidiMessages.incrementAndGet();
        out.onNext(bytes(name + ":" + text(value)));
      }

      @Override
      public void onError(Throwable t) {
        cancelled.incrementAndGet();
      }

      @Override
      public void onCompleted() {
        out.onCompleted();
      }
    };
  }

  private StreamObserver<byte[]> bidiBytes(StreamObserver<byte[]> out) {
    calls.incrementAndGet();
    return new StreamObserver<>() {
      @Override
      public void onNext(byte[] value) {
        out.onNext(value);
      }

      @Override
      public void onError(Throwable t) {
        cancelled.incrementAndGet();
      }

      @Override
      public void onCompleted() {
        out.onCompleted();
      }
    };
  }

  /** x-echo back in the headers, x-trailer in the trailers, and the destination noted. */
  private final class Headers implements ServerInterceptor {
    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(
        ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
      lastDstService = headers.get(DST_SERVICE);
      lastHeaders = headers;
      String echo = headers.get(ECHO);
      lastEcho = echo;
      return next.startCall(
          new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            @Override
            public void sendHeaders(Metadata h) {
              if (echo != null) {
                h.put(ECHO, echo);
              }
              super.sendHeaders(h);
            }

            @Override
            public void close(Status status, Metadata trailers) {
              trailers.put(TRAILER, name);
              super.close(status, trailers);
            }
          },
          headers);
    }
  }

  @Override
  public void close() {
    server.shutdownNow();
  }
}
