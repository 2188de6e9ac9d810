package dev.turnout.web.auth;

/** The sign-in form: the CSRF token of the anonymous session, the name typed, and why it failed. */
public record SignInPage(String csrf, String name, String message) {}
