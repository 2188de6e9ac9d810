package dev.turnout.tls;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/** A real HTTPS server on a free loopback port, answering {@code ok}, with the TLS of a {@link ServerTls}. */
final class HttpsPeer implements AutoCloseable {
  private final HttpsServer server;

  HttpsPeer(ServerTls tls) {
    try {
      server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.setHttpsConfigurator(
        new HttpsConfigurator(tls.context()) {
          @Override
          public void configure(HttpsParameters params) {
            params.setSSLParameters(tls.parameters());
          }
        });
    server.createContext("/", ex -> {
      byte[] body = "ok".getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(200, body.length);
      ex.getResponseBody().write(body);
      ex.close();
    });
    server.start();
  }

  URI uri() {
    return URI.create("https://127.0.0.1:" + server.getAddress().getPort() + "/");
  }

  /** The certificate the server presents to a new client, which has no session to resume. */
  X509Certificate presented(SSLContext context, SSLParameters params) throws Exception {
    HttpClient client =
        HttpClient.newBuilder().sslContext(context).sslParameters(params).connectTimeout(Duration.ofSeconds(5)).build();
    HttpResponse<String> r =
        client.send(HttpRequest.newBuilder(uri()).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    return (X509Certificate) r.sslSession().orElseThrow().getPeerCertificates()[0];
  }

  X509Certificate presented(ClientTls tls) throws Exception {
    return presented(tls.context(), tls.parameters());
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
