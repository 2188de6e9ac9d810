package dev.turnout.tracing;

/** Where finished traces go: an exporter that batches and sends on a thread of its own. */
interface TraceSink extends AutoCloseable {
  /** Queues the trace's spans; never blocks (a full queue drops, as the exporter's own rules say). */
  void report(RequestTrace t);

  /** Sends what is queued, waiting a little, and stops. */
  @Override
  void close();
}
