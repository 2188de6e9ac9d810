package dev.turnout.config;

import java.time.Duration;

/** How a router talks to the endpoints of a bound name. */
public record ClientConfig(
    FailureAccrualConfig failureAccrual, String loadBalancer, Duration connectTimeout) {}
