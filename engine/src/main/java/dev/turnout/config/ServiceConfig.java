package dev.turnout.config;

import java.time.Duration;

/**
 * How a router judges responses and retries: the response classifier's kind, and the retry budget
 * (retries allowed: {@code percentCanRetry} of requests over {@code retryTtl}, plus {@code
 * minRetriesPerSec}).
 */
public record ServiceConfig(
    String responseClassifier, double percentCanRetry, int minRetriesPerSec, Duration retryTtl) {}
